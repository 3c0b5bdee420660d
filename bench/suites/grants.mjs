// What a key's grants cost the requests that do not use them: Encrypt (AES-256-GCM of 32 bytes
// through KMSClient.send) on a key with 0, 100 and 1,000 grants, on the memory store and on a
// sealed file store, each group's ratios against the key without grants in the same run.
//
// Grants live in their key's record (src/kms/grants.ts), so every load of the key decodes and
// copies all of them: the memory store deep-copies the record, the file store reads, parses and
// unseals it. The key's grant token secret is one sealed field whatever the grant count, so
// what remains per grant is its JSON (about 250 bytes each here: grantee, retiring principal,
// two operations, a constraint, a date).
//
// The "former form" task keeps the same 1,000 grants each with a token secret of its own, as
// grants were kept before (they still load and verify): the gain as a ratio in the same run.
//
// Setup: one CreateGrant through the client (it makes the key's grant token secret), then the
// rest written straight into the record (CreateGrant one by one rewrites the whole record each
// time, which only slows the setup).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  KMSClient,
  CreateKeyCommand,
  CreateGrantCommand,
  EncryptCommand,
  MemoryKeyStore,
} from '../../dist/kms/index.js';
import { FileKeyStore } from '../../dist/node/file-store/index.js';

export const id = 'grants';
export const title = "A key's grants on the hot path (Encrypt on a key with 0, 100 and 1,000 grants)";
export const baseline = '0 grants';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const COUNTS = [0, 100, 1_000];
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/retirer`;

const FORMER = '1,000 grants, a secret each (former form)';

// "former form": the same 1,000 grants each with a sealed token secret of its own, as grants were
// kept before keys held one secret for all (such grants still load and verify), so the gain is a
// ratio taken in the same run. The bounds catch a return to per-grant secrets; the JSON cost that
// remains is O(grants) per load and is not bounded here.
export const targets = [
  { group: 'memory store', task: '1,000 grants', than: FORMER, maxRatio: 1 },
  { group: 'sealed file store', task: '1,000 grants', than: FORMER, maxRatio: 0.5 },
];

const dirs = [];

/** A key on `store` with `n` grants: the first through CreateGrant, the rest written into its record. */
async function keyWithGrants(store, n, former = false) {
  const kms = new KMSClient({ store, region: REGION, accountId: ACCOUNT });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  if (KeyMetadata?.KeyId === undefined) throw new Error('CreateKey answered no KeyId');
  const keyId = KeyMetadata.KeyId;
  if (n > 0) {
    await kms.send(
      new CreateGrantCommand({
        KeyId: keyId,
        GranteePrincipal: ROLE,
        RetiringPrincipal: RETIRER,
        Operations: ['Encrypt'],
      }),
    );
    const record = await store.getKey(ACCOUNT, REGION, keyId);
    const model = record.grants[0];
    for (let i = 1; i < n; i++) {
      record.grants.push({
        ...model,
        grantId: randomBytes(32).toString('hex'),
        operations: ['Encrypt', 'Decrypt'],
        constraints: { encryptionContextSubset: { tenant: `t${i}` } },
        creationDate: new Date(1_700_000_000_000 + i * 1000),
      });
    }
    if (former) for (const g of record.grants) g.tokenKey = new Uint8Array(randomBytes(32));
    await store.putKey(record);
    const back = await store.getKey(ACCOUNT, REGION, keyId);
    if (back.grants.length !== n) throw new Error(`expected ${n} grants, the record has ${back.grants.length}`);
    if (back.grants.some((g) => (g.tokenKey !== undefined) !== former)) throw new Error('grant secrets not as set up');
  }
  return { kms, keyId };
}

const PLAINTEXT = new Uint8Array(32).fill(7);

function checkCiphertext(out) {
  if (!(out.CiphertextBlob instanceof Uint8Array) || out.CiphertextBlob.length < PLAINTEXT.length + 28)
    throw new Error('Encrypt returned no ciphertext');
}

async function group(name, store) {
  const tasks = [];
  for (const n of COUNTS) {
    const { kms, keyId } = await keyWithGrants(store, n);
    tasks.push({
      name: `${n.toLocaleString('en-US')} grants`,
      fn: () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: PLAINTEXT })),
      check: checkCiphertext,
    });
  }
  const former = await keyWithGrants(store, 1_000, true);
  tasks.push({
    name: FORMER,
    fn: () => former.kms.send(new EncryptCommand({ KeyId: former.keyId, Plaintext: PLAINTEXT })),
    check: checkCiphertext,
  });
  return { name, timeMs: 3_000, minSamples: 50, tasks };
}

export async function groups() {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-bench-grants-'));
  dirs.push(dir);
  const file = await FileKeyStore.open(dir, { masterKey: new Uint8Array(randomBytes(32)) });
  process.once('exit', () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return [await group('memory store', new MemoryKeyStore()), await group('sealed file store', file)];
}
