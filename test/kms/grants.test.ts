// CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant: through KMSClient on a
// memory store, on a file store across reopening, through the HTTP endpoint with the real
// @aws-sdk/client-kms, and through the CLI. The grant token's form and MAC (src/kms/grants.ts),
// the rules of CreateGrant's input against the key's type and state, Name's idempotence, the
// grant quota, paging and DryRun.

import { afterAll, describe, it, expect } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  DescribeKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EncryptCommand,
  CreateGrantCommand,
  DisabledException,
  DisableKeyCommand,
  DryRunOperationException,
  InvalidArnException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  InvalidMarkerException,
  KMSClient,
  KMSInvalidStateException,
  LimitExceededException,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  MemoryKeyStore,
  NotFoundException,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  ValidationException,
  paginateListGrants,
  type KeyStore,
} from '../../src/kms/index.js';
import { GRANTS_PER_KEY, parseGrantToken } from '../../src/kms/grants.js';
import type { GrantRecord } from '../../src/kms/records.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { CLOUDHSM, clients, newKey, OTHER_ACCOUNT, rejection } from '../helpers/kms.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';

afterAll(removeTempDirs);

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/retirer`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const HEX64 = /^[0-9a-f]{64}$/;

async function grant(c: KMSClient, KeyId: string, input: Record<string, unknown> = {}) {
  const out = await c.send(
    new CreateGrantCommand({ KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt', 'Decrypt'], ...input }),
  );
  return { GrantId: out.GrantId!, GrantToken: out.GrantToken! };
}

const grantsOf = async (c: KMSClient, KeyId: string, input: Record<string, unknown> = {}) =>
  (await c.send(new ListGrantsCommand({ KeyId, ...input }))).Grants!;

/** A token with one bit of its last byte (in the MAC) flipped: same form, wrong MAC. */
function tamper(token: string): string {
  const last = token.charAt(token.length - 1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Change a character before the last (the last one's low bits must stay zero).
  const i = token.length - 2;
  const c = token.charAt(i);
  const swapped = alphabet[(alphabet.indexOf(c) + 1) % 64]!;
  return token.slice(0, i) + swapped + last;
}

describe('grants: CreateGrant and ListGrants (KMSClient)', () => {
  it('creates a grant and lists it with the members AWS shows', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const before = Date.now();
    const g = await grant(us, k.KeyId!, {
      RetiringPrincipal: RETIRER,
      Constraints: { EncryptionContextSubset: { Department: 'IT' } },
      Name: 'reader-grant',
    });
    expect(g.GrantId).toMatch(HEX64);
    expect(typeof g.GrantToken).toBe('string');
    const parsed = parseGrantToken(g.GrantToken);
    expect(parsed.keyArn).toBe(k.Arn);
    expect(parsed.grantId).toBe(g.GrantId);
    const list = await grantsOf(us, k.KeyId!);
    expect(list).toHaveLength(1);
    const e = list[0]!;
    expect(e.CreationDate).toBeInstanceOf(Date);
    expect(e.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect({ ...e, CreationDate: undefined }).toEqual({
      KeyId: k.Arn,
      GrantId: g.GrantId,
      Name: 'reader-grant',
      CreationDate: undefined,
      GranteePrincipal: ROLE,
      RetiringPrincipal: RETIRER,
      IssuingAccount: ROOT,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { Department: 'IT' } },
    });
    // By key ARN too; a grant without Name, constraints or retiring principal has none of them.
    const g2 = await grant(us, k.Arn!, { Operations: ['DescribeKey'] });
    const e2 = (await grantsOf(us, k.Arn!, { GrantId: g2.GrantId }))[0]!;
    expect(Object.keys(e2).sort()).toEqual(
      ['CreationDate', 'GrantId', 'GranteePrincipal', 'IssuingAccount', 'KeyId', 'Operations'].sort(),
    );
  });

  it('Name: the same parameters answer the same GrantId (a new token each time); others make a new grant', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const a = await grant(us, k.KeyId!, { Name: 'n1', Operations: ['Encrypt', 'Decrypt'] });
    const b = await grant(us, k.Arn!, { Name: 'n1', Operations: ['Decrypt', 'Encrypt'] });
    expect(b.GrantId).toBe(a.GrantId);
    expect(b.GrantToken).not.toBe(a.GrantToken);
    expect(await grantsOf(us, k.KeyId!)).toHaveLength(1);
    const c = await grant(us, k.KeyId!, { Name: 'n1', Operations: ['Encrypt'] });
    expect(c.GrantId).not.toBe(a.GrantId);
    const d = await grant(us, k.KeyId!, { Operations: ['Encrypt', 'Decrypt'] });
    const e = await grant(us, k.KeyId!, { Operations: ['Encrypt', 'Decrypt'] });
    expect(d.GrantId).not.toBe(e.GrantId);
    expect(await grantsOf(us, k.KeyId!)).toHaveLength(4);
    // Both tokens of the named grant retire it; once it is gone, the other is NotFoundException.
    await us.send(new RetireGrantCommand({ GrantToken: b.GrantToken }));
    const err = await rejection(us.send(new RetireGrantCommand({ GrantToken: a.GrantToken })), NotFoundException);
    expect(err.message).toBe(`Grant '${a.GrantId}' does not exist for key '${k.Arn}'`);
  });

  it('refuses operations the key type does not support, with ValidationException', async () => {
    const { us } = clients();
    const sym = await newKey(us);
    const hmac = await newKey(us, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const rsa = await newKey(us, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const ecc = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const cases: [typeof sym, string[], string[]][] = [
      [sym, ['Encrypt', 'Sign'], ['Sign']],
      [hmac, ['Encrypt', 'GenerateMac'], ['Encrypt']],
      [rsa, ['GenerateDataKey', 'GetPublicKey'], ['GenerateDataKey']],
      [ecc, ['Sign', 'Decrypt', 'GenerateMac'], ['Decrypt', 'GenerateMac']],
    ];
    for (const [k, ops, refused] of cases) {
      const err = await rejection(grant(us, k.KeyId!, { Operations: ops }), ValidationException);
      expect(err.message).toBe(
        `Grants on ${k.Arn} (KeySpec ${k.KeySpec}, KeyUsage ${k.KeyUsage}) cannot allow these operations: [${refused.join(', ')}]`,
      );
    }
    // What each type supports passes.
    await grant(us, sym.KeyId!, { Operations: ['GenerateDataKeyPair', 'ReEncryptFrom', 'CreateGrant', 'RetireGrant'] });
    await grant(us, hmac.KeyId!, { Operations: ['GenerateMac', 'VerifyMac', 'DescribeKey'] });
    await grant(us, rsa.KeyId!, { Operations: ['Encrypt', 'Decrypt', 'GetPublicKey'] });
    await grant(us, ecc.KeyId!, { Operations: ['Sign', 'Verify', 'GetPublicKey'] });
    // An empty list, in the validation format.
    const empty = await rejection(grant(us, sym.KeyId!, { Operations: [] }), ValidationException);
    expect(empty.message).toBe(
      "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('constraints: one kind of encryption context, at most 8 pairs, only on symmetric keys; SourceArn kept', async () => {
    const { us } = clients();
    const sym = await newKey(us);
    const ecc = await newKey(us, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const both = await rejection(
      grant(us, sym.KeyId!, {
        Constraints: { EncryptionContextSubset: { a: '1' }, EncryptionContextEquals: { a: '1' } },
      }),
      ValidationException,
    );
    expect(both.message).toBe(
      'A grant constraint can have EncryptionContextSubset or EncryptionContextEquals, but not both.',
    );
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
    const many = await rejection(
      grant(us, sym.KeyId!, { Constraints: { EncryptionContextEquals: nine } }),
      ValidationException,
    );
    expect(many.message).toBe('EncryptionContextEquals can have at most 8 encryption context pairs, not 9.');
    const long = await rejection(
      grant(us, sym.KeyId!, { Constraints: { EncryptionContextSubset: { a: 'x'.repeat(385) } } }),
      ValidationException,
    );
    expect(long.message).toBe(
      'An encryption context value in EncryptionContextSubset can have at most 384 characters.',
    );
    const asym = await rejection(
      grant(us, ecc.KeyId!, { Operations: ['Sign'], Constraints: { EncryptionContextSubset: { a: '1' } } }),
      ValidationException,
    );
    expect(asym.message).toBe(
      `Encryption context grant constraints are supported only on symmetric encryption KMS keys; ${ecc.Arn} has KeySpec ECC_NIST_P256.`,
    );
    // Eight pairs pass; an empty map is no constraint; SourceArn is kept on any key type.
    const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v']));
    const ok = await grant(us, sym.KeyId!, { Constraints: { EncryptionContextEquals: eight } });
    expect((await grantsOf(us, sym.KeyId!, { GrantId: ok.GrantId }))[0]!.Constraints).toEqual({
      EncryptionContextEquals: eight,
    });
    const none = await grant(us, sym.KeyId!, { Constraints: { EncryptionContextSubset: {} } });
    expect((await grantsOf(us, sym.KeyId!, { GrantId: none.GrantId }))[0]!.Constraints).toBeUndefined();
    const src = 'arn:aws:s3:::bucket';
    const s = await grant(us, ecc.KeyId!, { Operations: ['Sign'], Constraints: { SourceArn: src } });
    expect((await grantsOf(us, ecc.KeyId!, { GrantId: s.GrantId }))[0]!.Constraints).toEqual({ SourceArn: src });
  });

  it('grantee and retiring principals: exactly one grantee; a service grantee needs SourceArn and a retiring principal', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const Operations = ['Encrypt'];
    const svc = 'dynamodb.amazonaws.com';
    const refusals: [Record<string, unknown>, string][] = [
      [{ GranteePrincipal: undefined }, 'You must specify either GranteePrincipal or GranteeServicePrincipal.'],
      [
        { GranteeServicePrincipal: svc },
        'You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.',
      ],
      [
        { RetiringPrincipal: RETIRER, RetiringServicePrincipal: svc },
        'You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.',
      ],
      [
        { GranteePrincipal: undefined, GranteeServicePrincipal: svc, RetiringServicePrincipal: svc },
        'A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.',
      ],
      [
        { GranteePrincipal: undefined, GranteeServicePrincipal: svc, Constraints: { SourceArn: 'arn:aws:s3:::b' } },
        'A grant for a GranteeServicePrincipal must have a RetiringPrincipal or a RetiringServicePrincipal.',
      ],
    ];
    for (const [input, message] of refusals) {
      const err = await rejection(grant(us, k.KeyId!, { Operations, ...input }), ValidationException);
      expect(err.message).toBe(message);
    }
    const g = await grant(us, k.KeyId!, {
      Operations,
      GranteePrincipal: undefined,
      GranteeServicePrincipal: svc,
      RetiringServicePrincipal: svc,
      Constraints: { SourceArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/T' },
    });
    const e = (await grantsOf(us, k.KeyId!, { GranteeServicePrincipal: svc }))[0]!;
    expect(e.GrantId).toBe(g.GrantId);
    expect(e.GranteePrincipal).toBe(svc);
    expect(e.GranteeServicePrincipal).toBe(svc);
    expect(e.RetiringServicePrincipal).toBe(svc);
    expect(await grantsOf(us, k.KeyId!, { GranteePrincipal: ROLE })).toEqual([]);
  });

  it('key states: Disabled is DisabledException, PendingDeletion and PendingImport KMSInvalidStateException', async () => {
    const { us } = clients();
    const disabled = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const d = await rejection(grant(us, disabled.KeyId!), DisabledException);
    expect(d.message).toBe(`${disabled.Arn} is disabled.`);
    // A failed check comes before DryRun.
    await rejection(grant(us, disabled.KeyId!, { DryRun: true }), DisabledException);
    const pending = await newKey(us);
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId, PendingWindowInDays: 7 }));
    const p = await rejection(grant(us, pending.KeyId!), KMSInvalidStateException);
    expect(p.message).toBe(`${pending.Arn} is pending deletion.`);
    const external = await newKey(us, { Origin: 'EXTERNAL' });
    const x = await rejection(grant(us, external.KeyId!), KMSInvalidStateException);
    expect(x.message).toBe(`${external.Arn} is pending import.`);
  });

  it('key states: a key of a disconnected custom key store (Unavailable) takes grants, even when disabled', async () => {
    const { us } = clients();
    const id = (await us.send(new CreateCustomKeyStoreCommand(CLOUDHSM))).CustomKeyStoreId!;
    await us.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const k = await newKey(us, { CustomKeyStoreId: id });
    const off = await newKey(us, { CustomKeyStoreId: id });
    await us.send(new DisableKeyCommand({ KeyId: off.KeyId }));
    await rejection(grant(us, off.KeyId!), DisabledException);
    await us.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    for (const key of [k, off]) {
      const g = await grant(us, key.KeyId!);
      expect((await grantsOf(us, key.KeyId!)).map((x) => x.GrantId)).toEqual([g.GrantId]);
      await us.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId }));
    }
  });

  it('key states: ListGrants, RetireGrant and RevokeGrant work on a disabled key and one pending deletion', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const a = await grant(us, k.KeyId!);
    const b = await grant(us, k.KeyId!);
    await us.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    expect(await grantsOf(us, k.KeyId!)).toHaveLength(2);
    await us.send(new RetireGrantCommand({ GrantToken: a.GrantToken }));
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    expect((await grantsOf(us, k.KeyId!)).map((g) => g.GrantId)).toEqual([b.GrantId]);
    await us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: b.GrantId }));
    expect(await grantsOf(us, k.KeyId!)).toEqual([]);
  });

  it('DryRun: DryRunOperationException after every check, and nothing changes', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const dry = await rejection(grant(us, k.KeyId!, { DryRun: true }), DryRunOperationException);
    expect(dry.message).toBe('The request would have succeeded, but the DryRun option is set.');
    expect(await grantsOf(us, k.KeyId!)).toEqual([]);
    const g = await grant(us, k.KeyId!);
    await rejection(
      us.send(new RetireGrantCommand({ GrantToken: g.GrantToken, DryRun: true })),
      DryRunOperationException,
    );
    await rejection(
      us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: g.GrantId, DryRun: true })),
      DryRunOperationException,
    );
    expect(await grantsOf(us, k.KeyId!)).toHaveLength(1);
    // A grant that does not exist is NotFoundException, DryRun or not.
    await rejection(
      us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: 'ab'.repeat(32), DryRun: true })),
      NotFoundException,
    );
  });

  it('KeyId: an alias is refused, a malformed ARN is InvalidArnException, a missing key NotFoundException', async () => {
    const { us } = clients();
    const alias = await rejection(grant(us, 'alias/x'), NotFoundException);
    expect(alias.message).toBe("Invalid keyId 'alias/x'");
    await rejection(grant(us, 'arn:aws:kms:us-east-1:111122223333:thing/x'), InvalidArnException);
    await rejection(us.send(new ListGrantsCommand({ KeyId: 'arn:aws:kms:bad' })), InvalidArnException);
    const ghost = '0b3c1a5e-1111-4222-8333-944455556666';
    const missing = await rejection(grant(us, ghost), NotFoundException);
    expect(missing.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${ghost}' does not exist`);
  });

  it("another account's key by ARN goes to authorization: the default key policy refuses it", async () => {
    const { us, other } = clients();
    const k = await newKey(us);
    const err = await rejection(
      other.send(new CreateGrantCommand({ KeyId: k.Arn, GranteePrincipal: ROLE, Operations: ['Encrypt'] })),
      AccessDeniedException,
    );
    expect(err.message).toBe(
      `User: arn:aws:iam::${OTHER_ACCOUNT}:root is not authorized to perform: kms:CreateGrant on resource: ${k.Arn} because no resource-based policy allows the kms:CreateGrant action`,
    );
    await rejection(other.send(new ListGrantsCommand({ KeyId: k.Arn })), AccessDeniedException);
    // By a bare key id, the other account has no such key.
    await rejection(
      other.send(new CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Encrypt'] })),
      NotFoundException,
    );
  });

  it(`the grant quota: ${GRANTS_PER_KEY} grants per key, then LimitExceededException`, async () => {
    const store = new MemoryKeyStore();
    const us = new KMSClient({ store });
    const k = await newKey(us);
    const named = await grant(us, k.KeyId!, { Name: 'kept' });
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    const filler: GrantRecord[] = Array.from({ length: GRANTS_PER_KEY - 2 }, (_, i) => ({
      grantId: i.toString(16).padStart(64, '0'),
      granteePrincipal: ROLE,
      issuingAccount: ROOT,
      operations: ['Decrypt'],
      creationDate: new Date(0),
    }));
    record.grants = [...record.grants!, ...filler];
    await store.putKey(record);
    await grant(us, k.KeyId!); // the 50,000th
    const err = await rejection(grant(us, k.KeyId!), LimitExceededException);
    expect(err.message).toBe(
      `The grant quota has been reached for ${k.Arn}: a KMS key can have at most ${GRANTS_PER_KEY} grants.`,
    );
    // A retry of a named grant creates nothing, so the full key still answers it.
    expect((await grant(us, k.KeyId!, { Name: 'kept' })).GrantId).toBe(named.GrantId);
    await us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: named.GrantId }));
    await grant(us, k.KeyId!);
  });
});

