// Input validation driven by the schema table, worded as KMS words it.
//
// Recorded from real AWS (LocalStack's KMS snapshot tests, test/vectors/kms/aws-recorded-responses.json), so exact:
//   1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1
//   ... Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, ...]
//   ... Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096
//   ... Value '...' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256
//   NumberOfBytes is required.   (GenerateRandom without NumberOfBytes)
//   Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html
//   You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.
// Inferred, in the same Coral format, never seen from KMS itself:
//   - "Value null at 'keyId' failed to satisfy constraint: Member must not be null";
//   - the plural "N validation errors detected: <first>; <second>" with violations in schema member order;
//   - "Member must satisfy regular expression pattern: <pattern>";
//   - list and map sizes as "Member must have length ..." with the value printed like Java's
//     List/Map toString ("[a, b]", "{k=v}");
//   - blob values never printed (as for 'plaintext'); sensitive strings not printed either;
//   - enum values added since a recording appended after the recorded order, in SDK order;
//   - SerializationException texts for wrongly typed members (Coral's JSON deserializer).

import { SerializationException, ValidationException } from './exceptions.js';
import { checkGrantTokens } from './grants.js';
import { OPERATIONS, type OperationName } from './registry.js';
import type { Member, Members, Shape, EnumShape } from './schema.js';
import { hasLoneSurrogate } from './unicode.js';

/**
 * Checks `input` against the operation's schema and throws ValidationException or
 * SerializationException; then its GrantTokens, where it has them: a token that is not of this
 * engine's form is InvalidGrantTokenException (grants.ts checkGrantTokens).
 */
export function validateInput(operation: OperationName, input: unknown): void {
  const violations = collectViolations(operation, input);
  if (violations.length > 0) throw new ValidationException(formatValidationMessage(violations));
  const semantic = semanticCheck(operation, (input ?? {}) as Record<string, unknown>);
  if (semantic !== undefined) throw new ValidationException(semantic);
  checkGrantTokens((input as { GrantTokens?: string[] } | null | undefined)?.GrantTokens);
}

