// Credentials of the endpoint's strict mode (`auth: 'sigv4'`): the entries it accepts, how each is
// checked (its access key id, secret, account and principal), and reading them from a credentials
// file, as JSON or in the AWS shared-credentials INI form.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { DEFAULT_ROLE_SESSION_NAME, parsePrincipal } from '../../kms/authorize.js';

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
}

/** A credential as strict mode uses it: the account it acts as and the caller ARN it shows. */
export interface Credential extends ServerCredentials {
  account: string;
  /** undefined: the account's root */
  callerArn?: string;
}

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
  if (c.accountId !== undefined && (typeof c.accountId !== 'string' || !ACCOUNT_ID.test(c.accountId))) {
    throw new TypeError(`${where}: accountId must be 12 digits`);
  }
  if (c.roleSessionName !== undefined && typeof c.roleSessionName !== 'string')
    throw new TypeError(`${where}: roleSessionName must be a string`);
  if (c.principal === undefined) {
    if (c.roleSessionName !== undefined) throw new TypeError(`${where}: roleSessionName needs a role principal`);
    return undefined;
  }
  let parsed: { account: string; callerArn: string };
  try {
    parsed = parsePrincipal(c.principal, c.roleSessionName ?? DEFAULT_ROLE_SESSION_NAME);
  } catch (err) {
    throw new TypeError(`${where}: ${(err as Error).message}`);
  }
  if (c.roleSessionName !== undefined && !/^arn:[^:]+:iam::\d{12}:role\//.test(c.principal)) {
    throw new TypeError(`${where}: roleSessionName is only for a role principal (arn:aws:iam::ACCOUNT:role/NAME)`);
  }
  if (c.accountId !== undefined && parsed.account !== c.accountId) {
    throw new TypeError(
      `${where}: principal ${c.principal} is of account ${parsed.account}, not of the entry's account ${c.accountId}`,
    );
  }
  return parsed;
}

/**
 * Reads a credentials file: JSON `[{ accessKeyId, secretAccessKey, accountId?, principal?,
 * roleSessionName? }]`, or the AWS shared-credentials INI form (`[profile]` sections with
 * aws_access_key_id and aws_secret_access_key, and optionally aws_account_id, principal and
 * role_session_name). A member or key not in these lists is an error, not ignored (a misspelt
 * `principal` would otherwise make the caller its account's root). The file holds secrets: it is
 * refused when its group or others have any access to it (POSIX systems). Throws an Error that
 * names the file and the entry at fault, and never quotes a secret.
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
      checkCredential(c, `entry ${i + 1}`);
    } catch (err) {
      throw new Error(`credentials file ${path}: ${(err as Error).message}`);
    }
    if (seen.has(c.accessKeyId))
      throw new Error(`credentials file ${path}: access key id ${c.accessKeyId} is listed twice`);
    seen.add(c.accessKeyId);
  }
  return list;
}

const JSON_MEMBERS = ['accessKeyId', 'secretAccessKey', 'accountId', 'principal', 'roleSessionName'];
const INI_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_account_id', 'principal', 'role_session_name'];

/** A key name from the file in a message: printable, short, quoted. */
function keyName(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return `'${clean.length > 64 ? `${clean.slice(0, 64)}...` : clean}'`;
}

function fromJson(json: unknown, path: string): ServerCredentials[] {
  if (!Array.isArray(json)) {
    throw new Error(
      `credentials file ${path}: expected a JSON array of { accessKeyId, secretAccessKey, accountId?, principal?, roleSessionName? }`,
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
    return c;
  });
}
