// Execution tracing of the WebAssembly core, for the constant-time tests.
//
// instrumentModule() reads a build of the core with binaryen and rewrites every function
// body so that the module itself keeps, in a few mutable i64 globals:
//
//   insn      instructions executed. Every straight-line segment of a function (its body,
//             every loop iteration, every if arm, and the rest of a block after a nested
//             control structure or a br_if) starts with `insn += <number of instructions
//             in the segment>`: an instruction count per basic block. The count is exact
//             except where a br_if or branch nested inside an expression leaves a segment
//             early (the rest of that segment is still counted); it is deterministic for a
//             given path either way.
//   ctrl      a running 64-bit hash of every control decision, in order: the
//             site and outcome (zero / non-zero) of each if and br_if, the index of each
//             br_table and call_indirect, and the index of every function entered. Equal
//             hashes mean equal paths through the code (up to a 2^-64 chance of collision).
//   branches  the number of those decisions.
//   calls     function entries.
//   iters     loop iterations (loop body entries).
//   mem       a running hash of every memory address used, in order, with the site that
//             used it: the pointer of each load and store (scalar and SIMD), destination,
//             source and size of each memory.fill / memory.copy / memory.init, and the
//             delta of memory.grow.
//   memops    the number of those addresses.
//
// The rewritten module computes the same results as the original (the tests check that).
// With { profile: true }, each decision and each address is also reported to the host with
// its site, so two runs whose hashes differ can be compared site by site and access by
// access (slow: one host call per branch and per memory access).

import binaryen from 'binaryen';
import { expect } from 'vitest';

type Ref = number;

/** The expression wrapper classes of binaryen.js (present at run time, not in its typings). */
interface Wrapper {
  [method: string]: (...args: any[]) => any;
}
const W = binaryen as unknown as Record<string, Wrapper>;

// The hashes: h = (h ^ word) * K, then h ^= h >>> 31. Both steps are bijective in h, so a
// word (a zero too) always moves the state, and high bits feed back into low ones.
const HASH_K = BigInt.asIntN(64, 0x9e3779b97f4a7c15n);
const HASH_SEED = 0xcbf29ce484222325n;
/** Marks function entries in the control hash apart from decision words. */
const ENTRY_TAG = BigInt.asIntN(64, 1n << 63n);
const HASHES: readonly string[] = ['ctrl', 'mem'];

export interface Trace {
  insn: bigint;
  ctrl: bigint;
  branches: bigint;
  calls: bigint;
  iters: bigint;
  mem: bigint;
  memops: bigint;
}

export const COUNTERS = ['insn', 'ctrl', 'branches', 'calls', 'iters', 'mem', 'memops'] as const;
type Counter = (typeof COUNTERS)[number];

export type SiteKind = 'if' | 'br_if' | 'br_table' | 'call_indirect' | `${string} address`;

export interface Site {
  id: number;
  kind: SiteKind;
  /** The function that holds the site: its export name, else binaryen's internal name. */
  func: string;
}

export interface InstrumentOptions {
  /** Also report every decision to the host (`__ct.site(site, value)`). */
  profile?: boolean;
}

export interface InstrumentedModule {
  module: WebAssembly.Module;
  /** The instrumented binary (valid wasm). */
  binary: Uint8Array;
  /** Decision sites by id. */
  sites: Site[];
  /** Function labels by the id mixed into `ctrl` at entry. */
  functions: string[];
  /** Static instruction counts: all functions before instrumentation. */
  staticInstructions: number;
  profile: boolean;
}

// ---- What each kind of expression holds ---------------------------------------------------

