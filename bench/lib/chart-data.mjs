// Key pair generation against node:crypto: the numbers behind the ratio chart (svg.mjs) and
// the "Key pair generation vs node:crypto" table (report.mjs), taken from a run object as
// bench/run.mjs writes it to results/*.json. Pure: no I/O, no node: imports (the spec list
// comes from the built core, which is not loaded by importing it).

import { KEY_PAIR_SPECS } from '../../dist/core/index.js';

/** Key pair specs in the order the chart and the table list them: the core's own order. */
export const KEY_PAIR_SPEC_ORDER = [...KEY_PAIR_SPECS];

/** The suites that time key pair generation, one group per spec (modexp, aead and kms do not). */
export const KEY_PAIR_SUITES = ['rsa', 'ec', 'mlkem'];

/**
 * The suites that time the operations of KMS keys (signatures, verification, MACs, OAEP, SM2PKE,
 * key encapsulation, Sign through KMSClient), one group per operation and key spec.
 */
export const OPERATION_SUITES = ['ecdsa', 'ed25519-sign', 'sm2', 'rsa-sign', 'mldsa', 'mac-kem', 'kms-sign'];

/** What every ratio is taken against, where the run measured it for the spec. */
export const REFERENCE = 'node:crypto';

// Row order inside a spec, and so the legend's order; a name not listed here follows, in the
// order the suite measured it.
const IMPLEMENTATION_ORDER = [
  'wasm-kms (simd)',
  'wasm-kms (scalar)',
  'node:crypto',
  'WebCrypto',
  '@noble/curves',
  'tiny-secp256k1',
  'sm-crypto-v2',
  '@noble/post-quantum',
];

const measured = (t) => t !== undefined && Number.isFinite(t.median) && t.median > 0;

function byImplementationOrder(names) {
  const rank = (n) => {
    const i = IMPLEMENTATION_ORDER.indexOf(n);
    return i < 0 ? IMPLEMENTATION_ORDER.length : i;
  };
  // Array.prototype.sort is stable, so unknown names keep their measured order.
  return [...names].sort((a, b) => rank(a) - rank(b));
}

/**
 * Per key pair spec the run measured (in KEY_PAIR_SPEC_ORDER, then any other spec of the
 * key-generation suites in run order), the ratio of each implementation's median to the
 * reference's median. The reference is node:crypto; a spec without a node:crypto task (ML-KEM:
 * Node 20's node:crypto has none) falls back to its suite's baseline and says so in `label`.
 * Tasks without a usable median are left out, as is a spec whose reference has none.
 *
 * @returns {{
 *   machine: object | undefined,
 *   mode: string | undefined,
 *   specs: Array<{
 *     spec: string, suite: string, reference: string, referenceMedian: number,
 *     label: string | undefined,
 *     bars: Array<{ name: string, median: number, ratio: number, reference: boolean }>,
 *   }>,
 *   implementations: string[],
 * }}
 */
export function keyPairRatios(run) {
  return suiteRatios(run, KEY_PAIR_SUITES, KEY_PAIR_SPEC_ORDER);
}

/**
 * The same ratios for the operations on KMS keys' algorithms (OPERATION_SUITES): one entry per
 * group of those suites, in run order, named "<suite>: <group>" where two suites share a group
 * name. The reference is node:crypto where the group measured it, else the suite's baseline.
 */
export function operationRatios(run) {
  return suiteRatios(run, OPERATION_SUITES, []);
}

function suiteRatios(run, suites, order) {
  const found = new Map();
  const seen = new Set();
  for (const suite of run?.suites ?? []) {
    if (!suites.includes(suite.id)) continue;
    for (const group of suite.groups ?? []) {
      const name = seen.has(group.name) ? `${suite.id}: ${group.name}` : group.name;
      seen.add(group.name);
      if (!found.has(name)) found.set(name, { suite, group });
    }
  }
  const known = order.filter((s) => found.has(s));
  const others = [...found.keys()].filter((s) => !order.includes(s));

  const specs = [];
  for (const spec of [...known, ...others]) {
    const { suite, group } = found.get(spec);
    const tasks = (group.tasks ?? []).filter(measured);
    const ref = tasks.find((t) => t.name === REFERENCE) ?? tasks.find((t) => t.name === suite.baseline);
    if (!ref) continue;
    const byName = new Map(tasks.map((t) => [t.name, t]));
    const bars = byImplementationOrder([...byName.keys()]).map((name) => {
      const t = byName.get(name);
      return { name, median: t.median, ratio: t.median / ref.median, reference: t === ref };
    });
    specs.push({
      spec,
      suite: suite.id,
      reference: ref.name,
      referenceMedian: ref.median,
      label: ref.name === REFERENCE ? undefined : `vs ${ref.name}`,
      bars,
    });
  }

  return {
    machine: run?.machine,
    mode: run?.mode,
    specs,
    implementations: byImplementationOrder([...new Set(specs.flatMap((s) => s.bars.map((b) => b.name)))]),
  };
}

/** A ratio with two decimals, three below 0.095 (0.056×) and one from 10 on (12.5×). */
export function formatRatio(r) {
  if (!Number.isFinite(r)) return '–';
  const digits = r >= 10 ? 1 : r >= 0.095 ? 2 : 3;
  return `${r.toFixed(digits)}×`;
}
