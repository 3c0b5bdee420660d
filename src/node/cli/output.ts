// What the CLI prints, as the AWS CLI v2 prints it:
//   - json (default): the output with 4-space indentation, blobs as base64, timestamps as
//     ISO 8601 text in UTC with microseconds the way Python's isoformat writes them
//     ("2026-11-29T10:00:00.123000+00:00"; no fraction when it is zero), and nothing at all for
//     an empty output (CreateAlias, EnableKey...);
//   - text: the AWS CLI's text formatter: scalars of a structure on one tab-separated line in
//     key order (prefixed with the upper-cased name of the member that holds them), lists of
//     scalars one per line, booleans as True/False;
//   - --query: a subset of JMESPath (field paths, [n] indexes and [] / [*] projections), enough
//     for `--query Plaintext --output text`.

import { isOperationName, REGISTRY, type OutputMembers } from '../../kms/registry.js';
import { ParamError } from './params.js';

export type OutputFormat = 'json' | 'text';

/** Python's `datetime.isoformat()` of a UTC time, as the AWS CLI v2 prints timestamps. */
export function formatTimestamp(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = d.getUTCMilliseconds();
  const base = iso.slice(0, 19);
  return ms === 0 ? `${base}+00:00` : `${base}.${String(ms).padStart(3, '0')}000+00:00`;
}

/** The output as plain JSON data: bytes as base64, dates as text, no `$metadata`, no undefined members. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return formatTimestamp(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || v === undefined) continue;
      out[k] = toPlain(v);
    }
    return out;
  }
  return value;
}

// The AWS CLI prints members in the order of the service model's output shapes (botocore parses
// by walking the shape), not in the order a response happens to list them. The orders are the
// registry's output members (kms/registry.ts), nested structures included; members not listed
// keep their order after the listed ones.

function reorder(value: Record<string, unknown>, members: OutputMembers | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (members !== undefined)
    for (const [k, m] of Object.entries(members)) if (k in value) out[k] = orderNested(value[k], m.members);
  for (const [k, v] of Object.entries(value)) if (!(k in out)) out[k] = orderNested(v, undefined);
  return out;
}

/** A structure (or each structure of a list) in the order of its members. */
function orderNested(value: unknown, members: OutputMembers | undefined): unknown {
  if (Array.isArray(value)) return value.map((e) => orderNested(e, members));
  if (value !== null && typeof value === 'object') return reorder(value as Record<string, unknown>, members);
  return value;
}

/** Plain output data (toPlain) in the model's member order for `operation`. */
export function inModelOrder(operation: string, plain: unknown): unknown {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return plain;
  return reorder(plain as Record<string, unknown>, isOperationName(operation) ? REGISTRY[operation].output : undefined);
}

function isEmptyObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** The printed form (with its final newline), or '' when the AWS CLI prints nothing. */
export function render(plain: unknown, format: OutputFormat): string {
  if (plain === undefined || isEmptyObject(plain)) return '';
  if (format === 'json') return `${JSON.stringify(plain, null, 4)}\n`;
  const lines: string[] = [];
  formatText(plain, lines, undefined, undefined);
  return lines.map((l) => `${l}\n`).join('');
}