/** Kinds whose children are plain fields, in evaluation order. */
const FIELDS = new Map<number, [string, string[]]>([
  [binaryen.BreakId, ['Break', ['Value', 'Condition']]],
  [binaryen.SwitchId, ['Switch', ['Value', 'Condition']]],
  [binaryen.LocalSetId, ['LocalSet', ['Value']]],
  [binaryen.GlobalSetId, ['GlobalSet', ['Value']]],
  [binaryen.LoadId, ['Load', ['Ptr']]],
  [binaryen.StoreId, ['Store', ['Ptr', 'Value']]],
  [binaryen.UnaryId, ['Unary', ['Value']]],
  [binaryen.BinaryId, ['Binary', ['Left', 'Right']]],
  [binaryen.SelectId, ['Select', ['IfTrue', 'IfFalse', 'Condition']]],
  [binaryen.DropId, ['Drop', ['Value']]],
  [binaryen.ReturnId, ['Return', ['Value']]],
  [binaryen.MemoryGrowId, ['MemoryGrow', ['Delta']]],
  [binaryen.SIMDExtractId, ['SIMDExtract', ['Vec']]],
  [binaryen.SIMDReplaceId, ['SIMDReplace', ['Vec', 'Value']]],
  [binaryen.SIMDShuffleId, ['SIMDShuffle', ['Left', 'Right']]],
  [binaryen.SIMDTernaryId, ['SIMDTernary', ['A', 'B', 'C']]],
  [binaryen.SIMDShiftId, ['SIMDShift', ['Vec', 'Shift']]],
  [binaryen.SIMDLoadId, ['SIMDLoad', ['Ptr']]],
  [binaryen.SIMDLoadStoreLaneId, ['SIMDLoadStoreLane', ['Ptr', 'Vec']]],
  [binaryen.MemoryCopyId, ['MemoryCopy', ['Dest', 'Source', 'Size']]],
  [binaryen.MemoryFillId, ['MemoryFill', ['Dest', 'Value', 'Size']]],
  [binaryen.MemoryInitId, ['MemoryInit', ['Dest', 'Offset', 'Size']]],
]);

/** Kinds without children. */
const LEAVES = new Set<number>([
  binaryen.ConstId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.NopId,
  binaryen.UnreachableId,
  binaryen.MemorySizeId,
  binaryen.DataDropId,
]);

/** Fields whose value is a memory address (or an amount of memory) to record. */
const ADDRESS_FIELDS = new Map<number, string[]>([
  [binaryen.LoadId, ['Ptr']],
  [binaryen.StoreId, ['Ptr']],
  [binaryen.SIMDLoadId, ['Ptr']],
  [binaryen.SIMDLoadStoreLaneId, ['Ptr']],
  [binaryen.MemoryCopyId, ['Dest', 'Source', 'Size']],
  [binaryen.MemoryFillId, ['Dest', 'Size']],
  [binaryen.MemoryInitId, ['Dest', 'Offset', 'Size']],
  [binaryen.MemoryGrowId, ['Delta']],
]);

/** What a memory-access site is, for reports: "i32.load address", "memory.copy source address"... */
function accessKind(id: number, field: string, e: Ref): SiteKind {
  switch (id) {
    case binaryen.LoadId:
      return `load${W.Load.getBytes(e) * 8} address`;
    case binaryen.StoreId:
      return `store${W.Store.getBytes(e) * 8} address`;
    case binaryen.SIMDLoadId:
      return 'v128 load address';
    case binaryen.SIMDLoadStoreLaneId:
      return W.SIMDLoadStoreLane.isStore(e) ? 'v128 lane store address' : 'v128 lane load address';
    case binaryen.MemoryCopyId:
      return `memory.copy ${field.toLowerCase()} address`;
    case binaryen.MemoryFillId:
      return `memory.fill ${field.toLowerCase()} address`;
    case binaryen.MemoryInitId:
      return `memory.init ${field.toLowerCase()} address`;
    default:
      return 'memory.grow delta address';
  }
}

function get(kind: string, field: string, e: Ref): Ref {
  return W[kind]['get' + field](e);
}
function set(kind: string, field: string, e: Ref, v: Ref): void {
  W[kind]['set' + field](e, v);
}

