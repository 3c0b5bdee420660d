// The operation registry (src/kms/registry.ts) is the one list of operations: every command
// class, KMS method, paginator, handler, CLI summary and output order comes from its entries;
// KMSClient.send runs them through one pipeline (pipeline.ts), which also takes commands of
// @aws-sdk/client-kms.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import * as kms from '../src/kms/index.js';
import {
  COMMANDS,
  CreateAliasCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  GenerateDataKeyPairCommand,
  KMS,
  KMSClient,
  KMSCommand,
  KMSInternalException,
  MemoryKeyStore,
  OPERATION_NAMES,
  REGISTRY,
  UnknownOperationException,
  ValidationException,
  paginateDescribeCustomKeyStores,
  paginateListAliases,
  paginateListKeys,
  sensitiveOutputs,
  INTERNAL_ERROR_MESSAGE,
} from '../src/kms/index.js';
import { commandClass } from '../src/kms/command.js';
import { OPERATION_HANDLERS } from '../src/kms/operations/index.js';
import { OPERATIONS, type OperationName } from '../src/kms/registry.js';
import { methodName, paginator } from '../src/kms/kms.js';
import type { KeyStore } from '../src/kms/store.js';
import { caught } from './helpers/caught.js';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

describe('one entry per operation', () => {
  it('the registry lists the 56 operations of @aws-sdk/client-kms; OPERATIONS and OPERATION_HANDLERS are its views', () => {
    expect(OPERATION_NAMES).toHaveLength(56);
    // Every command the SDK models is an operation of the registry, and nothing else is.
    const sdkOperations = Object.keys(sdk)
      .filter((k) => k.endsWith('Command') && typeof (sdk as Record<string, unknown>)[k] === 'function')
      .map((k) => k.slice(0, -'Command'.length))
      .filter((k) => k !== '' && k !== '$');
    expect([...OPERATION_NAMES].sort()).toEqual(sdkOperations.sort());
    expect(Object.keys(OPERATIONS)).toEqual(OPERATION_NAMES);
    expect(Object.keys(OPERATION_HANDLERS)).toEqual(OPERATION_NAMES);
  });

  it.each(OPERATION_NAMES)('%s: command class, handler, KMS method, CLI summary, input and output shapes', (name) => {
    const entry = REGISTRY[name];
    // The command class, exported under the SDK's name, named so, running the entry's handler.
    const Command = (kms as unknown as Record<string, unknown>)[`${name}Command`] as new (
      input: object,
    ) => KMSCommand<object, object>;
    expect(Command).toBe(COMMANDS[name]);
    expect(Command.name).toBe(`${name}Command`);
    const command = new Command({});
    expect(command).toBeInstanceOf(KMSCommand);
    expect(command.operation).toBe(name);
    expect(command.handler).toBe(entry.handler);
    expect(OPERATION_HANDLERS[name]).toBe(entry.handler);
    // The aggregated client's method.
    expect(typeof (KMS.prototype as unknown as Record<string, unknown>)[lowerFirst(name)]).toBe('function');
    expect(methodName(name)).toBe(lowerFirst(name));
    // The CLI's one-line summary.
    expect(entry.summary).toMatch(/^[A-Z].*\.$/);
    // Input members are the schema's; output members are in the model's order, with their sensitivity.
    expect(entry.input).toBe(OPERATIONS[name]);
    expect(typeof entry.output).toBe('object');
    for (const member of Object.keys(entry.output)) expect(member).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(sensitiveOutputs(name)).toEqual(Object.keys(entry.output).filter((m) => entry.output[m].sensitive));
  });

  it('plaintext members are the sensitive outputs, and only they', () => {
    const sensitive = Object.fromEntries(
      OPERATION_NAMES.map((n) => [n, sensitiveOutputs(n)]).filter(([, s]) => s.length > 0),
    );
    expect(sensitive).toEqual({
      GenerateDataKeyPair: ['PrivateKeyPlaintext'],
      Decrypt: ['Plaintext'],
      GenerateDataKey: ['Plaintext'],
      GenerateRandom: ['Plaintext'],
      DeriveSharedSecret: ['SharedSecret'],
      Encapsulate: ['SharedSecret'],
      Decapsulate: ['SharedSecret'],
      GetParametersForImport: ['PublicKey'],
    });
  });

  it("output orders are the model's", () => {
    expect(Object.keys(REGISTRY.GenerateDataKeyPair.output)).toEqual([
      'PrivateKeyCiphertextBlob',
      'PrivateKeyPlaintext',
      'PublicKey',
      'KeyId',
      'KeyPairSpec',
      'CiphertextForRecipient',
      'KeyMaterialId',
    ]);
    expect(Object.keys(REGISTRY.DescribeKey.output.KeyMetadata.members!).slice(0, 3)).toEqual([
      'AWSAccountId',
      'KeyId',
      'Arn',
    ]);
    expect(Object.keys(REGISTRY.EnableKey.output)).toEqual([]);
  });

  it('the commands, KMS methods and paginators exported are exactly those of the registry', () => {
    const exported = Object.keys(kms).filter((k) => /^[A-Z]\w*Command$/.test(k) && k !== 'KMSCommand');
    expect(exported.sort()).toEqual(OPERATION_NAMES.map((n) => `${n}Command`).sort());
    const methods = Object.getOwnPropertyNames(KMS.prototype).filter((k) => k !== 'constructor');
    expect(methods.sort()).toEqual(OPERATION_NAMES.map(lowerFirst).sort());
    const paginated = OPERATION_NAMES.filter((n) => 'paginate' in REGISTRY[n]);
    expect(paginated).toEqual([
      'ListKeys',
      'ListAliases',
      'DescribeCustomKeyStores',
      'ListResourceTags',
      'ListKeyPolicies',
      'ListGrants',
      'ListRetirableGrants',
      'ListKeyRotations',
    ]);
    const paginators = Object.keys(kms).filter((k) => k.startsWith('paginate'));
    expect(paginators.sort()).toEqual(paginated.map((n) => `paginate${n}`).sort());
  });

  it('an entry added to a copy of the registry makes a working command, method and paginator', async () => {
    // What registry.ts does for each entry, done for an operation it does not have.
    const handler = async (_ctx: unknown, input: { Limit?: number; Marker?: string }) => {
      const start = Number(input.Marker ?? 0);
      const end = Math.min(start + (input.Limit ?? 2), 5);
      return end < 5
        ? { Items: [start, end], NextMarker: String(end), Truncated: true }
        : { Items: [start, end], Truncated: false };
    };
    const copy = {
      ...REGISTRY,
      ListThings: { summary: 'List things.', input: {}, output: { Items: {}, NextMarker: {}, Truncated: {} }, handler },
    };
    const FakeCommand = commandClass('ListThings' as OperationName, copy.ListThings.handler as never);
    expect(FakeCommand.name).toBe('ListThingsCommand');
    const client = new KMSClient();
    const out = (await client.send(new FakeCommand({ Limit: 2 }))) as Record<string, unknown> & kms.MetadataBearer;
    expect(out).toMatchObject({ Items: [0, 2], NextMarker: '2', Truncated: true });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Through the same middleware path as the registry's commands.
    const seen: string[] = [];
    client.middlewareStack.add((next, context) => async (args) => {
      seen.push(context.commandName);
      return next(args);
    });
    await client.send(new FakeCommand({}));
    expect(seen).toEqual(['ListThingsCommand']);
  });
});

