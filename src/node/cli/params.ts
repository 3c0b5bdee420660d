// Turning command-line strings into operation inputs, the way the AWS CLI v2 does it, driven by
// the operation schema (src/kms/schema.ts) so that every member of every operation gets the same
// treatment:
//   - names: `KeyId` → `--key-id`, `CustomerMasterKeySpec` → `--customer-master-key-spec`;
//   - `file://path` reads the file as UTF-8 text and uses that text as the value; `fileb://path`
//     (blobs) uses the file's bytes as they are; in both, `~` and `$VAR` in the path are expanded
//     as the AWS CLI expands them, and a file that cannot be read is the AWS CLI's
//     "Unable to load paramfile" error (exit 252);
//   - blobs given as text are base64 (the AWS CLI v2 default, `--cli-binary-format base64`);
//     `--cli-binary-format raw-in-base64-out` takes the text's UTF-8 bytes instead;
//   - maps, structures and lists of structures take the AWS shorthand (`k1=v1,k2=v2`) or JSON; a
//     structure member's value may come from a file (`Key@=fileb://path`, and for blobs `Key=fileb://path`);
//   - lists take several arguments (`--grant-tokens t1 t2`) or one JSON array.
// Values of blob and sensitive members never appear in an error message.

import { readFileSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import type { Member, Members, Shape } from '../../kms/schema.js';

/** A mistake in what the user typed: exit 252 with a usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * What the AWS CLI's own parameter validation (botocore's, before any request) refuses: values
 * under a member's minimum length or value. Printed as the AWS CLI prints it, exit 252.
 */
export class ParamValidationError extends Error {
  override name = 'ParamValidationError';
  constructor(readonly problems: readonly string[]) {
    super(`Parameter validation failed:\n${problems.join('\n')}`);
  }
}

/**
 * botocore's checks of an input against the model: strings and lists no shorter than their
 * minimum length, integers no less than their minimum (maxima, patterns and enums are left to
 * the service, as botocore leaves them). Paths as botocore names them: `Tags[0].TagKey`.
 */
export function clientSideProblems(members: Members, input: Record<string, unknown>, prefix = ''): string[] {
  const problems: string[] = [];
  const check = (shape: Shape, value: unknown, name: string): void => {
    if (value === undefined || value === null) return;
    if (
      shape.type === 'string' &&
      typeof value === 'string' &&
      shape.min !== undefined &&
      [...value].length < shape.min
    ) {
      problems.push(
        `Invalid length for parameter ${name}, value: ${[...value].length}, valid min length: ${shape.min}`,
      );
    } else if (shape.type === 'integer' && typeof value === 'number' && shape.min !== undefined && value < shape.min) {
      problems.push(`Invalid value for parameter ${name}, value: ${value}, valid min value: ${shape.min}`);
    } else if (shape.type === 'list' && Array.isArray(value)) {
      if (shape.min !== undefined && value.length < shape.min) {
        problems.push(`Invalid length for parameter ${name}, value: ${value.length}, valid min length: ${shape.min}`);
      }
      value.forEach((item, i) => check(shape.member, item, `${name}[${i}]`));
    } else if (shape.type === 'structure' && typeof value === 'object') {
      problems.push(...clientSideProblems(shape.members, value as Record<string, unknown>, `${name}.`));
    }
  };
  for (const [name, member] of Object.entries(members)) check(member.shape, input[name], prefix + name);
  return problems;
}

/**
 * A value the AWS CLI refuses while it reads the arguments (a paramfile it cannot load, a
 * --query it cannot compile): printed as it prints them, after a blank line, without a usage
 * block; exit 252.
 */
export class ParamError extends Error {
  override name = 'ParamError';
}

/** A failure that is neither the service's nor the user's syntax (a broken store, a file that cannot be written): exit 255. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

export type BinaryFormat = 'base64' | 'raw-in-base64-out';

/** `KeyId` → `key-id`, `CloudHsmClusterId` → `cloud-hsm-cluster-id`, as botocore's xform_name does. */
export function kebabName(member: string): string {
  return member
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

interface ParamContext {
  /** The option as typed (`--encryption-context`), for messages. */
  option: string;
  binaryFormat: BinaryFormat;
}

/** The C library's text for the errors reading a file can meet (Python's OSError prints it). */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EINVAL: 'Invalid argument',
  ENOMEM: 'Cannot allocate memory',
};

/** A string as Python's repr() writes it: in single quotes unless it holds one and no double quote. */
export function pythonRepr(text: string): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/**
 * The path of a paramfile as the AWS CLI resolves it: Python's os.path.expanduser (a leading
 * `~` or `~/`: the home directory) then os.path.expandvars (`$NAME` and `${NAME}` of variables
 * that are set; others are left as they are).
 */
export function expandParamPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  let p = path;
  if (p === '~' || p.startsWith('~/')) p = (env.HOME || homedir()) + p.slice(1);
  return p.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const value = env[name.startsWith('{') ? name.slice(1, -1) : name];
    return value === undefined ? whole : value;
  });
}

