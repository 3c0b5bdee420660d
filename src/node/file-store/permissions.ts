// Who may write, or read (docs/file-store.md, "Permissions"): the store directory must be this
// user's and closed to others, no symbolic link inside it, and the master key file readable by
// its owner only.
import type { Stats } from 'node:fs';
import { StoreCorruptError, StorePermissionsError } from './errors.js';

/** Whether the platform has uids and mode bits that mean what they say (not Windows). */
export const hasModeBits = (): boolean => typeof process.geteuid === 'function';

/**
 * Who besides the owner has access in `mode` (its group and/or others), and what access:
 * "writable" when any of them may write, "readable" when they may read, else "open" (a
 * directory they may pass through). Undefined when only the owner has access.
 */
export function accessByOthers(mode: number): { what: 'writable' | 'readable' | 'open'; who: string } | undefined {
  const bits = mode & 0o077;
  if (bits === 0) return undefined;
  const group = (bits & 0o070) !== 0;
  const others = (bits & 0o007) !== 0;
  const who = group && others ? 'its group and by others' : group ? 'its group' : 'others';
  const what = (bits & 0o022) !== 0 ? 'writable' : (bits & 0o044) !== 0 ? 'readable' : 'open';
  return { what, who: what === 'open' ? who.replace('and by', 'and') : who };
}

export const octalMode = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Refuses a master key file that anyone but its owner may read or write, as OpenSSH refuses an
 * unprotected private key file: the key seals every secret in the store.
 */
export function checkKeyFileMode(file: string, mode: number): void {
  if (!hasModeBits()) return;
  const access = accessByOthers(mode);
  if (access === undefined) return;
  const by = access.what === 'open' ? `open to ${access.who}` : `${access.what} by ${access.who}`;
  throw new StorePermissionsError(
    `WASM_KMS_MASTER_KEY_FILE: ${file} is ${by} (mode ${octalMode(mode)}); the master key must be readable by its owner only; ` +
      `run: chmod 600 ${file}`,
  );
}

/**
 * Refuses a store directory that another user could write to (like OpenSSH's StrictModes): one
 * owned by another uid, or writable by its group or by others. Platforms without uids (Windows)
 * skip this; their ACLs are not mode bits.
 */
export function checkOwner(named: string, real: string, s: Stats): void {
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : undefined;
  if (euid === undefined) return;
  if (s.uid !== euid) {
    throw new StorePermissionsError(
      `wasm-kms file store: refusing the store directory ${named}: it is owned by uid ${s.uid}, not by this user (uid ${euid}), ` +
        'so its owner could replace or plant records; use a directory of your own (a missing one is created 0700)',
    );
  }
  // Any access by the group or others is refused, reading too: the file names in it are key
  // ids and alias names, which no one else needs to see.
  const access = accessByOthers(s.mode);
  if (access !== undefined) {
    const [by, risk] =
      access.what === 'writable'
        ? [`writable by ${access.who}`, 'another user could replace or plant records']
        : access.what === 'readable'
          ? [`readable by ${access.who}`, 'another user could list its keys and aliases']
          : [`open to ${access.who}`, 'another user could reach its files by name'];
    throw new StorePermissionsError(
      `wasm-kms file store: refusing the store directory ${named}: it is ${by} (mode ${octalMode(s.mode)}), so ${risk}; ` +
        `run: chmod 700 ${real}`,
    );
  }
}

/** A directory inside the store must be a real directory: a symbolic link could lead anywhere. */
export function checkStoreDir(path: string, s: Stats): void {
  if (s.isSymbolicLink()) {
    throw new StorePermissionsError(
      `wasm-kms file store: ${path} is a symbolic link; the store refuses symbolic links inside its directory ` +
        '(replace it with the directory it points to)',
    );
  }
  if (!s.isDirectory()) throw new StoreCorruptError(path, `wasm-kms file store: ${path} is not a directory`);
}