describe('KMS, the aggregated client', () => {
  it('has one promise-returning method per operation, the same as send', async () => {
    const client = new KMS();
    expect(client).toBeInstanceOf(KMSClient);
    const key = (await client.createKey({ KeySpec: 'SYMMETRIC_DEFAULT' })).KeyMetadata!;
    await client.createAlias({ AliasName: 'alias/agg', TargetKeyId: key.KeyId! });
    const pair = await client.generateDataKeyPair({
      KeyId: 'alias/agg',
      KeyPairSpec: 'ECC_NIST_P256',
      EncryptionContext: { a: 'b' },
    });
    expect(pair.KeyId).toBe(key.Arn);
    expect(pair.$metadata.httpStatusCode).toBe(200);
    const plain = await client.decrypt({
      CiphertextBlob: pair.PrivateKeyCiphertextBlob!,
      EncryptionContext: { a: 'b' },
    });
    expect(Buffer.from(plain.Plaintext!).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
    const listed = await client.listKeys();
    expect(listed.Keys!.map((k) => k.KeyId)).toEqual([key.KeyId]);
    const described = await client.describeKey({ KeyId: 'alias/agg' });
    expect(described.KeyMetadata!.Arn).toBe(key.Arn);
    const e = await caught(client.describeKey({ KeyId: 'alias/missing' }));
    expect(e).toBeInstanceOf(kms.NotFoundException);
  });

  it("its methods run the client's middlewares", async () => {
    const client = new KMS();
    const names: string[] = [];
    client.middlewareStack.add((next, context) => async (args) => {
      names.push(context.commandName);
      return next(args);
    });
    await client.generateRandom({ NumberOfBytes: 8 });
    expect(names).toEqual(['GenerateRandomCommand']);
  });
});

describe('paginators', () => {
  it('paginateListKeys walks every page', async () => {
    const client = new KMSClient();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    const pages: string[][] = [];
    for await (const page of paginateListKeys({ client, pageSize: 2 }, {})) pages.push(page.Keys!.map((k) => k.KeyId!));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...ids].sort());
    // Starting from a token, and the input's own Limit over pageSize.
    const first = await client.send(new kms.ListKeysCommand({ Limit: 3 }));
    const rest: string[] = [];
    for await (const page of paginateListKeys(
      { client, startingToken: first.NextMarker, pageSize: 1 },
      { Limit: 10 },
    )) {
      rest.push(...page.Keys!.map((k) => k.KeyId!));
    }
    expect(rest).toEqual([...ids].sort().slice(3));
  });

  it('paginateListAliases and paginateDescribeCustomKeyStores page over more than one page', async () => {
    const client = new KMS();
    const key = (await client.createKey({})).KeyMetadata!;
    for (const n of ['a', 'b', 'c'])
      await client.send(new CreateAliasCommand({ AliasName: `alias/p-${n}`, TargetKeyId: key.KeyId! }));
    const aliases: string[] = [];
    let pages = 0;
    for await (const page of paginateListAliases({ client, pageSize: 2 }, { KeyId: key.KeyId })) {
      pages++;
      aliases.push(...page.Aliases!.map((a) => a.AliasName!));
    }
    expect(pages).toBe(2);
    expect(aliases).toEqual(['alias/p-a', 'alias/p-b', 'alias/p-c']);

    for (const n of [1, 2, 3]) {
      await client.send(
        new CreateCustomKeyStoreCommand({
          CustomKeyStoreName: `store-${n}`,
          CloudHsmClusterId: `cluster-1a23b4cdef${n}`,
          TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
          KeyStorePassword: 'kmsPassword',
        }),
      );
    }
    const stores: string[] = [];
    pages = 0;
    for await (const page of paginateDescribeCustomKeyStores({ client, pageSize: 1 })) {
      pages++;
      stores.push(...page.CustomKeyStores!.map((s) => s.CustomKeyStoreName!));
    }
    expect(pages).toBe(3);
    expect(stores.sort()).toEqual(['store-1', 'store-2', 'store-3']);
  });

  it('are made from the pagination entries', () => {
    expect(REGISTRY.ListKeys.paginate).toEqual({
      inputToken: 'Marker',
      pageSize: 'Limit',
      outputToken: 'NextMarker',
      truncated: 'Truncated',
      items: 'Keys',
    });
    expect(typeof paginator('ListAliases')).toBe('function');
  });
});

