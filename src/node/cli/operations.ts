// One CLI command per KMS operation, built from the operation registry (kms/registry.ts): its
// summary, and every input member as an option named as the AWS CLI names it, parsed by its shape
// (params.ts). The command runs the operation's command in this process against the file key
// store and prints the output in the model's order (output.ts). The operations that page
// (ListKeys, ListAliases, DescribeCustomKeyStores) page as the AWS CLI does: all pages unless
// --limit, --marker or --no-paginate is given; --page-size, --max-items and --starting-token
// work as in the AWS CLI (the token is its base64 JSON {"Marker", "boto_truncate_amount"}).

import { Command, Option } from 'commander';
import { KMSClient, type KMSCommand } from '../../kms/client.js';
import { COMMANDS, OPERATION_NAMES, REGISTRY, type Pagination } from '../../kms/registry.js';
import type { Members, Shape } from '../../kms/schema.js';
import { callOperation, openStore, type CliIO, type GlobalOptions } from './context.js';
import { applyQuery, inModelOrder, parseQuery, render, renderQueryResult, toPlain } from './output.js';
import {
  clientSideProblems,
  kebabName,
  optionArgument,
  ParamValidationError,
  parseInputJson,
  parseParam,
  UsageError,
} from './params.js';

/** What the options mean, where the type alone does not say it. */
const MEMBER_HELP: Readonly<Record<string, string>> = {
  KeyId: 'the KMS key: key id, key ARN, alias name (alias/...) or alias ARN',
  TargetKeyId: 'the key id or key ARN the alias points to',
  AliasName: 'the alias name, starting with alias/',
  Description: 'a description of the key',
  KeyPairSpec: 'the type of data key pair',
  KeySpec: 'the type of key',
  KeyUsage: 'what the key is for',
  Origin: 'where the key material comes from (EXTERNAL: PendingImport)',
  CustomerMasterKeySpec: 'deprecated name of --key-spec',
  EncryptionContext: 'key=value,... or JSON {"key":"value"}; the same context is needed to decrypt',
  SourceEncryptionContext: 'the context the ciphertext was made with: key=value,... or JSON',
  DestinationEncryptionContext: 'the context for the new ciphertext: key=value,... or JSON',
  GrantTokens: 'grant tokens (one or more, or a JSON array)',
  DryRun: 'run every check but do not do the work (DryRunOperationException when it would succeed)',
  CiphertextBlob: 'the ciphertext: fileb://PATH (raw bytes) or base64 text',
  Plaintext: 'the data: fileb://PATH (raw bytes) or base64 text (see --cli-binary-format)',
  NumberOfBytes: 'how many bytes',
  PendingWindowInDays: 'days before deletion, 7 to 30 (default 30)',
  RotationPeriodInDays: 'days between automatic rotations, 90 to 2560 (default 365)',
  Limit: 'at most this many items, one call (turns off paging)',
  Marker: 'NextMarker of the previous call (turns off paging)',
  Policy: 'a key policy (JSON text or file://PATH); stored, not enforced',
  Tags: 'TagKey=k,TagValue=v ... or a JSON array of {"TagKey","TagValue"}',
  MultiRegion: 'a multi-Region key (mrk- id)',
  BypassPolicyLockoutSafetyCheck: 'accepted for compatibility',
  CustomKeyStoreId: 'a custom key store id (cks-...)',
  CustomKeyStoreName: 'a custom key store name',
  Recipient:
    'a Nitro enclave to return the secret to, only as CiphertextForRecipient: KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=fileb://PATH or JSON (roots: --attestation-root)',
  EncryptionAlgorithm: 'the encryption algorithm',
  SourceKeyId: 'the key the ciphertext was made with (optional for symmetric keys)',
  DestinationKeyId: 'the key for the new ciphertext',
  DryRunModifiers: 'IGNORE_CIPHERTEXT: a dry run that does not need a real ciphertext',
  XksKeyId: 'the id of the key in the external key manager (EXTERNAL_KEY_STORE keys)',
  CloudHsmClusterId: 'the CloudHSM cluster id (recorded only)',
  TrustAnchorCertificate: "the cluster's trust anchor certificate (recorded only)",
  KeyStorePassword: 'the kmsuser password (checked for length, not stored)',
  CustomKeyStoreType: 'the type of custom key store',
  XksProxyUriEndpoint: 'https://host of the external key store proxy (recorded only)',
  XksProxyUriPath: 'the proxy path, /.../kms/xks/v1 (recorded only)',
  XksProxyVpcEndpointServiceName: "the proxy's VPC endpoint service name (recorded only)",
  XksProxyVpcEndpointServiceOwner: 'the account owning that VPC endpoint service',
  XksProxyAuthenticationCredential: 'AccessKeyId=...,RawSecretAccessKey=... or JSON',
  XksProxyConnectivity: 'how the proxy is reached',
  MacAlgorithm: 'the MAC algorithm (the one of the HMAC key spec)',
  Mac: 'the MAC to verify: fileb://PATH (raw bytes) or base64 text',
  EncapsulationAlgorithm: 'the key encapsulation algorithm',
  SharedSecretCiphertextBlob: 'the encapsulated shared secret (from encapsulate): fileb://PATH or base64 text',
  Message: 'the message or digest: fileb://PATH (raw bytes) or base64 text (see --cli-binary-format)',
  MessageType: 'RAW (hashed here), DIGEST (already hashed) or EXTERNAL_MU (ML-DSA μ, 64 bytes)',
  Signature: 'the signature: fileb://PATH (raw bytes) or base64 text',
  SigningAlgorithm: 'the signing algorithm',
  KeyAgreementAlgorithm: 'the key agreement algorithm',
  PublicKey: "the peer's public key, DER SubjectPublicKeyInfo: fileb://PATH or base64 text",
};

