// A writer process for the file key store tests: `node file-store-writer.mjs <dir> <region> <tag>
// <count>` opens the store at <dir> (sealed when WASM_KMS_MASTER_KEY is set) with the built
// dist/node/file-store/index.js and writes records 0..count-1 of writeFor(region, tag, i), one at a
// time, printing `ack <i>` after each write resolves and `done` at the end. The test kills it at
// random moments and checks that every acknowledged record is there, whole.
//
// writeFor is deterministic, so the test rebuilds what was written from (region, tag, i).
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const ACCOUNT = '111122223333';

/** `n` bytes that depend only on the label. */
function bytes(label, n) {
  const out = new Uint8Array(n);
  for (let off = 0, block = 0; off < n; block++) {
    const h = createHash('sha256').update(`${label}#${block}`).digest();
    out.set(h.subarray(0, Math.min(h.length, n - off)), off);
    off += h.length;
  }
  return out;
}

const hex = (b) => Buffer.from(b).toString('hex');

function uuid(label) {
  const h = hex(bytes(label, 16));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/**
 * Write `i` of a run: a custom key store every tenth, an alias every third, otherwise a key
 * whose shape cycles through symmetric, asymmetric, HMAC and pending-import with every optional
 * field. Every write names a distinct record.
 */
export function writeFor(region, tag, i) {
  const label = `${region}/${tag}/${i}`;
  const created = new Date(1_700_000_000_000 + i * 1_001 + (bytes(label, 1)[0] << 10));
  if (i % 10 === 9) {
    const id = `cks-${hex(bytes(`${label}/cks`, 9)).slice(0, 17)}`;
    const record = {
      customKeyStoreId: id,
      account: ACCOUNT,
      region,
      customKeyStoreName: `store-${tag}-${i}`,
      customKeyStoreType: i % 20 === 9 ? 'AWS_CLOUDHSM' : 'EXTERNAL_KEY_STORE',
      connectionState: 'CONNECTED',
      creationDate: created,
    };
    if (record.customKeyStoreType === 'AWS_CLOUDHSM') {
      record.cloudHsmClusterId = `cluster-${hex(bytes(`${label}/cl`, 6))}`;
      record.trustAnchorCertificate = `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes(`${label}/cert`, 48)).toString('base64')}\n-----END CERTIFICATE-----`;
    } else {
      record.xksProxyConfiguration = {
        Connectivity: 'PUBLIC_ENDPOINT',
        AccessKeyId: `AKIA${hex(bytes(`${label}/ak`, 8)).toUpperCase()}`,
        UriEndpoint: `https://xks-${i}.example.com`,
        UriPath: `/kms/xks/v1`,
      };
    }
    return { kind: 'custom-key-store', id, record };
  }
  if (i % 3 === 2) {
    const aliasName = `alias/${tag}/Key-${i}`;
    const record = {
      aliasName,
      account: ACCOUNT,
      region,
      aliasArn: `arn:aws:kms:${region}:${ACCOUNT}:${aliasName}`,
      targetKeyId: uuid(`${region}/${tag}/${i - 2}`),
      creationDate: created,
      lastUpdatedDate: new Date(created.getTime() + 7),
    };
    return { kind: 'alias', id: aliasName, record };
  }
  const shape = i % 4;
  const keyId = shape === 3 ? `mrk-${hex(bytes(`${label}/mrk`, 16))}` : uuid(label);
  const record = {
    keyId,
    account: ACCOUNT,
    region,
    arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`,
    creationDate: created,
    description: i % 2 === 0 ? '' : `key ${i} of ${tag} — “quoted” ✓`,
    keySpec: ['SYMMETRIC_DEFAULT', 'ECC_NIST_P256', 'HMAC_256', 'SYMMETRIC_DEFAULT'][shape],
    keyUsage: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'ENCRYPT_DECRYPT'][shape],
    origin: shape === 3 ? 'EXTERNAL' : 'AWS_KMS',
    keyState: shape === 3 ? 'PendingDeletion' : 'Enabled',
    multiRegion: shape === 3,
    /** @type {import('../../src/kms/store.js').KeyMaterial[]} */
    keyMaterials: [],
  };
  if (shape === 0) {
    const n = 1 + (i % 3);
    for (let m = 0; m < n; m++)
      record.keyMaterials.push({ id: hex(bytes(`${label}/mid${m}`, 32)), material: bytes(`${label}/m${m}`, 32) });
    record.currentKeyMaterialId = record.keyMaterials[n - 1].id;
  } else if (shape === 1) {
    record.keyPair = { publicKey: bytes(`${label}/pub`, 91), privateKey: bytes(`${label}/priv`, 138) };
  } else if (shape === 2) {
    record.hmacKey = bytes(`${label}/hmac`, 32);
  } else {
    record.deletionDate = new Date(created.getTime() + 7 * 86_400_000);
    record.pendingWindowInDays = 7;
    record.customKeyStoreId = `cks-${hex(bytes(`${label}/in`, 9)).slice(0, 17)}`;
  }
  addExtensions(record, label, created, shape, i);
  return { kind: 'key', id: keyId, record };
}

/**
 * The key record's extension fields (src/kms/records.ts), on most keys: tags, a policy, grants,
 * rotations, imported material with pending import parameters (their private key a secret),
 * multi-Region links and last use — so that a SIGKILL test checks them whole too.
 */
function addExtensions(record, label, created, shape, i) {
  const at = (ms) => new Date(created.getTime() + ms);
  if (i % 5 !== 4) {
    record.tags = Array.from({ length: 1 + (i % 3) }, (_, t) => ({
      key: `Tag${t}`,
      value: hex(bytes(`${label}/t${t}`, 3)),
    }));
  }
  if (i % 2 === 0) {
    record.policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    });
  }
  if (shape !== 3) {
    record.grants = [
      {
        grantId: hex(bytes(`${label}/grant`, 32)),
        ...(i % 2 === 0 ? {} : { name: `grant-${i}` }),
        granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/r${i}`,
        issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        operations: ['Decrypt', 'GenerateDataKeyPair'],
        ...(i % 2 === 0 ? { constraints: { encryptionContextSubset: { app: `a${i}` } } } : {}),
        creationDate: at(11),
      },
    ];
  }
  if (shape === 0) {
    record.rotations = record.keyMaterials
      .slice(1)
      .map((m, k) => ({ keyMaterialId: m.id, rotationDate: at(86_400_000 * (k + 1)), rotationType: 'ON_DEMAND' }));
    record.lastUsage = { operation: 'Decrypt', timestamp: at(99), kmsRequestId: uuid(`${label}/req`) };
  }
  if (shape === 3) {
    record.importedMaterials = [
      {
        keyMaterialId: hex(bytes(`${label}/imid`, 32)),
        importState: 'PENDING_IMPORT',
        keyMaterialState: 'CURRENT',
        expirationModel: 'KEY_MATERIAL_EXPIRES',
        validTo: at(365 * 86_400_000),
      },
    ];
    record.importParameters = {
      importToken: Buffer.from(bytes(`${label}/token`, 48)).toString('base64'),
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
      publicKey: bytes(`${label}/wpub`, 294),
      privateKey: bytes(`${label}/wpriv`, 1218),
      validTo: at(86_400_000),
    };
    record.multiRegionConfiguration = { type: 'PRIMARY', primaryRegion: record.region, replicaRegions: ['eu-west-1'] };
  }
}

async function main() {
  const [dir, region, tag, countText] = process.argv.slice(2);
  const count = Number(countText);
  const { FileKeyStore, masterKeyFromEnv } = await import(
    new URL('../../dist/node/file-store/index.js', import.meta.url).href
  );
  const masterKey = masterKeyFromEnv();
  const store = await FileKeyStore.open(dir, { masterKey, lockTimeoutMs: 30_000 });
  for (let i = 0; i < count; i++) {
    const w = writeFor(region, tag, i);
    if (w.kind === 'key') await store.putKey(w.record);
    else if (w.kind === 'alias') await store.putAlias(w.record);
    else await store.putCustomKeyStore(w.record);
    // Synchronous on a pipe (Node on POSIX): once written, the parent reads it even if we die next.
    process.stdout.write(`ack ${i}\n`);
  }
  await store.close();
  process.stdout.write('done\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