/**
 * The contents of a `file://` or `fileb://` parameter (`arg` as given). A file that cannot be
 * read is the AWS CLI's ParamError, with Python's OSError text:
 * "Error parsing parameter '--ciphertext-blob': Unable to load paramfile fileb://x: [Errno 2]
 * No such file or directory: 'x'" (exit 252).
 */
function readParamFile(arg: string, prefix: 'file://' | 'fileb://', option: string): Buffer {
  const path = expandParamPath(arg.slice(prefix.length));
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const errno = (constants.errno as Record<string, number | undefined>)[code];
    const why =
      errno !== undefined ? `[Errno ${errno}] ${STRERROR[code] ?? code}: ${pythonRepr(path)}` : oneLineMessage(e);
    throw new ParamError(`Error parsing parameter '${option}': Unable to load paramfile ${arg}: ${why}`);
  }
}

function oneLineMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
}

/**
 * One raw argument with `file://` / `fileb://` resolved: text, or bytes for `fileb://` (which is
 * only meaningful for blobs; elsewhere the bytes are read as UTF-8 text). A `file://` file must
 * be UTF-8 text, as the AWS CLI requires it to be text it can decode.
 */
function loadArgument(raw: string, option: string): string | Uint8Array {
  if (raw.startsWith('fileb://')) return new Uint8Array(readParamFile(raw, 'fileb://', option));
  if (raw.startsWith('file://')) {
    const bytes = readParamFile(raw, 'file://', option);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // The AWS CLI's message (with its two spaces), naming the file.
      throw new ParamError(
        `Error parsing parameter '${option}': Unable to load paramfile (${expandParamPath(raw.slice('file://'.length))}), text contents could not be decoded.  If this is a binary file, please use the fileb:// prefix instead of the file:// prefix.`,
      );
    }
  }
  return raw;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (standard alphabet, whitespace ignored, padding optional). */
export function decodeBase64(text: string, option: string): Uint8Array {
  const t = text.replace(/\s+/g, '');
  if (!BASE64.test(t) || t.length % 4 === 1) {
    // The value may be a secret (plaintext, a ciphertext): say what is wrong, not what it was.
    throw new UsageError(
      `Error parsing parameter '${option}': Invalid base64 value (fileb://path reads raw bytes; --cli-binary-format raw-in-base64-out takes text as it is)`,
    );
  }
  return new Uint8Array(Buffer.from(t, 'base64'));
}

function blobFromText(text: string, ctx: ParamContext): Uint8Array {
  return ctx.binaryFormat === 'base64' ? decodeBase64(text, ctx.option) : new TextEncoder().encode(text);
}

function parseBlob(raw: string, ctx: ParamContext): Uint8Array {
  const v = loadArgument(raw, ctx.option);
  return typeof v === 'string' ? blobFromText(v, ctx) : v;
}