// ---------------------------------------------------------------------------------------------
// Text

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** A scalar as Python's str() writes it (the AWS CLI formats text with it). */
function scalarText(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function formatText(
  item: unknown,
  lines: string[],
  identifier: string | undefined,
  scalarKeys: string[] | undefined,
): void {
  if (Array.isArray(item)) formatList(item, lines, identifier);
  else if (item !== null && typeof item === 'object')
    formatDict(item as Record<string, unknown>, lines, identifier, scalarKeys);
  else lines.push(scalarText(item));
}

function formatList(items: unknown[], lines: string[], identifier: string | undefined): void {
  if (items.length === 0) return;
  if (items.some((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) {
    // Every element prints the same columns: the union of the scalar keys, sorted.
    const keys = new Set<string>();
    for (const e of items) {
      if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
        for (const [k, v] of Object.entries(e)) if (isScalar(v)) keys.add(k);
      }
    }
    const all = [...keys].sort();
    for (const e of items) formatText(e, lines, identifier, all);
  } else if (items.some(Array.isArray)) {
    const scalars = items.filter(isScalar);
    if (scalars.length > 0) formatScalarList(scalars, lines, identifier);
    for (const e of items) if (!isScalar(e)) formatText(e, lines, identifier, undefined);
  } else {
    formatScalarList(items, lines, identifier);
  }
}

function formatScalarList(items: unknown[], lines: string[], identifier: string | undefined): void {
  if (identifier !== undefined) for (const v of items) lines.push(`${identifier.toUpperCase()}\t${scalarText(v)}`);
  else lines.push(items.map(scalarText).join('\t'));
}

function formatDict(
  item: Record<string, unknown>,
  lines: string[],
  identifier: string | undefined,
  scalarKeys: string[] | undefined,
): void {
  const scalars: string[] = [];
  const nested: Array<[string, unknown]> = [];
  if (scalarKeys === undefined) {
    for (const k of Object.keys(item).sort()) {
      if (isScalar(item[k])) scalars.push(scalarText(item[k]));
      else nested.push([k, item[k]]);
    }
  } else {
    for (const k of scalarKeys) scalars.push(k in item ? scalarText(item[k]) : '');
    for (const k of Object.keys(item)
      .filter((k) => !scalarKeys.includes(k))
      .sort())
      nested.push([k, item[k]]);
  }
  if (scalars.length > 0) {
    if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
    lines.push(scalars.join('\t'));
  }
  for (const [k, v] of nested) formatText(v, lines, k, undefined);
}

// ---------------------------------------------------------------------------------------------
// --query (a JMESPath subset)

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'project' };

/**
 * Parses `A.B[0].C`, `Keys[].KeyId`, `Aliases[*].AliasName`. Anything else is refused as the AWS
 * CLI refuses a --query it cannot compile: "Bad value for --query EXPR: ..." (exit 252). What
 * follows the colon is this engine's wording (the AWS CLI prints the JMESPath parser's message);
 * valid JMESPath beyond the subset (filters, functions, multi-selects, pipes) is refused the
 * same way, never ignored.
 */
export function parseQuery(expr: string): Step[] {
  const bad = (why: string) => new ParamError(`Bad value for --query ${expr}: ${why}`);
  const steps: Step[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)"|\[\s*(-?\d+)\s*\]|\[\s*\*?\s*\]|(\.))/y;
  let pos = 0;
  let expectField = true;
  while (expr.slice(pos).trim() !== '') {
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (m === null) {
      throw bad('this tool supports field paths, [n] indexes and [] / [*] projections only');
    }
    pos = re.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) {
      if (!expectField) throw bad("expected '.' or '['");
      steps.push({ kind: 'field', name: m[1] ?? (JSON.parse(`"${m[2]}"`) as string) });
      expectField = false;
    } else if (m[4] !== undefined) {
      if (expectField) throw bad("unexpected '.'");
      expectField = true;
    } else {
      if (expectField && steps.length > 0) throw bad("unexpected '['");
      steps.push(m[3] !== undefined ? { kind: 'index', index: Number(m[3]) } : { kind: 'project' });
      expectField = false;
    }
  }
  if (steps.length === 0 || expectField) throw bad('incomplete expression');
  return steps;
}

/** The query applied to plain data; null where a path is missing, as JMESPath gives. */
export function applyQuery(steps: Step[], data: unknown): unknown {
  let current: unknown = data;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (current === null || current === undefined) return null;
    if (s.kind === 'field') {
      current =
        typeof current === 'object' && !Array.isArray(current)
          ? ((current as Record<string, unknown>)[s.name] ?? null)
          : null;
    } else if (s.kind === 'index') {
      if (!Array.isArray(current)) return null;
      current = current[s.index < 0 ? current.length + s.index : s.index] ?? null;
    } else {
      if (!Array.isArray(current)) return null;
      const rest = steps.slice(i + 1);
      // A projection applies the rest of the expression to each element and drops nulls.
      return current.map((e) => applyQuery(rest, e)).filter((v) => v !== null);
    }
  }
  return current;
}

/** As the AWS CLI prints a query result: null prints "null" in json and "None" in text. */
export function renderQueryResult(value: unknown, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(value, null, 4)}\n`;
  const lines: string[] = [];
  formatText(value, lines, undefined, undefined);
  return lines.map((l) => `${l}\n`).join('');
}
