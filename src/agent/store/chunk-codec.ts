/**
 * The column-wise codec of a chunk: N consecutive samples of one target, each flattened to path → leaf value.
 *
 * Layout, version 2 (what {@link encodeChunk} writes):
 * ```
 * 0x07 · 2 · length of part 1 · part 1 · part 2   (each part deflated on its own)
 * part 1: N · wallMs column (first value, then deltas) · string dictionary · node count · node table · segment 0
 * node table, per node: parent · key (object key or array index) · kind: none | constant (type, value) | streamed
 * part 2: segment 1
 * segment s: per streamed node, in node order, its column over the segment's samples (the numbers of segment 1
 *            delta-encoded from the first number of segment 0, when an integer: one absolute value per column)
 * column: leaf types run-length encoded · numbers (integers delta-encoded, decimals scaled then delta-encoded,
 *         otherwise raw float64) · strings as dictionary indices · string arrays (kernel stack frames) as
 *         dictionary indices, "same as the previous sample" as one byte
 * ```
 * The samples are split into two segments by their wall times alone (so the split is not stored): segment 0
 * holds each sample that is the first (in stored order) of its aligned minute, segment 1 the rest. A read at a
 * step of whole minutes needs only part 1 (the first sample of such an aligned step is always the first of its
 * aligned minute): a day at a 60 s step inflates and walks 1/60 of the samples' columns, not all of them. (A
 * 10 s level as well costs 40 % more bytes: its deltas and the rest's are longer; this one costs about 6 %.)
 * The 0x07 first byte cannot start a raw deflate stream (block type 3 is reserved), so version 1 chunks (one
 * deflated stream: version=1 · N · walls · dictionary · node count · per node: parent · key · column) are told
 * apart and still read.
 *
 * The paths form a trie (node 0 is the sample itself); a sample is rebuilt by walking it. Leaves are numbers
 * (including Infinity, NaN and -0), strings, booleans, null, `{}`, `[]` and arrays of strings. Object
 * properties that are `undefined` are dropped and `undefined` array items become `null`, as in JSON, so a
 * chunk round-trips exactly what {@link losslessStringify} would.
 */
import zlib from 'node:zlib';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { decimalScale, DEFLATE, MAX_DELTA, NUM_F64, NUM_INT, NUM_SCALED } from './number-encoding.js';

/** One stored sample: its wall time and the value. */
export interface TimedSample {
  wallMs: number;
  sample: unknown;
}

const ABSENT = 0, NUM = 1, STR = 2, TRUE = 3, FALSE = 4, NULL = 5, EMPTY_OBJ = 6, EMPTY_ARR = 7, STRARR = 8;
const VERSION = 1;
const V2_MARK = 0x07;
const VERSION_2 = 2;

interface EncNode {
  id: number;
  parent: number;
  /** string: object key; number: array index. */
  key: string | number;
  keys: Map<string, EncNode> | undefined;
  items: EncNode[] | undefined;
  types: Uint8Array | undefined;
  values: unknown[] | undefined;
}

function isStringArray(a: unknown[]): a is string[] {
  if (a.length === 0) return false;
  for (const x of a) if (typeof x !== 'string') return false;
  return true;
}

