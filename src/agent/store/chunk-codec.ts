/**
 * The column-wise codec of a chunk: N consecutive samples of one target, each flattened to path → leaf value.
 *
 * Layout (then deflated with node:zlib):
 * ```
 * version=1 · N · wallMs column (first value, then deltas) · string dictionary · node count
 * per node: parent · key (object key or array index) · column (only if some sample has a leaf there)
 * column: leaf types run-length encoded · numbers (integers delta-encoded, decimals scaled then delta-encoded,
 *         otherwise raw float64) · strings as dictionary indices · string arrays (kernel stack frames) as
 *         dictionary indices, "same as the previous sample" as one byte
 * ```
 * The paths form a trie (node 0 is the sample itself); a sample is rebuilt by walking it. Leaves are numbers
 * (including Infinity, NaN and -0), strings, booleans, null, `{}`, `[]` and arrays of strings. Object
 * properties that are `undefined` are dropped and `undefined` array items become `null`, as in JSON, so a
 * chunk round-trips exactly what {@link losslessStringify} would.
 */
import zlib from 'node:zlib';
import { ByteReader, ByteWriter } from './byte-buffer.js';

/** One stored sample: its wall time and the value. */
export interface TimedSample {
  wallMs: number;
  sample: unknown;
}

const ABSENT = 0, NUM = 1, STR = 2, TRUE = 3, FALSE = 4, NULL = 5, EMPTY_OBJ = 6, EMPTY_ARR = 7, STRARR = 8;
const NUM_INT = 0, NUM_SCALED = 1, NUM_F64 = 2;
const VERSION = 1;
const MAX_DELTA = 2 ** 51;

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

function decimalScale(nums: number[]): number {
  for (let k = 1; k <= 6; k++) {
    const m = 10 ** k;
    let ok = true;
    for (const x of nums) {
      const s = Math.round(x * m);
      if (!Number.isSafeInteger(s) || Math.abs(s) >= MAX_DELTA || s / m !== x) { ok = false; break; }
    }
    if (ok) return k;
  }
  return 0;
}

function deltasFit(ints: number[]): boolean {
  let prev = 0;
  for (const x of ints) {
    if (Math.abs(x - prev) >= MAX_DELTA) return false;
    prev = x;
  }
  return true;
}

