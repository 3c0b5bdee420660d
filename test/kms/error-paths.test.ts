// Error paths of every implemented KMS operation, table-driven from kms-errors.json: each listed
// exception that can occur in a local engine has a case asserting class, name, $fault, HTTP status
// and message (the AWS recording where one exists, else the documented pattern); the rest are in
// NOT_APPLICABLE or ENGINE_GAPS with a reason, and a completeness test checks nothing is unaccounted for.

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  KMSServiceException,
  MemoryKeyStore,
  EXCEPTIONS,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
  ListKeysCommand,
  UpdateAliasCommand,
  DeleteAliasCommand,
  ListAliasesCommand,
  EnableKeyRotationCommand,
  DisableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  CreateCustomKeyStoreCommand,
  ConnectCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
} from '../../src/kms/index.js';
import { CLOUDHSM, XKS } from '../helpers/kms.js';
import { putCustomKeyStoreRecord } from '../helpers/records.js';
import { readVectorText } from '../helpers/vectors.js';

interface ErrorEntry {
  exception: string;
  httpStatus: number;
  fault: 'client' | 'server';
  when: string;
}
const ERRORS = JSON.parse(readVectorText('kms/kms-errors.json')) as Record<string, unknown>;
const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  {
    'recorded-content': Record<
      string,
      { Error?: { Code: string; Message: string }; ResponseMetadata?: { HTTPStatusCode: number } }
    >;
  }
>;

const IMPLEMENTED = [
  'CreateKey',
  'DescribeKey',
  'ListKeys',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'ListAliases',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'GetKeyRotationStatus',
  'RotateKeyOnDemand',
  'GetPublicKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'Decrypt',
  'Encrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateRandom',
  'CreateCustomKeyStore',
  'DescribeCustomKeyStores',
] as const;
type Op = (typeof IMPLEMENTED)[number];

/** Implemented operations kms-errors.json has no exception list for (reported; their cases below are extra). */
const MISSING_FROM_REFERENCE: Op[] = [
  'UpdateAlias',
  'DeleteAlias',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'GetKeyRotationStatus',
  'RotateKeyOnDemand',
  'GetPublicKey',
  'CreateCustomKeyStore',
  'DescribeCustomKeyStores',
];

function listed(op: string): ErrorEntry[] {
  const v = ERRORS[op];
  return Array.isArray(v) ? (v as ErrorEntry[]) : [];
}
function entry(op: string, exception: string): ErrorEntry | undefined {
  return listed(op).find((e) => e.exception === exception);
}

// Exceptions that cannot occur in this in-process engine, whatever the operation.
const NOT_APPLICABLE: Record<string, string> = {
  DependencyTimeoutException: 'no remote dependency to time out; only fault injection could produce it',
  KMSInternalException: 'reserved for engine bugs (non-KMS errors are wrapped into it); no input triggers it',
  KeyUnavailableException: 'no custom key store backend to be unreachable; local key material is always present',
  CloudHsmClusterInvalidConfigurationException: 'no CloudHSM cluster is contacted',
  XksKeyAlreadyInUseException: 'no XKS proxy is contacted; XksKeyId associations are not tracked',
  XksKeyInvalidConfigurationException: 'no XKS proxy is contacted to inspect the external key',
  XksKeyNotFoundException: 'no XKS proxy is contacted to look the external key up',
  LimitExceededException:
    'account resource quotas (keys per Region, aliases, enabled keys) are not enforced; the per-key limits are (on-demand rotations, the 32 KB key policy, grants per key: their own tests)',
};

/**
 * Listed exceptions the engine has no code path for although a local engine could emit them:
 * reported as gaps rather than silently treated as not applicable.
 */
const ENGINE_GAPS: Record<string, string> = {};

/** Listed exceptions that cannot occur for one operation only (the same exception has cases for others). */
const NOT_APPLICABLE_FOR: Record<string, string> = {
  'CreateKey:InvalidArnException':
    'CreateKey takes no ARN this engine parses (key policies and their principals are not evaluated)',
};

// ---------------------------------------------------------------------------------------------

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

interface Env {
  store: MemoryKeyStore;
  c: KMSClient;
  key: (input?: Record<string, unknown>) => Promise<{ KeyId: string; Arn: string }>;
}
function env(accountId = ACCOUNT): Env {
  const store = new MemoryKeyStore();
  const c = new KMSClient({ store, accountId, region: REGION });
  const key = async (input: Record<string, unknown> = {}) => {
    const md = (await c.send(new CreateKeyCommand(input))).KeyMetadata!;
    return { KeyId: md.KeyId, Arn: md.Arn! };
  };
  return { store, c, key };
}
const SIGN = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' };
const PT = new TextEncoder().encode('hello');
const GHOST = '0b3c1a5e-1111-4222-8333-944455556666';
const ghostArn = (account = ACCOUNT) => `arn:aws:kms:${REGION}:${account}:key/${GHOST}`;
async function disabled(e: Env) {
  const k = await e.key();
  await e.c.send(new DisableKeyCommand({ KeyId: k.KeyId }));
  return k;
}
async function pendingDeletion(e: Env) {
  const k = await e.key();
  await e.c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
  return k;
}
async function blob(e: Env, keyId: string, ctx?: Record<string, string>) {
  return (await e.c.send(new EncryptCommand({ KeyId: keyId, Plaintext: PT, EncryptionContext: ctx }))).CiphertextBlob!;
}
async function putStore(e: Env, id: string, type: string, connectionState: string) {
  await putCustomKeyStoreRecord(e.store, { account: e.c.config.accountId, region: REGION, id, type, connectionState });
}
const DRY = 'The request would have succeeded, but the DryRun option is set.';

