/**
 * The series projection: the few numbers of a stored sample that a series is derived from, so a series read never
 * rebuilds whole samples (~270 properties a target sample, of which a series point needs ~20 and the processes'
 * totals).
 *
 * {@link targetRecord} takes from a target sample what `derive()` reads for the fields `seriesPoint()` (http/api.ts)
 * and the dashboard's sparklines return: wall and monotonic time, the cgroup's CPU counters and quota, memory usage,
 * limits and limit hits, the reclaim counters as `reclaimPages()` sums them, the refault counters' sum, memory
 * pressure's totals, each process's totals (pid, start time, faults, CPU ticks, I/O bytes and syscalls summed:
 * derive() matches processes by pid and start time, so they stay one by one), kernel stacks as frames (tagged when
 * read, by the current tagger) and the worst mmap_lock probe latency. Of a host sample ({@link hostRecord}): its
 * CPU count and `/proc/vmstat`'s reclaim sums (a v1 cgroup's fallback). {@link projectTargetSeries} rebuilds a
 * sample-shaped value from a record, so `derive(project(a), project(b))` gives what `seriesPoint()` takes from
 * `derive(a, b)` (series-projection.test.ts checks it on recorded and on arbitrary samples).
 *
 * Records are stored with each chunk (series-codec.ts); the store reads them for `{ series: true }`. The format is
 * versioned: a field the series comes to need is a new {@link SERIES_VERSION} (and stored projections of another
 * version are not used: the chunk is then read whole and projected).
 *
 * Nothing here throws on a value of another shape (the store keeps any JSON-like value): a field that is not what
 * it should be is left out.
 */
import { reclaimPages, sumKeys } from '../../sample/derive.js';

/** The version of the projection (and of series-codec.ts's layout). */
export const SERIES_VERSION = 1;

/** Which kind of sample a record is of. */
export type SeriesKind = 'target' | 'host';

/** A target sample's scalar fields, in their stored order (booleans as 0/1; absent: undefined). */
export const TARGET_FIELDS = ['wallMs', 'monoMs', 'gone', 'cpu', 'cpu.userUs', 'cpu.systemUs', 'cpu.quotaCores', 'memory', 'memory.usageBytes',
  'memory.limitBytes', 'memory.highBytes', 'memory.limitHits', 'memory.scanned', 'memory.stolen', 'memory.refaults', 'psi.some', 'psi.full', 'probes.worstMs'] as const;
/** A host sample's scalar fields. */
export const HOST_FIELDS = ['wallMs', 'monoMs', 'cpus', 'vmstat', 'vmstat.scanned', 'vmstat.stolen'] as const;
/** A process's fields: pid, start time, faults, CPU ticks, I/O bytes (read + written) and syscalls (read + write). */
export const PROCESS_FIELDS = 8;