/** The children of e, in evaluation order (0 for absent optional ones). */
function childrenOf(e: Ref): Ref[] {
  const id = binaryen.getExpressionId(e);
  if (id === binaryen.BlockId) {
    const n = W.Block.getNumChildren(e);
    const out: Ref[] = [];
    for (let i = 0; i < n; i++) out.push(W.Block.getChildAt(e, i));
    return out;
  }
  if (id === binaryen.IfId) return [W.If.getCondition(e), W.If.getIfTrue(e), W.If.getIfFalse(e)];
  if (id === binaryen.LoopId) return [W.Loop.getBody(e)];
  if (id === binaryen.CallId || id === binaryen.CallIndirectId) {
    const kind = id === binaryen.CallId ? 'Call' : 'CallIndirect';
    const out: Ref[] = [];
    const n = W[kind].getNumOperands(e);
    for (let i = 0; i < n; i++) out.push(W[kind].getOperandAt(e, i));
    if (id === binaryen.CallIndirectId) out.push(W.CallIndirect.getTarget(e));
    return out;
  }
  const fields = FIELDS.get(id);
  if (fields) return fields[1].map((f) => get(fields[0], f, e));
  if (LEAVES.has(id)) return [];
  throw new Error(`instrument: unsupported expression id ${id}`);
}

/** The instructions an expression stands for in the binary (an unnamed block emits none). */
function ownWeight(e: Ref): number {
  if (binaryen.getExpressionId(e) === binaryen.BlockId) return W.Block.getName(e) ? 1 : 0;
  return 1;
}

/** Whether control can leave e other than by falling through (or enter its middle). */
function hasControl(e: Ref): boolean {
  if (!e) return false;
  const id = binaryen.getExpressionId(e);
  if (id === binaryen.IfId || id === binaryen.LoopId || id === binaryen.BreakId || id === binaryen.SwitchId)
    return true;
  if (id === binaryen.BlockId && W.Block.getName(e)) return true;
  return childrenOf(e).some(hasControl);
}

/** Number of instructions in a tree (for the static count). */
function size(e: Ref): number {
  if (!e) return 0;
  return ownWeight(e) + childrenOf(e).reduce((s, c) => s + size(c), 0);
}

// ---- The rewrite ---------------------------------------------------------------------------

const G: Record<Counter, string> = {
  insn: '__ct_insn',
  ctrl: '__ct_ctrl',
  branches: '__ct_branches',
  calls: '__ct_calls',
  iters: '__ct_iters',
  mem: '__ct_mem',
  memops: '__ct_memops',
};
const F_BR = '__ct_br'; // (cond, site) -> cond: records cond != 0
const F_IDX = '__ct_idx'; // (index, site) -> index: records the index
const F_ENTER = '__ct_enter'; // (fn) -> ()
const F_ADDR = '__ct_addr'; // (addr, site) -> addr

const FEATURES =
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SIMD128 |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.Multivalue;

class Rewriter {
  readonly sites: Site[] = [];
  private func = '';

  constructor(private readonly m: binaryen.Module) {}

  private add(counter: Counter, amount: number): Ref {
    const m = this.m;
    return m.global.set(G[counter], m.i64.add(m.global.get(G[counter], binaryen.i64), m.i64.const(BigInt(amount))));
  }

  private site(kind: SiteKind): number {
    const id = this.sites.length;
    this.sites.push({ id, kind, func: this.func });
    return id;
  }

  private decision(helper: string, value: Ref, kind: SiteKind): Ref {
    return this.m.call(helper, [value, this.m.i32.const(this.site(kind))], binaryen.i32);
  }

  /** A function body: entry hook, then a region. */
  rewriteFunction(fn: binaryen.FunctionRef, index: number, label: string): number {
    const info = binaryen.getFunctionInfo(fn);
    this.func = label;
    const staticSize = size(info.body);
    const body = this.region(info.body, []);
    const enter = this.m.call(F_ENTER, [this.m.i32.const(index)], binaryen.none);
    W.Function.setBody(fn, this.prepend(body, [enter]));
    return staticSize;
  }