/** What a case's run returns: the rejected promise and what the message must be. */
interface Outcome {
  p: Promise<unknown>;
  message: string | RegExp;
  subst?: Record<string, string>;
}
interface Case {
  op: Op;
  exception: string;
  title: string;
  /** Recording to compare the message with: [test id suffix after "test_kms.py::", content key]. */
  recorded?: [string, string];
  run: () => Promise<Outcome>;
}

const C: Case[] = [];
/** A grant token that is not of the engine's form (src/kms/grants.ts); the message is the engine's. */
const BAD_GRANT_TOKEN = 'The grant token is not valid.';
const add = (op: Op, exception: string, title: string, run: () => Promise<Outcome>, recorded?: [string, string]) =>
  C.push({ op, exception, title, run, recorded });

// --- the data-key / crypto operations share a shape: key-state, usage, not-found, dry-run
type KeyedOp =
  | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'Encrypt';
const KEYED: Record<KeyedOp, (e: Env, keyId: string, extra?: Record<string, unknown>) => Promise<unknown>> = {
  GenerateDataKeyPair: (e, KeyId, x) =>
    e.c.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256', ...x })),
  GenerateDataKeyPairWithoutPlaintext: (e, KeyId, x) =>
    e.c.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256', ...x })),
  GenerateDataKey: (e, KeyId, x) => e.c.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', ...x })),
  GenerateDataKeyWithoutPlaintext: (e, KeyId, x) =>
    e.c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256', ...x })),
  Encrypt: (e, KeyId, x) => e.c.send(new EncryptCommand({ KeyId, Plaintext: PT, ...x })),
};
for (const op of Object.keys(KEYED) as KeyedOp[]) {
  const send = KEYED[op];
  add(op, 'NotFoundException', `${op}: unknown key id`, async () => {
    const e = env();
    return { p: send(e, GHOST), message: `Key '${ghostArn()}' does not exist` };
  });
  add(op, 'NotFoundException', `${op}: unknown alias`, async () => {
    const e = env();
    return {
      p: send(e, 'alias/missing'),
      message: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/missing is not found.`,
    };
  });
  add(op, 'DisabledException', `${op}: disabled key`, async () => {
    const e = env();
    const k = await disabled(e);
    return { p: send(e, k.KeyId), message: `${k.Arn} is disabled.` };
  });
  add(op, 'KMSInvalidStateException', `${op}: key pending deletion`, async () => {
    const e = env();
    const k = await pendingDeletion(e);
    return { p: send(e, k.KeyId), message: `${k.Arn} is pending deletion.` };
  });
  add(
    op,
    'InvalidKeyUsageException',
    `${op}: SIGN_VERIFY key`,
    async () => {
      const e = env();
      const k = await e.key(SIGN);
      return {
        p: send(e, k.KeyId),
        message: `${k.Arn} key usage is SIGN_VERIFY which is not valid for ${op}.`,
        subst: { '<key-arn>': k.Arn },
      };
    },
    op === 'Encrypt' ? ['TestKMS::test_error_messaging_for_invalid_keys', 'encrypt-invalid-key-id'] : undefined,
  );
  const dryRec: Partial<Record<KeyedOp, [string, string]>> = {
    GenerateDataKeyPair: ['TestKMSGenerateKeys::test_generate_data_key_pair_dry_run', 'dryrun_exception'],
    GenerateDataKeyPairWithoutPlaintext: [
      'TestKMSGenerateKeys::test_generate_data_key_pair_without_plaintext_dry_run',
      'dryrun_exception',
    ],
  };
  add(op, 'InvalidGrantTokenException', `${op}: a malformed grant token`, async () => {
    const e = env();
    const k = await e.key();
    return { p: send(e, k.KeyId, { GrantTokens: ['not-a-token'] }), message: BAD_GRANT_TOKEN };
  });
  add(
    op,
    'DryRunOperationException',
    `${op}: DryRun with every check passing`,
    async () => {
      const e = env();
      const k = await e.key();
      return { p: send(e, k.KeyId, { DryRun: true }), message: DRY };
    },
    dryRec[op],
  );
}
add(
  'Encrypt',
  'KMSInvalidStateException',
  'Encrypt: EXTERNAL-origin key pending import',
  async () => {
    const e = env('111111111111');
    const k = await e.key({ Origin: 'EXTERNAL' });
    return {
      p: KEYED.Encrypt(e, k.KeyId),
      message: `${k.Arn} is pending import.`,
      subst: { '<partition>': 'aws', '<region>': REGION, '<key-id:1>': k.KeyId },
    };
  },
  ['TestKMS::test_import_key_symmetric', 'encrypt-before-import-error'],
);
add(
  'Encrypt',
  'ValidationException',
  'Encrypt: plaintext longer than 4096 bytes',
  async () => {
    const e = env();
    const k = await e.key();
    return {
      p: e.c.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: new Uint8Array(4097) })),
      message: /^1 validation error detected: Value at 'plaintext'/,
    };
  },
  ['TestKMS::test_plaintext_size_for_encrypt', 'invalid-plaintext-size-encrypt'],
);
add('GenerateDataKey', 'ValidationException', 'GenerateDataKey: neither KeySpec nor NumberOfBytes', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new GenerateDataKeyCommand({ KeyId: k.KeyId })),
    message: 'Please specify either number of bytes or key spec.',
  };
});
add(
  'GenerateDataKeyWithoutPlaintext',
  'ValidationException',
  'GenerateDataKeyWithoutPlaintext: NumberOfBytes 0',
  async () => {
    const e = env();
    const k = await e.key();
    return {
      p: e.c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k.KeyId, NumberOfBytes: 0 })),
      message:
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    };
  },
);
for (const op of ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'] as const) {
  add(op, 'ValidationException', `${op}: KeyPairSpec not in the enum`, async () => {
    const e = env();
    const k = await e.key();
    return {
      p: KEYED[op](e, k.KeyId, { KeyPairSpec: 'RSA_1024' }),
      message:
        /^1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    };
  });
  add(op, 'UnsupportedOperationException', `${op}: key in a custom key store`, async () => {
    const e = env();
    const { CustomKeyStoreId } = await e.c.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
    await e.c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId }));
    const k = await e.key({ CustomKeyStoreId });
    return {
      p: KEYED[op](e, k.KeyId),
      message: `${k.Arn} is in custom key store ${CustomKeyStoreId}; ${op} does not support keys in custom key stores.`,
    };
  });
}

// --- Decrypt
add(
  'Decrypt',
  'InvalidCiphertextException',
  'Decrypt: encryption context differs',
  async () => {
    const e = env();
    const k = await e.key();
    const b = await blob(e, k.KeyId, { a: 'b' });
    return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b })), message: '' };
  },
  ['TestKMS::test_encrypt_decrypt_encryption_context', 'decrypt_response_without_encryption_context'],
);
add(
  'Decrypt',
  'InvalidCiphertextException',
  'Decrypt: corrupted blob',
  async () => {
    const e = env();
    const k = await e.key();
    const b = await blob(e, k.KeyId);
    b[b.length - 1] ^= 1;
    return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b })), message: '' };
  },
  ['TestKMS::test_key_rotations_encryption_decryption', 'bad-ciphertext'],
);
add(
  'Decrypt',
  'IncorrectKeyException',
  'Decrypt: KeyId names another key',
  async () => {
    const e = env();
    const k = await e.key();
    const other = await e.key(SIGN);
    const b = await blob(e, k.KeyId);
    return {
      p: e.c.send(new DecryptCommand({ CiphertextBlob: b, KeyId: other.KeyId })),
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    };
  },
  ['TestKMS::test_error_messaging_for_invalid_keys', 'decrypt-invalid-key-id'],
);
add('Decrypt', 'NotFoundException', 'Decrypt: KeyId does not resolve', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new DecryptCommand({ CiphertextBlob: b, KeyId: GHOST })),
    message: `Key '${ghostArn()}' does not exist`,
  };
});
add('Decrypt', 'DisabledException', 'Decrypt: key disabled after encrypting', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  await e.c.send(new DisableKeyCommand({ KeyId: k.KeyId }));
  return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b })), message: `${k.Arn} is disabled.` };
});
add('Decrypt', 'KMSInvalidStateException', 'Decrypt: key pending deletion', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  await e.c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
  return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b })), message: `${k.Arn} is pending deletion.` };
});
add('Decrypt', 'InvalidKeyUsageException', 'Decrypt: IGNORE_CIPHERTEXT dry run with a SIGN_VERIFY key', async () => {
  const e = env();
  const k = await e.key(SIGN);
  return {
    p: e.c.send(new DecryptCommand({ KeyId: k.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
    message: `${k.Arn} key usage is SIGN_VERIFY which is not valid for Decrypt.`,
  };
});
add('Decrypt', 'InvalidGrantTokenException', 'Decrypt: a malformed grant token', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b, GrantTokens: ['x'] })), message: BAD_GRANT_TOKEN };
});
add('Decrypt', 'DryRunOperationException', 'Decrypt: DryRun', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return { p: e.c.send(new DecryptCommand({ CiphertextBlob: b, DryRun: true })), message: DRY };
});
add('Decrypt', 'ValidationException', 'Decrypt: no CiphertextBlob', async () => {
  const e = env();
  return {
    p: e.c.send(new DecryptCommand({} as never)),
    message:
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
  };
});

// --- ReEncrypt
add(
  'ReEncrypt',
  'IncorrectKeyException',
  'ReEncrypt: SourceKeyId names another key',
  async () => {
    const e = env();
    const k = await e.key();
    const other = await e.key();
    const b = await blob(e, k.KeyId);
    return {
      p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, SourceKeyId: other.KeyId, DestinationKeyId: other.KeyId })),
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    };
  },
  ['TestKMS::test_re_encrypt_incorrect_source_key', 'incorrect-source-key'],
);
add('ReEncrypt', 'InvalidCiphertextException', 'ReEncrypt: encryption context differs', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId, { a: 'b' });
  return { p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: k.KeyId })), message: '' };
});
add('ReEncrypt', 'NotFoundException', 'ReEncrypt: unknown destination key', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: GHOST })),
    message: `Key '${ghostArn()}' does not exist`,
  };
});
add('ReEncrypt', 'DisabledException', 'ReEncrypt: destination key disabled', async () => {
  const e = env();
  const k = await e.key();
  const d = await disabled(e);
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: d.KeyId })),
    message: `${d.Arn} is disabled.`,
  };
});
add('ReEncrypt', 'KMSInvalidStateException', 'ReEncrypt: destination key pending deletion', async () => {
  const e = env();
  const k = await e.key();
  const d = await pendingDeletion(e);
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: d.KeyId })),
    message: `${d.Arn} is pending deletion.`,
  };
});
add('ReEncrypt', 'InvalidKeyUsageException', 'ReEncrypt: destination key is SIGN_VERIFY', async () => {
  const e = env();
  const k = await e.key();
  const d = await e.key(SIGN);
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: d.KeyId })),
    message: `${d.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`,
  };
});
add('ReEncrypt', 'InvalidGrantTokenException', 'ReEncrypt: a malformed grant token', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: k.KeyId, GrantTokens: ['x'] })),
    message: BAD_GRANT_TOKEN,
  };
});
add('ReEncrypt', 'DryRunOperationException', 'ReEncrypt: DryRun', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: k.KeyId, DryRun: true })),
    message: DRY,
  };
});
add('ReEncrypt', 'ValidationException', 'ReEncrypt: no DestinationKeyId', async () => {
  const e = env();
  const k = await e.key();
  const b = await blob(e, k.KeyId);
  return {
    p: e.c.send(new ReEncryptCommand({ CiphertextBlob: b } as never)),
    message:
      "1 validation error detected: Value null at 'destinationKeyId' failed to satisfy constraint: Member must not be null",
  };
});

// --- GenerateRandom
for (const [n, key] of [
  [undefined, 'None'],
  [0, '0'],
  [1025, '1025'],
] as const) {
  add(
    'GenerateRandom',
    'ValidationException',
    `GenerateRandom: NumberOfBytes ${String(n)}`,
    async () => {
      const e = env();
      const expected =
        n === undefined
          ? 'NumberOfBytes is required.'
          : n === 0
            ? "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
            : "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024";
      return { p: e.c.send(new GenerateRandomCommand(n === undefined ? {} : { NumberOfBytes: n })), message: expected };
    },
    ['TestKMS::test_generate_random_invalid_number_of_bytes[' + key + ']', 'generate-random-exc'],
  );
}
add('GenerateRandom', 'CustomKeyStoreNotFoundException', 'GenerateRandom: unknown custom key store', async () => {
  const e = env();
  return {
    p: e.c.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' })),
    message: 'Custom key store cks-1234567890abcdef0 does not exist.',
  };
});
add('GenerateRandom', 'UnsupportedOperationException', 'GenerateRandom: external key store', async () => {
  const e = env();
  const { CustomKeyStoreId } = await e.c.send(new CreateCustomKeyStoreCommand(XKS));
  return {
    p: e.c.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId })),
    message: `GenerateRandom does not support external key stores; ${CustomKeyStoreId} is an external key store.`,
  };
});
add(
  'GenerateRandom',
  'CustomKeyStoreInvalidStateException',
  'GenerateRandom: disconnected CloudHSM key store',
  async () => {
    const e = env();
    await putStore(e, 'cks-00000000000000003', 'AWS_CLOUDHSM', 'DISCONNECTED');
    return {
      p: e.c.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-00000000000000003' })),
      message: 'Custom key store cks-00000000000000003 is not connected (connection state DISCONNECTED).',
    };
  },
);

// --- DescribeKey
add(
  'DescribeKey',
  'NotFoundException',
  'DescribeKey: unknown key id',
  async () => {
    const e = env();
    return {
      p: e.c.send(new DescribeKeyCommand({ KeyId: GHOST })),
      message: `Key '${ghostArn()}' does not exist`,
      subst: { '<key-arn>': ghostArn() },
    };
  },
  ['TestKMS::test_get_key_does_not_exist', 'describe-nonexistent-key-with-id'],
);
add(
  'DescribeKey',
  'NotFoundException',
  'DescribeKey: unknown key ARN',
  async () => {
    const e = env();
    return {
      p: e.c.send(new DescribeKeyCommand({ KeyId: ghostArn() })),
      message: `Key '${ghostArn()}' does not exist`,
      subst: { '<key-arn>': ghostArn() },
    };
  },
  ['TestKMS::test_get_key_does_not_exist', 'describe-nonexistent-with-arn'],
);
add(
  'DescribeKey',
  'NotFoundException',
  'DescribeKey: key id of another Region',
  async () => {
    const e = env('111111111111');
    const k = await e.key();
    const west = new KMSClient({ store: e.store, accountId: '111111111111', region: 'us-west-2' });
    return {
      p: west.send(new DescribeKeyCommand({ KeyId: k.KeyId })),
      message: `Key 'arn:aws:kms:us-west-2:111111111111:key/${k.KeyId}' does not exist`,
      subst: { '<partition>': 'aws', '<region>': 'us-west-2', '<key-id:1>': k.KeyId },
    };
  },
  ['TestKMS::test_get_key_in_different_region', 'describe-key-diff-region-with-id'],
);
add('DescribeKey', 'ValidationException', 'DescribeKey: no KeyId', async () => {
  const e = env();
  return {
    p: e.c.send(new DescribeKeyCommand({} as never)),
    message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
  };
});

// --- CreateKey
add(
  'CreateKey',
  'ValidationException',
  'CreateKey: HMAC spec without KeyUsage',
  async () => {
    const e = env();
    return {
      p: e.c.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })),
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    };
  },
  ['TestKMS::test_hmac_create_key_invalid_operations', 'create-hmac-key-without-key-usage'],
);
add('CreateKey', 'ValidationException', 'CreateKey: KeyUsage not in the enum', async () => {
  const e = env();
  // The recording predates KEY_AGREEMENT / ENCAPSULATE_DECAPSULATE; the prefix is compared.
  return {
    p: e.c.send(new CreateKeyCommand({ KeyUsage: 'RANDOM' as never })),
    message:
      /^1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE\]$/,
  };
});
add(
  'CreateKey',
  'TagException',
  'CreateKey: too many tags',
  async () => {
    const e = env();
    const Tags = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    return { p: e.c.send(new CreateKeyCommand({ Tags })), message: 'Too many tags' };
  },
  ['TestKMS::test_create_key_with_too_many_tags_raises_error', 'invalid-tag-key'],
);
add(
  'CreateKey',
  'TagException',
  'CreateKey: a tag key beginning with aws:',
  async () => {
    const e = env();
    return {
      p: e.c.send(new CreateKeyCommand({ Tags: [{ TagKey: 'AWS:x', TagValue: 'v' }] })),
      message: 'Tags beginning with aws: are reserved',
    };
  },
  ['TestKMS::test_create_key_with_invalid_tag_key[uppercase_prefix]', 'invalid-tag-key'],
);
add('CreateKey', 'MalformedPolicyDocumentException', 'CreateKey: a Policy that is not JSON', async () => {
  const e = env();
  return {
    p: e.c.send(new CreateKeyCommand({ Policy: '{"Version": "2012-10-17",' })),
    message: 'The key policy is not a valid JSON document.',
  };
});
add('CreateKey', 'MalformedPolicyDocumentException', 'CreateKey: a Policy that would lock the caller out', async () => {
  const e = env();
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:*', Resource: '*' },
    ],
  });
  return {
    p: e.c.send(new CreateKeyCommand({ Policy: policy })),
    message: 'The new key policy will not allow you to update the key policy in the future.',
  };
});
add('CreateKey', 'CustomKeyStoreNotFoundException', 'CreateKey: unknown custom key store', async () => {
  const e = env();
  return {
    p: e.c.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
    message: 'Custom key store cks-1234567890abcdef0 does not exist.',
  };
});
add('CreateKey', 'CustomKeyStoreInvalidStateException', 'CreateKey: disconnected custom key store', async () => {
  const e = env();
  await putStore(e, 'cks-00000000000000003', 'AWS_CLOUDHSM', 'DISCONNECTED');
  return {
    p: e.c.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-00000000000000003' })),
    message: 'Custom key store cks-00000000000000003 is not connected.',
  };
});
add('CreateKey', 'UnsupportedOperationException', 'CreateKey: SM2 outside the China Regions', async () => {
  const e = env();
  return {
    p: e.c.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })),
    message: `KeySpec SM2 is supported only in the China Regions; CreateKey in ${REGION} cannot use it.`,
  };
});
add('CreateKey', 'UnsupportedOperationException', 'CreateKey: MultiRegion key in a custom key store', async () => {
  const e = env();
  const { CustomKeyStoreId } = await e.c.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
  return {
    p: e.c.send(new CreateKeyCommand({ CustomKeyStoreId, MultiRegion: true })),
    message: 'Multi-Region keys cannot be created in a custom key store.',
  };
});

// --- aliases
add(
  'CreateAlias',
  'ValidationException',
  'CreateAlias: name without the alias/ prefix',
  async () => {
    const e = env();
    const k = await e.key();
    return {
      p: e.c.send(new CreateAliasCommand({ AliasName: 'foo', TargetKeyId: k.KeyId })),
      message:
        'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    };
  },
  ['TestKMS::test_create_alias', 'create_alias'],
);
add('CreateAlias', 'AlreadyExistsException', 'CreateAlias: name taken', async () => {
  const e = env();
  const k = await e.key();
  await e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: k.KeyId }));
  return {
    p: e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: k.KeyId })),
    message: `An alias with the name arn:aws:kms:${REGION}:${ACCOUNT}:alias/a already exists`,
  };
});
add('CreateAlias', 'NotFoundException', 'CreateAlias: unknown target key', async () => {
  const e = env();
  return {
    p: e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: GHOST })),
    message: `Key '${ghostArn()}' does not exist`,
  };
});
add('CreateAlias', 'KMSInvalidStateException', 'CreateAlias: target pending deletion', async () => {
  const e = env();
  const k = await pendingDeletion(e);
  return {
    p: e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: k.KeyId })),
    message: `${k.Arn} is pending deletion.`,
  };
});
add('UpdateAlias', 'NotFoundException', 'UpdateAlias: unknown alias', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: k.KeyId })),
    message: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/none is not found.`,
  };
});
add('UpdateAlias', 'KMSInvalidStateException', 'UpdateAlias: target pending deletion', async () => {
  const e = env();
  const k = await e.key();
  await e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: k.KeyId }));
  const d = await pendingDeletion(e);
  return {
    p: e.c.send(new UpdateAliasCommand({ AliasName: 'alias/a', TargetKeyId: d.KeyId })),
    message: `${d.Arn} is pending deletion.`,
  };
});
add('UpdateAlias', 'ValidationException', 'UpdateAlias: target of another key type', async () => {
  const e = env();
  const k = await e.key();
  await e.c.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: k.KeyId }));
  const s = await e.key(SIGN);
  return {
    p: e.c.send(new UpdateAliasCommand({ AliasName: 'alias/a', TargetKeyId: s.KeyId })),
    message: /^Alias arn:aws:kms:us-east-1:111122223333:alias\/a cannot be updated to .*must be of the same type/,
  };
});
add('DeleteAlias', 'NotFoundException', 'DeleteAlias: unknown alias', async () => {
  const e = env();
  return {
    p: e.c.send(new DeleteAliasCommand({ AliasName: 'alias/nope' })),
    message: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/nope is not found.`,
  };
});
// InvalidArnException: an `arn:` KeyId that is not a KMS key or alias ARN, for the operations
// whose model lists it (elsewhere NotFoundException "Invalid keyId", see resolveKey).
const BAD_ARNS = ['arn:aws:kms:us-east-1:1234:key/abc', 'arn:aws:s3:::bucket', 'arn:nothing'];
const ARN_OPS: Record<string, (e: Env, KeyId: string) => Promise<unknown>> = {
  DescribeKey: (e, KeyId) => e.c.send(new DescribeKeyCommand({ KeyId })),
  ListAliases: (e, KeyId) => e.c.send(new ListAliasesCommand({ KeyId })),
  EnableKey: (e, KeyId) => e.c.send(new EnableKeyCommand({ KeyId })),
  DisableKey: (e, KeyId) => e.c.send(new DisableKeyCommand({ KeyId })),
  ScheduleKeyDeletion: (e, KeyId) => e.c.send(new ScheduleKeyDeletionCommand({ KeyId })),
  CancelKeyDeletion: (e, KeyId) => e.c.send(new CancelKeyDeletionCommand({ KeyId })),
};
for (const [op, send] of Object.entries(ARN_OPS)) {
  BAD_ARNS.forEach((bad, i) => {
    add(op as Op, 'InvalidArnException', `${op}: malformed ARN #${i + 1}`, async () => {
      const e = env();
      return { p: send(e, bad), message: `'${bad}' is not a valid KMS key ARN or alias ARN.` };
    });
  });
}
add('CreateAlias', 'InvalidAliasNameException', 'CreateAlias: reserved alias/aws/ prefix', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: k.KeyId })),
    message: 'Alias names that begin with "alias/aws/" are reserved for AWS managed keys.',
  };
});
add('DeleteAlias', 'ValidationException', 'DeleteAlias: reserved alias/aws/ prefix', async () => {
  const e = env();
  return {
    p: e.c.send(new DeleteAliasCommand({ AliasName: 'alias/aws/s3' })),
    message: 'Alias names that begin with "alias/aws/" are reserved for AWS managed keys.',
  };
});
add('ListAliases', 'NotFoundException', 'ListAliases: KeyId filter names no key', async () => {
  const e = env();
  return { p: e.c.send(new ListAliasesCommand({ KeyId: GHOST })), message: `Key '${ghostArn()}' does not exist` };
});
add('ListAliases', 'InvalidMarkerException', 'ListAliases: marker not issued', async () => {
  const e = env();
  return { p: e.c.send(new ListAliasesCommand({ Marker: 'zz' })), message: 'Invalid marker: zz' };
});
add('ListAliases', 'ValidationException', 'ListAliases: Limit 0', async () => {
  const e = env();
  return {
    p: e.c.send(new ListAliasesCommand({ Limit: 0 })),
    message:
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  };
});
add('ListKeys', 'InvalidMarkerException', 'ListKeys: marker not issued', async () => {
  const e = env();
  return { p: e.c.send(new ListKeysCommand({ Marker: 'zz' })), message: 'Invalid marker: zz' };
});
add('ListKeys', 'InvalidMarkerException', 'ListKeys: ListAliases marker', async () => {
  const e = env();
  const m = Buffer.from('aliases:alias/a').toString('hex');
  return { p: e.c.send(new ListKeysCommand({ Marker: m })), message: `Invalid marker: ${m}` };
});
add('ListKeys', 'ValidationException', 'ListKeys: Limit 1001', async () => {
  const e = env();
  return {
    p: e.c.send(new ListKeysCommand({ Limit: 1001 })),
    message:
      "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000",
  };
});