/** The "N validation error(s) detected: a; b" text for a list of violations. */
export function formatValidationMessage(violations: readonly string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

/**
 * Every schema violation of `input`, in member order, each as "Value ... at '<path>' failed to
 * satisfy constraint: ...". Throws SerializationException for a member of the wrong type, as the
 * service fails to deserialize such a request before it validates anything.
 */
export function collectViolations(operation: OperationName, input: unknown): string[] {
  const members: Members = OPERATIONS[operation];
  if (input !== undefined && input !== null && !isPlainObject(input)) throw wrongType('structure', input);
  const out: string[] = [];
  checkMembers(members, (input ?? {}) as Record<string, unknown>, '', out);
  return out;
}

// ---------------------------------------------------------------------------------------------

// Each structure's members with their wire names, listed once (validation runs on every call).
const memberLists = new WeakMap<Members, ReadonlyArray<readonly [string, Member, string]>>();

function memberList(members: Members): ReadonlyArray<readonly [string, Member, string]> {
  let list = memberLists.get(members);
  if (list === undefined) {
    list = Object.entries(members).map(([name, member]) => [name, member, lowerCamel(name)] as const);
    memberLists.set(members, list);
  }
  return list;
}

function checkMembers(members: Members, value: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [name, member, wireName] of memberList(members)) {
    const path = prefix === '' ? wireName : prefix + wireName;
    const v = value[name];
    if (v === undefined || v === null) {
      if (member.required) out.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    checkValue(member.shape, v, path, out);
  }
}

function checkValue(shape: Shape, v: unknown, path: string, out: string[]): void {
  const fail = (constraint: string, shown: boolean) =>
    out.push(`Value${shown ? ` '${render(v)}'` : ''} at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case 'string': {
      if (typeof v !== 'string') throw wrongType('string', v);
      if (hasLoneSurrogate(v)) {
        // This engine's wording; AWS's is unrecorded. The value is not shown: it cannot be
        // printed as it is, and would be changed if it were.
        out.push(
          `Value at '${path}' failed to satisfy constraint: Member must be a well-formed Unicode string (a lone UTF-16 surrogate is not a character)`,
        );
        return;
      }
      const shown = !shape.sensitive;
      lengthChecks(codePoints(v), shape.min, shape.max, (c) => fail(c, shown));
      if (shape.pattern !== undefined && !fullMatch(shape.pattern, v)) {
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`, shown);
      }
      return;
    }
    case 'enum': {
      if (typeof v !== 'string') throw wrongType('string', v);
      if (!shape.values.includes(v))
        fail(`Member must satisfy enum value set: [${enumMessageList(shape).join(', ')}]`, true);
      return;
    }
    case 'blob': {
      if (!(v instanceof Uint8Array)) throw wrongType('blob', v);
      lengthChecks(v.length, shape.min, shape.max, (c) => fail(c, false));
      return;
    }
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType('integer', v);
      if (shape.min !== undefined && v < shape.min)
        fail(`Member must have value greater than or equal to ${shape.min}`, true);
      if (shape.max !== undefined && v > shape.max)
        fail(`Member must have value less than or equal to ${shape.max}`, true);
      return;
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw wrongType('boolean', v);
      return;
    case 'timestamp':
      if (!(v instanceof Date && !Number.isNaN(v.getTime())) && !(typeof v === 'number' && Number.isFinite(v))) {
        throw wrongType('timestamp', v);
      }
      return;
    case 'list': {
      if (!Array.isArray(v)) throw wrongType('list', v);
      // A list of sensitive values (grant tokens) is not shown either.
      const shown = !(shape.member as { sensitive?: boolean }).sensitive;
      lengthChecks(v.length, shape.min, shape.max, (c) => fail(c, shown));
      v.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (item === undefined || item === null) {
          out.push(`Value null at '${itemPath}' failed to satisfy constraint: Member must not be null`);
        } else {
          checkValue(shape.member, item, itemPath, out);
        }
      });
      return;
    }
    case 'map': {
      if (!isPlainObject(v)) throw wrongType('map', v);
      if (shape.maxBytes !== undefined && !withinBytes(v, shape.maxBytes)) {
        // This engine's limit and wording (schema.ts); the pairs are neither shown nor checked
        // one by one, so that an oversized map costs no more than counting its bytes.
        out.push(
          `Value at '${path}' failed to satisfy constraint: Member must have a total size of keys and values less than or equal to ${shape.maxBytes} bytes (UTF-8)`,
        );
        return;
      }
      const entries = Object.entries(v);
      lengthChecks(entries.length, shape.min, shape.max, (c) => fail(c, true));
      for (const [k, val] of entries) {
        checkValue(shape.key, k, `${path}.key`, out);
        if (val === undefined || val === null) {
          out.push(`Value null at '${path}.${k}' failed to satisfy constraint: Member must not be null`);
        } else {
          checkValue(shape.value, val, `${path}.${k}`, out);
        }
      }
      return;
    }
    case 'structure': {
      if (!isPlainObject(v)) throw wrongType('structure', v);
      checkMembers(shape.members, v, `${path}.`, out);
      return;
    }
  }
}

function lengthChecks(len: number, min: number | undefined, max: number | undefined, fail: (c: string) => void): void {
  if (min !== undefined && len < min) fail(`Member must have length greater than or equal to ${min}`);
  if (max !== undefined && len > max) fail(`Member must have length less than or equal to ${max}`);
}

/** The recorded order first (values still in the enum), then values added since, in SDK order. */
function enumMessageList(shape: EnumShape): string[] {
  const recorded = (shape.messageOrder ?? []).filter((x) => shape.values.includes(x));
  return [...recorded, ...shape.values.filter((x) => !recorded.includes(x))];
}