function memberHelp(name: string, shape: Shape, required: boolean): string {
  let text = MEMBER_HELP[name] ?? '';
  if (shape.type === 'enum') text += `${text ? ': ' : ''}${shape.values.join(' | ')}`;
  else if (shape.type === 'structure' && !text) text = `${Object.keys(shape.members).join('=...,')}=... or JSON`;
  else if (
    shape.type === 'integer' &&
    shape.min !== undefined &&
    shape.max !== undefined &&
    !MEMBER_HELP[name]?.includes(' to ')
  ) {
    text += `${text ? ', ' : ''}${shape.min} to ${shape.max}`;
  }
  if (!text) text = shape.type;
  return required ? `${text} (required)` : text;
}

interface MemberOption {
  member: string;
  shape: Shape;
  required: boolean;
  flag: string;
  attribute: string;
}

/** Adds one command per operation to `program`. `globals()` reads the global options after parsing. */
export function addOperationCommands(program: Command, io: CliIO, globals: () => GlobalOptions): void {
  // In registry order, which is the order help lists them in.
  for (const operation of OPERATION_NAMES) {
    const entry = REGISTRY[operation];
    const members: Members = entry.input;
    const cmd = program.command(kebabName(operation)).description(entry.summary);
    const options: MemberOption[] = [];
    for (const [member, m] of Object.entries(members)) {
      const flag = `--${kebabName(member)}`;
      const opt = new Option(`${flag}${optionArgument(m.shape)}`, memberHelp(member, m.shape, m.required === true));
      cmd.addOption(opt);
      if (m.shape.type === 'boolean') cmd.addOption(new Option(`--no-${kebabName(member)}`, `the opposite of ${flag}`));
      options.push({ member, shape: m.shape, required: m.required === true, flag, attribute: opt.attributeName() });
    }
    cmd.addOption(
      new Option(
        '--cli-input-json <json>',
        'the whole input as JSON (or file://PATH); options given as well take precedence',
      ),
    );
    const pagination: Pagination | undefined = 'paginate' in entry ? entry.paginate : undefined;
    if (pagination !== undefined) {
      cmd.addOption(new Option('--page-size <n>', 'items per call while paging'));
      cmd.addOption(
        new Option('--max-items <n>', 'at most this many items in all; prints NextToken when there are more'),
      );
      cmd.addOption(new Option('--starting-token <token>', 'the NextToken of a previous --max-items run'));
    }
    cmd.action(async (opts: Record<string, unknown>) => {
      const g = globals();
      const input = buildInput(members, options, opts, g);
      const query = g.query !== undefined ? parseQuery(g.query) : undefined;
      const store = await openStore(g, io.env);
      try {
        const client = new KMSClient({
          region: g.region,
          accountId: g.accountId,
          store,
          attestationRoots: g.attestationRoots,
        });
        const Command = COMMANDS[operation] as new (input: Record<string, unknown>) => KMSCommand<object, object>;
        const send = (inp: Record<string, unknown>) => callOperation(operation, () => client.send(new Command(inp)));
        const paging =
          pagination !== undefined &&
          g.paginate &&
          input[pagination.pageSize] === undefined &&
          input[pagination.inputToken] === undefined;
        const output = paging ? await paginate(send, input, pagination, opts) : await send(input);
        const plain = inModelOrder(operation, toPlain(output)) as Record<string, unknown>;
        if (query !== undefined) io.stdout(renderQueryResult(applyQuery(query, plain), g.output));
        else if (g.output === 'text' && typeof plain.NextToken === 'string') {
          // The AWS CLI's text formatter prints the items, then the token as a last
          // "NEXTTOKEN<TAB>token" line (scripts grep for it or take the last line).
          const { NextToken: token, ...items } = plain;
          io.stdout(`${render(items, 'text')}NEXTTOKEN\t${token}\n`);
        } else io.stdout(render(plain, g.output));
      } finally {
        await store.close();
      }
    });
  }
}

