// The package's version, from its package.json (two levels above src/node/ and dist/node/),
// read once; 'unknown' where the file cannot be read.

import { readFileSync } from 'node:fs';

let version: string | undefined;

export function packageVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: unknown;
      };
      version = String(pkg.version);
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
