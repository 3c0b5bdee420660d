// The test vectors and reference files kept in test/vectors (each file's source, commit and
// licence are in test/vectors/README.md). Large files are stored as `<name>.gz`, the gzip of
// the byte-identical original; readVector hides that, so callers name the original file.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const ROOT = new URL('../vectors/', import.meta.url);

/** The original bytes of test/vectors/<relPath>, decompressing `<relPath>.gz` when that is what is stored. */
export function readVector(relPath: string): Buffer {
  if (relPath.startsWith('/') || relPath.split('/').includes('..')) {
    throw new Error(`readVector: ${relPath} is not a path inside test/vectors`);
  }
  const plain = new URL(relPath, ROOT);
  if (existsSync(plain)) return readFileSync(plain);
  const packed = new URL(`${relPath}.gz`, ROOT);
  if (existsSync(packed)) return gunzipSync(readFileSync(packed));
  throw new Error(`readVector: neither test/vectors/${relPath} nor test/vectors/${relPath}.gz exists`);
}

/** readVector as UTF-8 text (the .rsp files keep their CRLF line endings). */
export const readVectorText = (relPath: string): string => readVector(relPath).toString('utf8');

/** readVector parsed as JSON. */
export const readVectorJson = <T = unknown>(relPath: string): T => JSON.parse(readVectorText(relPath)) as T;
