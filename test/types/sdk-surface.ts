// Type-level checks of the SDK-shaped surface, compiled by test/typecheck.test.ts (tsc -p
// test/types): lines marked @ts-expect-error must fail to compile, the others must compile.
import {
  GenerateDataKeyPairCommand as SdkGenerateDataKeyPairCommand,
  type GenerateDataKeyPairCommandOutput as SdkGenerateDataKeyPairCommandOutput,
} from '@aws-sdk/client-kms';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GenerateDataKeyPairCommand,
  KMS,
  KMSClient,
  ListKeysCommand,
  paginateListKeys,
  type CreateKeyCommandOutput,
  type DecryptCommandOutput,
  type DescribeKeyCommandOutput,
  type EnableKeyCommandOutput,
  type GenerateDataKeyPairCommandInput,
  type GenerateDataKeyPairCommandOutput,
  type ListKeysCommandOutput,
} from '../../src/kms/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(): T => true as T;

const client = new KMSClient();
const kms = new KMS();

export async function unionSend(which: boolean): Promise<void> {
  // A union of commands is one argument type; the result is the union of their outputs.
  const command = which ? new CreateKeyCommand({}) : new DescribeKeyCommand({ KeyId: 'alias/a' });
  const out = await client.send(command);
  assert<Equal<typeof out, CreateKeyCommandOutput | DescribeKeyCommandOutput>>();
  // Both outputs have KeyMetadata; the union reads it without a cast.
  const arn: string | undefined = out.KeyMetadata?.Arn;
  void arn;

  // An array of mixed commands sent in turn.
  const commands = [new ListKeysCommand({}), new DecryptCommand({ CiphertextBlob: new Uint8Array(1) })];
  for (const c of commands) {
    const o = await client.send(c);
    assert<Equal<typeof o, ListKeysCommandOutput | DecryptCommandOutput>>();
  }
}

export async function singleSend(): Promise<void> {
  const pair = await client.send(new GenerateDataKeyPairCommand({ KeyId: 'alias/a', KeyPairSpec: 'RSA_2048' }));
  assert<Equal<typeof pair, GenerateDataKeyPairCommandOutput>>();
  const priv: Uint8Array | undefined = pair.PrivateKeyPlaintext;
  void priv;
  const requestId: string | undefined = pair.$metadata.requestId;
  void requestId;
  // An operation with an empty output resolves to $metadata only.
  const enabled = await client.send(new EnableKeyCommand({ KeyId: 'alias/a' }));
  assert<Equal<typeof enabled, EnableKeyCommandOutput>>();
  void enabled.$metadata.httpStatusCode;

  // @ts-expect-error KeyPairSpec must be one of the data key pair specs
  new GenerateDataKeyPairCommand({ KeyId: 'alias/a', KeyPairSpec: 'RSA_1024' });
  // @ts-expect-error KeyId is required
  new DescribeKeyCommand({});
  // @ts-expect-error not a command
  await client.send({ KeyId: 'alias/a' });
}

export async function aggregated(): Promise<void> {
  const input: GenerateDataKeyPairCommandInput = { KeyId: 'alias/a', KeyPairSpec: 'ECC_NIST_P256' };
  const pair = await kms.generateDataKeyPair(input);
  assert<Equal<typeof pair, GenerateDataKeyPairCommandOutput>>();
  // An input without required members may be left out, as in the SDK.
  const keys = await kms.listKeys();
  assert<Equal<typeof keys, ListKeysCommandOutput>>();
  // @ts-expect-error DescribeKey needs its input
  await kms.describeKey();
  // KMS is a KMSClient: it sends commands too.
  const created: CreateKeyCommandOutput = await kms.send(new CreateKeyCommand({}));
  void created;
}

export async function paginators(): Promise<void> {
  for await (const page of paginateListKeys({ client, pageSize: 10 }, {})) {
    assert<Equal<typeof page, ListKeysCommandOutput>>();
    for (const k of page.Keys ?? []) void k.KeyArn;
  }
}

export async function foreignCommand(): Promise<void> {
  // A command of the real SDK: the output is the one the SDK declares.
  const out = await client.send(new SdkGenerateDataKeyPairCommand({ KeyId: 'alias/a', KeyPairSpec: 'RSA_2048' }));
  assert<Equal<typeof out, SdkGenerateDataKeyPairCommandOutput>>();
}
