// The work every runtime test asks of the library, written once and runtime-neutral (no Node
// module, no Node global, plain ESM): in-memory KMS clients, a symmetric KMS key per Region,
// then GenerateDataKeyPair → Decrypt for a spec. Results travel back to Node as JSON with the
// blobs in base64, where node:crypto and @noble/post-quantum check them.
//
// The library comes in as a parameter (`lib`: the module namespace of the main entry), so the
// same code runs against the built dist/ in Deno and Bun, a browser bundle and a workerd bundle.

/** Base64 of bytes with only what every runtime has (btoa). */
export function toBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** SM2 exists only in the China Regions and ML-KEM only outside them (as in AWS). */
export function regionFor(spec) {
  return spec === 'SM2' ? 'cn-north-1' : 'us-east-1';
}

/**
 * A runner over one library instance: `pair(spec)` makes a data key pair under a KMS key of
 * the spec's Region and decrypts the wrapped private key. Clients and keys are made on first
 * use and kept, as a long-lived worker would.
 */
export function createRunner(lib) {
  const clients = new Map();
  const context = { purpose: 'runtime-test' };

  async function keyFor(region) {
    let entry = clients.get(region);
    if (!entry) {
      const client = new lib.KMSClient({ region });
      entry = { client, keyId: client.send(new lib.CreateKeyCommand({})).then((out) => out.KeyMetadata.KeyId) };
      clients.set(region, entry);
    }
    return { client: entry.client, keyId: await entry.keyId };
  }

  async function pair(spec) {
    const region = regionFor(spec);
    const { client, keyId } = await keyFor(region);
    const out = await client.send(
      new lib.GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: spec, EncryptionContext: context }),
    );
    const back = await client.send(
      new lib.DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: context }),
    );
    return {
      spec,
      region,
      KeyId: out.KeyId,
      KeyPairSpec: out.KeyPairSpec,
      PublicKey: toBase64(out.PublicKey),
      PrivateKeyPlaintext: toBase64(out.PrivateKeyPlaintext),
      PrivateKeyCiphertextBlob: toBase64(out.PrivateKeyCiphertextBlob),
      DecryptKeyId: back.KeyId,
      Plaintext: toBase64(back.Plaintext),
    };
  }

  return { pair };
}

/** Every spec the library knows, in order, through one runner. */
export async function runAllSpecs(lib) {
  const runner = createRunner(lib);
  const results = [];
  for (const spec of lib.KEY_PAIR_SPECS) results.push(await runner.pair(spec));
  return results;
}