describe('grants: GrantTokens of the other operations', () => {
  it('a malformed token is InvalidGrantTokenException; a well-formed one of a retired grant is ignored', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const g = await grant(us, k.KeyId!);
    const Plaintext = Uint8Array.of(1, 2, 3);
    await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext, GrantTokens: [g.GrantToken] }));
    await us.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
    await us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext, GrantTokens: [g.GrantToken] }));
    const bad = await rejection(
      us.send(new DescribeKeyCommand({ KeyId: k.KeyId, GrantTokens: [g.GrantToken, 'bogus'] })),
      InvalidGrantTokenException,
    );
    expect(bad.message).toBe('The grant token is not valid.');
    await rejection(
      us.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext, GrantTokens: [tamper(g.GrantToken).slice(1)] })),
      InvalidGrantTokenException,
    );
    // Schema violations come first.
    await rejection(us.send(new DescribeKeyCommand({ KeyId: k.KeyId, GrantTokens: [''] })), ValidationException);
  });
});

describe('grants: paging and filters', () => {
  it('ListGrants pages by Limit and Marker in grant id order; a bad marker is InvalidMarkerException', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const other = await newKey(us);
    await grant(us, other.KeyId!);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await grant(us, k.KeyId!)).GrantId);
    ids.sort();
    const p1 = await us.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 2 }));
    expect(p1.Grants!.map((g) => g.GrantId)).toEqual(ids.slice(0, 2));
    expect(p1.Truncated).toBe(true);
    const p2 = await us.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 2, Marker: p1.NextMarker }));
    expect(p2.Grants!.map((g) => g.GrantId)).toEqual(ids.slice(2, 4));
    const p3 = await us.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 2, Marker: p2.NextMarker }));
    expect(p3.Grants!.map((g) => g.GrantId)).toEqual(ids.slice(4));
    expect(p3.Truncated).toBe(false);
    expect(p3.NextMarker).toBeUndefined();
    const all: string[] = [];
    for await (const p of paginateListGrants({ client: us, pageSize: 3 }, { KeyId: k.KeyId! }))
      all.push(...p.Grants!.map((g) => g.GrantId!));
    expect(all).toEqual(ids);
    const bad = await rejection(
      us.send(new ListGrantsCommand({ KeyId: k.KeyId, Marker: 'zz' })),
      InvalidMarkerException,
    );
    expect(bad.message).toBe('Invalid marker: zz');
    await rejection(us.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 101 })), ValidationException);
    expect((await us.send(new ListGrantsCommand({ KeyId: k.KeyId, Limit: 100 }))).Grants).toHaveLength(5);
  });

  it('ListGrants filters by GrantId and GranteePrincipal; a malformed GrantId is InvalidGrantIdException', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const a = await grant(us, k.KeyId!);
    const b = await grant(us, k.KeyId!, { GranteePrincipal: RETIRER });
    expect((await grantsOf(us, k.KeyId!, { GrantId: a.GrantId })).map((g) => g.GrantId)).toEqual([a.GrantId]);
    expect((await grantsOf(us, k.KeyId!, { GranteePrincipal: RETIRER })).map((g) => g.GrantId)).toEqual([b.GrantId]);
    expect(await grantsOf(us, k.KeyId!, { GrantId: 'cd'.repeat(32) })).toEqual([]);
    const err = await rejection(grantsOf(us, k.KeyId!, { GrantId: 'not-a-grant' }), InvalidGrantIdException);
    expect(err.message).toBe("Invalid grantId 'not-a-grant'");
    await rejection(
      grantsOf(us, k.KeyId!, { GranteePrincipal: ROLE, GranteeServicePrincipal: 'x.amazonaws.com' }),
      ValidationException,
    );
  });

  it("ListRetirableGrants: the account's grants with that retiring principal, across keys, paged", async () => {
    const store = new MemoryKeyStore();
    const { us, other } = clients(store);
    const k1 = await newKey(us);
    const k2 = await newKey(us);
    const mine = [
      await grant(us, k1.KeyId!, { RetiringPrincipal: RETIRER }),
      await grant(us, k1.KeyId!, { RetiringPrincipal: RETIRER }),
      await grant(us, k2.KeyId!, { RetiringPrincipal: RETIRER }),
    ];
    await grant(us, k2.KeyId!, { RetiringPrincipal: ROLE });
    await grant(us, k2.KeyId!);
    const ok = await newKey(other);
    await grant(other, ok.KeyId!, { RetiringPrincipal: RETIRER });
    const list = (await us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER }))).Grants!;
    expect(list.map((g) => g.GrantId).sort()).toEqual(mine.map((g) => g.GrantId).sort());
    for (const g of list) expect(g.RetiringPrincipal).toBe(RETIRER);
    expect(new Set(list.map((g) => g.KeyId))).toEqual(new Set([k1.Arn, k2.Arn]));
    const p1 = await us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER, Limit: 2 }));
    expect(p1.Truncated).toBe(true);
    const p2 = await us.send(
      new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER, Limit: 2, Marker: p1.NextMarker }),
    );
    expect(p2.Truncated).toBe(false);
    expect([...p1.Grants!, ...p2.Grants!].map((g) => g.GrantId)).toEqual(list.map((g) => g.GrantId));
    await rejection(
      us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER, Marker: p1.NextMarker!.slice(2) })),
      InvalidMarkerException,
    );
    const neither = await rejection(us.send(new ListRetirableGrantsCommand({})), ValidationException);
    expect(neither.message).toBe(
      'You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.',
    );
    const notArn = await rejection(
      us.send(new ListRetirableGrantsCommand({ RetiringPrincipal: 'retirer' })),
      InvalidArnException,
    );
    expect(notArn.message).toBe("'retirer' is not a valid principal ARN.");
  });
});