function textOf(raw: string, ctx: ParamContext): string {
  const v = loadArgument(raw, ctx.option);
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

function parseInteger(text: string, ctx: ParamContext): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`argument ${ctx.option}: invalid int value: '${text}'`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new UsageError(`argument ${ctx.option}: invalid int value: '${text}'`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Shorthand: `k1=v1,k2=v2`; a value may be quoted with "..." or '...'; a backslash escapes the
// next character of an unquoted value (so `\,` is a comma inside a value).

export function parseShorthand(text: string, option: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  const n = text.length;
  const fail = (what: string): never => {
    throw new UsageError(`Error parsing parameter '${option}': ${what} (expected key=value[,key=value...] or JSON)`);
  };
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i])) i++;
  };
  while (i < n) {
    skipSpace();
    const keyStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ',') i++;
    const key = text.slice(keyStart, i).trim();
    if (i >= n || text[i] !== '=') fail(`expected '=' after '${key}'`);
    if (key === '') fail('empty key');
    i++; // '='
    skipSpace();
    let value = '';
    const q = text[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '\\' && i + 1 < n && (text[i + 1] === q || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
        } else if (c === q) {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) fail(`unterminated quote in the value of '${key}'`);
      skipSpace();
      if (i < n && text[i] !== ',') fail(`expected ',' after the quoted value of '${key}'`);
    } else {
      while (i < n && text[i] !== ',') {
        if (text[i] === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else {
          value += text[i++];
        }
      }
      value = value.trim();
    }
    pairs.push([key, value]);
    if (i < n && text[i] === ',') {
      i++;
      if (i >= n) fail('trailing comma');
    }
  }
  if (pairs.length === 0) fail('empty value');
  return pairs;
}

// ---------------------------------------------------------------------------------------------
// JSON values, shaped by the schema (blobs inside JSON are base64 strings, as in the AWS CLI).

function parseJson(text: string, option: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`Error parsing parameter '${option}': Invalid JSON`);
  }
}

function typeError(option: string, path: string, expected: string): UsageError {
  return new UsageError(`Error parsing parameter '${option}': ${path === '' ? 'the value' : path} must be ${expected}`);
}

/** A JSON value converted to the engine's input types per `shape` (blobs to bytes). */
export function fromJson(shape: Shape, value: unknown, ctx: ParamContext, path = ''): unknown {
  switch (shape.type) {
    case 'string':
    case 'enum':
      if (typeof value !== 'string') throw typeError(ctx.option, path, 'a string');
      return value;
    case 'blob':
      if (typeof value !== 'string') throw typeError(ctx.option, path, 'a base64 string');
      return blobFromText(value, ctx);
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(ctx.option, path, 'an integer');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(ctx.option, path, 'true or false');
      return value;
    case 'timestamp':
      if (typeof value === 'number') return new Date(value * 1000);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
      throw typeError(ctx.option, path, 'a timestamp');
    case 'list':
      if (!Array.isArray(value)) throw typeError(ctx.option, path, 'a JSON array');
      return value.map((v, i) => fromJson(shape.member, v, ctx, `${path}[${i}]`));
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw typeError(ctx.option, path, 'a JSON object');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw typeError(ctx.option, `${path}${path ? '.' : ''}${k}`, 'a string');
        out[k] = v;
      }
      return out;
    }
    case 'structure':
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw typeError(ctx.option, path, 'a JSON object');
      return structureFrom(shape.members, value as Record<string, unknown>, ctx, path);
  }
}

function structureFrom(
  members: Members,
  value: Record<string, unknown>,
  ctx: ParamContext,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const m: Member | undefined = members[k];
    const where = `${path}${path ? '.' : ''}${k}`;
    if (m === undefined) {
      throw new UsageError(
        `Error parsing parameter '${ctx.option}': unknown member '${where}', valid members are: ${Object.keys(members).join(', ')}`,
      );
    }
    out[k] = fromJson(m.shape, v, ctx, where);
  }
  return out;
}

/**
 * A structure from shorthand: each value is text, converted to the member's scalar type. A value
 * may come from a file: `Key@=file://PATH` or `Key@=fileb://PATH`, the AWS CLI v2's form (a value
 * after `@=` without either prefix is taken as it is); and a blob member's value given with `=`
 * may be `fileb://PATH` or `file://PATH` as for a blob option (`--recipient
 * KeyEncryptionAlgorithm=RSAES_OAEP_SHA_256,AttestationDocument=fileb://doc.bin`), which loses
 * nothing, as no base64 text starts with either prefix.
 */
