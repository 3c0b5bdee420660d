// KMSClient and its commands take the AWS SDK's middlewares: the SDK's own logger middleware
// runs unchanged, and hand-written initialize/deserialize middlewares see what the SDK's do.
import { describe, it, expect } from 'vitest';
import { loggerMiddleware, loggerMiddlewareOptions, getLoggerPlugin } from '@aws-sdk/middleware-logger';
import {
  KMSClient,
  CreateKeyCommand,
  GenerateDataKeyPairCommand,
  DescribeKeyCommand,
  NotFoundException,
  KMSServiceException,
} from '../../src/kms/index.js';

function recordingLogger() {
  const info: unknown[] = [];
  const error: unknown[] = [];
  return {
    info,
    error,
    logger: { info: (x: unknown) => info.push(x), error: (x: unknown) => error.push(x), debug() {}, warn() {} },
  };
}

describe('middlewareStack', () => {
  it("runs the SDK's logger middleware unchanged, with sensitive members filtered", async () => {
    const rec = recordingLogger();
    const kms = new KMSClient({ logger: rec.logger });
    kms.middlewareStack.add(loggerMiddleware() as never, loggerMiddlewareOptions as never);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new GenerateDataKeyPairCommand({ KeyId: KeyMetadata!.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(rec.info).toHaveLength(2);
    const entry = rec.info[1] as {
      clientName: string;
      commandName: string;
      output: Record<string, unknown>;
      metadata: { httpStatusCode: number };
    };
    expect(entry.clientName).toBe('KMSClient');
    expect(entry.commandName).toBe('GenerateDataKeyPairCommand');
    expect(entry.output.PrivateKeyPlaintext).toBe('***SensitiveInformation***');
    expect(entry.output.PublicKey).toBeInstanceOf(Uint8Array);
    expect(entry.metadata.httpStatusCode).toBe(200);
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' }))).rejects.toBeInstanceOf(NotFoundException);
    expect(rec.error).toHaveLength(1);
    expect((rec.error[0] as { error: unknown }).error).toBeInstanceOf(KMSServiceException);
  });

  it("the SDK's logger plugin applies through use()", async () => {
    const rec = recordingLogger();
    const kms = new KMSClient({ logger: rec.logger });
    kms.middlewareStack.use(getLoggerPlugin({}) as never);
    await kms.send(new CreateKeyCommand({ Description: 'x' }));
    expect((rec.info[0] as { input: { Description: string } }).input.Description).toBe('x');
  });

  it('orders steps and priorities as the SDK does, client before command', async () => {
    const kms = new KMSClient();
    const seen: string[] = [];
    const mark = (label: string) => (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      seen.push(label);
      return next(args);
    };
    kms.middlewareStack.add(mark('client-deserialize') as never, { step: 'deserialize' });
    kms.middlewareStack.add(mark('client-init-low') as never, { step: 'initialize', priority: 'low' });
    kms.middlewareStack.add(mark('client-init') as never, { step: 'initialize', name: 'a' });
    kms.middlewareStack.add(mark('client-init-high') as never, { step: 'initialize', priority: 'high' });
    const cmd = new CreateKeyCommand({});
    cmd.middlewareStack.add(mark('command-init') as never, { step: 'initialize' });
    await kms.send(cmd);
    expect(seen).toEqual(['client-init-high', 'client-init', 'command-init', 'client-init-low', 'client-deserialize']);
    expect(() => kms.middlewareStack.add(mark('dup') as never, { name: 'a' })).toThrow("Duplicate middleware name 'a'");
    expect(kms.middlewareStack.remove('a')).toBe(true);
    expect(kms.middlewareStack.identify()).toEqual([
      'anonymous - initialize',
      'anonymous - initialize',
      'anonymous - deserialize',
    ]);
  });

  it('an initialize middleware can replace the input; a deserialize one sees the output', async () => {
    const kms = new KMSClient();
    let seenOutput: Record<string, unknown> | undefined;
    kms.middlewareStack.add(
      ((next: (a: { input: object }) => Promise<unknown>) => async (args: { input: object }) =>
        next({ ...args, input: { ...args.input, Description: 'set by middleware' } })) as never,
      { step: 'initialize' },
    );
    kms.middlewareStack.add(
      ((next: (a: unknown) => Promise<{ output: Record<string, unknown> }>) => async (args: unknown) => {
        const result = await next(args);
        seenOutput = result.output;
        return result;
      }) as never,
      { step: 'deserialize' },
    );
    const cmd = new CreateKeyCommand({ Description: 'original' });
    const { KeyMetadata } = await kms.send(cmd);
    expect(KeyMetadata!.Description).toBe('set by middleware');
    expect(cmd.input.Description).toBe('original');
    expect(seenOutput!.$metadata).toBeDefined();
  });
});