  /** A region: a tree entered at its start (function body, loop body, if arm). */
  private region(e: Ref, extra: Ref[]): Ref {
    const seg = { w: 0 };
    const out = this.visit(e, seg);
    const head = seg.w > 0 ? [this.add('insn', seg.w), ...extra] : extra;
    return this.prepend(out, head);
  }

  /** Puts statements before e, inside it when e is a block. */
  private prepend(e: Ref, stmts: Ref[]): Ref {
    if (stmts.length === 0) return e;
    if (binaryen.getExpressionId(e) === binaryen.BlockId) {
      for (let i = stmts.length - 1; i >= 0; i--) W.Block.insertChildAt(e, 0, stmts[i]);
      return e;
    }
    return this.m.block(null, [...stmts, e], binaryen.getExpressionType(e));
  }

  /**
   * Rewrites the tree under e in place (returning its replacement) and adds the instructions
   * that run with it, up to nested regions, to the current segment `seg`.
   */
  private visit(e: Ref, seg: { w: number }): Ref {
    if (!e) return e;
    const id = binaryen.getExpressionId(e);
    seg.w += ownWeight(e);

    if (id === binaryen.BlockId) {
      this.list(e, seg);
      return e;
    }
    if (id === binaryen.IfId) {
      const cond = this.visit(W.If.getCondition(e), seg);
      W.If.setCondition(e, this.decision(F_BR, cond, 'if'));
      W.If.setIfTrue(e, this.region(W.If.getIfTrue(e), []));
      const no = W.If.getIfFalse(e);
      if (no) W.If.setIfFalse(e, this.region(no, []));
      return e;
    }
    if (id === binaryen.LoopId) {
      W.Loop.setBody(e, this.region(W.Loop.getBody(e), [this.add('iters', 1)]));
      return e;
    }
    if (id === binaryen.CallId || id === binaryen.CallIndirectId) {
      const kind = id === binaryen.CallId ? 'Call' : 'CallIndirect';
      const n = W[kind].getNumOperands(e);
      for (let i = 0; i < n; i++) W[kind].setOperandAt(e, i, this.visit(W[kind].getOperandAt(e, i), seg));
      if (id === binaryen.CallIndirectId) {
        const target = this.visit(W.CallIndirect.getTarget(e), seg);
        W.CallIndirect.setTarget(e, this.decision(F_IDX, target, 'call_indirect'));
      }
      return e;
    }
    const fields = FIELDS.get(id);
    if (fields) {
      const [kind, names] = fields;
      const addresses = ADDRESS_FIELDS.get(id) ?? [];
      for (const f of names) {
        const child = get(kind, f, e);
        if (!child) continue;
        let v = this.visit(child, seg);
        if (addresses.includes(f))
          v = this.m.call(F_ADDR, [v, this.m.i32.const(this.site(accessKind(id, f, e)))], binaryen.i32);
        if (id === binaryen.BreakId && f === 'Condition') v = this.decision(F_BR, v, 'br_if');
        if (id === binaryen.SwitchId && f === 'Condition') v = this.decision(F_IDX, v, 'br_table');
        set(kind, f, e, v);
      }
      return e;
    }
    if (LEAVES.has(id)) return e;
    throw new Error(`instrument: unsupported expression id ${id} in ${this.func}`);
  }

