/**
 * The codec of a chunk's series projection (series-projection.ts): the records of the chunk's samples, column by
 * column, in a fixed layout (no path table: the fields are known).
 *
 * ```
 * version · kind (0 target, 1 host) · length of part 1 · part 1 · part 2      (each part deflated on its own)
 * part 1: N · wallMs column (first value, then deltas) · string dictionary (frames) · segment 0
 * part 2: segment 1
 * segment: per scalar field, its column · the process counts · per process field, its column over every process
 *          row (a row's number is a delta from the same process slot's in the sample before) · the stacks
 * column: presence runs · numbers (integers as deltas, decimals scaled to integers then deltas, else float64)
 * stacks, per sample: 0 none · 1 as the sample before · 2 + K, then K stacks of (frame count, dictionary indices)
 * ```
 * Segments as in chunk-codec.ts: segment 0 holds the first sample (in stored order) of each aligned minute, the
 * rest segment 1, so a read at a step of whole minutes inflates and walks part 1 only. A segment is read from its
 * start (deltas), so any step walks the columns of every sample of the segments it needs, but rebuilds only the
 * samples kept.
 */
import zlib from 'node:zlib';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { decimalScale, DEFLATE, MAX_DELTA, NUM_F64, NUM_INT, NUM_SCALED } from './number-encoding.js';
import { segmentsOf, type TimedSample } from './chunk-codec.js';
import {
  HOST_FIELDS, hostFromRecord, hostRecord, PROCESS_FIELDS, SERIES_VERSION, TARGET_FIELDS, targetFromRecord, targetRecord,
  type SeriesKind, type SeriesRecord,
} from './series-projection.js';


function fieldCount(kind: SeriesKind): number {
  return kind === 'target' ? TARGET_FIELDS.length : HOST_FIELDS.length;
}

function isInt(x: number): boolean {
  return Number.isSafeInteger(x) && Math.abs(x) < MAX_DELTA && !Object.is(x, -0);
}

/**
 * Writes a column over rows: presence runs, then the present numbers, each as a delta from the number of row
 * row `bases[row]` (when that row is present; else from 0), or of the row before when `bases` is undefined.
 */
function writeColumn(w: ByteWriter, values: ReadonlyArray<number | undefined>, bases: Int32Array | undefined): void {
  const n = values.length;
  let runs = 0;
  let present = 0;
  let allInts = true;
  let finite = true;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (i === 0 || (x === undefined) !== (values[i - 1] === undefined)) runs++;
    if (x === undefined) continue;
    present++;
    if (allInts && !isInt(x)) allInts = false;
    if (finite && !Number.isFinite(x)) finite = false;
  }
  w.uvarint(runs);
  for (let i = 0; i < n;) {
    const isPresent = values[i] !== undefined;
    let e = i + 1;
    while (e < n && (values[e] !== undefined) === isPresent) e++;
    w.svarint(isPresent ? e - i : -(e - i));
    i = e;
  }
  if (present === 0) return;
  const k = allInts || !finite ? 0 : decimalScale(values.filter((x): x is number => x !== undefined));
  if (allInts || k > 0) {
    const m = 10 ** k;
    const scaled = m === 1 ? values : values.map((x) => (x === undefined ? undefined : Math.round(x * m)));
    const deltas = new Array<number>(present);
    let j = 0;
    let fits = true;
    for (let row = 0; row < n && fits; row++) {
      const x = scaled[row];
      if (x === undefined) continue;
      const b = bases ? bases[row]! : row - 1;
      const d = x - (b >= 0 ? scaled[b] ?? 0 : 0);
      fits = d < MAX_DELTA && d > -MAX_DELTA;
      deltas[j++] = d;
    }
    if (fits) {
      w.byte(allInts ? NUM_INT : NUM_SCALED);
      if (!allInts) w.byte(k);
      for (const d of deltas) w.svarint(d);
      return;
    }
  }
  w.byte(NUM_F64);
  for (const x of values) if (x !== undefined) w.f64(x);
}

