// A child process of test/kms/concurrency.test.ts: the engine on a FileKeyStore shared with
// another process. argv: <store dir> <key id> <rounds> <tag>. Each round it rotates the key
// on demand, changes its rotation period, and tries to take the alias alias/race-<round>;
// it prints one JSON line with what it did.
import { FileKeyStore } from '../../dist/node/file-store/index.js';
import {
  KMSClient,
  AlreadyExistsException,
  CreateAliasCommand,
  EnableKeyRotationCommand,
  RotateKeyOnDemandCommand,
} from '../../dist/kms/index.js';

const [dir, keyId, roundsText, tag] = process.argv.slice(2);
const store = await FileKeyStore.open(dir);
const kms = new KMSClient({ store });
const rounds = Number(roundsText);
let rotated = 0;
const aliases = [];
for (let i = 0; i < rounds; i++) {
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  rotated++;
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 + i }));
  try {
    await kms.send(new CreateAliasCommand({ AliasName: `alias/race-${i}`, TargetKeyId: keyId }));
    aliases.push(`alias/race-${i}`);
  } catch (err) {
    if (!(err instanceof AlreadyExistsException)) throw err;
  }
}
await store.close();
console.log(JSON.stringify({ tag, rotated, aliases }));