  /**
   * The children of a block. The first segment continues the enclosing one; after a child
   * with control flow in it, the rest starts a new segment with its own count.
   */
  private list(block: Ref, seg: { w: number }): void {
    const kids: Ref[] = [];
    const n = W.Block.getNumChildren(block);
    for (let i = 0; i < n; i++) kids.push(W.Block.getChildAt(block, i));
    const out: Ref[] = [];
    let cur = seg;
    let pending: { at: number; seg: { w: number } } | null = null;
    const flush = (): void => {
      if (pending && pending.seg.w > 0) out.splice(pending.at, 0, this.add('insn', pending.seg.w));
      pending = null;
    };
    for (let i = 0; i < kids.length; i++) {
      const split = hasControl(kids[i]);
      out.push(this.visit(kids[i], cur));
      if (split && i + 1 < kids.length) {
        flush();
        cur = { w: 0 };
        pending = { at: out.length, seg: cur };
      }
    }
    flush();
    W.Block.setChildren(block, out);
  }
}

function addHelpers(m: binaryen.Module, profile: boolean): void {
  const i32 = binaryen.i32;
  const i64 = binaryen.i64;
  for (const [c, name] of Object.entries(G))
    m.addGlobal(name, i64, true, m.i64.const(HASHES.includes(c) ? BigInt.asIntN(64, HASH_SEED) : 0n));
  const bump = (c: Counter): Ref => m.global.set(G[c], m.i64.add(m.global.get(G[c], i64), m.i64.const(1n)));
  // `tmp`: the index of an i64 local of the helper.
  const mix = (c: Counter, v: Ref, tmp: number): Ref =>
    m.block(null, [
      m.local.set(tmp, m.i64.mul(m.i64.xor(m.global.get(G[c], i64), v), m.i64.const(HASH_K))),
      m.global.set(G[c], m.i64.xor(m.local.get(tmp, i64), m.i64.shr_u(m.local.get(tmp, i64), m.i64.const(31n)))),
    ]);
  const siteWord = (value: Ref): Ref =>
    m.i64.or(m.i64.shl(m.i64.extend_u(m.local.get(1, i32)), m.i64.const(32n)), m.i64.extend_u(value));
  if (profile) {
    m.addFunctionImport('__ct_site', '__ct', 'site', binaryen.createType([i32, i32]), binaryen.none);
    m.addFunctionImport('__ct_access', '__ct', 'access', binaryen.createType([i32, i32]), binaryen.none);
  }
  const report = (value: Ref, hook = '__ct_site'): Ref[] =>
    profile ? [m.call(hook, [m.local.get(1, i32), value], binaryen.none)] : [];
  const params2 = binaryen.createType([i32, i32]);

  const taken = m.i32.ne(m.local.get(0, i32), m.i32.const(0));
  m.addFunction(
    F_BR,
    params2,
    i32,
    [i64],
    m.block(
      null,
      [
        mix('ctrl', siteWord(taken), 2),
        bump('branches'),
        ...report(m.i32.ne(m.local.get(0, i32), m.i32.const(0))),
        m.local.get(0, i32),
      ],
      i32,
    ),
  );
  m.addFunction(
    F_IDX,
    params2,
    i32,
    [i64],
    m.block(
      null,
      [
        mix('ctrl', siteWord(m.local.get(0, i32)), 2),
        bump('branches'),
        ...report(m.local.get(0, i32)),
        m.local.get(0, i32),
      ],
      i32,
    ),
  );
  m.addFunction(
    F_ENTER,
    i32,
    binaryen.none,
    [i64],
    m.block(
      null,
      [mix('ctrl', m.i64.or(m.i64.extend_u(m.local.get(0, i32)), m.i64.const(ENTRY_TAG)), 1), bump('calls')],
      binaryen.none,
    ),
  );
  m.addFunction(
    F_ADDR,
    params2,
    i32,
    [i64],
    m.block(
      null,
      [
        mix('mem', siteWord(m.local.get(0, i32)), 2),
        bump('memops'),
        ...report(m.local.get(0, i32), '__ct_access'),
        m.local.get(0, i32),
      ],
      i32,
    ),
  );
  for (const name of Object.values(G)) m.addGlobalExport(name, name);
}

