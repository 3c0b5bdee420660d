// Where the file key store keeps what (docs/file-store.md, "Layout"): the store's own file
// names, the record directories, and the file name of a record id.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { getCore } from '../../core/module.js';
import { sha256 } from '../../core/symmetric.js';
import { toHex, utf8 } from './common.js';

export const MARKER = 'wasm-kms-store.json';
export const FORMAT = 'wasm-kms file key store';
export const VERSION = 1;
export const LOCK = '.write-lock';
export const BREAK_LOCK = '.write-lock.break';
/** The store's generation, rewritten in place by every writer (docs/file-store.md, "The record cache"). */
export const GENERATION = '.generation';
export const LOST_AND_FOUND = 'lost+found';
export const MAX_PLAIN_NAME = 200;

export const KEYS_DIR = 'keys';
export const ALIASES_DIR = 'aliases';
export const CKS_DIR = 'custom-key-stores';
export const RECORD_DIRS = [KEYS_DIR, ALIASES_DIR, CKS_DIR] as const;

/** Our temporary files: `.<name>.<pid>.<16 hex>.tmp`. */
export const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{16}\.tmp$/;

export type Kind = 'key' | 'alias' | 'custom-key-store';

/** $WASM_KMS_HOME, else ~/.wasm-kms */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WASM_KMS_HOME) return resolve(env.WASM_KMS_HOME);
  return join(env.HOME || env.USERPROFILE || homedir(), '.wasm-kms');
}

const PLAIN_CHAR = /^[a-z0-9_-]$/;
/** A name that is its own file name (key ids, accounts, regions): checked at once, on the read path. */
const PLAIN_NAME = new RegExp(`^[a-z0-9_-]{1,${MAX_PLAIN_NAME}}$`);

/** The file name of a record id (docs/file-store.md, "Layout"): injective, safe, case-insensitively distinct. */
export function fileName(id: string): string {
  if (PLAIN_NAME.test(id)) return id;
  if (id === '') return '%';
  let out = '';
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ch = id[i];
    if (PLAIN_CHAR.test(ch)) out += ch;
    else if (c < 0x80) out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += '%u' + c.toString(16).toUpperCase().padStart(4, '0');
  }
  if (out.length > MAX_PLAIN_NAME) return '#' + toHex(sha256(getCore(), utf8(out)));
  return out;
}