describe('grants: RetireGrant and RevokeGrant (KMSClient)', () => {
  it('RetireGrant by KeyId and GrantId, and by token; RevokeGrant by KeyId and GrantId', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const [a, b, c] = [await grant(us, k.KeyId!), await grant(us, k.KeyId!), await grant(us, k.KeyId!)];
    await us.send(new RetireGrantCommand({ KeyId: k.Arn, GrantId: a.GrantId }));
    await us.send(new RetireGrantCommand({ GrantToken: b.GrantToken, GrantId: b.GrantId, KeyId: k.Arn }));
    expect((await grantsOf(us, k.KeyId!)).map((g) => g.GrantId)).toEqual([c.GrantId]);
    await us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: c.GrantId }));
    expect(await grantsOf(us, k.KeyId!)).toEqual([]);
    const gone = await rejection(
      us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: c.GrantId })),
      NotFoundException,
    );
    expect(gone.message).toBe(`Grant '${c.GrantId}' does not exist for key '${k.Arn}'`);
  });

  it('grant tokens: malformed or with a wrong MAC is InvalidGrantTokenException, and the grant stays', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const g = await grant(us, k.KeyId!);
    for (const bad of ['x', 'not a token', g.GrantToken.slice(0, -4), g.GrantToken + 'AAAA', tamper(g.GrantToken)]) {
      const err = await rejection(us.send(new RetireGrantCommand({ GrantToken: bad })), InvalidGrantTokenException);
      expect(err.message).toBe('The grant token is not valid.');
    }
    expect(tamper(g.GrantToken)).not.toBe(g.GrantToken);
    expect(parseGrantToken(tamper(g.GrantToken)).grantId).toBe(g.GrantId);
    // A token of another grant of the same key does not retire this one.
    const h = await grant(us, k.KeyId!);
    const mismatch = await rejection(
      us.send(new RetireGrantCommand({ GrantToken: h.GrantToken, GrantId: g.GrantId })),
      ValidationException,
    );
    expect(mismatch.message).toBe('The GrantId does not name the grant of the GrantToken.');
    const k2 = await newKey(us);
    await rejection(
      us.send(new RetireGrantCommand({ GrantToken: h.GrantToken, KeyId: k2.KeyId })),
      ValidationException,
    );
    expect(await grantsOf(us, k.KeyId!)).toHaveLength(2);
  });

  it('RetireGrant needs a token, or KeyId and GrantId; grant ids must be 64 lowercase hex', async () => {
    const { us } = clients();
    const k = await newKey(us);
    for (const input of [{}, { KeyId: k.KeyId }, { GrantId: 'ab'.repeat(32) }]) {
      const err = await rejection(us.send(new RetireGrantCommand(input)), ValidationException);
      expect(err.message).toBe('Either GrantToken, or both KeyId and GrantId, must be specified.');
    }
    await rejection(
      us.send(new RetireGrantCommand({ KeyId: k.KeyId, GrantId: 'AB'.repeat(32) })),
      InvalidGrantIdException,
    );
    await rejection(us.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: 'ab' })), InvalidGrantIdException);
    await rejection(us.send(new RetireGrantCommand({ KeyId: k.KeyId, GrantId: 'ab'.repeat(32) })), NotFoundException);
  });

  it("a grant token retires its grant from another account; a token of a deleted key's grant is NotFoundException", async () => {
    const store = new MemoryKeyStore();
    const { us, other } = clients(store);
    const k = await newKey(us);
    const g = await grant(us, k.KeyId!, { RetiringPrincipal: `arn:aws:iam::${OTHER_ACCOUNT}:root` });
    await other.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
    expect(await grantsOf(us, k.KeyId!)).toEqual([]);
    // Another account cannot revoke by key ARN under the default key policy.
    const h = await grant(us, k.KeyId!);
    await rejection(other.send(new RevokeGrantCommand({ KeyId: k.Arn, GrantId: h.GrantId })), AccessDeniedException);
    // The grants live in the key's record: gone with it.
    const record = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    const stored = new MemoryKeyStore();
    const { us: fresh } = clients(stored);
    const err = await rejection(fresh.send(new RetireGrantCommand({ GrantToken: h.GrantToken })), NotFoundException);
    expect(err.message).toBe(`Key '${record.arn}' does not exist`);
  });
});