class Flattener {
  readonly nodes: EncNode[] = [];
  constructor(private readonly n: number) {
    this.node(-1, '');
  }
  private node(parent: number, key: string | number): EncNode {
    const nd: EncNode = { id: this.nodes.length, parent, key, keys: undefined, items: undefined, types: undefined, values: undefined };
    this.nodes.push(nd);
    return nd;
  }
  private leaf(nd: EncNode, row: number, type: number, value?: unknown): void {
    nd.types ??= new Uint8Array(this.n);
    nd.types[row] = type;
    if (value !== undefined) (nd.values ??= new Array<unknown>(this.n))[row] = value;
  }
  add(nd: EncNode, row: number, v: unknown): void {
    switch (typeof v) {
      case 'number': return this.leaf(nd, row, NUM, v);
      case 'string': return this.leaf(nd, row, STR, v);
      case 'boolean': return this.leaf(nd, row, v ? TRUE : FALSE);
      case 'bigint': throw new TypeError('a stored sample cannot hold a bigint');
      case 'object': break;
      default: return this.leaf(nd, row, NULL); // undefined, function, symbol in an array slot: null, as JSON
    }
    if (v === null) return this.leaf(nd, row, NULL);
    if (Array.isArray(v)) {
      if (v.length === 0) return this.leaf(nd, row, EMPTY_ARR);
      if (isStringArray(v)) return this.leaf(nd, row, STRARR, v);
      const items = (nd.items ??= []);
      for (let i = 0; i < v.length; i++) this.add(items[i] ?? (items[i] = this.node(nd.id, i)), row, v[i]);
      return;
    }
    let any = false;
    const keys = (nd.keys ??= new Map<string, EncNode>());
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      let child = keys.get(k);
      if (!child) keys.set(k, (child = this.node(nd.id, k)));
      this.add(child, row, x);
      any = true;
    }
    if (!any) this.leaf(nd, row, EMPTY_OBJ);
  }
}

function deltasFit(ints: number[], base: number): boolean {
  let prev = base;
  for (const x of ints) {
    if (Math.abs(x - prev) >= MAX_DELTA) return false;
    prev = x;
  }
  return true;
}

/** Where a scaled column's deltas start, for a segment's base (an integer, or 0). */
function scaledBase(base: number, m: number): number {
  const b = base * m;
  return Number.isSafeInteger(b) && Math.abs(b) < MAX_DELTA ? b : 0;
}

/** The first number of a column's segment 0, when a safe integer: later segments' deltas start from it. */
function baseOf(x: unknown): number {
  return typeof x === 'number' && Number.isSafeInteger(x) && Math.abs(x) < MAX_DELTA && !Object.is(x, -0) ? x : 0;
}

function writeNumbers(w: ByteWriter, nums: number[], base: number): void {
  const allInts = nums.every((x) => Number.isSafeInteger(x) && !Object.is(x, -0));
  if (allInts && deltasFit(nums, base)) {
    w.byte(NUM_INT);
    let prev = base;
    for (const x of nums) { w.svarint(x - prev); prev = x; }
    return;
  }
  const finite = nums.every((x) => Number.isFinite(x) && !Object.is(x, -0));
  const k = finite ? decimalScale(nums) : 0;
  if (k > 0) {
    const m = 10 ** k;
    const scaled = nums.map((x) => Math.round(x * m));
    const b = scaledBase(base, m);
    if (deltasFit(scaled, b)) {
      w.byte(NUM_SCALED);
      w.byte(k);
      let prev = b;
      for (const x of scaled) { w.svarint(x - prev); prev = x; }
      return;
    }
  }
  w.byte(NUM_F64);
  for (const x of nums) w.f64(x);
}

