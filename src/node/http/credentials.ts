// Credentials of the endpoint's strict mode (`auth: 'sigv4'`): the entries it accepts, how each is
// checked (its access key id, secret, account, principal, identity policies, tags and session
// token), and reading them from a credentials file, as JSON or in the AWS shared-credentials INI form.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  callerIdentity,
  DEFAULT_ROLE_SESSION_NAME,
  parsePrincipal,
  type CallerIdentity,
  type CallerInit,
} from '../../kms/authorize.js';
import { partitionOf } from '../../kms/store.js';

export const ACCOUNT_ID = /^\d{12}$/;

export interface ServerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** the account this key acts as; default the principal's account, else the server's accountId */
  accountId?: string;
  /**
   * Who calls with this key, as AccessDeniedException messages name it: an IAM user
   * (`arn:aws:iam::ACCOUNT:user/NAME`), an IAM role (`arn:aws:iam::ACCOUNT:role/NAME`, which
   * calls as its session `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`), a role session, or
   * the account root. Default the account's root. Its account must be `accountId`.
   */
  principal?: string;
  /** For a role principal: the session name (2 to 64 of letters, digits and +=,.@_-); default 'wasm-kms'. */
  roleSessionName?: string;
  /**
   * IAM identity policy documents attached to the principal (JSON text or objects), which key
   * policies that name the principal's account defer to. Not for an account root.
   */
  identityPolicies?: (string | object)[];
  /**
   * Files holding one identity policy document each, read at start: relative paths are relative
   * to the credentials file's directory (loadCredentialsFile), else to the working directory.
   */
  identityPolicyFiles?: string[];
  /** aws:PrincipalTag/<key> values of the principal. Not for an account root. */
  principalTags?: Record<string, string>;
  /**
   * For a role or role session principal: the session token of these temporary credentials. A
   * request signed with this access key must carry it in X-Amz-Security-Token; without it, a
   * request that carries a token is refused.
   */
  sessionToken?: string;
}

/** A credential as strict mode uses it: the account it acts as and the caller it is. */
export interface Credential extends ServerCredentials, ResolvedCaller {}

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\//;
/** A role or a role session: the principals temporary credentials (a session token) belong to. */
const TEMPORARY_ARN = /^arn:[^:]+:(?:iam::\d{12}:role\/|sts::\d{12}:assumed-role\/)/;
const ROOT_ARN = /^arn:[^:]+:iam::\d{12}:root$/;

/** Checks an entry; returns its principal read (account and caller ARN) when it names one. */
export function checkCredential(
  c: ServerCredentials,
  where: string,
): { account: string; callerArn: string } | undefined {
  if (typeof c !== 'object' || c === null)
    throw new TypeError(`${where}: expected an object with accessKeyId and secretAccessKey`);
  if (typeof c.accessKeyId !== 'string' || !/^[\x21-\x7e]+$/.test(c.accessKeyId) || c.accessKeyId.includes('/')) {
    throw new TypeError(
      `${where}: accessKeyId must be a non-empty string of printable characters without spaces or '/'`,
    );
  }
  if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
    throw new TypeError(`${where}: secretAccessKey must be a non-empty string`);
  }
  if (c.sessionToken !== undefined && (typeof c.sessionToken !== 'string' || c.sessionToken === ''))
    throw new TypeError(`${where}: sessionToken must be a non-empty string`);
  const parsed = checkCaller(c, where, "the entry's account");
  if (c.sessionToken !== undefined && (c.principal === undefined || !TEMPORARY_ARN.test(c.principal))) {
    throw new TypeError(
      `${where}: sessionToken is only for a role or role session principal (temporary credentials)${c.principal === undefined ? '' : `; ${c.principal} is not one`}`,
    );
  }
  return parsed;
}

/** Who calls: the members of a credential that make its caller (server options without signatures take them too). */
export type CallerOptions = Pick<
  ServerCredentials,
  'accountId' | 'principal' | 'roleSessionName' | 'identityPolicies' | 'identityPolicyFiles' | 'principalTags'