function structureFromShorthand(members: Members, text: string, ctx: ParamContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of parseShorthand(text, ctx.option)) {
    const fromFile = key.endsWith('@');
    const k = fromFile ? key.slice(0, -1).trimEnd() : key;
    const m: Member | undefined = members[k];
    if (m === undefined) {
      throw new UsageError(
        `Error parsing parameter '${ctx.option}': unknown member '${k}', valid members are: ${Object.keys(members).join(', ')}`,
      );
    }
    if (fromFile || (m.shape.type === 'blob' && /^fileb?:\/\//.test(v))) {
      const loaded = loadArgument(v, ctx.option);
      if (typeof loaded === 'string') out[k] = scalarFromText(m.shape, loaded, ctx);
      else if (m.shape.type === 'blob') out[k] = loaded;
      else out[k] = scalarFromText(m.shape, Buffer.from(loaded).toString('utf8'), ctx);
    } else {
      out[k] = scalarFromText(m.shape, v, ctx);
    }
  }
  return out;
}

function scalarFromText(shape: Shape, text: string, ctx: ParamContext): unknown {
  switch (shape.type) {
    case 'string':
    case 'enum':
      return text;
    case 'blob':
      return blobFromText(text, ctx);
    case 'integer':
      return parseInteger(text, ctx);
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new UsageError(`Error parsing parameter '${ctx.option}': expected true or false, received '${text}'`);
    default:
      throw new UsageError(`Error parsing parameter '${ctx.option}': nested ${shape.type} values need JSON`);
  }
}

const looksLikeJson = (text: string) => /^\s*[[{]/.test(text);

/**
 * The value of one option for a member of `shape`: `raw` is a string, or an array of strings for
 * list members (variadic options), or a boolean for boolean members.
 */
export function parseParam(shape: Shape, raw: string | string[] | boolean, ctx: ParamContext): unknown {
  if (shape.type === 'boolean') return raw === true;
  if (shape.type === 'list') {
    const args = Array.isArray(raw) ? raw : [raw as string];
    if (args.length === 1) {
      const text = textOf(args[0], ctx);
      if (/^\s*\[/.test(text)) return fromJson(shape, parseJson(text, ctx.option), ctx);
    }
    return args.map((a) => {
      const m = shape.member;
      if (m.type === 'structure') {
        const text = textOf(a, ctx);
        return looksLikeJson(text)
          ? fromJson(m, parseJson(text, ctx.option), ctx)
          : structureFromShorthand(m.members, text, ctx);
      }
      if (m.type === 'blob') return parseBlob(a, ctx);
      return scalarFromText(m, textOf(a, ctx), ctx);
    });
  }
  const one = Array.isArray(raw) ? raw[raw.length - 1] : (raw as string);
  switch (shape.type) {
    case 'blob':
      return parseBlob(one, ctx);
    case 'map': {
      const text = textOf(one, ctx);
      if (looksLikeJson(text)) return fromJson(shape, parseJson(text, ctx.option), ctx);
      return Object.fromEntries(parseShorthand(text, ctx.option));
    }
    case 'structure': {
      const text = textOf(one, ctx);
      if (looksLikeJson(text)) return fromJson(shape, parseJson(text, ctx.option), ctx);
      return structureFromShorthand(shape.members, text, ctx);
    }
    case 'integer':
      return parseInteger(textOf(one, ctx), ctx);
    case 'timestamp':
      return fromJson(shape, textOf(one, ctx), ctx);
    default:
      return textOf(one, ctx);
  }
}

/** `--cli-input-json`: the whole input as JSON (or file://), converted per the operation's members. */
export function parseInputJson(members: Members, raw: string, binaryFormat: BinaryFormat): Record<string, unknown> {
  const ctx: ParamContext = { option: '--cli-input-json', binaryFormat };
  const value = parseJson(textOf(raw, ctx), ctx.option);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw typeError(ctx.option, '', 'a JSON object');
  return structureFrom(members, value as Record<string, unknown>, ctx, '');
}

/** How an option's value is written in help: `<value>`, `<value...>` or nothing for flags. */
export function optionArgument(shape: Shape): string {
  if (shape.type === 'boolean') return '';
  return shape.type === 'list' ? ' <value...>' : ' <value>';
}