function sameStrings(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when every sample has the same leaf type here, and the same value. */
function isConstant(types: Uint8Array, values: unknown[] | undefined): boolean {
  const t = types[0];
  if (t === ABSENT) return false;
  for (let r = 1; r < types.length; r++) if (types[r] !== t) return false;
  if (t !== NUM && t !== STR && t !== STRARR) return true;
  const v0 = values![0];
  for (let r = 1; r < types.length; r++) {
    const v = values![r];
    if (t === STRARR ? !sameStrings(v as string[], v0 as string[]) : !Object.is(v, v0)) return false;
  }
  return true;
}

/** Encodes samples (in the order given) into one deflated chunk. */
export function encodeChunk(samples: readonly TimedSample[]): Buffer {
  const b = new ChunkBuilder(samples.length);
  for (const s of samples) b.add(s.wallMs, s.sample);
  return b.finish();
}

/**
 * Builds a chunk of a known number of samples one sample at a time, so the work can be spread over several
 * calls (the compactor's bounded steps); {@link encodeChunk} in one go.
 */
export class ChunkBuilder {
  private readonly fl: Flattener;
  private readonly walls: number[] = [];
  constructor(private readonly n: number) {
    this.fl = new Flattener(n);
  }

  /** Samples added so far. */
  get size(): number {
    return this.walls.length;
  }

  /** Adds the next sample (at most `n`). */
  add(wallMs: number, sample: unknown): void {
    if (this.walls.length >= this.n) throw new RangeError(`the chunk holds ${this.n} samples`);
    this.fl.add(this.fl.nodes[0]!, this.walls.length, sample);
    this.walls.push(wallMs);
  }

  /** The deflated chunk, once all `n` samples are in. */
  finish(): Buffer {
    if (this.walls.length !== this.n) throw new RangeError(`the chunk has ${this.walls.length} of its ${this.n} samples`);
    return writeChunk(this.fl, this.walls);
  }
}

/** The segment of each sample (see the module comment): 0 (first of its aligned minute) or 1. */
export function segmentsOf(walls: readonly number[]): Uint8Array {
  const seg = new Uint8Array(walls.length);
  // Walls in time order (as the store writes them): the first of a minute is where the minute changes.
  let sorted = true;
  for (let r = 1; r < walls.length && sorted; r++) sorted = walls[r]! >= walls[r - 1]!;
  if (sorted) {
    let prev = NaN;
    for (let r = 0; r < walls.length; r++) {
      const m = Math.floor(walls[r]! / 60_000);
      if (m === prev) seg[r] = 1;
      prev = m;
    }
    return seg;
  }
  const minutes = new Set<number>();
  for (let r = 0; r < walls.length; r++) {
    const m = Math.floor(walls[r]! / 60_000);
    if (minutes.has(m)) seg[r] = 1;
    else minutes.add(m);
  }
  return seg;
}

/** How many segments a read at `stepMs` needs (2: every sample). */
function segmentsFor(stepMs: number | undefined): number {
  return stepMs !== undefined && stepMs > 0 && stepMs % 60_000 === 0 ? 1 : 2;
}

/** One streamed column over the samples `rows` (indices into the chunk), in that order. */
function writeColumn(w: ByteWriter, nd: EncNode, rows: readonly number[], sid: (s: string) => number, base: number): void {
  const types = nd.types!;
  const n = rows.length;
  for (let i = 0; i < n;) {
    const t = types[rows[i]!]!;
    let e = i + 1;
    while (e < n && types[rows[e]!] === t) e++;
    w.byte(t);
    w.uvarint(e - i);
    i = e;
  }
  const nums: number[] = [];
  for (const r of rows) if (types[r] === NUM) nums.push(nd.values![r] as number);
  if (nums.length > 0) writeNumbers(w, nums, base);
  let prevArr: string[] | undefined;
  for (const r of rows) {
    const t = types[r];
    if (t === STR) w.uvarint(sid(nd.values![r] as string));
    else if (t === STRARR) {
      const a = nd.values![r] as string[];
      if (prevArr && sameStrings(prevArr, a)) { w.uvarint(0); continue; }
      w.uvarint(a.length + 1);
      for (const x of a) w.uvarint(sid(x));
      prevArr = a;
    }
  }
}


function writeChunk(fl: Flattener, walls: readonly number[]): Buffer {
  const n = walls.length;
  const dict = new Map<string, number>();
  const sid = (s: string): number => {
    let i = dict.get(s);
    if (i === undefined) dict.set(s, (i = dict.size));
    return i;
  };
  const seg = segmentsOf(walls);
  const segRows: number[][] = [[], []];
  for (let r = 0; r < n; r++) segRows[seg[r]!]!.push(r);
  // Columns first (they fill the dictionary), then the header in front.
  const table = new ByteWriter();
  const parts = [new ByteWriter(), new ByteWriter()];
  table.uvarint(fl.nodes.length);
  for (const nd of fl.nodes) {
    if (nd.id > 0) {
      table.uvarint(nd.parent);
      if (typeof nd.key === 'number') { table.byte(1); table.uvarint(nd.key); } else { table.byte(0); table.string(nd.key); }
    }
    const types = nd.types;
    if (!types) { table.byte(0); continue; }
    if (isConstant(types, nd.values)) {
      // Most columns hold one value for the whole chunk: the type and the value, once.
      const t = types[0]!;
      table.byte(2);
      table.byte(t);
      const v = nd.values?.[0];
      if (t === NUM) table.f64(v as number);
      else if (t === STR) table.uvarint(sid(v as string));
      else if (t === STRARR) {
        table.uvarint((v as string[]).length);
        for (const x of v as string[]) table.uvarint(sid(x));
      }
      continue;
    }
    table.byte(1);
    // Segment 1 starts its deltas from segment 0's first number, not from 0: one absolute value per column.
    const r0 = segRows[0]!.find((r) => types[r] === NUM);
    const base = r0 === undefined ? 0 : baseOf(nd.values![r0]);
    for (let s = 0; s < 2; s++) if (segRows[s]!.length > 0) writeColumn(parts[s]!, nd, segRows[s]!, sid, s === 0 ? 0 : base);
  }
  const head = new ByteWriter();
  head.uvarint(n);
  let prev = 0;
  for (const w of walls) { head.svarint(w - prev); prev = w; }
  head.uvarint(dict.size);
  for (const s of dict.keys()) head.string(s);
  const p1 = zlib.deflateRawSync(Buffer.concat([head.bytes(), table.bytes(), parts[0]!.bytes()]), DEFLATE);
  const p2 = parts[1]!.length > 0 ? zlib.deflateRawSync(parts[1]!.bytes(), DEFLATE) : Buffer.alloc(0);
  const out = new ByteWriter();
  out.byte(V2_MARK);
  out.byte(VERSION_2);
  out.uvarint(p1.length);
  return Buffer.concat([out.bytes(), p1, p2]);
}

interface DecNode {
  keyChildren: Array<[string, DecNode]>;
  itemChildren: DecNode[];
  types: Uint8Array | undefined;
  values: unknown[] | undefined;
  /** For a constant column: its type (else -1) and value. */
  constType: number;
  constValue: unknown;
  /** changes[j]: how many times this subtree changed from one rebuilt sample to the next, up to the j-th. */
  changes: Int32Array;
  /** The last sample rebuilt, and what it gave: reused while the subtree does not change. */
  lastRow: number;
  lastValue: unknown;
}

const MISSING = Symbol('missing');

function build(nd: DecNode, r: number): unknown {
  if (nd.lastRow >= 0 && nd.changes[r] === nd.changes[nd.lastRow]) return nd.lastValue;
  const v = buildNew(nd, r);
  nd.lastRow = r;
  nd.lastValue = v;
  return v;
}

function buildNew(nd: DecNode, r: number): unknown {
  const types = nd.types;
  const c = nd.constType;
  if (types !== undefined || c >= 0) {
    switch (c >= 0 ? c : types![r]) {
      case ABSENT: break;
      case NUM: case STR: case STRARR: return c >= 0 ? nd.constValue : nd.values![r];
      case TRUE: return true;
      case FALSE: return false;
      case NULL: return null;
      case EMPTY_OBJ: return {};
      case EMPTY_ARR: return [];
    }
  }
  if (nd.keyChildren.length > 0) {
    const o: Record<string, unknown> = {};
    let any = false;
    for (const [k, c] of nd.keyChildren) {
      const v = build(c, r);
      if (v === MISSING) continue;
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
      any = true;
    }
    if (any) return o;
  }
  if (nd.itemChildren.length > 0) {
    const a: unknown[] = [];
    for (const c of nd.itemChildren) {
      const v = build(c, r);
      if (v === MISSING) break;
      a.push(v);
    }
    if (a.length > 0) return a;
  }
  return MISSING;
}

/** The wall times of a chunk's samples, without rebuilding them. */
export function chunkWallTimes(data: Uint8Array): number[] {
  if (data[0] === V2_MARK) return readWalls(new ByteReader(openV2(data).p1));
  const rd = new ByteReader(zlib.inflateRawSync(data));
  readVersion(rd);
  return readWalls(rd);
}

function readVersion(rd: ByteReader): void {
  const version = rd.byte();
  if (version !== VERSION) throw new RangeError(`chunk codec version ${version} is not known (this build reads ${VERSION} and ${VERSION_2})`);
}

function readWalls(rd: ByteReader): number[] {
  const n = rd.uvarint();
  const walls = new Array<number>(n);
  let prev = 0;
  for (let r = 0; r < n; r++) walls[r] = prev += rd.svarint();
  return walls;
}

/** A version 2 chunk's part 1 (inflated) and its part 2 (still deflated). */
function openV2(data: Uint8Array): { p1: Buffer; p2: Uint8Array } {
  const rd = new ByteReader(data);
  rd.byte();
  const version = rd.byte();
  if (version !== VERSION_2) throw new RangeError(`chunk codec version ${version} is not known (this build reads ${VERSION} and ${VERSION_2})`);
  const len1 = rd.uvarint();
  const o = rd.offset;
  if (o + len1 > data.length) throw new RangeError('chunk truncated');
  return { p1: zlib.inflateRawSync(data.subarray(o, o + len1)), p2: data.subarray(o + len1) };
}

/** How to decode. */
export interface DecodeOptions {
  /**
   * The caller keeps at most the first sample (in stored order) of each aligned step of this size: when it is a
   * multiple of 60 s, samples that cannot be such a first one are not offered to `keep`, nor decoded.
   */
  stepMs?: number;
}

/**
 * Decodes a chunk made by {@link encodeChunk} (or by version 1 of this codec): the samples in their stored
 * order; with `keep`, only those it accepts are rebuilt (the costly part), e.g. a time range or one sample per
 * step; `keep` is called in stored order. With `opts.stepMs` (see {@link DecodeOptions}), a version 2 chunk is
 * only read as far as that step needs.
 *
 * A part of a sample that did not change since the previous rebuilt sample is the same object as there (most
 * of a sample is constant from one second to the next): treat decoded samples as read-only.
 */
export function decodeChunk(data: Uint8Array, keep?: (wallMs: number) => boolean, opts: DecodeOptions = {}): TimedSample[] {
  return data[0] === V2_MARK ? decodeV2(data, keep, segmentsFor(opts.stepMs)) : decodeV1(data, keep);
}

function newDecNode(zero: Int32Array): DecNode {
  return { keyChildren: [], itemChildren: [], types: undefined, values: undefined, constType: -1, constValue: undefined, changes: zero, lastRow: -1, lastValue: MISSING };
}

/** Reads a node's place and kind from the node table; returns the kind (0 none, 1 streamed, 2 constant, read here). */
function readNode(rd: ByteReader, i: number, nd: DecNode, nodes: DecNode[], parentIndex: Int32Array, dict: string[]): number {
  if (i > 0) {
    const pi = rd.uvarint();
    const parent = nodes[pi];
    if (!parent || pi >= i) throw new RangeError('chunk node refers to a later parent');
    parentIndex[i] = pi;
    if (rd.byte() === 1) parent.itemChildren[rd.uvarint()] = nd;
    else parent.keyChildren.push([rd.string(), nd]);
  }
  nodes.push(nd);
  const kind = rd.byte();
  if (kind === 2) {
    const t = rd.byte();
    nd.constType = t;
    if (t === NUM) nd.constValue = rd.f64();
    else if (t === STR) nd.constValue = dict[rd.uvarint()];
    else if (t === STRARR) {
      const a = new Array<string>(rd.uvarint());
      for (let j = 0; j < a.length; j++) a[j] = dict[rd.uvarint()]!;
      nd.constValue = a;
    }
  }
  return kind;
}

/**
 * Reads one column over `count` samples; sample k of them goes to position `at(k)` of the rebuilt samples
 * (-1: not rebuilt). Fills `kt` (types) and `values` at those positions.
 */
function readColumn(rd: ByteReader, count: number, at: (k: number) => number, kt: Uint8Array, values: unknown[], dict: string[], base: number, scratch: Uint8Array): number {
  let first = 0;
  const types = scratch; // count entries of it
  let numCount = 0;
  for (let r = 0; r < count;) {
    const t = rd.byte();
    const run = rd.uvarint();
    if (run === 0 || r + run > count) throw new RangeError('chunk type run out of range');
    types.fill(t, r, r + run);
    if (t === NUM) numCount += run;
    r += run;
  }
  let firstNum = -1;
  for (let r = 0; r < count; r++) {
    if (firstNum < 0 && types[r] === NUM) firstNum = r;
    const j = at(r);
    if (j >= 0) kt[j] = types[r]!;
  }
  if (numCount > 0) {
    const mode = rd.byte();
    if (mode === NUM_F64) {
      for (let r = 0; r < count; r++) {
        if (types[r] !== NUM) continue;
        const x = rd.f64();
        if (r === firstNum) first = baseOf(x);
        const j = at(r);
        if (j >= 0) values[j] = x;
      }
    } else {
      const scale = mode === NUM_SCALED ? 10 ** rd.byte() : 1;
      let p = scale === 1 ? base : scaledBase(base, scale);
      for (let r = 0; r < count; r++) {
        if (types[r] !== NUM) continue;
        p += rd.svarint();
        if (r === firstNum) first = baseOf(scale === 1 ? p : p / scale);
        const j = at(r);
        if (j >= 0) values[j] = scale === 1 ? p : p / scale;
      }
    }
  }
  let prevArr: string[] = [];
  for (let r = 0; r < count; r++) {
    const t = types[r];
    if (t === STR) {
      const s = dict[rd.uvarint()];
      const j = at(r);
      if (j >= 0) values[j] = s;
    } else if (t === STRARR) {
      const len = rd.uvarint();
      if (len > 0) {
        prevArr = new Array<string>(len - 1);
        for (let i = 0; i < len - 1; i++) prevArr[i] = dict[rd.uvarint()]!;
      }
      const j = at(r);
      if (j >= 0) values[j] = prevArr;
    }
  }
  return first;
}

/** Marks where a streamed node's value changes from one rebuilt sample to the next. */
function markChanges(nd: DecNode, m: number): void {
  const kt = nd.types!;
  const values = nd.values!;
  let ch: Int32Array | undefined;
  for (let j = 1; j < m; j++) {
    const t = kt[j];
    if (t !== kt[j - 1] || ((t === NUM || t === STR || t === STRARR) && !Object.is(values[j], values[j - 1]))) (ch ??= new Int32Array(m))[j] = 1;
  }
  if (ch) nd.changes = ch;
}

/** Propagates changes up the trie, then rebuilds the samples. */
function assemble(nodes: DecNode[], parentIndex: Int32Array, zero: Int32Array, m: number, wallsOut: readonly number[]): TimedSample[] {
  // A subtree changes when any node below it does (children come after their parent), then count the changes.
  // Constant subtrees keep the shared all-zero array.
  for (let i = nodes.length - 1; i > 0; i--) {
    const ch = nodes[i]!.changes;
    if (ch === zero) continue;
    const parent = nodes[parentIndex[i]!]!;
    if (parent.changes === zero) parent.changes = new Int32Array(m);
    const pc = parent.changes;
    for (let j = 1; j < m; j++) pc[j]! |= ch[j]!;
  }
  for (const nd of nodes) {
    const ch = nd.changes;
    if (ch === zero) continue;
    for (let j = 1; j < m; j++) ch[j]! += ch[j - 1]!;
  }
  const root = nodes[0];
  const out = new Array<TimedSample>(m);
  for (let j = 0; j < m; j++) {
    const v = root ? build(root, j) : MISSING;
    out[j] = { wallMs: wallsOut[j]!, sample: v === MISSING ? null : v };
  }
  return out;
}

function readDict(rd: ByteReader): string[] {
  const dict = new Array<string>(rd.uvarint());
  for (let i = 0; i < dict.length; i++) dict[i] = rd.string();
  return dict;
}

function decodeV2(data: Uint8Array, keep: ((wallMs: number) => boolean) | undefined, segCount: number): TimedSample[] {
  const { p1, p2 } = openV2(data);
  const rd = new ByteReader(p1);
  const walls = readWalls(rd);
  const n = walls.length;
  const seg = segmentsOf(walls);
  const pos = new Int32Array(n).fill(-1);
  const wallsOut: number[] = [];
  for (let r = 0; r < n; r++) {
    if (seg[r]! < segCount && (!keep || keep(walls[r]!))) { pos[r] = wallsOut.length; wallsOut.push(walls[r]!); }
  }
  const m = wallsOut.length;
  if (m === 0) return [];
  const dict = readDict(rd);
  const nodeCount = rd.uvarint();
  const nodes: DecNode[] = [];
  const streamed: DecNode[] = [];
  const parentIndex = new Int32Array(nodeCount);
  const zero = new Int32Array(m);
  for (let i = 0; i < nodeCount; i++) {
    const nd = newDecNode(zero);
    if (readNode(rd, i, nd, nodes, parentIndex, dict) === 1) {
      nd.types = new Uint8Array(m);
      nd.values = new Array<unknown>(m);
      streamed.push(nd);
    }
  }
  // Segment 0 is read whenever any is (segment 1's numbers start from its first ones), segment 1 when wanted.
  const bases = new Array<number>(streamed.length).fill(0);
  const segRows: number[][] = [[], []];
  const wanted = [false, false];
  for (let r = 0; r < n; r++) {
    const sg = seg[r]!;
    segRows[sg]!.push(r);
    if (pos[r]! >= 0) wanted[sg] = true;
  }
  if (streamed.length > 0) {
    const scratch = new Uint8Array(n);
    for (let s = 0; s < segCount; s++) {
      const rows = segRows[s]!;
      if (rows.length === 0 || (s > 0 && !wanted[s])) continue;
      const sr = s === 0 ? rd : new ByteReader(zlib.inflateRawSync(p2));
      const at = (k: number): number => pos[rows[k]!]!;
      for (let i = 0; i < streamed.length; i++) {
        const nd = streamed[i]!;
        const first = readColumn(sr, rows.length, at, nd.types!, nd.values!, dict, s === 0 ? 0 : bases[i]!, scratch);
        if (s === 0) bases[i] = first;
      }
    }
  }
  for (const nd of streamed) markChanges(nd, m);
  return assemble(nodes, parentIndex, zero, m, wallsOut);
}

function decodeV1(data: Uint8Array, keep?: (wallMs: number) => boolean): TimedSample[] {
  const rd = new ByteReader(zlib.inflateRawSync(data));
  readVersion(rd);
  const walls = readWalls(rd);
  const n = walls.length;
  const pos = new Int32Array(n).fill(-1);
  const wallsOut: number[] = [];
  for (let r = 0; r < n; r++) if (!keep || keep(walls[r]!)) { pos[r] = wallsOut.length; wallsOut.push(walls[r]!); }
  const m = wallsOut.length;
  if (m === 0) return [];
  const dict = readDict(rd);
  const nodeCount = rd.uvarint();
  const nodes: DecNode[] = [];
  const parentIndex = new Int32Array(nodeCount);
  const zero = new Int32Array(m);
  const at = (r: number): number => pos[r]!;
  const scratch = new Uint8Array(n);
  for (let i = 0; i < nodeCount; i++) {
    const nd = newDecNode(zero);
    if (readNode(rd, i, nd, nodes, parentIndex, dict) !== 1) continue;
    // Streams are read through every sample; values are kept only for the samples to rebuild (m of the n).
    nd.types = new Uint8Array(m);
    nd.values = new Array<unknown>(m);
    readColumn(rd, n, at, nd.types, nd.values, dict, 0, scratch);
    markChanges(nd, m);
  }
  return assemble(nodes, parentIndex, zero, m, wallsOut);
}