/** Rewrites a build of the core (see the top of this file). */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions = {}): InstrumentedModule {
  const profile = options.profile ?? false;
  const m = binaryen.readBinary(bytes);
  try {
    m.setFeatures(FEATURES);
    const fns: binaryen.FunctionRef[] = [];
    for (let i = 0; i < m.getNumFunctions(); i++) fns.push(m.getFunctionByIndex(i));
    const rw = new Rewriter(m);
    // Release builds have no name section: label functions by their export names if any.
    const exported = new Map<string, string>();
    for (let i = 0; i < m.getNumExports(); i++) {
      const e = binaryen.getExportInfo(m.getExportByIndex(i));
      if (e.kind === binaryen.ExternalFunction && !exported.has(e.value)) exported.set(e.value, e.name);
    }
    const functions: string[] = [];
    let staticInstructions = 0;
    // Helpers come after the originals so that they are not instrumented themselves.
    addHelpers(m, profile);
    for (const fn of fns) {
      const info = binaryen.getFunctionInfo(fn);
      if (info.module) continue; // an import
      const label = exported.has(info.name) ? `${exported.get(info.name)} (export)` : `function ${info.name}`;
      functions.push(label);
      staticInstructions += rw.rewriteFunction(fn, functions.length - 1, label);
    }
    if (!m.validate()) throw new Error('instrument: the rewritten module does not validate');
    const binary = m.emitBinary();
    return {
      module: new WebAssembly.Module(binary as BufferSource),
      binary,
      sites: rw.sites,
      functions,
      staticInstructions,
      profile,
    };
  } finally {
    m.dispose();
  }
}

// ---- Running it ----------------------------------------------------------------------------

/** The core's ABI (as in src/core/module.ts), untyped beyond what the harness needs. */
export interface CoreAbi {
  memory: WebAssembly.Memory;
  begin(flags: number): void;
  alloc(len: number): number;
  wipe(): void;
  [name: string]: unknown;
}

export interface SiteProfile {
  /** Per decision site: how often it was reached with each outcome (0/1 for if and br_if). */
  counts: Map<number, Map<number, number>>;
  /** The memory accesses in order (the first MAX_RECORDED_ACCESSES of them). */
  accesses: AccessLog;
}

/** Up to this many accesses are kept per profiled run (8 bytes each). */
export const MAX_RECORDED_ACCESSES = 64 << 20;

/** A growing log of (site, address) pairs in typed arrays. */
export class AccessLog {
  sites: Uint32Array<ArrayBuffer> = new Uint32Array(1 << 16);
  values: Uint32Array<ArrayBuffer> = new Uint32Array(1 << 16);
  length = 0;
  /** Accesses seen, recorded or not. */
  total = 0;

  push(site: number, value: number): void {
    this.total++;
    if (this.length >= MAX_RECORDED_ACCESSES) return;
    if (this.length === this.sites.length) {
      const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
        const b = new Uint32Array(Math.min(a.length * 2, MAX_RECORDED_ACCESSES));
        b.set(a);
        return b;
      };
      this.sites = grow(this.sites);
      this.values = grow(this.values);
    }
    this.sites[this.length] = site;
    this.values[this.length] = value;
    this.length++;
  }
}

/** An instance of an instrumented module with helpers to feed it bytes and read counters. */
export class TracedCore {
  readonly x: CoreAbi;
  private readonly globals: Record<Counter, WebAssembly.Global>;
  private profileSink: SiteProfile | null = null;