/** The numbers of one sample's projection. */
export interface SeriesRecord {
  /** By {@link TARGET_FIELDS} or {@link HOST_FIELDS}. */
  scalars: Array<number | undefined>;
  /** Each process's {@link PROCESS_FIELDS} numbers (targets only; [] for hosts). */
  processes: Array<Array<number | undefined>>;
  /** Kernel stacks' frames; undefined when none were sampled (targets only). */
  stacks: string[][] | undefined;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function flag(v: unknown): number | undefined {
  return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
}

function reclaimOf(stat: Obj | undefined): { scanned: number; stolen: number } | undefined {
  return stat ? reclaimPages(stat as Record<string, number>) : undefined;
}

/** The record of a target sample (see the module comment). */
export function targetRecord(sample: unknown): SeriesRecord {
  const s = obj(sample) ?? {};
  const cpu = obj(s['cpu']);
  const mem = obj(s['memory']);
  const stat = mem ? obj(mem['stat']) : undefined;
  const reclaim = reclaimOf(stat);
  const psiMem = obj(obj(s['psi'])?.['memory']);
  const probes = obj(s['probes']);
  const lat: number[] = [];
  for (const p of Array.isArray(probes?.['finished']) ? probes['finished'] as unknown[] : []) lat.push(obj(p)?.['latencyMs'] as number);
  for (const x of Array.isArray(probes?.['inFlightMs']) ? probes['inFlightMs'] as unknown[] : []) lat.push(x as number);
  const scalars = [
    num(s['wallMs']), num(s['monoMs']), flag(s['gone']),
    cpu ? 1 : undefined, num(cpu?.['userUs']), num(cpu?.['systemUs']), num(cpu?.['quotaCores']),
    mem ? 1 : undefined, num(mem?.['usageBytes']), num(mem?.['limitBytes']), num(mem?.['highBytes']), num(mem?.['limitHits']),
    reclaim?.scanned, reclaim?.stolen, stat ? sumKeys(stat as Record<string, number>, 'workingset_refault') : undefined,
    num(obj(psiMem?.['some'])?.['totalUs']), num(obj(psiMem?.['full'])?.['totalUs']),
    lat.length > 0 ? Math.max(...lat) : undefined,
  ];
  const processes: Array<Array<number | undefined>> = [];
  for (const x of Array.isArray(s['processes']) ? s['processes'] as unknown[] : []) {
    const p = obj(x);
    if (!p) continue;
    const io = obj(p['io']);
    processes.push([num(p['pid']), num(p['starttimeTicks']), num(p['minflt']), num(p['majflt']), num(p['utimeTicks']), num(p['stimeTicks']),
      io ? (io['rcharBytes'] as number) + (io['wcharBytes'] as number) : undefined, io ? (io['syscr'] as number) + (io['syscw'] as number) : undefined]);
  }
  let stacks: string[][] | undefined;
  if (Array.isArray(s['stacks'])) {
    stacks = (s['stacks'] as unknown[]).map((st) => {
      const f = obj(st)?.['frames'];
      return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
    });
  }
  return { scalars, processes, stacks };
}

/** The record of a host sample (see the module comment). */
export function hostRecord(sample: unknown): SeriesRecord {
  const s = obj(sample) ?? {};
  const vmstat = obj(s['vmstat']);
  const reclaim = reclaimOf(vmstat);
  return { scalars: [num(s['wallMs']), num(s['monoMs']), num(s['cpus']), vmstat ? 1 : undefined, reclaim?.scanned, reclaim?.stolen], processes: [], stacks: undefined };
}

/** Sets `o[k] = v` when v is defined. */
function set(o: Obj, k: string, v: unknown): void {
  if (v !== undefined) o[k] = v;
}

/** A target sample's projection, sample-shaped, from its record (what a series read returns). */
export function targetFromRecord(r: SeriesRecord): unknown {
  const x = r.scalars;
  const o: Obj = {};
  set(o, 'wallMs', x[0]);
  set(o, 'monoMs', x[1]);
  if (x[2] !== undefined) o['gone'] = x[2] === 1;
  if (x[3] !== undefined) {
    const cpu: Obj = {};
    set(cpu, 'userUs', x[4]);
    set(cpu, 'systemUs', x[5]);
    set(cpu, 'quotaCores', x[6]);
    o['cpu'] = cpu;
  }
  if (x[7] !== undefined) {
    const mem: Obj = {};
    set(mem, 'usageBytes', x[8]);
    set(mem, 'limitBytes', x[9]);
    set(mem, 'highBytes', x[10]);
    set(mem, 'limitHits', x[11]);
    const stat: Obj = {};
    if (x[12] !== undefined && x[13] !== undefined) { stat['pgscan'] = x[12]; stat['pgsteal'] = x[13]; }
    set(stat, 'workingset_refault', x[14]);
    mem['stat'] = stat;
    o['memory'] = mem;
  }
  const memPsi: Obj = {};
  if (x[15] !== undefined) memPsi['some'] = { totalUs: x[15] };
  if (x[16] !== undefined) memPsi['full'] = { totalUs: x[16] };
  o['psi'] = x[15] !== undefined || x[16] !== undefined ? { memory: memPsi } : {};
  o['processes'] = r.processes.map((p) => {
    const q: Obj = {};
    set(q, 'pid', p[0]);
    set(q, 'starttimeTicks', p[1]);
    set(q, 'minflt', p[2]);
    set(q, 'majflt', p[3]);
    set(q, 'utimeTicks', p[4]);
    set(q, 'stimeTicks', p[5]);
    if (p[6] !== undefined || p[7] !== undefined) q['io'] = { rcharBytes: p[6], wcharBytes: 0, syscr: p[7], syscw: 0 };
    return q;
  });
  if (r.stacks) o['stacks'] = r.stacks.map((frames) => ({ frames }));
  o['probes'] = { finished: x[17] !== undefined ? [{ latencyMs: x[17] }] : [], inFlightMs: [] };
  return o;
}

/** A host sample's projection, sample-shaped, from its record. */
export function hostFromRecord(r: SeriesRecord): unknown {
  const x = r.scalars;
  const o: Obj = {};
  set(o, 'wallMs', x[0]);
  set(o, 'monoMs', x[1]);
  set(o, 'cpus', x[2]);
  if (x[3] !== undefined) {
    const vmstat: Obj = {};
    if (x[4] !== undefined && x[5] !== undefined) { vmstat['pgscan'] = x[4]; vmstat['pgsteal'] = x[5]; }
    o['vmstat'] = vmstat;
  }
  return o;
}

/** A target sample's series projection (see the module comment). */
export function projectTargetSeries(sample: unknown): unknown {
  return targetFromRecord(targetRecord(sample));
}

/** A host sample's series projection (see the module comment). */
export function projectHostSeries(sample: unknown): unknown {
  return hostFromRecord(hostRecord(sample));
}