>;

/** `message` with `where: ` before it, when there is a where. */
function at(where: string, message: string): string {
  return where === '' ? message : `${where}: ${message}`;
}

/**
 * Checks the caller members of `c` (`accountLabel` names accountId in messages); returns its
 * principal read when it names one.
 */
function checkCaller(
  c: CallerOptions,
  where: string,
  accountLabel: string,
): { account: string; callerArn: string } | undefined {
  if (c.accountId !== undefined && (typeof c.accountId !== 'string' || !ACCOUNT_ID.test(c.accountId))) {
    throw new TypeError(at(where, 'accountId must be 12 digits'));
  }
  if (c.roleSessionName !== undefined && typeof c.roleSessionName !== 'string')
    throw new TypeError(at(where, 'roleSessionName must be a string'));
  checkIdentityMembers(c, where);
  if (c.principal === undefined) {
    if (c.roleSessionName !== undefined) throw new TypeError(at(where, 'roleSessionName needs a role principal'));
    rootHasNoIdentity(c, where);
    return undefined;
  }
  let parsed: { account: string; callerArn: string };
  try {
    parsed = parsePrincipal(c.principal, c.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME);
  } catch (err) {
    throw new TypeError(at(where, (err as Error).message));
  }
  if (c.roleSessionName !== undefined && !ROLE_ARN.test(c.principal)) {
    throw new TypeError(at(where, 'roleSessionName is only for a role principal (arn:aws:iam::ACCOUNT:role/NAME)'));
  }
  if (c.accountId !== undefined && parsed.account !== c.accountId) {
    throw new TypeError(
      at(where, `principal ${c.principal} is of account ${parsed.account}, not of ${accountLabel} ${c.accountId}`),
    );
  }
  if (ROOT_ARN.test(c.principal)) rootHasNoIdentity(c, where);
  return parsed;
}

/** The types of identityPolicies, identityPolicyFiles and principalTags. */
function checkIdentityMembers(c: CallerOptions, where: string): void {
  if (c.identityPolicies !== undefined) {
    if (!Array.isArray(c.identityPolicies))
      throw new TypeError(at(where, `identityPolicies must be a list of IAM policy documents (JSON text or objects)`));
    for (const [i, doc] of c.identityPolicies.entries()) {
      const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
      if (typeof doc !== 'string' && !isObject)
        throw new TypeError(
          at(where, `identityPolicies[${i}] must be an IAM policy document (JSON text or an object)`),
        );
    }
  }
  if (c.identityPolicyFiles !== undefined) {
    if (!Array.isArray(c.identityPolicyFiles) || c.identityPolicyFiles.some((f) => typeof f !== 'string' || f === ''))
      throw new TypeError(at(where, `identityPolicyFiles must be a list of file paths`));
  }
  if (c.principalTags !== undefined) checkTags(c.principalTags, at(where, 'principalTags'));
}

/**
 * Checks principal tags as IAM takes them: keys of 1 to 128 characters, values of at most 256,
 * no two keys that differ only in case (aws:PrincipalTag/<key> is matched without case).
 * Throws a TypeError starting with `what`.
 */
export function checkTags(tags: unknown, what: string): asserts tags is Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    throw new TypeError(`${what} must map tag keys to string values`);
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string') throw new TypeError(`${what} must map tag keys to string values`);
    if (k.length < 1 || k.length > 128) throw new TypeError(`${what}: a tag key has 1 to 128 characters`);
    if (v.length > 256) throw new TypeError(`${what}: the value of ${k} is longer than 256 characters`);
    if (seen.has(k.toLowerCase()))
      throw new TypeError(`${what}: the key ${k} is given twice (tag keys are compared without case)`);
    seen.add(k.toLowerCase());
  }
}