function buildInput(
  members: Members,
  options: MemberOption[],
  opts: Record<string, unknown>,
  g: GlobalOptions,
): Record<string, unknown> {
  const input: Record<string, unknown> =
    typeof opts.cliInputJson === 'string' ? parseInputJson(members, opts.cliInputJson, g.cliBinaryFormat) : {};
  for (const o of options) {
    const raw = opts[o.attribute];
    if (raw === undefined) continue;
    input[o.member] = parseParam(o.shape, raw as string | string[] | boolean, {
      option: o.flag,
      binaryFormat: g.cliBinaryFormat,
    });
  }
  const missing = options.filter((o) => o.required && input[o.member] === undefined).map((o) => o.flag);
  if (missing.length > 0) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
  const problems = clientSideProblems(members, input);
  if (problems.length > 0) throw new ParamValidationError(problems);
  return input;
}

function positiveInt(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`argument ${option}: expected a whole number of at least 1, got '${String(value)}'`);
  return Number(text);
}

interface PagingToken {
  Marker: string | null;
  boto_truncate_amount?: number;
}

function encodeToken(t: PagingToken): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64');
}

function decodeToken(text: string): PagingToken {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as PagingToken;
    if (t !== null && typeof t === 'object' && (t.Marker === null || typeof t.Marker === 'string')) return t;
  } catch {
    // reported below
  }
  throw new UsageError(`argument --starting-token: not a token this tool printed: '${text}'`);
}

/** Every page (or up to --max-items), merged into `{ [items]: items, NextToken? }` as the AWS CLI prints it. */
async function paginate(
  send: (input: Record<string, unknown>) => Promise<object>,
  input: Record<string, unknown>,
  pagination: Pagination,
  opts: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const resultKey = pagination.items;
  const pageSize = positiveInt(opts.pageSize, '--page-size');
  const maxItems = positiveInt(opts.maxItems, '--max-items');
  const start = typeof opts.startingToken === 'string' ? decodeToken(opts.startingToken) : { Marker: null };
  let marker: string | undefined = start.Marker ?? undefined;
  let skip = start.boto_truncate_amount ?? 0;
  const items: unknown[] = [];
  for (;;) {
    const page = (await send({ ...input, [pagination.pageSize]: pageSize, [pagination.inputToken]: marker })) as Record<
      string,
      unknown
    >;
    const all = (page[resultKey] as unknown[] | undefined) ?? [];
    const got = all.slice(skip);
    const room = maxItems === undefined ? got.length : maxItems - items.length;
    if (got.length > room) {
      items.push(...got.slice(0, room));
      return {
        [resultKey]: items,
        NextToken: encodeToken({ Marker: marker ?? null, boto_truncate_amount: skip + room }),
      };
    }
    items.push(...got);
    skip = 0;
    const next = page[pagination.outputToken];
    if (page[pagination.truncated] !== true || typeof next !== 'string') return { [resultKey]: items };
    if (maxItems !== undefined && items.length >= maxItems)
      return { [resultKey]: items, NextToken: encodeToken({ Marker: next }) };
    marker = next;
  }
}
