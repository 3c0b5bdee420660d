// The AWS JSON 1.1 codec of the HTTP endpoint (the Smithy awsJson1_1 protocol): request bodies into the engine's
// inputs, outputs and exceptions into response bodies.
//
// Input: members are read by the operation's input members (its registry entry), so that blob members
// (also inside structures and lists) become Uint8Array from base64 and timestamp members Date
// from epoch seconds. Members the schema does not know are dropped, as the SDK's model would
// never send them. A member of the wrong JSON type is passed through unchanged: validation.ts
// rejects it with the service's SerializationException text, the same as in process.
// Output: Uint8Array → base64, Date → epoch seconds (fractional), undefined members and the
// pipeline's `$metadata` omitted.

import { KMSInternalException, KMSServiceException, SerializationException } from '../../kms/exceptions.js';
import { INTERNAL_ERROR_MESSAGE } from '../../kms/pipeline.js';
import { OPERATIONS, type OperationName } from '../../kms/registry.js';
import type { Members, Shape } from '../../kms/schema.js';
import { hasLoneSurrogate } from '../../kms/unicode.js';

export const JSON_1_1 = 'application/x-amz-json-1.1';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The input of `operation` from a request body; SerializationException when it is not a JSON object. */
export function decodeRequest(operation: OperationName, body: Uint8Array): Record<string, unknown> {
  // The AWS CLI and the SDKs send `{}` for an empty input; an empty body means the same.
  if (body.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new SerializationException('The request body is not valid UTF-8.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // V8's parse errors quote the body around the fault, and a body may carry plaintext: fixed text only.
    throw new SerializationException('The request body is not well-formed JSON.');
  }
  if (!isObject(parsed)) throw new SerializationException('The request body must be a JSON object.');
  // Only an escape can put a surrogate into a string (raw ones are not valid UTF-8), so the
  // walk runs only for bodies that have one.
  if (SURROGATE_ESCAPE.test(text) && anyLoneSurrogate(parsed)) {
    // This engine's wording; AWS's is unrecorded. Such a string has no UTF-8 form, so the body is
    // refused as one that cannot be read, like invalid UTF-8 bytes (RFC 8259 §8.2).
    throw new SerializationException(
      'The request body has a string with a lone UTF-16 surrogate escape (such as \\ud800), which is not a Unicode character.',
    );
  }
  return decodeMembers(OPERATIONS[operation], parsed);
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** Whether any string (member name or value) anywhere in a parsed JSON value has a lone surrogate. */
function anyLoneSurrogate(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        if (hasLoneSurrogate(k)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

function decodeMembers(members: Members, value: Record<string, unknown>): Record<string, unknown> {
  // Only the schema's PascalCase names are copied, so a "__proto__" key in the body goes nowhere.
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(members)) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    const v = value[name];
    // JSON null is an absent member, as the service reads it.
    if (v === null || v === undefined) continue;
    out[name] = decodeValue(member.shape, v);
  }
  return out;
}

function decodeValue(shape: Shape, v: unknown): unknown {
  switch (shape.type) {
    case 'blob':
      return typeof v === 'string' ? decodeBase64(v) : v;
    case 'timestamp':
      return typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : v;
    case 'structure':
      return isObject(v) ? decodeMembers(shape.members, v) : v;
    case 'list':
      return Array.isArray(v) ? v.map((item) => (item === null ? item : decodeValue(shape.member, item))) : v;
    default:
      // Strings, enums, numbers, booleans and string maps are already what the engine takes.
      return v;
  }
}

// Standard alphabet, padded, no whitespace: what the SDKs and the AWS CLI send. Buffer's own
// decoder skips characters it does not know, which would turn a damaged blob into another blob.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(s: string): Uint8Array {
  if (!BASE64.test(s))
    throw new SerializationException('Base64 encoded binary data is not valid: expected standard, padded base64.');
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** The JSON body of a successful response. */
export function encodeOutput(output: object): string {
  // Most outputs (GenerateDataKeyPair's among them) hold only strings, numbers and byte arrays:
  // a copy with the bytes in base64 is serialized without a replacer call per member. Anything
  // nested (KeyMetadata, lists, dates) takes the general path below; both give the same text.
  const flat: Record<string, unknown> = {};
  for (const key of Object.keys(output)) {
    if (key === '$metadata') continue;
    const v = (output as Record<string, unknown>)[key];
    if (v instanceof Uint8Array) flat[key] = Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
    else if (typeof v === 'object' && v !== null) return encodeNested(output);
    else flat[key] = v;
  }
  return JSON.stringify(flat);
}

function encodeNested(output: object): string {
  return JSON.stringify(output, function (this: Record<string, unknown>, key: string, value: unknown) {
    // $metadata (the pipeline's) is the response's, not the body's.
    if (key === '$metadata' && this === output) return undefined;
    // `this[key]` is the member before Date's toJSON ran.
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('base64');
    return value;
  });
}

export interface EncodedError {
  status: number;
  name: string;
  body: string;
}

/**
 * The status and `{"__type", "message"}` body of an error ("message" only when not empty). A
 * KMS exception keeps its name and message (real KMS's statuses: 400 for client faults, 5xx for server faults); anything else is
 * a fault here and becomes KMSInternalException with a fixed message, never its own.
 */
export function encodeError(err: unknown): EncodedError {
  const e = err instanceof KMSServiceException ? err : new KMSInternalException(INTERNAL_MESSAGE);
  const declared = (e.constructor as { httpStatus?: number }).httpStatus ?? e.$metadata?.httpStatusCode;
  const status =
    declared !== undefined && declared >= 400 && declared <= 599 ? declared : e.$fault === 'server' ? 500 : 400;
  // An exception AWS answers without a message (InvalidCiphertextException, UnsupportedOperation
  // for a key that cannot rotate, KMSInvalidSignature, KMSInvalidMac: recorded with no message
  // member) is thrown here with an empty one, and goes out without the member, as AWS sends it.
  const body = e.message === '' ? { __type: e.name } : { __type: e.name, message: e.message };
  return { status, name: e.name, body: JSON.stringify(body) };
}

export const INTERNAL_MESSAGE = INTERNAL_ERROR_MESSAGE;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