// Operation rules the service applies after the schema, with the messages it was recorded giving.
function semanticCheck(operation: OperationName, input: Record<string, unknown>): string | undefined {
  switch (operation) {
    case 'GenerateRandom':
      if (input.NumberOfBytes === undefined || input.NumberOfBytes === null) return 'NumberOfBytes is required.';
      return undefined;
    case 'CreateAlias':
      if (typeof input.AliasName === 'string' && !input.AliasName.startsWith('alias/')) {
        return 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';
      }
      return undefined;
    case 'CreateKey': {
      const spec = input.KeySpec ?? input.CustomerMasterKeySpec;
      if (
        spec !== undefined &&
        spec !== null &&
        spec !== 'SYMMETRIC_DEFAULT' &&
        (input.KeyUsage === undefined || input.KeyUsage === null)
      ) {
        return 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.';
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

/** 'KeyPairSpec' -> 'keyPairSpec', as the service names members in its messages. */
export function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** Whether the UTF-8 bytes of every key and value of `map` add up to at most `max`; stops counting past it. */
function withinBytes(map: Record<string, unknown>, max: number): boolean {
  let total = 0;
  for (const k in map) {
    if (!Object.prototype.hasOwnProperty.call(map, k)) continue;
    total += utf8Length(k);
    const value = map[k];
    if (typeof value === 'string') total += utf8Length(value);
    if (total > max) return false;
  }
  return true;
}

/** UTF-8 length of a string; a surrogate pair is 4 bytes, anything else below U+0800 is 1 or 2, the rest 3. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // 2 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

// Smithy measures string length in Unicode scalar values, not UTF-16 units.
// A surrogate pair is one scalar value; a lone surrogate counts as one, as the iterator does.
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 1; i < s.length; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xdc00 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) {
      n--;
      i++; // a low surrogate cannot start another pair
    }
  }
  return n;
}

const patternCache = new Map<string, RegExp>();
function fullMatch(pattern: string, v: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re.test(v);
}

/** Prints a value the way the Java service does: lists as "[a, b]", maps as "{k=v}". */
function render(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
  if (v instanceof Uint8Array) return '';
  if (isPlainObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${render(x)}`)
      .join(', ')}}`;
  return String(v);
}

type Expected = 'string' | 'blob' | 'integer' | 'boolean' | 'timestamp' | 'list' | 'map' | 'structure';

// Inferred from Coral's JSON deserializer; KMS's own texts for these were not recorded.
function wrongType(expected: Expected, v: unknown): SerializationException {
  if (Array.isArray(v)) return new SerializationException('Start of list found where not expected');
  if (isPlainObject(v) && expected !== 'map' && expected !== 'structure') {
    return new SerializationException('Start of structure or map found where not expected.');
  }
  switch (expected) {
    case 'string':
      return new SerializationException(
        typeof v === 'number'
          ? 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String'
          : `class java.lang.${javaClass(v)} can not be converted to an String`,
      );
    case 'blob':
      return new SerializationException(`${token(v)} can not be converted to a Blob`);
    case 'integer':
      return new SerializationException(`${token(v)} can not be converted to an Integer`);
    case 'boolean':
      return new SerializationException(`${token(v)} can not be converted to a Boolean`);
    case 'timestamp':
      return new SerializationException(`${token(v)} can not be converted to a Timestamp`);
    case 'list':
      return new SerializationException('Expected list or null');
    case 'map':
    case 'structure':
      return new SerializationException('Expected map or null');
  }
}

function token(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (typeof v === 'boolean') return 'BOOLEAN_VALUE';
  if (v instanceof Uint8Array) return 'BLOB_VALUE';
  return 'STRUCTURE_VALUE';
}

function javaClass(v: unknown): string {
  if (typeof v === 'boolean') return 'Boolean';
  if (v instanceof Uint8Array) return 'ByteBuffer';
  return 'Object';
}