describe('grants: the file store', () => {
  async function roundTrip(open: () => Promise<KeyStore & { close(): Promise<void> }>) {
    const store = await open();
    const c = new KMSClient({ store });
    const k = await newKey(c);
    const g = await grant(c, k.KeyId!, {
      Name: 'persisted',
      RetiringPrincipal: RETIRER,
      Constraints: { EncryptionContextEquals: { app: 'a' } },
    });
    const kept = await grant(c, k.KeyId!);
    const loaded = (await store.getKey(ACCOUNT, REGION, k.KeyId!))!;
    // One token secret for the key; no grant carries one of its own.
    const tokenKey = loaded.grantTokenKey!;
    expect(tokenKey).toHaveLength(32);
    expect(loaded.grants!.map((x) => x.tokenKey)).toEqual([undefined, undefined]);
    const listed = await grantsOf(c, k.KeyId!);
    await store.close();

    const again = await open();
    const c2 = new KMSClient({ store: again });
    expect(await grantsOf(c2, k.KeyId!)).toEqual(listed);
    expect(
      (
        await grant(c2, k.KeyId!, {
          Name: 'persisted',
          RetiringPrincipal: RETIRER,
          Constraints: { EncryptionContextEquals: { app: 'a' } },
        })
      ).GrantId,
    ).toBe(g.GrantId);
    await c2.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
    await again.close();

    const third = await open();
    const c3 = new KMSClient({ store: third });
    expect((await grantsOf(c3, k.KeyId!)).map((x) => x.GrantId)).toEqual([kept.GrantId]);
    await rejection(
      c3.send(new RetireGrantCommand({ GrantToken: tamper(kept.GrantToken) })),
      InvalidGrantTokenException,
    );
    await c3.send(new RevokeGrantCommand({ KeyId: k.KeyId, GrantId: kept.GrantId }));
    await third.close();
    const last = await open();
    expect(await grantsOf(new KMSClient({ store: last }), k.KeyId!)).toEqual([]);
    await last.close();
    return tokenKey;
  }

  it('grants and their tokens survive closing and reopening the store', async () => {
    const dir = await tempDir();
    await roundTrip(() => FileKeyStore.open(dir));
  });

  it("a sealed store does not hold the key's grant token secret in the clear", async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(32).fill(7);
    const tokenKey = await roundTrip(() => FileKeyStore.open(dir, { masterKey }));
    const needles = [Buffer.from(tokenKey).toString('base64'), Buffer.from(tokenKey).toString('hex')];
    const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = (await readFile(join(f.parentPath ?? f.path, f.name))).toString('latin1');
      for (const n of needles) expect(text).not.toContain(n);
    }
  });
});