  constructor(readonly im: InstrumentedModule) {
    let memory: WebAssembly.Memory | undefined;
    const imports: WebAssembly.Imports = {
      env: {
        fillRandom: (ptr: number, len: number): void => {
          if (!memory) throw new Error('memory not ready');
          const view = new Uint8Array(memory.buffer, ptr, len);
          for (let off = 0; off < len; off += 65536)
            crypto.getRandomValues(view.subarray(off, Math.min(len, off + 65536)));
        },
      },
    };
    if (im.profile) {
      imports.__ct = {
        site: (site: number, value: number): void => {
          const sink = this.profileSink;
          if (!sink) return;
          let per = sink.counts.get(site);
          if (!per) sink.counts.set(site, (per = new Map()));
          per.set(value, (per.get(value) ?? 0) + 1);
        },
        access: (site: number, value: number): void => {
          const sink = this.profileSink;
          if (!sink) return;
          sink.accesses.push(site, value >>> 0);
        },
      };
    }
    const instance = new WebAssembly.Instance(im.module, imports);
    this.x = instance.exports as unknown as CoreAbi;
    memory = this.x.memory;
    const g = {} as Record<Counter, WebAssembly.Global>;
    for (const c of COUNTERS) g[c] = instance.exports[G[c]] as WebAssembly.Global;
    this.globals = g;
  }

  fn(name: string): (...args: number[]) => number {
    const f = this.x[name];
    if (typeof f !== 'function') throw new Error(`the core exports no function ${name}`);
    return f as (...args: number[]) => number;
  }

