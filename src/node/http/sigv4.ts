// SigV4 on the server side (AWS Signature Version 4, in the IAM User Guide): reading the credential scope of an Authorization
// header (where the request's Region comes from), and, in strict mode, verifying the signature by
// signing the received request again with @smithy/signature-v4 and the caller's secret.
//
// The canonical request is rebuilt from the headers the client listed in SignedHeaders, not from
// a fixed set: the JS SDK, botocore and others sign different headers. The body hash is computed
// here from the bytes received; a client's x-amz-content-sha256 must equal it (the signer would
// otherwise trust the header, and a changed body would pass).
//
// Error names and texts are the ones AWS JSON endpoints are seen answering with (Coral's
// wording); none of them is recorded from KMS itself in the reference. They quote no value of
// the Authorization header but the credential scope (access key id, date, Region, service),
// so a signature or a stray token does not end up in client logs.
//
// What must be signed: Host, and X-Amz-Target (which names the operation: unsigned, a captured
// request could be replayed as another operation with the same body). Every header the client
// lists must have arrived, and each of Authorization, X-Amz-Date and X-Amz-Target at most once.
// Session tokens: a credential with a sessionToken (temporary credentials of a role) needs
// X-Amz-Security-Token equal to it (compared in constant time); one without refuses any token.

import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../../kms/exceptions.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far X-Amz-Date may be from the server's clock, either way. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

export interface ParsedAuthorization {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
  terminator: string;
  /** Lower-case names, in the order given. */
  signedHeaders: string[];
  signature: string;
}

const AUTH_PARAMS = new Set(['Credential', 'SignedHeaders', 'Signature']);

/** Parses `AWS4-HMAC-SHA256 Credential=.../.../.../kms/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): ParsedAuthorization {
  const value = header.trim();
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new IncompleteSignatureException(`Unsupported AWS 'algorithm'. This endpoint accepts ${ALGORITHM}.`);
  }
  const params = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0)
      throw new IncompleteSignatureException(
        'A parameter is not a valid key=value pair (missing equal-sign) in Authorization header.',
      );
    const name = p.slice(0, eq).trim();
    if (!AUTH_PARAMS.has(name))
      throw new IncompleteSignatureException(`Authorization header has an unknown parameter '${printable(name)}'.`);
    if (params.has(name)) throw new IncompleteSignatureException(`Authorization header has '${name}' more than once.`);
    params.set(name, p.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((name) => !params.get(name))
    .map((name) => `Authorization header requires '${name}' parameter.`);
  if (missing.length > 0) throw new IncompleteSignatureException(missing.join(' '));

  const credential = params.get('Credential')!;
  const scope = credential.split('/');
  if (scope.length !== 5) {
    throw new IncompleteSignatureException(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${printable(credential)}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = scope;
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: params
      .get('SignedHeaders')!
      .split(';')
      .map((h) => h.trim().toLowerCase()),
    signature: params.get('Signature')!,
  };
}

// Region names as AWS spells them (us-east-1, cn-north-1, us-gov-west-1), plus simple local
// names (`local`): lower-case letters, digits and inner hyphens. The Region ends up in key ARNs
// and store keys, so nothing else gets through.
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function isValidRegion(region: string): boolean {
  return REGION.test(region);
}

/**
 * The Region of the request's credential scope, when it has an Authorization header that parses;
 * undefined otherwise (the server then uses its default). A scope naming something that is not
 * a Region is rejected rather than used or ignored.
 */
export function scopeRegion(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  let parsed: ParsedAuthorization;
  try {
    parsed = parseAuthorization(authorization);
  } catch {
    return undefined;
  }
  checkRegion(parsed.region);
  return parsed.region;
}

function checkRegion(region: string): void {
  if (!isValidRegion(region)) {
    throw new InvalidSignatureException(`Credential should be scoped to a valid region, not '${printable(region)}'. `);
  }
}

export interface VerifiableRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case names; repeated headers as several values. */
  headers: Record<string, string[] | undefined>;
  body: Uint8Array;
}