describe('grants: the endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint({ port: 0, store: new MemoryKeyStore() });

  it('creates, lists, pages, retires and revokes grants; errors arrive as the SDK classes', async () => {
    const c = ep.sdk();
    const k = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!;
    const a = await c.send(
      new sdk.CreateGrantCommand({
        KeyId: k.KeyId,
        GranteePrincipal: ROLE,
        RetiringPrincipal: RETIRER,
        Operations: ['Encrypt', 'GenerateDataKey'],
        Constraints: { EncryptionContextSubset: { team: 'a' } },
        Name: 'sdk',
      }),
    );
    expect(a.GrantId).toMatch(HEX64);
    const b = await c.send(
      new sdk.CreateGrantCommand({ KeyId: k.Arn, GranteePrincipal: ROLE, Operations: ['Decrypt'] }),
    );
    const listed = await c.send(new sdk.ListGrantsCommand({ KeyId: k.KeyId, GrantId: a.GrantId }));
    expect(listed.Grants).toHaveLength(1);
    const e = listed.Grants![0]!;
    expect(e.CreationDate).toBeInstanceOf(Date);
    expect(e).toMatchObject({
      KeyId: k.Arn,
      GrantId: a.GrantId,
      Name: 'sdk',
      GranteePrincipal: ROLE,
      RetiringPrincipal: RETIRER,
      IssuingAccount: ROOT,
      Operations: ['Encrypt', 'GenerateDataKey'],
      Constraints: { EncryptionContextSubset: { team: 'a' } },
    });
    const ids: string[] = [];
    for await (const p of sdk.paginateListGrants({ client: c, pageSize: 1 }, { KeyId: k.KeyId }))
      ids.push(...p.Grants!.map((g) => g.GrantId!));
    expect(ids).toEqual([a.GrantId!, b.GrantId!].sort());
    const retirable = await c.send(new sdk.ListRetirableGrantsCommand({ RetiringPrincipal: RETIRER }));
    expect(retirable.Grants!.map((g) => g.GrantId)).toEqual([a.GrantId]);

    await c.send(new sdk.RetireGrantCommand({ GrantToken: a.GrantToken }));
    await c.send(new sdk.RevokeGrantCommand({ KeyId: k.KeyId, GrantId: b.GrantId }));
    expect((await c.send(new sdk.ListGrantsCommand({ KeyId: k.KeyId }))).Grants).toEqual([]);

    const errors: [() => Promise<unknown>, new (...a: never[]) => Error, string][] = [
      [
        () => c.send(new sdk.RevokeGrantCommand({ KeyId: k.KeyId, GrantId: b.GrantId })),
        sdk.NotFoundException,
        `Grant '${b.GrantId}' does not exist for key '${k.Arn}'`,
      ],
      [
        () => c.send(new sdk.RetireGrantCommand({ GrantToken: 'bogus!' })),
        sdk.InvalidGrantTokenException,
        'The grant token is not valid.',
      ],
      [
        () => c.send(new sdk.ListRetirableGrantsCommand({ RetiringPrincipal: 'retirer' })),
        sdk.InvalidArnException,
        "'retirer' is not a valid principal ARN.",
      ],
      [
        () => c.send(new sdk.ListGrantsCommand({ KeyId: k.KeyId, GrantId: 'x' })),
        sdk.InvalidGrantIdException,
        "Invalid grantId 'x'",
      ],
      [
        () => c.send(new sdk.CreateGrantCommand({ KeyId: k.KeyId, GranteePrincipal: ROLE, Operations: ['Sign'] })),
        sdk.KMSServiceException,
        `Grants on ${k.Arn} (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT) cannot allow these operations: [Sign]`,
      ],
      [
        () =>
          c.send(
            new sdk.CreateGrantCommand({
              KeyId: k.KeyId,
              GranteePrincipal: ROLE,
              Operations: ['Encrypt'],
              DryRun: true,
            }),
          ),
        sdk.DryRunOperationException,
        'The request would have succeeded, but the DryRun option is set.',
      ],
    ];
    for (const [call, cls, message] of errors) {
      const err = (await call().catch((x: unknown) => x)) as sdk.KMSServiceException;
      expect(err).toBeInstanceOf(cls);
      expect(err.message).toBe(message);
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });
});