/** Reads a column of `count` rows (see writeColumn) into `out`; `base` as there. */
function readColumn(rd: ByteReader, count: number, out: Array<number | undefined>, bases: Int32Array | undefined): void {
  const runs = rd.uvarint();
  let at = 0;
  let present = 0;
  for (let j = 0; j < runs; j++) {
    const r = rd.svarint();
    const len = Math.abs(r);
    if (len === 0 || at + len > count) throw new RangeError('series column run out of range');
    // Present rows are marked 0 for now (filled below), absent ones undefined.
    out.fill(r > 0 ? 0 : undefined, at, at + len);
    at += len;
    if (r > 0) present += len;
  }
  if (at !== count) throw new RangeError('series column runs do not cover the rows');
  if (present === 0) return;
  const mode = rd.byte();
  if (mode === NUM_F64) {
    for (let row = 0; row < count; row++) if (out[row] !== undefined) out[row] = rd.f64();
    return;
  }
  if (mode !== NUM_INT && mode !== NUM_SCALED) throw new RangeError(`series column mode ${mode} is not known`);
  const m = mode === NUM_SCALED ? 10 ** rd.byte() : 1;
  // Deltas are of the scaled integers: keep those, and divide once all are read.
  for (let row = 0; row < count; row++) {
    if (out[row] === undefined) continue;
    const b = bases ? bases[row]! : row - 1;
    out[row] = (b >= 0 ? out[b] ?? 0 : 0) + rd.svarint();
  }
  if (m !== 1) for (let row = 0; row < count; row++) if (out[row] !== undefined) out[row] = out[row]! / m;
}