// --- key state operations
for (const op of ['EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion'] as const) {
  const send = (c: KMSClient, KeyId: string): Promise<unknown> =>
    op === 'EnableKey'
      ? c.send(new EnableKeyCommand({ KeyId }))
      : op === 'DisableKey'
        ? c.send(new DisableKeyCommand({ KeyId }))
        : op === 'ScheduleKeyDeletion'
          ? c.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }))
          : c.send(new CancelKeyDeletionCommand({ KeyId }));
  add(op, 'NotFoundException', `${op}: unknown key`, async () => {
    const e = env();
    return { p: send(e.c, GHOST), message: `Key '${ghostArn()}' does not exist` };
  });
  add(op, 'ValidationException', `${op}: no KeyId`, async () => {
    const e = env();
    return {
      p: send(e.c, undefined as unknown as string),
      message:
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    };
  });
  add(op, 'KMSInvalidStateException', `${op}: wrong key state`, async () => {
    const e = env();
    if (op === 'CancelKeyDeletion') {
      const k = await e.key();
      return { p: send(e.c, k.KeyId), message: `${k.Arn} is not pending deletion.` };
    }
    const k = await pendingDeletion(e);
    return { p: send(e.c, k.KeyId), message: `${k.Arn} is pending deletion.` };
  });
}
add('ScheduleKeyDeletion', 'ValidationException', 'ScheduleKeyDeletion: window of 6 days', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 6 })),
    message:
      "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
  };
});