  /** Copies bytes into fresh scratch and returns the pointer. */
  put(data: Uint8Array): number {
    const ptr = this.x.alloc(data.length);
    new Uint8Array(this.x.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  take(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, ptr, len).slice();
  }

  reset(): void {
    for (const c of COUNTERS) this.globals[c].value = HASHES.includes(c) ? BigInt.asIntN(64, HASH_SEED) : 0n;
  }

  read(): Trace {
    const t = {} as Trace;
    for (const c of COUNTERS) t[c] = BigInt.asUintN(64, this.globals[c].value as bigint);
    return t;
  }

  /** Starts collecting per-site outcomes (profile builds only) until the next stopProfile. */
  startProfile(): SiteProfile {
    if (!this.im.profile) throw new Error('instrumentModule(..., { profile: true }) is needed for site profiles');
    this.profileSink = { counts: new Map(), accesses: new AccessLog() };
    return this.profileSink;
  }

  stopProfile(): void {
    this.profileSink = null;
  }
}

export interface TracedCall<T> {
  result: T;
  trace: Trace;
  profile?: SiteProfile;
}

/**
 * One call sequence as the library makes it: begin(flags), `setup` (allocations and inputs;
 * not counted), then `op`, whose execution alone is counted, then wipe(). `op` may read its
 * outputs from memory (host reads are not counted).
 */
export function traceCall<A, T>(
  core: TracedCore,
  flags: number,
  setup: (c: TracedCore) => A,
  op: (c: TracedCore, args: A) => T,
  options: { profile?: boolean } = {},
): TracedCall<T> {
  core.x.begin(flags);
  try {
    const args = setup(core);
    const profile = options.profile ? core.startProfile() : undefined;
    core.reset();
    let result: T;
    try {
      result = op(core, args);
    } finally {
      core.stopProfile();
    }
    const trace = core.read();
    return { result, trace, profile };
  } finally {
    core.x.wipe();
  }
}

/** Whether two traces are equal in every counter and hash. */
export function sameTrace(a: Trace, b: Trace): boolean {
  return COUNTERS.every((c) => a[c] === b[c]);
}

/** Groups runs by their trace (all counters and hashes), in order of first appearance. */
export function groupByTrace<R extends { trace: Trace }>(runs: R[]): R[][] {
  const byKey = new Map<string, R[]>();
  for (const r of runs) {
    const key = formatTrace(r.trace);
    const g = byKey.get(key);
    if (g) g.push(r);
    else byKey.set(key, [r]);
  }
  return [...byKey.values()];
}

export function formatTrace(t: Trace): string {
  return COUNTERS.map((c) => `${c}=${c === 'ctrl' || c === 'mem' ? '0x' + t[c].toString(16) : t[c].toString()}`).join(
    ' ',
  );
}

export interface ProfileDiff {
  /** Decision sites reached a different number of times with some outcome. */
  sites: { site: Site; a: Map<number, number>; b: Map<number, number> }[];
  /** The first memory access that differs in site or address, if any. */
  firstAccess: { index: number; a?: { site: Site; value: number }; b?: { site: Site; value: number } } | null;
  accesses: [number, number];
}

/** Where two profiled runs part ways. */
export function compareProfiles(im: InstrumentedModule, a: SiteProfile, b: SiteProfile): ProfileDiff {
  const sites: ProfileDiff['sites'] = [];
  const ids = new Set([...a.counts.keys(), ...b.counts.keys()]);
  for (const id of [...ids].sort((p, q) => p - q)) {
    const pa = a.counts.get(id) ?? new Map<number, number>();
    const pb = b.counts.get(id) ?? new Map<number, number>();
    const keys = new Set([...pa.keys(), ...pb.keys()]);
    if ([...keys].some((k) => (pa.get(k) ?? 0) !== (pb.get(k) ?? 0))) sites.push({ site: im.sites[id], a: pa, b: pb });
  }
  const [ea, eb] = [a.accesses, b.accesses];
  const la = ea.length;
  const lb = eb.length;
  let firstAccess: ProfileDiff['firstAccess'] = null;
  const at = (p: SiteProfile, i: number): { site: Site; value: number } | undefined =>
    i < p.accesses.length ? { site: im.sites[p.accesses.sites[i]], value: p.accesses.values[i] } : undefined;
  for (let i = 0; i < Math.max(la, lb); i++) {
    if (i < la && i < lb && ea.sites[i] === eb.sites[i] && ea.values[i] === eb.values[i]) continue;
    firstAccess = { index: i, a: at(a, i), b: at(b, i) };
    break;
  }
  return { sites, firstAccess, accesses: [ea.total, eb.total] };
}

/** The sites where two profiles differ, with their functions: for a failure report. */
export function diffProfiles(im: InstrumentedModule, a: SiteProfile, b: SiteProfile, limit = 10): string[] {
  const d = compareProfiles(im, a, b);
  const fmt = (p: Map<number, number>): string =>
    JSON.stringify(Object.fromEntries([...p].sort((x, y) => x[0] - y[0])));
  const out = d.sites
    .slice(0, limit)
    .map(({ site, a: pa, b: pb }) => `site ${site.id} (${site.kind} in ${site.func}): ${fmt(pa)} vs ${fmt(pb)}`);
  if (d.firstAccess) {
    const f = (x?: { site: Site; value: number }): string =>
      x ? `${x.site.kind} 0x${x.value.toString(16)} (site ${x.site.id} in ${x.site.func})` : '(no more accesses)';
    out.push(
      `first differing memory access, #${d.firstAccess.index} of ${d.accesses[0]} / ${d.accesses[1]}: ${f(d.firstAccess.a)} vs ${f(d.firstAccess.b)}`,
    );
  } else if (d.accesses[0] !== d.accesses[1]) {
    out.push(
      `memory accesses: ${d.accesses[0]} vs ${d.accesses[1]}, equal as far as recorded (${MAX_RECORDED_ACCESSES})`,
    );
  }
  return out;
}

/**
 * Asserts that every run left the same trace (count, branch decisions, memory addresses), and
 * returns it. On failure the message lists up to six groups of runs with one example label each.
 */
export function expectOneTrace<R extends { label: string; trace: Trace }>(name: string, runs: R[]): Trace {
  const groups = groupByTrace(runs);
  const lines = groups
    .slice(0, 6)
    .map((g) => `  ${g.length} run(s) [${formatTrace(g[0]!.trace)}], e.g. ${g[0]!.label}`);
  expect(groups.length, `${name}: ${groups.length} distinct traces over ${runs.length} runs\n${lines.join('\n')}`).toBe(
    1,
  );
  console.info(`[ct] ${name}: ${runs.length} runs, one trace: ${formatTrace(runs[0]!.trace)}`);
  return runs[0]!.trace;
}