function sameStacks(a: string[][] | undefined, b: string[][] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** For process rows (sample-major), the row of the same slot in the sample before, or -1. */
function slotBases(counts: readonly number[]): Int32Array {
  let total = 0;
  for (const c of counts) total += c;
  const bases = new Int32Array(total);
  let prevStart = -1;
  let prevCount = 0;
  let row = 0;
  for (const c of counts) {
    for (let slot = 0; slot < c; slot++) bases[row + slot] = slot < prevCount ? prevStart + slot : -1;
    prevStart = row;
    prevCount = c;
    row += c;
  }
  return bases;
}

function writeSegment(w: ByteWriter, kind: SeriesKind, recs: readonly SeriesRecord[], sid: (s: string) => number): void {
  const col = new Array<number | undefined>(recs.length);
  for (let f = 0; f < fieldCount(kind); f++) {
    for (let k = 0; k < recs.length; k++) col[k] = recs[k]!.scalars[f];
    writeColumn(w, col, undefined);
  }
  if (kind !== 'target') return;
  let rowsTotal = 0;
  for (const r of recs) {
    w.uvarint(r.processes.length);
    rowsTotal += r.processes.length;
  }
  const bases = slotBases(recs.map((r) => r.processes.length));
  const pcol = new Array<number | undefined>(rowsTotal);
  for (let f = 0; f < PROCESS_FIELDS; f++) {
    let k = 0;
    for (const r of recs) for (const p of r.processes) pcol[k++] = p[f];
    writeColumn(w, pcol, bases);
  }
  let prev: string[][] | undefined;
  for (const r of recs) {
    const st = r.stacks;
    if (!st) w.uvarint(0);
    else if (sameStacks(st, prev)) w.uvarint(1);
    else {
      w.uvarint(2 + st.length);
      for (const frames of st) {
        w.uvarint(frames.length);
        for (const f of frames) w.uvarint(sid(f));
      }
    }
    prev = st;
  }
}

/**
 * Reads a segment of `count` samples; the records of those `want` accepts (by index in the segment) are built,
 * the others only walked.
 */
function readSegment(rd: ByteReader, kind: SeriesKind, count: number, dict: (i: number) => string, want: (k: number) => boolean): Array<SeriesRecord | undefined> {
  const recs = new Array<SeriesRecord | undefined>(count);
  const fields = fieldCount(kind);
  for (let k = 0; k < count; k++) if (want(k)) recs[k] = { scalars: new Array<number | undefined>(fields), processes: [], stacks: undefined };
  const col = new Array<number | undefined>(count);
  for (let f = 0; f < fields; f++) {
    readColumn(rd, count, col, undefined);
    for (let k = 0; k < count; k++) {
      const r = recs[k];
      if (r) r.scalars[f] = col[k];
    }
  }
  if (kind !== 'target') return recs;
  const counts = new Array<number>(count);
  const starts = new Array<number>(count);
  let rowsTotal = 0;
  for (let k = 0; k < count; k++) {
    starts[k] = rowsTotal;
    rowsTotal += counts[k] = rd.uvarint();
  }
  for (let k = 0; k < count; k++) {
    const r = recs[k];
    if (r) r.processes = Array.from({ length: counts[k]! }, () => new Array<number | undefined>(PROCESS_FIELDS));
  }
  const pcol = new Array<number | undefined>(rowsTotal);
  const bases = slotBases(counts);
  for (let f = 0; f < PROCESS_FIELDS; f++) {
    readColumn(rd, rowsTotal, pcol, bases);
    for (let k = 0; k < count; k++) {
      const r = recs[k];
      if (!r) continue;
      const at = starts[k]!;
      r.processes.forEach((p, slot) => { p[f] = pcol[at + slot]; });
    }
  }
  // Stacks as dictionary indices; frames are looked up only for the samples built.
  let prev: number[][] | undefined;
  for (let k = 0; k < count; k++) {
    const tag = rd.uvarint();
    let st: number[][] | undefined;
    if (tag === 1) st = prev;
    else if (tag >= 2) {
      st = new Array<number[]>(tag - 2);
      for (let i = 0; i < st.length; i++) {
        const frames = new Array<number>(rd.uvarint());
        for (let j = 0; j < frames.length; j++) frames[j] = rd.uvarint();
        st[i] = frames;
      }
    }
    const r = recs[k];
    if (r && st) r.stacks = st.map((frames) => frames.map(dict));
    prev = st;
  }
  return recs;
}

/** Encodes the series projection of samples (whole samples, in stored order) of one kind. */
export function encodeSeriesChunk(kind: SeriesKind, samples: readonly TimedSample[]): Buffer {
  const b = new SeriesBuilder(kind);
  for (const s of samples) b.add(s.wallMs, s.sample);
  return b.finish();
}

/** Takes samples one at a time (keeping only their records), as the compactor folds a window in steps. */
export class SeriesBuilder {
  private readonly walls: number[] = [];
  private readonly recs: SeriesRecord[] = [];
  constructor(private readonly kind: SeriesKind) {}

  add(wallMs: number, sample: unknown): void {
    this.walls.push(wallMs);
    this.recs.push(this.kind === 'target' ? targetRecord(sample) : hostRecord(sample));
  }

  finish(): Buffer {
    const dict = new Map<string, number>();
    const sid = (s: string): number => {
      let i = dict.get(s);
      if (i === undefined) dict.set(s, (i = dict.size));
      return i;
    };
    const seg = segmentsOf(this.walls);
    const parts = [new ByteWriter(), new ByteWriter()];
    const bySeg: SeriesRecord[][] = [[], []];
    this.recs.forEach((x, r) => bySeg[seg[r]!]!.push(x));
    for (let s = 0; s < 2; s++) if (bySeg[s]!.length > 0) writeSegment(parts[s]!, this.kind, bySeg[s]!, sid);
    const head = new ByteWriter();
    head.uvarint(this.walls.length);
    let prev = 0;
    for (const w of this.walls) { head.svarint(w - prev); prev = w; }
    head.uvarint(dict.size);
    for (const s of dict.keys()) head.string(s);
    const p1 = zlib.deflateRawSync(Buffer.concat([head.bytes(), parts[0]!.bytes()]), DEFLATE);
    const p2 = parts[1]!.length > 0 ? zlib.deflateRawSync(parts[1]!.bytes(), DEFLATE) : Buffer.alloc(0);
    const out = new ByteWriter();
    out.byte(SERIES_VERSION);
    out.byte(this.kind === 'target' ? 0 : 1);
    out.uvarint(p1.length);
    return Buffer.concat([out.bytes(), p1, p2]);
  }
}

/**
 * Decodes a series chunk into sample-shaped projections (series-projection.ts), in stored order. `keep` and
 * `opts.stepMs` as for chunk-codec.ts's decodeChunk(): with a step of whole minutes only part 1 is read.
 */
export function decodeSeriesChunk(data: Uint8Array, keep?: (wallMs: number) => boolean, opts: { stepMs?: number } = {}): TimedSample[] {
  const rd0 = new ByteReader(data);
  const version = rd0.byte();
  if (version !== SERIES_VERSION) throw new RangeError(`series chunk version ${version} is not known (this build reads ${SERIES_VERSION})`);
  const kind: SeriesKind = rd0.byte() === 0 ? 'target' : 'host';
  const len1 = rd0.uvarint();
  const o = rd0.offset;
  if (o + len1 > data.length) throw new RangeError('series chunk truncated');
  const p1 = zlib.inflateRawSync(data.subarray(o, o + len1));
  const rd = new ByteReader(p1);
  const n = rd.uvarint();
  const walls = new Array<number>(n);
  let prev = 0;
  for (let r = 0; r < n; r++) walls[r] = prev += rd.svarint();
  const step = opts.stepMs;
  const segCount = step !== undefined && step > 0 && step % 60_000 === 0 ? 1 : 2;
  const seg = segmentsOf(walls);
  const kept = new Uint8Array(n);
  const wanted = [false, false];
  for (let r = 0; r < n; r++) {
    if (seg[r]! < segCount && (!keep || keep(walls[r]!))) { kept[r] = 1; wanted[seg[r]!] = true; }
  }
  if (!wanted[0] && !wanted[1]) return [];
  // The dictionary (stack frames) is decoded as far as the samples read need it.
  const dictSize = rd.uvarint();
  const dictAt = new Int32Array(dictSize * 2);
  for (let i = 0; i < dictSize; i++) {
    const len = rd.uvarint();
    dictAt[2 * i] = rd.offset;
    dictAt[2 * i + 1] = len;
    rd.skip(len);
  }
  const strings = new Array<string | undefined>(dictSize);
  const dict = (i: number): string => {
    if (!(i >= 0 && i < dictSize)) throw new RangeError('series frame index out of range');
    const at = dictAt[2 * i]!;
    return (strings[i] ??= p1.toString('utf8', at, at + dictAt[2 * i + 1]!));
  };
  const segRows: number[][] = [[], []];
  for (let r = 0; r < n; r++) segRows[seg[r]!]!.push(r);
  const recOf = new Array<SeriesRecord | undefined>(n);
  if (wanted[0] && segRows[0]!.length > 0) readSegment(rd, kind, segRows[0]!.length, dict, (k) => kept[segRows[0]![k]!] === 1).forEach((x, i) => { recOf[segRows[0]![i]!] = x; });
  if (wanted[1] && segRows[1]!.length > 0) {
    const rd2 = new ByteReader(zlib.inflateRawSync(data.subarray(o + len1)));
    readSegment(rd2, kind, segRows[1]!.length, dict, (k) => kept[segRows[1]![k]!] === 1).forEach((x, i) => { recOf[segRows[1]![i]!] = x; });
  }
  const rebuild = kind === 'target' ? targetFromRecord : hostFromRecord;
  const out: TimedSample[] = [];
  for (let r = 0; r < n; r++) if (kept[r]) out.push({ wallMs: walls[r]!, sample: rebuild(recOf[r]!) });
  return out;
}