// --- rotation (not in kms-errors.json; recorded for RotateKeyOnDemand)
add(
  'RotateKeyOnDemand',
  'DisabledException',
  'RotateKeyOnDemand: disabled key',
  async () => {
    const e = env();
    const k = await disabled(e);
    return {
      p: e.c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })),
      message: `${k.Arn} is disabled.`,
      subst: { '<key-arn>': k.Arn },
    };
  },
  ['TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled', 'error-response'],
);
add(
  'RotateKeyOnDemand',
  'NotFoundException',
  'RotateKeyOnDemand: unknown key',
  async () => {
    const e = env();
    return {
      p: e.c.send(new RotateKeyOnDemandCommand({ KeyId: GHOST })),
      message: `Key '${ghostArn()}' does not exist`,
      subst: { '<key-arn>': ghostArn() },
    };
  },
  ['TestKMS::test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist', 'error-response'],
);
add(
  'RotateKeyOnDemand',
  'UnsupportedOperationException',
  'RotateKeyOnDemand: asymmetric key',
  async () => {
    const e = env();
    const k = await e.key(SIGN);
    return { p: e.c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })), message: '' };
  },
  ['TestKMS::test_rotate_key_on_demand_raises_error_given_non_symmetric_key', 'error-response'],
);
add(
  'RotateKeyOnDemand',
  'KMSInvalidStateException',
  'RotateKeyOnDemand: EXTERNAL key with no material',
  async () => {
    const e = env('111111111111');
    const k = await e.key({ Origin: 'EXTERNAL' });
    return {
      p: e.c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })),
      message: `${k.Arn} is pending import.`,
      subst: { '<partition>': 'aws', '<region>': REGION, '<key-id:1>': k.KeyId },
    };
  },
  [
    'TestKMS::test_rotate_key_on_demand_on_external_key_with_no_key_material[SYMMETRIC_DEFAULT]',
    'rotate-key-on-demand-error-response-SYMMETRIC_DEFAULT',
  ],
);
add(
  'RotateKeyOnDemand',
  'LimitExceededException',
  'RotateKeyOnDemand: on-demand rotation limit',
  async () => {
    const e = env();
    const k = await e.key();
    for (let i = 0; i < 25; i++) await e.c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId }));
    return {
      p: e.c.send(new RotateKeyOnDemandCommand({ KeyId: k.KeyId })),
      message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.Arn}`,
      subst: { '<key-arn>': k.Arn },
    };
  },
  ['TestKMS::test_key_rotations_limits', 'error-response'],
);
add('EnableKeyRotation', 'UnsupportedOperationException', 'EnableKeyRotation: asymmetric key', async () => {
  const e = env();
  const k = await e.key(SIGN);
  return { p: e.c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })), message: '' };
});
add('EnableKeyRotation', 'DisabledException', 'EnableKeyRotation: disabled key', async () => {
  const e = env();
  const k = await disabled(e);
  return { p: e.c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId })), message: `${k.Arn} is disabled.` };
});
add('EnableKeyRotation', 'ValidationException', 'EnableKeyRotation: period of 89 days', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 89 })),
    message:
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
  };
});
add('DisableKeyRotation', 'KMSInvalidStateException', 'DisableKeyRotation: key pending deletion', async () => {
  const e = env();
  const k = await pendingDeletion(e);
  return { p: e.c.send(new DisableKeyRotationCommand({ KeyId: k.KeyId })), message: `${k.Arn} is pending deletion.` };
});
add('DisableKeyRotation', 'NotFoundException', 'DisableKeyRotation: unknown key', async () => {
  const e = env();
  return {
    p: e.c.send(new DisableKeyRotationCommand({ KeyId: GHOST })),
    message: `Key '${ghostArn()}' does not exist`,
  };
});
add('GetKeyRotationStatus', 'NotFoundException', 'GetKeyRotationStatus: unknown key', async () => {
  const e = env();
  return {
    p: e.c.send(new GetKeyRotationStatusCommand({ KeyId: GHOST })),
    message: `Key '${ghostArn()}' does not exist`,
  };
});
add('GetKeyRotationStatus', 'UnsupportedOperationException', 'GetKeyRotationStatus: asymmetric key', async () => {
  const e = env();
  const k = await e.key(SIGN);
  return { p: e.c.send(new GetKeyRotationStatusCommand({ KeyId: k.KeyId })), message: '' };
});

// --- GetPublicKey, custom key stores
add('GetPublicKey', 'UnsupportedOperationException', 'GetPublicKey: symmetric key', async () => {
  const e = env();
  const k = await e.key();
  return {
    p: e.c.send(new GetPublicKeyCommand({ KeyId: k.KeyId })),
    message: `${k.Arn} key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey.`,
  };
});
add('GetPublicKey', 'DisabledException', 'GetPublicKey: disabled key', async () => {
  const e = env();
  const k = await e.key(SIGN);
  await e.c.send(new DisableKeyCommand({ KeyId: k.KeyId }));
  return { p: e.c.send(new GetPublicKeyCommand({ KeyId: k.KeyId })), message: `${k.Arn} is disabled.` };
});
add('GetPublicKey', 'NotFoundException', 'GetPublicKey: unknown key', async () => {
  const e = env();
  return { p: e.c.send(new GetPublicKeyCommand({ KeyId: GHOST })), message: `Key '${ghostArn()}' does not exist` };
});
add('CreateCustomKeyStore', 'CustomKeyStoreNameInUseException', 'CreateCustomKeyStore: name in use', async () => {
  const e = env();
  await e.c.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
  return {
    p: e.c.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CloudHsmClusterId: 'cluster-2a23b4cdefg' })),
    message: 'Custom key store name hsm-store is already in use in this account and Region.',
  };
});
add('CreateCustomKeyStore', 'CloudHsmClusterInUseException', 'CreateCustomKeyStore: cluster in use', async () => {
  const e = env();
  await e.c.send(new CreateCustomKeyStoreCommand(CLOUDHSM));
  return {
    p: e.c.send(new CreateCustomKeyStoreCommand({ ...CLOUDHSM, CustomKeyStoreName: 'other' })),
    message: 'CloudHSM cluster cluster-1a23b4cdefg is already associated with a custom key store.',
  };
});
add('CreateCustomKeyStore', 'XksProxyUriInUseException', 'CreateCustomKeyStore: XKS proxy URI in use', async () => {
  const e = env();
  await e.c.send(new CreateCustomKeyStoreCommand(XKS));
  return {
    p: e.c.send(new CreateCustomKeyStoreCommand({ ...XKS, CustomKeyStoreName: 'other' })),
    message: 'The XKS proxy URI https://xks.example.com/example/kms/xks/v1 is already in use.',
  };
});
add('DescribeCustomKeyStores', 'CustomKeyStoreNotFoundException', 'DescribeCustomKeyStores: unknown id', async () => {
  const e = env();
  return {
    p: e.c.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
    message: 'Custom key store cks-1234567890abcdef0 does not exist.',
  };
});
add('DescribeCustomKeyStores', 'InvalidMarkerException', 'DescribeCustomKeyStores: marker not issued', async () => {
  const e = env();
  return { p: e.c.send(new DescribeCustomKeyStoresCommand({ Marker: '99' })), message: 'Invalid marker 99' };
});

// ---------------------------------------------------------------------------------------------

function recordedMessage(
  rec: [string, string],
  subst: Record<string, string> = {},
): { code: string; message: string; status: number } {
  const t = RECORDINGS[`tests/aws/services/kms/test_kms.py::${rec[0]}`];
  expect(t, `recording ${rec[0]}`).toBeDefined();
  const c = t['recorded-content'][rec[1]];
  expect(c?.Error, `recording ${rec.join(' / ')}`).toBeDefined();
  let message = c.Error!.Message;
  for (const [k, v] of Object.entries(subst)) message = message.split(k).join(v);
  return { code: c.Error!.Code, message, status: c.ResponseMetadata!.HTTPStatusCode };
}

let recordedCompared = 0;

describe('kms error paths (table-driven from kms-errors.json)', () => {
  it.each(C.map((c) => [`${c.title} → ${c.exception}`, c] as const))('%s', async (_t, c) => {
    const { p, message, subst } = await c.run();
    let err: unknown;
    try {
      await p;
    } catch (e) {
      err = e;
    }
    const cls = (EXCEPTIONS as Record<string, new (...a: never[]) => KMSServiceException>)[c.exception];
    expect(cls, `exception class ${c.exception}`).toBeDefined();
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(KMSServiceException);
    const e = err as KMSServiceException;
    const ref = entry(c.op, c.exception);
    const status = ref?.httpStatus ?? (cls as unknown as { httpStatus: number }).httpStatus;
    const fault = ref?.fault ?? (cls as unknown as { fault: string }).fault;
    expect(e.name).toBe(c.exception);
    expect(e.$fault).toBe(fault);
    expect(e.$metadata.httpStatusCode).toBe(status);
    expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    if (c.recorded !== undefined) {
      const r = recordedMessage(c.recorded, subst);
      expect(r.code).toBe(c.exception);
      expect(r.status).toBe(status);
      if (typeof message === 'string') expect(e.message).toBe(r.message);
      else expect(r.message).toMatch(message); // recorded text is truncated/placeholder'd: the pattern must fit it too
      recordedCompared++;
    }
  });

  it('every exception listed for every implemented operation is covered or explicitly excused', () => {
    const missing = IMPLEMENTED.filter((op) => !Array.isArray(ERRORS[op]));
    expect(missing).toEqual(MISSING_FROM_REFERENCE);
    // Operations in the reference the engine does not implement would need a decision too.
    const extra = Object.keys(ERRORS).filter(
      (k) => !k.startsWith('_') && !(IMPLEMENTED as readonly string[]).includes(k),
    );
    expect(extra).toEqual([]);
    const covered = new Set(C.map((c) => `${c.op}:${c.exception}`));
    const unaccounted: string[] = [];
    let coveredCount = 0,
      naCount = 0,
      gapCount = 0;
    for (const op of IMPLEMENTED) {
      for (const { exception } of listed(op)) {
        const k = `${op}:${exception}`;
        if (covered.has(k)) coveredCount++;
        else if (exception in NOT_APPLICABLE || k in NOT_APPLICABLE_FOR) naCount++;
        else if (exception in ENGINE_GAPS) gapCount++;
        else unaccounted.push(k);
      }
    }
    expect(unaccounted).toEqual([]);
    // No excuse may shadow a case: an exception with a case for some listed op is not blanket-excused for it.
    for (const c of C) expect(Object.keys(ENGINE_GAPS)).not.toContain(c.exception);
    for (const reason of [...Object.values(NOT_APPLICABLE), ...Object.values(ENGINE_GAPS)])
      expect(reason.length).toBeGreaterThan(10);
    // Each excused name is a real exception class and is listed somewhere (no stale excuses).
    const allListed = new Set(IMPLEMENTED.flatMap((op) => listed(op).map((x) => x.exception)));
    for (const name of [...Object.keys(NOT_APPLICABLE), ...Object.keys(ENGINE_GAPS)]) {
      expect(EXCEPTIONS, name).toHaveProperty(name);
      expect(allListed.has(name), name).toBe(true);
    }
    // Every case names an exception with a class, and for a referenced op, one the reference lists.
    for (const c of C) {
      expect(EXCEPTIONS).toHaveProperty(c.exception);
      if (Array.isArray(ERRORS[c.op]) && !['CustomKeyStoreInvalidStateException'].includes(c.exception)) {
        expect(
          listed(c.op).map((x) => x.exception),
          `${c.op} lists ${c.exception}`,
        ).toContain(c.exception);
      }
    }
    // Pinned: a change in the reference or the cases must be looked at.
    expect({ coveredCount, naCount, gapCount, cases: C.length }).toEqual({
      coveredCount: 95,
      naCount: 49,
      gapCount: 0,
      cases: 149,
    });
    console.log(
      `[kms/error-paths] operations=${IMPLEMENTED.length} (missing from reference: ${missing.length}) listed pairs covered=${coveredCount} notApplicable=${naCount} engineGaps=${gapCount} cases=${C.length}`,
    );
  });

  it('compared every recorded AWS message the cases name', () => {
    // Runs after the it.each above (vitest runs a file's tests in order).
    const expected = C.filter((c) => c.recorded !== undefined).length;
    expect(recordedCompared).toBe(expected);
    expect(recordedCompared).toBe(24);
  });
});