export interface Verified<C> {
  credential: C;
  region: string;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Checks a request's SigV4 signature against `credentials` (by access key id). Resolves to the
 * matching credential and the scope's Region; rejects with the exception AWS answers with:
 * MissingAuthenticationTokenException (no Authorization header), IncompleteSignatureException
 * (a malformed one), InvalidSignatureException (scope, date or signature wrong, or the clock more
 * than 5 minutes off), UnrecognizedClientException (an access key nobody here has).
 */
export async function verifyRequest<C extends { accessKeyId: string; secretAccessKey: string; sessionToken?: string }>(
  request: VerifiableRequest,
  credentials: ReadonlyMap<string, C>,
  now: Date = new Date(),
): Promise<Verified<C>> {
  const auth = checkHeaders(request.headers);
  const amzDate = single(request.headers['x-amz-date']);
  if (amzDate === undefined) {
    throw new IncompleteSignatureException("Authorization header requires existence of an 'X-Amz-Date' header.");
  }
  const m = AMZ_DATE.exec(amzDate);
  const signedAt = m === null ? NaN : Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // A date that does not exist (month 13, February 30) does not survive the round trip.
  if (m === null || Number.isNaN(signedAt) || basicFormat(signedAt) !== amzDate) {
    throw new IncompleteSignatureException(
      `Date must be in ISO-8601 'basic format'. Got '${printable(amzDate)}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }

  if (auth.service !== 'kms')
    throw new InvalidSignatureException("Credential should be scoped to correct service: 'kms'. ");
  if (auth.terminator !== 'aws4_request') {
    throw new InvalidSignatureException(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${printable(auth.terminator)}'. `,
    );
  }
  checkRegion(auth.region);
  if (auth.date !== amzDate.slice(0, 8)) {
    throw new InvalidSignatureException(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${printable(auth.date)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  if (!auth.signedHeaders.includes('host') || single(request.headers.host) === undefined) {
    throw new InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (request.headers['x-amz-target'] !== undefined && !auth.signedHeaders.includes('x-amz-target')) {
    throw new InvalidSignatureException("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }
  for (const name of auth.signedHeaders) {
    // A header listed as signed that did not arrive: the signature cannot cover it.
    if (request.headers[name] === undefined) throw signatureMismatch();
  }

  const credential = credentials.get(auth.accessKeyId);
  if (credential === undefined || !tokenMatches(credential.sessionToken, request.headers['x-amz-security-token'])) {
    throw new UnrecognizedClientException('The security token included in the request is invalid.');
  }

  const nowMs = now.getTime();
  if (signedAt < nowMs - MAX_SKEW_MS) {
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${basicFormat(nowMs - MAX_SKEW_MS)} (${basicFormat(nowMs)} - 5 min.)`,
    );
  }
  if (signedAt > nowMs + MAX_SKEW_MS) {
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate} is still later than ${basicFormat(nowMs + MAX_SKEW_MS)} (${basicFormat(nowMs)} + 5 min.)`,
    );
  }

  const expected = await expectedSignature(request, auth, credential, new Date(signedAt));
  if (!sameSignature(expected, auth.signature)) throw signatureMismatch();
  return { credential, region: auth.region };
}

async function expectedSignature(
  request: VerifiableRequest,
  auth: ParsedAuthorization,
  credential: { accessKeyId: string; secretAccessKey: string },
  signingDate: Date,
): Promise<string> {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const headers: Record<string, string> = {};
  for (const name of new Set(auth.signedHeaders)) {
    const values = request.headers[name];
    if (values === undefined) throw signatureMismatch(); // checked before; kept for the types
    // SigV4 joins repeated headers with commas (Node would join them with ", ").
    headers[name] = values.join(',');
  }
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash.trim().toLowerCase() !== bodyHash) throw signatureMismatch();

  const host = headers.host ?? '';
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    // Never add x-amz-content-sha256 when the client did not sign it (botocore does not).
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host,
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    },
    {
      signingDate,
      signingRegion: auth.region,
      signingService: auth.service,
      // Sign exactly what the client listed, including headers the signer skips by default.
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const produced = String(signed.headers.authorization ?? '');
  const at = produced.lastIndexOf('Signature=');
  return at < 0 ? '' : produced.slice(at + 'Signature='.length);
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether a request's X-Amz-Security-Token headers fit a credential's session token: none for a
 * credential without one; exactly one equal to it otherwise. The two are compared as SHA-256
 * digests in constant time, so neither the token's length nor where it differs shows in timing.
 */
function tokenMatches(expected: string | undefined, given: string[] | undefined): boolean {
  if (expected === undefined) return given === undefined;
  if (given === undefined || given.length !== 1) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given[0], 'utf8').digest();
  return timingSafeEqual(a, b);
}

function sameSignature(expected: string, given: string): boolean {
  if (!HEX64.test(expected) || !HEX64.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'ascii'), Buffer.from(given, 'ascii'));
}

function signatureMismatch(): InvalidSignatureException {
  return new InvalidSignatureException(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}

/**
 * The checks that need no body (so that an unsigned caller is turned away before its body is
 * read): Authorization present, once, and well formed; X-Amz-Date and X-Amz-Target at most once.
 */
export function checkHeaders(headers: Record<string, string[] | undefined>): ParsedAuthorization {
  const values = headers.authorization;
  if (values === undefined || values.length === 0 || values.join('').trim() === '') {
    throw new MissingAuthenticationTokenException('Request is missing Authentication Token');
  }
  for (const name of ['authorization', 'x-amz-date', 'x-amz-target']) {
    if ((headers[name]?.length ?? 0) > 1)
      throw new IncompleteSignatureException(`The request has more than one '${name}' header.`);
  }
  return parseAuthorization(values[0]);
}

/**
 * What strict mode can refuse before reading the body: the header checks, then an access key
 * nobody here has or a session token that does not fit it. The rest (date, scope, signature)
 * needs the body and waits for verifyRequest.
 */
export function preVerify<C extends { sessionToken?: string }>(
  headers: Record<string, string[] | undefined>,
  credentials: ReadonlyMap<string, C>,
): void {
  const auth = checkHeaders(headers);
  const credential = credentials.get(auth.accessKeyId);
  if (credential === undefined || !tokenMatches(credential.sessionToken, headers['x-amz-security-token']))
    throw new UnrecognizedClientException('The security token included in the request is invalid.');
}

function single(values: string[] | undefined): string | undefined {
  return values === undefined || values.length === 0 ? undefined : values.join(',');
}

/** 20261129T120000Z */
function basicFormat(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Client-supplied text in a message: printable ASCII only, and not too long. */
function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 128 ? `${clean.slice(0, 128)}...` : clean;
}