function rootHasNoIdentity(c: CallerOptions, where: string): void {
  if ((c.identityPolicies?.length ?? 0) > 0 || (c.identityPolicyFiles?.length ?? 0) > 0) {
    throw new TypeError(
      at(
        where,
        `identity policies are not for an account's root user (it holds every permission of its account); name a principal`,
      ),
    );
  }
  if (c.principalTags !== undefined && Object.keys(c.principalTags).length > 0)
    throw new TypeError(at(where, `principalTags are not for an account's root user; name a principal`));
}

/** An identity policy document and where it came from, for messages. */
interface PolicySource {
  doc: string | object;
  from: string;
}

/** The entry's identity policies: its inline documents, then those of its files (read now, from `baseDir`). */
function policySources(c: CallerOptions, where: string, baseDir: string): PolicySource[] {
  const sources: PolicySource[] = (c.identityPolicies ?? []).map((doc, i) => ({ doc, from: `identityPolicies[${i}]` }));
  for (const file of c.identityPolicyFiles ?? []) {
    const path = resolve(baseDir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new TypeError(
        at(
          where,
          `cannot read identity policy file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        ),
      );
    }
    sources.push({ doc: text, from: `identity policy file ${path}` });
  }
  return sources;
}

/** The caller of entry `c` in `account`, in the partition of `region`; a bad policy is named by its source. */
function makeCaller(
  c: CallerOptions,
  account: string,
  region: string,
  sources: readonly PolicySource[],
  where: string,
): CallerIdentity {
  const init: CallerInit = {
    principal: c.principal,
    roleSessionName: c.roleSessionName,
    identityPolicies: sources.map((s) => s.doc),
    principalTags: c.principalTags,
  };
  try {
    return callerIdentity(account, region, init);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    const m = /^identity policy (\d+): ([\s\S]*)$/.exec(err.message);
    const source = m === null ? undefined : sources[Number(m[1]) - 1];
    throw new TypeError(at(where, source === undefined ? err.message : `${source.from}: ${m![2]}`));
  }
}

/** A caller made from a credential or the server's options: its account, ARN, and identity per Region. */
export interface ResolvedCaller {
  account: string;
  /** undefined: the account's root */
  callerArn?: string;
  /** The caller in the partition of `region` (made once per partition). */
  caller: (region: string) => CallerIdentity;
}

/**
 * Checks entry `c` and makes its caller (once per partition: the Region of a request only
 * changes the partition of the ARNs). `defaultAccount`: the account of an entry that names none;
 * `region`: the Region whose partition the caller is made in first (which checks the policies);
 * `baseDir`: where relative identityPolicyFiles are. Throws TypeError naming `where` and the
 * member or policy file at fault.
 */
export function resolveCredential(
  c: ServerCredentials,
  where: string,
  defaultAccount: string,
  region: string,
  baseDir: string = process.cwd(),
): Credential {
  const parsed = checkCredential(c, where);
  return { ...c, ...callerOf(c, parsed, where, defaultAccount, region, baseDir) };
}

/**
 * The caller of a server without signatures (`auth: 'none'`), from its options: as an entry's,
 * with `accountId` (when given) the account the principal must be of. Messages start with the
 * member at fault (`principal ...`, `identityPolicies[0] ...`).
 */
export function resolveCaller(
  c: CallerOptions,
  defaultAccount: string,
  region: string,
  baseDir: string = process.cwd(),
): ResolvedCaller {
  const parsed = checkCaller(c, '', 'accountId');
  return callerOf(c, parsed, '', defaultAccount, region, baseDir);
}

function callerOf(
  c: CallerOptions,
  parsed: { account: string; callerArn: string } | undefined,
  where: string,
  defaultAccount: string,
  region: string,
  baseDir: string,
): ResolvedCaller {
  const account = c.accountId ?? parsed?.account ?? defaultAccount;
  const sources = policySources(c, where, baseDir);
  const byPartition = new Map<string, CallerIdentity>([
    [partitionOf(region), makeCaller(c, account, region, sources, where)],
  ]);
  return {
    account,
    callerArn: parsed?.callerArn,
    caller: (r) => {
      const partition = partitionOf(r);
      let made = byPartition.get(partition);
      if (made === undefined) {
        made = makeCaller(c, account, r, sources, where);
        byPartition.set(partition, made);
      }
      return made;
    },
  };
}

/**
 * Reads a credentials file: JSON `[{ accessKeyId, secretAccessKey, accountId?, principal?,
 * roleSessionName?, identityPolicies?, identityPolicyFiles?, principalTags?, sessionToken? }]`, or
 * the AWS shared-credentials INI form (`[profile]` sections with aws_access_key_id and
 * aws_secret_access_key, and optionally aws_account_id, aws_session_token, principal,
 * role_session_name, identity_policy_file (paths separated by commas) and principal_tags
 * (`key=value,key2=value2`)). A member or key not in these lists is an error, not ignored (a
 * misspelt `principal` would otherwise make the caller its account's root). Identity policy files
 * are read and checked now, relative to the file's directory; the entries returned carry their
 * documents (as text) at the end of identityPolicies, and no identityPolicyFiles. The file holds
 * secrets: it is refused when its group or others have any access to it (POSIX systems). Throws
 * an Error that names the file and the entry (and policy file) at fault, and never quotes a secret.
 */
export function loadCredentialsFile(path: string): ServerCredentials[] {
  let text: string;
  let mode: number;
  try {
    const fd = openSync(path, 'r');
    try {
      mode = fstatSync(fd).mode;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new Error(
      `cannot read credentials file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  // Windows has no such mode bits (Node reports 0o666 there): its ACLs are the user's business.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(
      `credentials file ${path} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}) and holds secret keys; make it readable by its owner only: chmod 600 ${path}`,
    );
  }
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  const list = isJson ? fromJson(json, path) : fromIni(text, path);
  if (list.length === 0) throw new Error(`credentials file ${path} holds no credentials`);
  const seen = new Set<string>();
  for (const [i, c] of list.entries()) {
    try {
      const where = `entry ${i + 1}`;
      const parsed = checkCredential(c, where);
      const sources = policySources(c, where, dirname(resolve(path)));
      // The policies are checked now, so that a bad one is named by its file; a root has none.
      if (parsed !== undefined) makeCaller(c, parsed.account, 'us-east-1', sources, where);
      if (c.identityPolicyFiles !== undefined) {
        c.identityPolicies = sources.map((s) => s.doc);
        delete c.identityPolicyFiles;
      }
    } catch (err) {
      throw new Error(`credentials file ${path}: ${(err as Error).message}`);
    }
    if (seen.has(c.accessKeyId))
      throw new Error(`credentials file ${path}: access key id ${c.accessKeyId} is listed twice`);
    seen.add(c.accessKeyId);
  }
  return list;
}

const JSON_MEMBERS = [
  'accessKeyId',
  'secretAccessKey',
  'accountId',
  'principal',
  'roleSessionName',
  'identityPolicies',
  'identityPolicyFiles',
  'principalTags',
  'sessionToken',
];
const INI_KEYS = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_account_id',
  'aws_session_token',
  'principal',
  'role_session_name',
  'identity_policy_file',
  'principal_tags',
];

/** A key name from the file in a message: printable, short, quoted. */
function keyName(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return `'${clean.length > 64 ? `${clean.slice(0, 64)}...` : clean}'`;
}

function fromJson(json: unknown, path: string): ServerCredentials[] {
  if (!Array.isArray(json)) {
    throw new Error(
      `credentials file ${path}: expected a JSON array of { accessKeyId, secretAccessKey, accountId?, principal?, roleSessionName?, identityPolicies?, identityPolicyFiles?, principalTags?, sessionToken? }`,
    );
  }
  return json.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`credentials file ${path}: entry ${i + 1} is not an object`);
    }
    const e = entry as Record<string, unknown>;
    for (const name of Object.keys(e)) {
      if (!JSON_MEMBERS.includes(name)) {
        throw new Error(
          `credentials file ${path}: entry ${i + 1} has an unknown member ${keyName(name)} (known: ${JSON_MEMBERS.join(', ')})`,
        );
      }
    }
    const c: ServerCredentials = { accessKeyId: e.accessKeyId as string, secretAccessKey: e.secretAccessKey as string };
    if (e.accountId !== undefined) c.accountId = e.accountId as string;
    if (e.principal !== undefined) c.principal = e.principal as string;
    if (e.roleSessionName !== undefined) c.roleSessionName = e.roleSessionName as string;
    if (e.identityPolicies !== undefined) c.identityPolicies = e.identityPolicies as (string | object)[];
    if (e.identityPolicyFiles !== undefined) c.identityPolicyFiles = e.identityPolicyFiles as string[];
    if (e.principalTags !== undefined) c.principalTags = e.principalTags as Record<string, string>;
    if (e.sessionToken !== undefined) c.sessionToken = e.sessionToken as string;
    return c;
  });
}

