// The benchmark report's key pair chart and table, from hand-made run objects shaped like
// bench/results/*.json: the ratios, which specs and implementations appear, the SVG's
// well-formedness and geometry (log axis, bars from the 1× line), and --report-from.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRatio, keyPairRatios, operationRatios } from '../bench/lib/chart-data.mjs';
import { keyPairTable, markdown } from '../bench/lib/report.mjs';
import {
  keyPairChart,
  logScale,
  operationsChart,
  ratioDomain,
  ratioTicks,
  throughputChart,
  throughputData,
  timingsChart,
} from '../bench/lib/svg.mjs';

// --- A small XML parser: enough of XML 1.0 to reject what a browser would refuse ----------

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string; // the element's own character data, entities decoded
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

function decode(raw: string, where: number): string {
  for (let i = raw.indexOf('&'); i >= 0; i = raw.indexOf('&', i + 1)) {
    if (!ENTITY.test(raw.slice(i))) throw new Error(`bad entity reference at ${where + i}`);
  }
  return raw.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e in named) return named[e]!;
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parses a standalone XML document into its root element; throws on anything not well-formed. */
function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  while (i < src.length) {
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      if (src.slice(i + 4, end).includes('--')) fail('"--" inside a comment');
      i = end + 3;
    } else if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_:][\w.:-]*)\s*>/.exec(src.slice(i));
      if (!m) fail('malformed end tag');
      const open = stack.pop();
      if (!open || open.name !== m![1]) fail(`end tag </${m![1]}> does not match <${open?.name ?? 'nothing'}>`);
      i += m![0].length;
    } else if (src[i] === '<') {
      i++;
      const name = NAME.exec(src.slice(i))?.[0] ?? fail('malformed start tag');
      i += name.length;
      const el: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0];
        i += ws.length;
        if (src.startsWith('/>', i) || src[i] === '>') break;
        if (!ws) fail('attributes must be separated by white space');
        const attr = /^([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(src.slice(i));
        if (!attr) fail('malformed attribute');
        if (attr![1]! in el.attrs) fail(`duplicate attribute ${attr![1]}`);
        el.attrs[attr![1]!] = decode(attr![3] ?? attr![4]!, i);
        i += attr![0].length;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('a second root element');
      else root = el;
      if (src.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    } else {
      const end = src.indexOf('<', i);
      const raw = src.slice(i, end < 0 ? src.length : end);
      const top = stack[stack.length - 1];
      if (top) top.text += decode(raw, i);
      else if (raw.trim()) fail('text outside the root element');
      i += raw.length;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean, out: XmlElement[] = []): XmlElement[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

/** The text of an element and its descendants, as a renderer would show it. */
const textOf = (el: XmlElement): string => el.text + el.children.map(textOf).join('');
const num = (el: XmlElement, attr: string): number => Number(el.attrs[attr]);

// --- Hand-made runs --------------------------------------------------------------------------

interface Task {
  name: string;
  median: number;
}

const task = ({ name, median }: Task) => ({
  name,
  samples: 100,
  median,
  mean: median,
  p99: median * 2,
  min: median / 2,
  max: median * 3,
  ratio: NaN,
});
const group = (name: string, tasks: Task[]) => ({
  name,
  budget: { timeMs: 1000, minSamples: 10, rounds: 4, warmup: 2 },
  tasks: tasks.map(task),
});

const MACHINE = {
  date: '2026-01-02T03:04:05.000Z',
  node: 'v20.99.1',
  v8: '11.3',
  openssl: '3.0.0',
  cpu: 'Test CPU 9000',
  cores: 2,
  platform: 'linux x64',
  memoryGiB: 8,
  loadAverage: [0.5, 0.5, 0.5],
};

function sampleRun() {
  return {
    machine: MACHINE,
    mode: 'default',
    suites: [
      // ec listed before rsa: the chart orders by spec, not by suite.
      {
        id: 'ec',
        title: 'EC key generation',
        baseline: 'node:crypto',
        targets: [],
        groups: [
          group('ECC_NIST_P256', [
            { name: 'wasm-kms (simd)', median: 0.05 },
            { name: 'wasm-kms (scalar)', median: 0.1 },
            { name: 'node:crypto', median: 0.5 },
            { name: 'WebCrypto', median: 1.0 },
            { name: '@noble/curves', median: 1.5 },
          ]),
          // no WebCrypto for secp256k1; tiny-secp256k1 measured before @noble/curves
          group('ECC_SECG_P256K1', [
            { name: 'wasm-kms (simd)', median: 0.04 },
            { name: 'node:crypto', median: 0.4 },
            { name: 'tiny-secp256k1', median: 0.08 },
            { name: '@noble/curves', median: 0.3 },
          ]),
          // a task whose median is unusable is left out, the rest of the spec stays
          group('SM2', [
            { name: 'wasm-kms (simd)', median: 0.07 },
            { name: 'node:crypto', median: 0.35 },
            { name: 'sm-crypto-v2', median: NaN },
          ]),
        ],
      },
      {
        id: 'rsa',
        title: 'RSA key generation',
        baseline: 'node:crypto',
        targets: [],
        groups: [
          group('RSA_2048', [
            { name: 'wasm-kms (simd)', median: 20 },
            { name: 'node:crypto', median: 100 },
            { name: 'WebCrypto', median: 200 },
          ]),
        ],
      },
      {
        id: 'mlkem',
        title: 'ML-KEM key generation',
        baseline: '@noble/post-quantum',
        targets: [],
        groups: [
          group('ML_KEM_768', [
            { name: 'wasm-kms (simd)', median: 0.01 },
            { name: 'wasm-kms (scalar)', median: 0.02 },
            { name: '@noble/post-quantum', median: 0.2 },
          ]),
        ],
      },
      // Not key pair generation: never in the chart, though kms names its groups by spec.
      {
        id: 'kms',
        title: 'KMS layer overhead',
        baseline: 'generateKeyPair',
        targets: [],
        groups: [
          group('ECC_NIST_P384', [
            { name: 'generateKeyPair', median: 1 },
            { name: 'KMSClient GenerateDataKeyPair', median: 1.1 },
          ]),
        ],
      },
      {
        id: 'aead',
        title: 'AES-256-GCM encryption',
        baseline: 'node:crypto',
        targets: [],
        groups: [
          group('1,217 bytes', [
            { name: 'node:crypto', median: 0.004 },
            { name: 'wasm-kms (simd)', median: 0.009 },
          ]),
        ],
      },
    ],
    targets: [],
  };
}

// --- Tests -------------------------------------------------------------------------------------

describe('the XML checker used below', () => {
  it('accepts a well-formed document and refuses broken ones', () => {
    const ok = parseXml('<?xml version="1.0"?>\n<a x="1" y=\'&lt;2&gt;\'><!-- c --><b/>t &amp; u<c>v</c></a>\n');
    expect(ok.attrs).toEqual({ x: '1', y: '<2>' });
    expect(ok.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(ok.text).toBe('t & u');
    for (const bad of [
      '<a><b></a></b>',
      '<a>',
      '<a x="1" x="2"/>',
      '<a>&nope;</a>',
      '<a>1 < 2</a>',
      '<a x=1/>',
      '<a/><b/>',
      '<a x="1"y="2"/>',
      '<a>R&D</a>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });
});

describe('keyPairRatios', () => {
  const data = keyPairRatios(sampleRun());
  const spec = (name: string) => data.specs.find((s) => s.spec === name)!;
  const ratioOf = (s: string, impl: string) => spec(s).bars.find((b) => b.name === impl)?.ratio;

  it('lists the measured specs in the KMS order and leaves out the rest and the other suites', () => {
    expect(data.specs.map((s) => s.spec)).toEqual([
      'RSA_2048',
      'ECC_NIST_P256',
      'ECC_SECG_P256K1',
      'SM2',
      'ML_KEM_768',
    ]);
    expect(data.specs.map((s) => s.suite)).toEqual(['rsa', 'ec', 'ec', 'ec', 'mlkem']);
    expect(data.machine).toEqual(MACHINE);
  });

  it('divides each median by node:crypto’s median in the same spec', () => {
    expect(ratioOf('RSA_2048', 'wasm-kms (simd)')).toBeCloseTo(0.2, 12);
    expect(ratioOf('RSA_2048', 'WebCrypto')).toBeCloseTo(2, 12);
    expect(ratioOf('ECC_NIST_P256', 'wasm-kms (simd)')).toBeCloseTo(0.1, 12);
    expect(ratioOf('ECC_NIST_P256', '@noble/curves')).toBeCloseTo(3, 12);
    expect(ratioOf('ECC_SECG_P256K1', 'tiny-secp256k1')).toBeCloseTo(0.2, 12);
    const p256 = spec('ECC_NIST_P256');
    expect(p256.reference).toBe('node:crypto');
    expect(p256.referenceMedian).toBe(0.5);
    expect(p256.label).toBeUndefined();
    expect(p256.bars.find((b) => b.reference)).toMatchObject({ name: 'node:crypto', ratio: 1 });
    expect(p256.bars.filter((b) => b.reference)).toHaveLength(1);
  });

  it('takes ML-KEM against its suite’s reference and labels it', () => {
    const mlkem = spec('ML_KEM_768');
    expect(mlkem.reference).toBe('@noble/post-quantum');
    expect(mlkem.label).toBe('vs @noble/post-quantum');
    expect(ratioOf('ML_KEM_768', 'wasm-kms (simd)')).toBeCloseTo(0.05, 12);
    expect(ratioOf('ML_KEM_768', 'wasm-kms (scalar)')).toBeCloseTo(0.1, 12);
    expect(mlkem.bars.map((b) => b.name)).not.toContain('node:crypto');
  });

  it('leaves an implementation out of a spec it was not measured for', () => {
    expect(spec('ECC_SECG_P256K1').bars.map((b) => b.name)).toEqual([
      'wasm-kms (simd)',
      'node:crypto',
      '@noble/curves',
      'tiny-secp256k1',
    ]);
    expect(ratioOf('ECC_SECG_P256K1', 'WebCrypto')).toBeUndefined();
    expect(spec('SM2').bars.map((b) => b.name)).toEqual(['wasm-kms (simd)', 'node:crypto']);
    expect(data.implementations).toEqual([
      'wasm-kms (simd)',
      'wasm-kms (scalar)',
      'node:crypto',
      'WebCrypto',
      '@noble/curves',
      'tiny-secp256k1',
      '@noble/post-quantum',
    ]);
  });

  it('drops a spec whose reference has no median, and copes with a run without suites', () => {
    const run = sampleRun();
    run.suites[1]!.groups[0]!.tasks.find((t) => t.name === 'node:crypto')!.median = NaN;
    expect(keyPairRatios(run).specs.map((s) => s.spec)).not.toContain('RSA_2048');
    expect(keyPairRatios({ machine: MACHINE, suites: [], targets: [] }).specs).toEqual([]);
  });

  it('formats ratios compactly', () => {
    expect([0.0482, 0.4291, 1, 1.905, 12.34, NaN].map(formatRatio)).toEqual([
      '0.048×',
      '0.43×',
      '1.00×',
      '1.91×',
      '12.3×',
      '–',
    ]);
  });
});

describe('the log axis', () => {
  it('spaces decades evenly', () => {
    const x = logScale([0.01, 100], [100, 500]);
    expect(x(0.01)).toBeCloseTo(100, 9);
    expect(x(1)).toBeCloseTo(300, 9);
    expect(x(100)).toBeCloseTo(500, 9);
    expect(x(1) - x(0.1)).toBeCloseTo(x(10) - x(1), 9);
  });

  it('encloses the data on 1-3-10 ticks and keeps 1× in the middle third', () => {
    expect(ratioDomain([0.5, 1.2])).toEqual([0.3, 3]);
    expect(ratioDomain([0.048, 3.02])).toEqual([0.03, 10]);
    const [lo, hi] = ratioDomain([0.002, 0.9]);
    expect(lo).toBeLessThanOrEqual(0.002);
    expect(Math.log10(hi)).toBeGreaterThanOrEqual(-Math.log10(lo) / 2);
    expect(ratioTicks([0.03, 10])).toEqual([0.03, 0.1, 0.3, 1, 3, 10]);
  });
});

describe('keyPairChart', () => {
  const svg = keyPairChart(sampleRun());
  const doc = parseXml(svg);
  const bars = all(doc, (e) => e.name === 'rect' && 'data-implementation' in e.attrs);
  const bar = (spec: string, impl: string) =>
    bars.find((b) => b.attrs['data-spec'] === spec && b.attrs['data-implementation'] === impl);
  const oneLine = all(doc, (e) => e.name === 'line' && e.attrs['data-tick'] === '1');
  const gridX = (tick: string) => num(all(doc, (e) => e.name === 'line' && e.attrs['data-tick'] === tick)[0]!, 'x1');
  const texts = all(doc, (e) => e.name === 'text').map(textOf);

  it('is a standalone SVG document GitHub can show at README width', () => {
    expect(doc.name).toBe('svg');
    expect(doc.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(num(doc, 'width')).toBe(900);
    const height = num(doc, 'height');
    expect(height).toBeGreaterThan(200);
    expect(doc.attrs.viewBox).toBe(`0 0 900 ${height}`);
    expect(doc.children[0]!.name).toBe('style');
    expect(doc.children[0]!.text).toContain('.one{');
  });

  it('says when, on which Node and which CPU', () => {
    const header = texts.find((t) => t.includes('Node '))!;
    expect(header).toContain('2026-01-02');
    expect(header).toContain('v20.99.1');
    expect(header).toContain('Test CPU 9000');
  });

  it('draws faster bars from the 1× line leftwards and slower ones rightwards, on the log scale', () => {
    expect(oneLine).toHaveLength(1);
    const one = num(oneLine[0]!, 'x1');
    const fast = bar('ECC_NIST_P256', 'wasm-kms (simd)')!; // 0.1×
    const slow = bar('RSA_2048', 'WebCrypto')!; // 2×
    expect(Number(fast.attrs['data-ratio'])).toBeCloseTo(0.1, 12);
    expect(num(fast, 'x') + num(fast, 'width')).toBeCloseTo(one, 0);
    expect(num(fast, 'x')).toBeLessThan(one);
    expect(Math.abs(num(fast, 'x') - gridX('0.1'))).toBeLessThanOrEqual(1);
    expect(num(slow, 'x')).toBeCloseTo(one, 0);
    expect(num(slow, 'x') + num(slow, 'width')).toBeGreaterThan(one);
    // 2× lies between the 1× and 3× gridlines, log(2)/log(3) of the way
    const twoX = num(slow, 'x') + num(slow, 'width');
    expect(Math.abs(twoX - (one + (gridX('3') - one) * (Math.log10(2) / Math.log10(3))))).toBeLessThanOrEqual(1);
  });

  it('puts 1× in the middle of the axis and spaces decades evenly', () => {
    const one = num(oneLine[0]!, 'x1');
    const ticks = all(doc, (e) => e.name === 'line' && 'data-tick' in e.attrs).map((e) => num(e, 'x1'));
    const [left, right] = [Math.min(...ticks), Math.max(...ticks)];
    expect((one - left) / (right - left)).toBeGreaterThan(1 / 3);
    expect((one - left) / (right - left)).toBeLessThan(2 / 3);
    expect(Math.abs(one - gridX('0.1') - (gridX('10') - one))).toBeLessThanOrEqual(1);
    expect(gridX('0.1')).toBeLessThan(gridX('0.3'));
  });

  it('prints the ratio next to each bar', () => {
    // every task but the references (5) and the one without a median (1)
    expect(bars).toHaveLength(12);
    const labels = all(doc, (e) => e.name === 'text' && e.attrs.class === 'value');
    for (const b of bars) {
      const ratio = Number(b.attrs['data-ratio']);
      const far = ratio < 1 ? num(b, 'x') : num(b, 'x') + num(b, 'width');
      const mid = num(b, 'y') + num(b, 'height') / 2;
      const label = labels.find((t) => Math.abs(num(t, 'y') - 4 - mid) <= 1);
      expect(label, b.attrs['data-implementation']).toBeDefined();
      expect(textOf(label!)).toBe(formatRatio(ratio));
      expect(Math.abs(num(label!, 'x') - far)).toBeLessThanOrEqual(6);
      expect(label!.attrs['text-anchor'] === 'end').toBe(ratio < 1);
    }
    for (const t of ['0.10×', '0.20×', '2.00×', '3.00×', '0.050×']) expect(texts).toContain(t);
  });

  it('labels the ML-KEM spec with its reference and leaves out what was not measured', () => {
    const head = all(doc, (e) => e.name === 'text' && e.attrs['data-spec'] === 'ML_KEM_768')[0]!;
    expect(head.attrs['data-reference']).toBe('@noble/post-quantum');
    expect(textOf(head)).toContain('vs @noble/post-quantum');
    expect(textOf(all(doc, (e) => e.name === 'text' && e.attrs['data-spec'] === 'RSA_2048')[0]!)).toContain(
      'node:crypto',
    );
    expect(bar('ECC_SECG_P256K1', 'WebCrypto')).toBeUndefined();
    expect(bar('ECC_NIST_P256', 'WebCrypto')).toBeDefined();
    expect(bars.some((b) => b.attrs['data-implementation'] === 'node:crypto')).toBe(false);
    expect(bars.some((b) => b.attrs['data-spec'] === 'ECC_NIST_P384')).toBe(false); // only the kms suite has it
    const specsInOrder = all(doc, (e) => e.name === 'text' && 'data-spec' in e.attrs).map((e) => e.attrs['data-spec']);
    expect(specsInOrder).toEqual(['RSA_2048', 'ECC_NIST_P256', 'ECC_SECG_P256K1', 'SM2', 'ML_KEM_768']);
  });

  it('gives each implementation one colour, with a legend', () => {
    const fills = new Map<string, Set<string>>();
    for (const b of bars) {
      const set = fills.get(b.attrs['data-implementation']!) ?? new Set();
      set.add(b.attrs.fill!);
      fills.set(b.attrs['data-implementation']!, set);
    }
    for (const set of fills.values()) expect(set.size).toBe(1);
    const colours = [...fills.values()].map((s) => [...s][0]);
    expect(new Set(colours).size).toBe(colours.length);
    for (const name of fills.keys()) {
      const label = all(doc, (e) => e.name === 'text' && e.attrs.class === 'legend' && e.text === name);
      expect(label, name).toHaveLength(1);
    }
  });

  it('stays well-formed with markup in names, and says so when no key pairs were timed', () => {
    const run = sampleRun();
    run.suites[1]!.groups[0]!.tasks[0]!.name = 'a<b> & "c"';
    const odd = parseXml(keyPairChart(run));
    expect(all(odd, (e) => e.attrs['data-implementation'] === 'a<b> & "c"')).toHaveLength(1);
    const aeadOnly = { ...sampleRun(), suites: sampleRun().suites.filter((s) => s.id === 'aead') };
    const empty = parseXml(keyPairChart(aeadOnly));
    expect(
      all(empty, (e) => e.name === 'text')
        .map(textOf)
        .join('\n'),
    ).toContain('No key pair generation in this run (suites: aead)');
    parseXml(timingsChart(sampleRun()));
  });
});

describe('the Markdown report', () => {
  it('has a spec × implementation table of ratios near the top', () => {
    const table = keyPairTable(keyPairRatios(sampleRun())).split('\n');
    expect(table[0]).toBe(
      '| Key spec | Reference = 1× (its median) | wasm-kms (simd) | wasm-kms (scalar) | WebCrypto | @noble/curves | tiny-secp256k1 |',
    );
    expect(table).toContain('| RSA_2048 | node:crypto (100 ms) | 0.20× |  | 2.00× |  |  |');
    expect(table).toContain('| ECC_SECG_P256K1 | node:crypto (0.400 ms) | 0.10× |  |  | 0.75× | 0.20× |');
    expect(table).toContain('| ML_KEM_768 | **vs @noble/post-quantum** (0.200 ms) | 0.050× | 0.10× |  |  |  |');
    const md = markdown(sampleRun(), { chart: 'x.svg', timings: 'x-timings.svg' });
    const at = md.indexOf('## Key pair generation vs node:crypto');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf('## EC key generation'));
    expect(md).toContain('](x.svg)');
    expect(md).toContain('| RSA_2048 | node:crypto (100 ms) | 0.20× |');
  });
});

describe('the endpoint throughput chart (load suite)', () => {
  /** A run with the load suite: 20,000 answers in 500 ms bare (40,000/s), 2,500 ms serve (8,000/s). */
  function loadRun() {
    return {
      machine: MACHINE,
      mode: 'default',
      suites: [
        {
          id: 'load',
          title: 'HTTP endpoint under autocannon',
          baseline: 'bare node:http',
          targets: [{ group: '20000 answers, 64 connections', task: 'serve', maxRatio: 2.5 }],
          groups: [
            group('20000 answers, 64 connections', [
              { name: 'bare node:http', median: 500 },
              { name: 'bare + core pair', median: 2000 },
              { name: 'serve', median: 2500 },
            ]),
            group('RSA_2048, 12 pairs at once', [{ name: 'pool, 1 thread', median: 1000 }]),
          ],
          notes: [],
        },
      ],
      targets: [],
    };
  }

  it("gives each server's requests/s and its share of the bare server's, and the target as a share", () => {
    const d = throughputData(loadRun())!;
    expect(d.answers).toBe(20000);
    expect(d.bars.map((b: { name: string; share: number; rps: number }) => [b.name, b.share, b.rps])).toEqual([
      ['bare node:http', 1, 40000],
      ['bare + core pair', 0.25, 10000],
      ['serve', 0.2, 8000],
    ]);
    expect(d.targets).toEqual([{ task: 'serve', share: 0.4 }]);
  });

  it('draws one bar per server, scaled to the bare one, with the target line, as well-formed SVG', () => {
    const svg = parseXml(throughputChart(loadRun())!);
    const bars = all(svg, (e) => e.name === 'rect' && e.attrs.height === '16');
    expect(bars).toHaveLength(3);
    const widths = bars.map((b) => num(b, 'width'));
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.25, 2);
    expect(widths[2]! / widths[0]!).toBeCloseTo(0.2, 2);
    const labels = all(svg, (e) => e.name === 'text').map(textOf);
    expect(labels).toContain('0.200× · 8,000 requests/s');
    expect(labels).toContain('target: serve ≥ 0.40×');
    const target = all(svg, (e) => e.name === 'line' && e.attrs['stroke-dasharray'] !== undefined);
    expect(target).toHaveLength(1);
    expect((num(target[0]!, 'x1') - num(bars[0]!, 'x')) / widths[0]!).toBeCloseTo(0.4, 2);
  });

  it('is absent from a run without the load suite, and the report links it only when written', () => {
    expect(throughputChart(sampleRun())).toBeUndefined();
    expect(markdown(loadRun(), { throughput: 'x-load.svg' })).toContain('](x-load.svg)');
    expect(markdown(loadRun(), {})).not.toContain('-load.svg');
  });
});

describe('operations chart and table (sign, verify, MAC, KEM)', () => {
  function opsRun() {
    const run = sampleRun();
    return {
      ...run,
      suites: [
        ...run.suites,
        {
          id: 'ecdsa',
          title: 'ECDSA',
          baseline: 'node:crypto',
          targets: [],
          groups: [
            group('ECC_NIST_P256 sign', [
              { name: 'wasm-kms (simd)', median: 0.1 },
              { name: 'node:crypto', median: 0.05 },
            ]),
          ],
        },
        {
          id: 'mldsa',
          title: 'ML-DSA',
          baseline: '@noble/post-quantum',
          targets: [],
          // the same group name as another suite's: told apart by the suite
          groups: [
            group('ECC_NIST_P256 sign', [
              { name: 'wasm-kms (simd)', median: 0.3 },
              { name: '@noble/post-quantum', median: 10 },
            ]),
          ],
        },
      ],
    };
  }

  it('takes one entry per operation group of the operation suites only, against node:crypto or the suite baseline', () => {
    const d = operationRatios(opsRun());
    expect(d.specs.map((s: { spec: string }) => s.spec)).toEqual(['ECC_NIST_P256 sign', 'mldsa: ECC_NIST_P256 sign']);
    const [ecdsa, mldsa] = d.specs as Array<{ reference: string; bars: Array<{ name: string; ratio: number }> }>;
    expect(ecdsa!.reference).toBe('node:crypto');
    expect(ecdsa!.bars.find((b) => b.name === 'wasm-kms (simd)')!.ratio).toBeCloseTo(2, 9);
    expect(mldsa!.reference).toBe('@noble/post-quantum');
    expect(mldsa!.bars.find((b) => b.name === 'wasm-kms (simd)')!.ratio).toBeCloseTo(0.03, 9);
    expect(operationRatios(sampleRun()).specs).toEqual([]);
  });

  it('draws a bar per implementation, as well-formed SVG, and is absent from a run without operation suites', () => {
    const svg = parseXml(operationsChart(opsRun())!);
    const bars = all(svg, (e) => e.name === 'rect' && e.attrs['data-ratio'] !== undefined);
    expect(bars.map((b) => [b.attrs['data-spec'], Number(b.attrs['data-ratio'])])).toEqual([
      ['ECC_NIST_P256 sign', 2],
      ['mldsa: ECC_NIST_P256 sign', 0.03],
    ]);
    expect(operationsChart(sampleRun())).toBeUndefined();
  });

  it('the report has the operations table, and links the chart only when written', () => {
    const md = markdown(opsRun(), { operations: 'x-operations.svg' });
    expect(md).toContain('## Operations with KMS keys vs node:crypto');
    expect(md).toContain('](x-operations.svg)');
    expect(md).toContain('| ECC_NIST_P256 sign | node:crypto (0.050 ms) | 2.00× |');
    expect(markdown(opsRun(), {})).not.toContain('-operations.svg');
    expect(markdown(sampleRun(), {})).not.toContain('## Operations with KMS keys');
  });
});

describe('bench/run.mjs --report-from', () => {
  const runner = fileURLToPath(new URL('../bench/run.mjs', import.meta.url));

  it('rewrites the Markdown and both charts beside a saved run without measuring', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const saved = join(dir, 'saved.json');
      writeFileSync(saved, JSON.stringify(sampleRun()));
      const r = spawnSync(process.execPath, [runner, '--report-from', saved], { encoding: 'utf8' });
      expect(r.stderr).toContain('wrote');
      expect(r.status).toBe(0);
      const md = readFileSync(join(dir, 'saved.md'), 'utf8');
      expect(md).toContain('](saved.svg)');
      expect(md).toContain('| ML_KEM_768 | **vs @noble/post-quantum** (0.200 ms) |');
      expect(readFileSync(join(dir, 'saved.svg'), 'utf8')).toBe(keyPairChart(sampleRun()));
      parseXml(readFileSync(join(dir, 'saved-timings.svg'), 'utf8'));
      expect(readFileSync(saved, 'utf8')).toBe(JSON.stringify(sampleRun()));

      writeFileSync(join(dir, 'bad.json'), '{"suites": []}');
      const bad = spawnSync(process.execPath, [runner, '--report-from', join(dir, 'bad.json')], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('not a saved benchmark run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