describe('grants: the CLI', () => {
  const cli = useCli();

  it('create-grant, list-grants, list-retirable-grants, retire-grant, revoke-grant; errors exit 254', () => {
    const k = cli.ok(['create-key']) as { KeyMetadata: { KeyId: string; Arn: string } };
    const id = k.KeyMetadata.KeyId;
    const a = cli.ok([
      'create-grant',
      '--key-id',
      id,
      '--grantee-principal',
      ROLE,
      '--retiring-principal',
      RETIRER,
      '--operations',
      'Encrypt',
      'Decrypt',
      '--constraints',
      '{"EncryptionContextSubset":{"app":"cli"}}',
      '--name',
      'cli-grant',
    ]) as { GrantId: string; GrantToken: string };
    expect(a.GrantId).toMatch(HEX64);
    // The same Name and parameters, in another process: the same grant.
    const again = cli.ok([
      'create-grant',
      '--key-id',
      id,
      '--grantee-principal',
      ROLE,
      '--retiring-principal',
      RETIRER,
      '--operations',
      'Decrypt',
      'Encrypt',
      '--constraints',
      '{"EncryptionContextSubset":{"app":"cli"}}',
      '--name',
      'cli-grant',
    ]) as { GrantId: string };
    expect(again.GrantId).toBe(a.GrantId);
    const b = cli.ok(['create-grant', '--key-id', id, '--grantee-principal', ROLE, '--operations', 'DescribeKey']) as {
      GrantId: string;
    };
    const listed = cli.ok(['list-grants', '--key-id', id]) as { Grants: Record<string, unknown>[] };
    expect(listed.Grants.map((g) => g.GrantId)).toEqual([a.GrantId, b.GrantId].sort());
    const first = listed.Grants.find((g) => g.GrantId === a.GrantId)!;
    expect(first).toMatchObject({
      KeyId: k.KeyMetadata.Arn,
      Name: 'cli-grant',
      IssuingAccount: ROOT,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { app: 'cli' } },
    });
    const retirable = cli.ok(['list-retirable-grants', '--retiring-principal', RETIRER]) as {
      Grants: { GrantId: string }[];
    };
    expect(retirable.Grants.map((g) => g.GrantId)).toEqual([a.GrantId]);
    // The token from the first process retires the grant in a later one (its MAC key is in the store).
    expect(cli.ok(['retire-grant', '--grant-token', a.GrantToken])).toEqual({});
    expect(cli.ok(['revoke-grant', '--key-id', id, '--grant-id', b.GrantId])).toEqual({});
    expect((cli.ok(['list-grants', '--key-id', id]) as { Grants: unknown[] }).Grants).toEqual([]);

    const r1 = cli.run(['revoke-grant', '--key-id', id, '--grant-id', b.GrantId]);
    expect(r1.status, r1.stderr).toBe(254);
    expect(r1.stderr).toContain(
      `An error occurred (NotFoundException) when calling the RevokeGrant operation: Grant '${b.GrantId}' does not exist for key '${k.KeyMetadata.Arn}'`,
    );
    const r2 = cli.run(['retire-grant', '--grant-token', 'bogus']);
    expect(r2.status, r2.stderr).toBe(254);
    expect(r2.stderr).toContain(
      'An error occurred (InvalidGrantTokenException) when calling the RetireGrant operation: The grant token is not valid.',
    );
    const r3 = cli.run(['create-grant', '--key-id', id, '--grantee-principal', ROLE, '--operations', 'Sign']);
    expect(r3.status, r3.stderr).toBe(254);
    expect(r3.stderr).toContain('ValidationException');
    const r4 = cli.run(['list-grants', '--key-id', id, '--grant-id', 'x']);
    expect(r4.status, r4.stderr).toBe(254);
    expect(r4.stderr).toContain('InvalidGrantIdException');
    const r5 = cli.run(['list-retirable-grants', '--retiring-principal', RETIRER, '--marker', 'zz']);
    expect(r5.status, r5.stderr).toBe(254);
    expect(r5.stderr).toContain('InvalidMarkerException');
  });
});