describe('commands of @aws-sdk/client-kms', () => {
  it('a real SDK GenerateDataKeyPairCommand runs on KMSClient, its input validated by the schema', async () => {
    const client = new KMSClient();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const out = await client.send(
      new sdk.GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    expect(out.KeyId).toBe(key.Arn);
    expect(out.KeyPairSpec).toBe('ECC_NIST_P256');
    expect(out.PrivateKeyPlaintext).toBeInstanceOf(Uint8Array);
    expect(out.$metadata.httpStatusCode).toBe(200);
    // The SDK's own Decrypt takes the blob back.
    const plain = await client.send(new sdk.DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(plain.Plaintext!).equals(Buffer.from(out.PrivateKeyPlaintext!))).toBe(true);

    const bad = await caught(
      client.send(new sdk.GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_1024' as never })),
    );
    expect(bad).toBeInstanceOf(ValidationException);
    expect((bad as ValidationException).message).toMatch(
      /^1 validation error detected: Value 'RSA_1024' at 'keyPairSpec'/,
    );
    expect((bad as ValidationException).$metadata.httpStatusCode).toBe(400);
  });

  it('a command of an operation this engine does not serve (one the SDK may add later) is UnknownOperationException', async () => {
    // An SDK-style command class of an operation no model version has.
    class FrobnicateKeyCommand {
      constructor(readonly input: object) {}
    }
    const e = await caught(new KMSClient().send(new FrobnicateKeyCommand({ KeyId: 'alias/x' }) as never));
    expect(e).toBeInstanceOf(UnknownOperationException);
    expect((e as UnknownOperationException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an object that is not a command is a TypeError that says what send takes', async () => {
    const client = new KMSClient();
    for (const thing of [{ KeyId: 'alias/x' }, { input: {} }, null, 'GenerateDataKeyPair']) {
      const e = await caught(client.send(thing as never));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(
        /^KMSClient\.send takes a command: new XxxCommand\(input\), of this package or of @aws-sdk\/client-kms; got /,
      );
    }
  });
});

describe('the pipeline', () => {
  function brokenStore(): KeyStore {
    const store = new MemoryKeyStore();
    return Object.assign(Object.create(store) as KeyStore, {
      getKey: () => Promise.reject(new TypeError('internal detail: /var/lib/kms/secret-path')),
    });
  }

  it('turns an error that is not a KMS exception into KMSInternalException with a fixed message, and logs the original', async () => {
    const logged: unknown[][] = [];
    const client = new KMSClient({ store: brokenStore(), logger: { error: (...args) => logged.push(args) } });
    for (const withMiddleware of [false, true]) {
      if (withMiddleware) client.middlewareStack.add((next) => (args) => next(args));
      const e = await caught(
        client.send(new kms.DescribeKeyCommand({ KeyId: '0b5c9e4a-1d2f-4c3b-8a7e-6f5d4c3b2a19' })),
      );
      expect(e).toBeInstanceOf(KMSInternalException);
      expect((e as Error).message).toBe(INTERNAL_ERROR_MESSAGE);
      expect((e as Error).cause).toBeUndefined();
      expect((e as KMSInternalException).$metadata.httpStatusCode).toBe(500);
    }
    expect(logged).toHaveLength(2);
    expect(String(logged[0][1])).toContain('internal detail');
  });

  it('KMS exceptions pass unchanged with $metadata; outputs get $metadata', async () => {
    const client = new KMSClient();
    const e = await caught(client.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(40) })));
    expect(e).toBeInstanceOf(kms.InvalidCiphertextException);
    expect((e as kms.KMSServiceException).$metadata).toMatchObject({
      httpStatusCode: 400,
      attempts: 1,
      totalRetryDelay: 0,
    });
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const out = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId!, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
  });
});

describe('the endpoint runs the same pipeline', () => {
  it("with the server's middlewareStack, $metadata out of the body, plaintext wiped from the registry's sensitive outputs", async () => {
    const { startServer } = await import('../src/node/http/server.js');
    const { MiddlewareStack } = await import('../src/kms/middleware.js');
    const stack = new MiddlewareStack();
    const seen: Array<{ command: string; requestId?: string; filtered?: unknown }> = [];
    const outputs: Record<string, unknown>[] = [];
    stack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as Record<string, unknown> & kms.MetadataBearer;
        outputs.push(output);
        const filter = context.outputFilterSensitiveLog as (o: unknown) => Record<string, unknown>;
        seen.push({
          command: context.commandName,
          requestId: output.$metadata.requestId,
          filtered: filter(output).Plaintext,
        });
        return result;
      },
      { step: 'initialize', name: 'spy' },
    );
    const server = await startServer({ port: 0, middlewareStack: stack });
    try {
      const post = async (op: string, body: object) => {
        const res = await fetch(server.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `TrentService.${op}` },
          body: JSON.stringify(body),
        });
        return { id: res.headers.get('x-amzn-requestid'), json: (await res.json()) as Record<string, unknown> };
      };
      const created = await post('CreateKey', {});
      expect(created.json).not.toHaveProperty('$metadata');
      const keyId = (created.json.KeyMetadata as { KeyId: string }).KeyId;
      const random = await post('GenerateRandom', { NumberOfBytes: 16 });
      expect(Buffer.from(random.json.Plaintext as string, 'base64')).toHaveLength(16);
      expect(seen.map((s) => s.command)).toEqual(['CreateKeyCommand', 'GenerateRandomCommand']);
      // The pipeline's request id is the one the response carries.
      expect(seen[1].requestId).toBe(random.id);
      expect(seen[1].filtered).toBe('***SensitiveInformation***');
      // Once encoded, the output's plaintext was zeroed.
      expect([...(outputs[1].Plaintext as Uint8Array)].every((b) => b === 0)).toBe(true);
      const failed = await post('DescribeKey', { KeyId: 'alias/none' });
      expect(failed.json.__type).toBe('NotFoundException');
      expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await server.close();
    }
  });
});

describe('module load order', () => {
  // Validation reads the registry, and the registry the operations: whichever module of the
  // cycle loads first, everything works (the built modules, as a program loads them).
  const root = fileURLToPath(new URL('..', import.meta.url));
  const first = [
    'kms/operations/update-alias.js',
    'kms/operations/list-keys.js',
    'kms/validation.js',
    'kms/registry.js',
    'kms/schema.js',
    'kms/operations/index.js',
    'node/http/wire.js',
  ];
  it.each(first)('%s first', (module) => {
    const code = `
      await import('./dist/${module}');
      const k = await import('./dist/kms/index.js');
      const c = new k.KMS();
      const key = (await c.createKey({})).KeyMetadata;
      await c.createAlias({ AliasName: 'alias/x', TargetKeyId: key.KeyId });
      await c.updateAlias({ AliasName: 'alias/x', TargetKeyId: key.KeyId });
      console.log((await c.listKeys()).Keys.length);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
  });
});