function writeNumbers(w: ByteWriter, nums: number[]): void {
  const allInts = nums.every((x) => Number.isSafeInteger(x) && !Object.is(x, -0));
  if (allInts && deltasFit(nums)) {
    w.byte(NUM_INT);
    let prev = 0;
    for (const x of nums) { w.svarint(x - prev); prev = x; }
    return;
  }
  const finite = nums.every((x) => Number.isFinite(x) && !Object.is(x, -0));
  const k = finite ? decimalScale(nums) : 0;
  if (k > 0) {
    const m = 10 ** k;
    const scaled = nums.map((x) => Math.round(x * m));
    if (deltasFit(scaled)) {
      w.byte(NUM_SCALED);
      w.byte(k);
      let prev = 0;
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

function writeChunk(fl: Flattener, walls: readonly number[]): Buffer {
  const n = walls.length;
  const dict = new Map<string, number>();
  const sid = (s: string): number => {
    let i = dict.get(s);
    if (i === undefined) dict.set(s, (i = dict.size));
    return i;
  };
  // Columns first (they fill the dictionary), then the header in front.
  const body = new ByteWriter();
  body.uvarint(fl.nodes.length);
  for (const nd of fl.nodes) {
    if (nd.id > 0) {
      body.uvarint(nd.parent);
      if (typeof nd.key === 'number') { body.byte(1); body.uvarint(nd.key); } else { body.byte(0); body.string(nd.key); }
    }
    const types = nd.types;
    if (!types) { body.byte(0); continue; }
    if (isConstant(types, nd.values)) {
      // Most columns hold one value for the whole chunk: the type and the value, once.
      const t = types[0]!;
      body.byte(2);
      body.byte(t);
      const v = nd.values?.[0];
      if (t === NUM) body.f64(v as number);
      else if (t === STR) body.uvarint(sid(v as string));
      else if (t === STRARR) {
        body.uvarint((v as string[]).length);
        for (const x of v as string[]) body.uvarint(sid(x));
      }
      continue;
    }
    body.byte(1);
    const nums: number[] = [];
    for (let r = 0; r < n;) {
      const t = types[r]!;
      let e = r + 1;
      while (e < n && types[e] === t) e++;
      body.byte(t);
      body.uvarint(e - r);
      r = e;
    }
    for (let r = 0; r < n; r++) if (types[r] === NUM) nums.push(nd.values![r] as number);
    if (nums.length > 0) writeNumbers(body, nums);
    let prevArr: string[] | undefined;
    for (let r = 0; r < n; r++) {
      const t = types[r];
      if (t === STR) body.uvarint(sid(nd.values![r] as string));
      else if (t === STRARR) {
        const a = nd.values![r] as string[];
        if (prevArr && sameStrings(prevArr, a)) { body.uvarint(0); continue; }
        body.uvarint(a.length + 1);
        for (const s of a) body.uvarint(sid(s));
        prevArr = a;
      }
    }
  }
  const head = new ByteWriter();
  head.byte(VERSION);
  head.uvarint(n);
  let prev = 0;
  for (const w of walls) { head.svarint(w - prev); prev = w; }
  head.uvarint(dict.size);
  for (const s of dict.keys()) head.string(s);
  return zlib.deflateRawSync(Buffer.concat([head.bytes(), body.bytes()]), { level: 6 });
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
  const rd = new ByteReader(zlib.inflateRawSync(data));
  readVersion(rd);
  return readWalls(rd);
}

function readVersion(rd: ByteReader): void {
  const version = rd.byte();
  if (version !== VERSION) throw new RangeError(`chunk codec version ${version} is not known (this build reads ${VERSION})`);
}

function readWalls(rd: ByteReader): number[] {
  const n = rd.uvarint();
  const walls = new Array<number>(n);
  let prev = 0;
  for (let r = 0; r < n; r++) walls[r] = prev += rd.svarint();
  return walls;
}

/**
 * Decodes a chunk made by {@link encodeChunk}: the samples in their stored order; with `keep`, only those it
 * accepts are rebuilt (the costly part), e.g. a time range or one sample per step.
 *
 * A part of a sample that did not change since the previous rebuilt sample is the same object as there (most
 * of a sample is constant from one second to the next): treat decoded samples as read-only.
 */
export function decodeChunk(data: Uint8Array, keep?: (wallMs: number) => boolean): TimedSample[] {
  const rd = new ByteReader(zlib.inflateRawSync(data));
  readVersion(rd);
  const walls = readWalls(rd);
  const n = walls.length;
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (!keep || keep(walls[r]!)) rows.push(r);
  if (rows.length === 0) return [];
  const m = rows.length;
  const pos = new Int32Array(n).fill(-1);
  rows.forEach((r, j) => { pos[r] = j; });
  const dict = new Array<string>(rd.uvarint());
  for (let i = 0; i < dict.length; i++) dict[i] = rd.string();
  const nodeCount = rd.uvarint();
  const nodes: DecNode[] = [];
  const parentIndex = new Int32Array(nodeCount);
  const zero = new Int32Array(m);
  for (let i = 0; i < nodeCount; i++) {
    const nd: DecNode = { keyChildren: [], itemChildren: [], types: undefined, values: undefined, constType: -1, constValue: undefined, changes: zero, lastRow: -1, lastValue: MISSING };
    if (i > 0) {
      const pi = rd.uvarint();
      const parent = nodes[pi];
      if (!parent) throw new RangeError('chunk node refers to a later parent');
      parentIndex[i] = pi;
      if (rd.byte() === 1) parent.itemChildren[rd.uvarint()] = nd;
      else parent.keyChildren.push([rd.string(), nd]);
    }
    nodes.push(nd);
    const kind = rd.byte();
    if (kind === 0) continue;
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
      continue;
    }
    // Streams are read through every sample; values are kept only for the samples to rebuild (m of the n).
    const types = new Uint8Array(n);
    let numCount = 0;
    for (let r = 0; r < n;) {
      const t = rd.byte();
      const run = rd.uvarint();
      if (run === 0 || r + run > n) throw new RangeError('chunk type run out of range');
      types.fill(t, r, r + run);
      if (t === NUM) numCount += run;
      r += run;
    }
    const values = new Array<unknown>(m);
    if (numCount > 0) {
      const mode = rd.byte();
      if (mode === NUM_F64) {
        for (let r = 0; r < n; r++) {
          if (types[r] !== NUM) continue;
          const x = rd.f64();
          const j = pos[r]!;
          if (j >= 0) values[j] = x;
        }
      } else {
        const scale = mode === NUM_SCALED ? 10 ** rd.byte() : 1;
        let p = 0;
        for (let r = 0; r < n; r++) {
          if (types[r] !== NUM) continue;
          p += rd.svarint();
          const j = pos[r]!;
          if (j >= 0) values[j] = scale === 1 ? p : p / scale;
        }
      }
    }
    let prevArr: string[] = [];
    for (let r = 0; r < n; r++) {
      const t = types[r];
      if (t === STR) {
        const s = dict[rd.uvarint()];
        const j = pos[r]!;
        if (j >= 0) values[j] = s;
      } else if (t === STRARR) {
        const len = rd.uvarint();
        if (len > 0) {
          prevArr = new Array<string>(len - 1);
          for (let i = 0; i < len - 1; i++) prevArr[i] = dict[rd.uvarint()]!;
        }
        const j = pos[r]!;
        if (j >= 0) values[j] = prevArr;
      }
    }
    const kt = new Uint8Array(m);
    for (let j = 0; j < m; j++) kt[j] = types[rows[j]!]!;
    nd.types = kt;
    nd.values = values;
    let changed = false;
    const ch = new Int32Array(m);
    for (let j = 1; j < m; j++) {
      const t = kt[j];
      if (t !== kt[j - 1] || ((t === NUM || t === STR || t === STRARR) && !Object.is(values[j], values[j - 1]))) { ch[j] = 1; changed = true; }
    }
    if (changed) nd.changes = ch;
  }
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
  return rows.map((r, j) => {
    const v = root ? build(root, j) : MISSING;
    return { wallMs: walls[r]!, sample: v === MISSING ? null : v };
  });
}
