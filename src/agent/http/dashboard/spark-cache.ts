// The Targets page's sparklines over history (GET /api/v1/targets?spark=SECONDS): an hour of 1 Hz samples per
// target becomes at most SPARK_POINTS points. A point is derived from the first sample of one step to the first
// of the next (derive over the counters between them), so CPU and progress are true means over the step and
// memory is the usage at its end. Reading an hour back from the store costs ~30 ms a target (its chunks are
// inflated whole), so the points are kept: a target is read from the store once, then extended from the
// Sampler's in-memory ring at each request, and the store is read again only for a stretch the ring missed.
import type { TargetSample } from '../../../sample/sample.js';
import { derive } from '../../../sample/derive.js';
import type { Store } from '../../store/store.js';

/** A target's sparkline values: one time and three values per point (null: not measured then). */
export interface Sparkline { t: number[]; cpuCores: Array<number | null>; memoryRatio: Array<number | null>; progress: Array<number | null> }

/**
 * Points per sparkline read from history (`?spark=`): one per two pixels of the dashboard's 120-px sparklines, so an
 * hour is read at a 60 s step, which the store serves from its minute level (a 30 s step inflates every sample).
 */
export const SPARK_POINTS = 60;

/** One target asked for: its id and the Sampler's ring of its newest samples (oldest first). */
export interface SparkTarget { id: string; ring: readonly TargetSample[] }

interface Point { t: number; cpu: number | null; mem: number | null; prog: number | null }
/** A target's kept points; `last` is the first sample of the newest step, `seen` the newest sample looked at. */
interface Entry { step: number; points: Point[]; last: TargetSample; seen: number }

/** The step of a sparkline over `ms` of history: whole seconds, at most SPARK_POINTS points. */
export function sparkStepMs(ms: number): number {
  const step = Math.max(1000, Math.ceil(ms / SPARK_POINTS / 1000) * 1000);
  // Steps of a minute or more are whole minutes: the store's fast path.
  return step >= 60_000 ? Math.ceil(step / 60_000) * 60_000 : step;
}

/** Sparklines over history, kept between requests (one instance per agent; see the module comment). */
export class SparkCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param store the agent's store.
   * @param firstReadBudgetMs time one request may spend reading targets from the store for the first time; the
   *   rest (at least one a request) are read by the next requests, and are absent from this answer meanwhile.
   */
  constructor(private readonly store: Store, private readonly firstReadBudgetMs = 200) {}

  /** How many targets have their points kept. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Each target's sparkline over `[from, to]` in steps of `step`, ending with the partial step up to its newest
   * sample. Targets not asked for are forgotten. Targets beyond the first-read budget are absent from the map.
   */
  sparklines(targets: readonly SparkTarget[], hostCpus: number, from: number, to: number, step: number): Map<string, Sparkline> {
    const out = new Map<string, Sparkline>();
    const deadline = performance.now() + this.firstReadBudgetMs;
    const asked = new Set<string>();
    let reads = 0;
    for (const t of targets) {
      asked.add(t.id);
      let e = this.entries.get(t.id);
      if (e && e.step !== step) e = undefined;
      if (!e) {
        if (reads > 0 && performance.now() > deadline) continue; // at least one a request: every target gets its turn
        reads++;
        e = this.read(t.id, hostCpus, from - step, to, step);
        if (!e) continue;
        this.entries.set(t.id, e);
      }
      this.extend(e, t, hostCpus, to);
      while (e.points.length > 0 && e.points[0]!.t < from) e.points.shift();
      const newest = t.ring.at(-1);
      const line: Sparkline = { t: [], cpuCores: [], memoryRatio: [], progress: [] };
      const push = (p: Point): void => {
        line.t.push(p.t);
        line.cpuCores.push(p.cpu);
        line.memoryRatio.push(p.mem);
        line.progress.push(p.prog);
      };
      e.points.forEach(push);
      if (newest && newest.wallMs > e.last.wallMs && newest.wallMs <= to) push(point(e.last, newest, hostCpus, step));
      out.set(t.id, line);
    }
    for (const id of this.entries.keys()) if (!asked.has(id)) this.entries.delete(id);
    return out;
  }

  /** The points of `[from, to]` from the store; undefined when it holds no sample of the target then. */
  private read(id: string, cpus: number, from: number, to: number, step: number): Entry | undefined {
    const samples = this.store.readTargetSamples(id, from, to, (x) => x as TargetSample, { stepMs: step, series: true });
    if (samples.length === 0) return undefined;
    const e: Entry = { step, points: [], last: samples[0]!.sample, seen: to };
    for (let i = 1; i < samples.length; i++) add(e, samples[i]!.sample, cpus);
    return e;
  }

  /** Adds the first sample of each new step since `e.last`: from the ring, or from the store for what it missed. */
  private extend(e: Entry, t: SparkTarget, cpus: number, to: number): void {
    const first = t.ring[0];
    if (!first) return;
    // The ring holds every sample since its first: what came between the last look and it is in the store.
    if (first.wallMs > e.seen && !t.ring.some((s) => s.wallMs === e.seen)) {
      const missed = this.store.readTargetSamples(t.id, e.seen + 1, first.wallMs - 1, (x) => x as TargetSample, { stepMs: e.step, series: true });
      for (const s of missed) if (bucket(s.sample.wallMs, e.step) > bucket(e.last.wallMs, e.step)) add(e, s.sample, cpus);
    }
    for (const s of t.ring) {
      if (s.wallMs > to) break;
      if (bucket(s.wallMs, e.step) > bucket(e.last.wallMs, e.step)) add(e, s, cpus);
      e.seen = Math.max(e.seen, s.wallMs);
    }
  }
}

function bucket(wallMs: number, step: number): number {
  return Math.floor(wallMs / step);
}

function add(e: Entry, s: TargetSample, cpus: number): void {
  e.points.push(point(e.last, s, cpus, e.step));
  e.last = s;
}

/** The point from `prev` to `cur`; a gap of over two steps (agent down, target absent) is null, not a line. */
function point(prev: TargetSample, cur: TargetSample, cpus: number, step: number): Point {
  if (cur.wallMs - prev.wallMs > 2 * step) return { t: cur.wallMs, cpu: null, mem: null, prog: null };
  const m = derive(prev, cur, cpus);
  return { t: cur.wallMs, cpu: m.cpu.totalCores, mem: m.memory ? m.memory.usageRatio : null, prog: m.progress.workPerSystemCpuSecond ?? null };
}
