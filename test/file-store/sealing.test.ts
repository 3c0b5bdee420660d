// The file key store: sealing: no plaintext key material on disk, sealed fields bound to their record, record MACs, the master key.
import { describe, it, expect, afterAll } from 'vitest';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import type { CustomKeyStoreRecord, KeyRecord } from '../../src/kms/store.js';
import {
  ACCOUNT,
  write,
  REGION,
  tempDir,
  removeTempDirs,
  walk,
  fullKey,
  minimalKey,
  alias,
} from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

describe('FileKeyStore sealing', () => {
  /** Every secret of a record in the forms it could appear in a file. */
  function secretForms(r: KeyRecord): string[] {
    const secrets = [...r.keyMaterials.map((m) => m.material), r.keyPair!.privateKey, r.hmacKey!];
    return secrets.flatMap((s) => {
      const b = Buffer.from(s);
      // Base64 of an inner slice too, in case the encoding started at another offset.
      return [b.toString('latin1'), b.toString('hex'), b.toString('base64'), b.subarray(3, 27).toString('base64')];
    });
  }

  async function allFileBytes(dir: string): Promise<string> {
    const files = (await walk(dir)).filter((e) => !e.dir);
    return (await Promise.all(files.map((f) => readFile(f.path, 'latin1')))).join('\n');
  }

  it('keeps no plaintext key material on disk when sealed (and the search finds it when not)', async () => {
    const records = [fullKey('11111111-1111-4111-8111-111111111111'), fullKey('22222222-2222-4222-8222-222222222222')];
    const sealedDir = await tempDir();
    const plainDir = await tempDir();
    const sealed = await FileKeyStore.open(sealedDir, { masterKey: new Uint8Array(randomBytes(32)) });
    const plain = await FileKeyStore.open(plainDir);
    for (const r of records) {
      await sealed.putKey(r);
      await plain.putKey(r);
    }
    const sealedBytes = await allFileBytes(sealedDir);
    const plainBytes = await allFileBytes(plainDir);
    for (const r of records) {
      const forms = secretForms(r);
      for (const f of forms) expect(sealedBytes.includes(f)).toBe(false);
      expect(forms.filter((f) => plainBytes.includes(f)).length).toBeGreaterThan(0);
      expect(plainBytes).toContain(Buffer.from(r.hmacKey!).toString('base64'));
      // The public key is not secret and stays readable.
      expect(sealedBytes).toContain(Buffer.from(r.keyPair!.publicKey).toString('base64'));
    }
    expect(sealedBytes).toContain('"sealed"');
    await sealed.close();
    await plain.close();
  });

  it('fails at open with a missing, wrong or unexpected master key', async () => {
    const key = new Uint8Array(randomBytes(32));
    const sealedDir = await tempDir();
    const s = await FileKeyStore.open(sealedDir, { masterKey: key });
    await s.putKey(fullKey());
    await s.close();
    const marker = await readFile(join(sealedDir, 'wasm-kms-store.json'), 'utf8');

    expect((await rejectionOf(FileKeyStore.open(sealedDir))).message).toMatch(/is sealed; give its master key/);
    const wrong = key.slice();
    wrong[31] ^= 1;
    expect((await rejectionOf(FileKeyStore.open(sealedDir, { masterKey: wrong }))).message).toMatch(
      /master key given is not the one the store .* is sealed with/,
    );
    const plainDir = await tempDir();
    await (await FileKeyStore.open(plainDir)).close();
    expect((await rejectionOf(FileKeyStore.open(plainDir, { masterKey: key }))).message).toMatch(
      /is not sealed, but a master key was given/,
    );
    await expect(FileKeyStore.open(plainDir, { masterKey: new Uint8Array(16) })).rejects.toThrow(TypeError);
    // Nothing was changed by the failed opens; the right key still reads.
    expect(await readFile(join(sealedDir, 'wasm-kms-store.json'), 'utf8')).toBe(marker);
    const ok = await FileKeyStore.open(sealedDir, { masterKey: key });
    expect((await ok.getKey(ACCOUNT, REGION, fullKey().keyId))!.keyId).toBe(fullKey().keyId);
    await ok.close();
  });

  /**
   * The record MAC as the header specifies it, computed here with node:crypto: HMAC-SHA-256 under
   * HKDF-SHA-256(master key, salt = store id, info) of the canonical JSON of the file without "mac".
   */
  async function remac(
    dir: string,
    masterKey: Uint8Array,
    file: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const storeId = Buffer.from(JSON.parse(await readFile(join(dir, 'wasm-kms-store.json'), 'utf8')).storeId, 'hex');
    const key = Buffer.from(hkdfSync('sha256', masterKey, storeId, 'wasm-kms file key store: record MAC key v1', 32));
    const canonical = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
      if (typeof v === 'object' && v !== null) {
        const o = v as Record<string, unknown>;
        return `{${Object.keys(o)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
          .join(',')}}`;
      }
      return JSON.stringify(v);
    };
    const { mac: _, ...content } = file;
    return { ...content, mac: createHmac('sha256', key).update(canonical(content)).digest('base64') };
  }

  it('binds sealed values to their record and field', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const a = fullKey('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = fullKey('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    await store.putKey(a);
    await store.putKey(b);
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const pathA = join(keys, `${a.keyId}.json`);
    const pathB = join(keys, `${b.keyId}.json`);
    const jsonA = JSON.parse(await readFile(pathA, 'utf8'));
    const jsonB = JSON.parse(await readFile(pathB, 'utf8'));

    // A's sealed material (same material ids) moved into B's record.
    jsonB.record.keyMaterials = jsonA.record.keyMaterials;
    // With a valid record MAC (as if the attacker had the MAC key), so the sealing itself is tested.
    const moved = JSON.stringify(await remac(dir, masterKey, jsonB));
    await writeFile(pathB, moved);
    let err = await rejectionOf(store.getKey(ACCOUNT, REGION, b.keyId));
    expect(err.message).toContain(pathB);
    expect(err.message).toMatch(/keyMaterials\[0\]\.material does not open/);
    expect(await readFile(pathB, 'utf8')).toBe(moved);

    // Two fields of one record swapped: the field name is bound too.
    const swapped = JSON.parse(await readFile(pathA, 'utf8'));
    [swapped.record.hmacKey, swapped.record.keyPair.privateKey] = [
      swapped.record.keyPair.privateKey,
      swapped.record.hmacKey,
    ];
    await writeFile(pathA, JSON.stringify(await remac(dir, masterKey, swapped)));
    err = await rejectionOf(store.getKey(ACCOUNT, REGION, a.keyId));
    expect(err.message).toMatch(/does not open/);

    // An unsealed secret slipped into a sealed store is refused, not taken.
    const plain = JSON.parse(JSON.stringify(jsonA));
    plain.record.hmacKey = Buffer.from(a.hmacKey!).toString('base64');
    await writeFile(pathA, JSON.stringify(await remac(dir, masterKey, plain)));
    err = await rejectionOf(store.getKey(ACCOUNT, REGION, a.keyId));
    expect(err.message).toMatch(/hmacKey is not sealed, but this store is/);
    // No secret in any of these messages.
    expect(err.message).not.toContain(Buffer.from(a.hmacKey!).toString('base64'));
    await store.close();
  });

  it('refuses metadata edited outside the store in a sealed store (record MAC), for keys, aliases and custom key stores', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const signing = (keyId: string): KeyRecord => ({
      ...minimalKey(keyId),
      keySpec: 'ECC_NIST_P256',
      keyUsage: 'SIGN_VERIFY',
      origin: 'AWS_KMS',
      keyState: 'Enabled',
      keyPair: { publicKey: new Uint8Array(randomBytes(91)), privateKey: new Uint8Array(randomBytes(138)) },
    });
    const a = signing('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = signing('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    const sym = fullKey('cccccccc-cccc-4ccc-8ccc-cccccccccccc');
    const cks = write(REGION, 'mac', 9).record as CustomKeyStoreRecord;
    for (const k of [a, b, sym]) await store.putKey(k);
    await store.putAlias(alias('alias/signing', a.keyId));
    await store.putCustomKeyStore(cks);
    const base = join(dir, ACCOUNT, REGION);
    const keyFile = (k: KeyRecord) => join(base, 'keys', `${k.keyId}.json`);
    const aliasFile = join(base, 'aliases', 'alias%2Fsigning.json');
    const cksFile = join(base, 'custom-key-stores', `${cks.customKeyStoreId}.json`);
    const original = new Map<string, string>();
    for (const f of [keyFile(a), keyFile(sym), aliasFile, cksFile]) original.set(f, await readFile(f, 'utf8'));

    // Every file carries a MAC, computed as the header says.
    for (const text of original.values())
      expect(await remac(dir, masterKey, JSON.parse(text))).toStrictEqual(JSON.parse(text));

    type Edit = [string, string, (j: any) => void, () => Promise<unknown>, () => Promise<unknown>];
    const bJson = JSON.parse(await readFile(keyFile(b), 'utf8'));
    const edits: Edit[] = [
      [
        "A's public key swapped for B's",
        keyFile(a),
        (j) => (j.record.keyPair.publicKey = bJson.record.keyPair.publicKey),
        () => store.getKey(ACCOUNT, REGION, a.keyId),
        () => store.listKeys(ACCOUNT, REGION),
      ],
      [
        'the key usage changed',
        keyFile(a),
        (j) => (j.record.keyUsage = 'ENCRYPT_DECRYPT'),
        () => store.getKey(ACCOUNT, REGION, a.keyId),
        () => store.listKeys(ACCOUNT, REGION),
      ],
      [
        'a rotation rolled back (current key material)',
        keyFile(sym),
        (j) => (j.record.currentKeyMaterialId = 'a'.repeat(64)),
        () => store.getKey(ACCOUNT, REGION, sym.keyId),
        () => store.listKeys(ACCOUNT, REGION),
      ],
      [
        'the key state changed',
        keyFile(sym),
        (j) => (j.record.keyState = 'Enabled'),
        () => store.getKey(ACCOUNT, REGION, sym.keyId),
        () => store.listKeys(ACCOUNT, REGION),
      ],
      [
        'the alias retargeted',
        aliasFile,
        (j) => (j.record.targetKeyId = b.keyId),
        () => store.getAlias(ACCOUNT, REGION, 'alias/signing'),
        () => store.listAliases(ACCOUNT, REGION),
      ],
      [
        'the custom key store renamed',
        cksFile,
        (j) => (j.record.customKeyStoreName = 'other'),
        () => store.getCustomKeyStore(ACCOUNT, REGION, cks.customKeyStoreId),
        () => store.listCustomKeyStores(ACCOUNT, REGION),
      ],
      [
        'the creation sequence changed',
        cksFile,
        (j) => (j.sequence = 7),
        () => store.getCustomKeyStore(ACCOUNT, REGION, cks.customKeyStoreId),
        () => store.listCustomKeyStores(ACCOUNT, REGION),
      ],
      [
        'the MAC itself changed',
        aliasFile,
        (j) => (j.mac = Buffer.from(randomBytes(32)).toString('base64')),
        () => store.getAlias(ACCOUNT, REGION, 'alias/signing'),
        () => store.listAliases(ACCOUNT, REGION),
      ],
    ];
    for (const [what, file, edit, get1, list] of edits) {
      const j = JSON.parse(original.get(file)!);
      edit(j);
      const edited = JSON.stringify(j, null, 2);
      await writeFile(file, edited);
      for (const call of [get1, list]) {
        const err = await rejectionOf(call());
        expect([what, err.message]).toEqual([what, expect.stringContaining(file)]);
        expect(err.message).toMatch(/record MAC does not match its content under the master key/);
      }
      expect(await readFile(file, 'utf8')).toBe(edited); // left as it is
      await writeFile(file, original.get(file)!);
    }
    // Deleting the alias checks its MAC too: a retargeted alias is not silently removed either.
    const retargeted = JSON.parse(original.get(aliasFile)!);
    retargeted.record.targetKeyId = b.keyId;
    await writeFile(aliasFile, JSON.stringify(retargeted));
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/signing'))).message).toMatch(
      /record MAC does not match/,
    );
    // A file without a MAC is refused; a file only laid out differently is the same content.
    const stripped = JSON.parse(original.get(aliasFile)!);
    delete stripped.mac;
    await writeFile(aliasFile, JSON.stringify(stripped));
    expect((await rejectionOf(store.getAlias(ACCOUNT, REGION, 'alias/signing'))).message).toMatch(/mac is missing/);
    await writeFile(aliasFile, JSON.stringify(JSON.parse(original.get(aliasFile)!)));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/signing')).toStrictEqual(alias('alias/signing', a.keyId));
    expect(await store.getKey(ACCOUNT, REGION, a.keyId)).toStrictEqual(a);
    await store.close();
  });

  it('keeps unsealed stores as they were: no MAC, edits read back, a MAC refused', async () => {
    const dir = await tempDir();
    // Without the cache, which would keep serving the first edit (hand edits are not writes).
    const store = await FileKeyStore.open(dir, { cache: false });
    await store.putAlias(alias('alias/x', 'k1'));
    const file = join(dir, ACCOUNT, REGION, 'aliases', 'alias%2Fx.json');
    const j = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(j).sort()).toEqual(['kind', 'record']);
    j.record.targetKeyId = 'k2';
    await writeFile(file, JSON.stringify(j));
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/x'))!.targetKeyId).toBe('k2');
    await writeFile(file, JSON.stringify({ ...j, mac: Buffer.alloc(32).toString('base64') }));
    expect((await rejectionOf(store.getAlias(ACCOUNT, REGION, 'alias/x'))).message).toMatch(
      /mac is present, but this store is not sealed/,
    );
    await store.close();
  });
});