function fromIni(text: string, path: string): ServerCredentials[] {
  const sections: { name: string; line: number; values: Map<string, string> }[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header !== null) {
      sections.push({ name: header[1], line: i + 1, values: new Map() });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || sections.length === 0) {
      throw new Error(
        `credentials file ${path} is neither JSON nor an AWS credentials file (line ${i + 1} is not [profile] or key = value)`,
      );
    }
    const key = line.slice(0, eq).trim().toLowerCase();
    const section = sections[sections.length - 1];
    if (!INI_KEYS.includes(key)) {
      throw new Error(
        `credentials file ${path}: profile [${section.name}] has an unknown key ${keyName(key)} on line ${i + 1} (known: ${INI_KEYS.join(', ')})`,
      );
    }
    section.values.set(key, line.slice(eq + 1).trim());
  }
  return sections.map((s) => {
    const accessKeyId = s.values.get('aws_access_key_id');
    const secretAccessKey = s.values.get('aws_secret_access_key');
    const missing = [accessKeyId ? '' : 'aws_access_key_id', secretAccessKey ? '' : 'aws_secret_access_key'].filter(
      Boolean,
    );
    if (missing.length > 0)
      throw new Error(`credentials file ${path}: profile [${s.name}] (line ${s.line}) has no ${missing.join(' or ')}`);
    const c: ServerCredentials = { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! };
    const accountId = s.values.get('aws_account_id');
    if (accountId !== undefined) c.accountId = accountId;
    const principal = s.values.get('principal');
    if (principal !== undefined) c.principal = principal;
    const roleSessionName = s.values.get('role_session_name');
    if (roleSessionName !== undefined) c.roleSessionName = roleSessionName;
    const sessionToken = s.values.get('aws_session_token');
    if (sessionToken !== undefined) c.sessionToken = sessionToken;
    const files = s.values.get('identity_policy_file');
    if (files !== undefined) {
      const list = files.split(',').map((f) => f.trim());
      if (list.some((f) => f === ''))
        throw new Error(
          `credentials file ${path}: profile [${s.name}]: identity_policy_file is one or more paths separated by commas, with none empty`,
        );
      c.identityPolicyFiles = list;
    }
    const tags = s.values.get('principal_tags');
    if (tags !== undefined) c.principalTags = iniTags(tags, `credentials file ${path}: profile [${s.name}]`);
    return c;
  });
}

/** `key=value,key2=value2` (keys and values trimmed; a value may be empty, a key may not). */
function iniTags(text: string, where: string): Record<string, string> {
  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (key === '')
      throw new Error(`${where}: principal_tags is key=value pairs separated by commas, got ${keyName(part.trim())}`);
    if (Object.prototype.hasOwnProperty.call(tags, key))
      throw new Error(`${where}: principal_tags has the key ${keyName(key)} twice`);
    tags[key] = part.slice(eq + 1).trim();
  }
  return { ...tags };
}
