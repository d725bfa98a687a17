// memcg-reclaim and direct-reclaim: every reclaim of the target, from vmscan's begin/end tracepoints
// (try_to_free_mem_cgroup_pages for memcg limits, try_to_free_pages for global direct reclaim).
import { renderLog2Histogram } from '../../render/histogram.js';
import { formatUs, traceTable } from '../format.js';
import type { BpftraceStream, HistBucket } from '../json-stream.js';
import { asHist, asKeyedNumbers, asNumber } from '../map-values.js';
import { type GeneratedProgram, type ProgramContext, type TraceProgram, argOf, splitRecord } from '../program.js';

/** One reclaim call as listed by the program. */
export interface ReclaimCall {
  tid: number;
  comm: string;
  /** Start, milliseconds since the trace began. */
  startMs: number;
  durationUs: number;
  pagesReclaimed: number;
}

/** A thread's reclaims in order, for the timeline of the slowest threads. */
export interface ReclaimThread {
  tid: number;
  comm: string;
  calls: number;
  totalUs: number;
  maxUs: number;
  pagesReclaimed: number;
  /** The thread's listed calls, in time order (at most 30), with the gap before each. */
  timeline: (ReclaimCall & { gapBeforeMs: number | undefined })[];
}

/** What memcg-reclaim and direct-reclaim report. */
export interface ReclaimResult {
  kind: 'memcg' | 'direct';
  calls: number;
  totalUs: number;
  maxUs: number;
  pagesReclaimed: number;
  durationUs: HistBucket[];
  pagesPerCall: HistBucket[];
  /** Calls that ended in each second of the trace. */
  callsPerSecond: { second: number; calls: number }[];
  /** The ten slowest listed calls. */
  slowest: ReclaimCall[];
  /** Up to five threads with the most reclaim time. */
  slowestThreads: ReclaimThread[];
  /** Calls at least `--threshold` long that were listed individually (the totals above count all). */
  listedCalls: number;
  /** direct-reclaim only: memcg reclaims in the same window, which direct-reclaim tools such as drsnoop miss. */
  memcgCalls?: number;
}

const TP = {
  memcg: ['vmscan:mm_vmscan_memcg_reclaim_begin', 'vmscan:mm_vmscan_memcg_reclaim_end'],
  direct: ['vmscan:mm_vmscan_direct_reclaim_begin', 'vmscan:mm_vmscan_direct_reclaim_end'],
} as const;

function generate(kind: 'memcg' | 'direct', ctx: ProgramContext): GeneratedProgram {
  const a = argOf(ctx);
  const [begin, end] = TP[kind];
  const p = ctx.predicate;
  const extra = kind === 'direct' && ctx.fields('vmscan:mm_vmscan_memcg_reclaim_begin')
    ? `tracepoint:vmscan:mm_vmscan_memcg_reclaim_begin /${p}/ { @memcg_calls = count(); }\n`
    : '';
  const body = `tracepoint:${begin} /${p}/ { @rw_begin[tid] = nsecs; }
tracepoint:${end} /(${p}) && @rw_begin[tid]/ {
  $us = (nsecs - @rw_begin[tid]) / 1000;
  $pages = ${a('nr_reclaimed')};
  @rw_events = count();
  @calls = count();
  @duration_us = hist($us);
  @pages_per_call = hist($pages);
  @total_us = sum($us);
  @max_us = max($us);
  @pages_total = sum($pages);
  @calls_per_s[(nsecs - @rw_t0) / 1000000000] = count();
  if ($us >= ${Math.floor(ctx.thresholdUs)}) {
    printf("R\\t%d\\t%d\\t%d\\t%d\\t%s\\n", tid, (@rw_begin[tid] - @rw_t0) / 1000, $us, $pages, comm);
  }
  delete(@rw_begin[tid]);
}
${extra}`;
  return { body, tempMaps: ['@rw_begin'], unavailable: [] };
}

function interpret(kind: 'memcg' | 'direct', s: BpftraceStream): ReclaimResult {
  const calls: ReclaimCall[] = [];
  for (const line of s.printfs) {
    if (!line.startsWith('R\t')) continue;
    const f = splitRecord(line, 6);
    if (!f) continue;
    calls.push({ tid: Number(f[1]), startMs: Number(f[2]) / 1000, durationUs: Number(f[3]), pagesReclaimed: Number(f[4]), comm: f[5] ?? '' });
  }
  const byTid = new Map<number, ReclaimCall[]>();
  for (const c of calls) byTid.set(c.tid, [...(byTid.get(c.tid) ?? []), c]);
  const threads: ReclaimThread[] = [...byTid.entries()].map(([tid, cs]) => {
    cs.sort((x, y) => x.startMs - y.startMs);
    const timeline = cs.slice(0, 30).map((c, i) => {
      const prev = i > 0 ? cs[i - 1] : undefined;
      return { ...c, gapBeforeMs: prev ? Math.max(0, c.startMs - (prev.startMs + prev.durationUs / 1000)) : undefined };
    });
    return {
      tid, comm: cs[cs.length - 1]?.comm ?? '', calls: cs.length,
      totalUs: cs.reduce((a, c) => a + c.durationUs, 0), maxUs: Math.max(...cs.map((c) => c.durationUs)),
      pagesReclaimed: cs.reduce((a, c) => a + c.pagesReclaimed, 0), timeline,
    };
  });
  threads.sort((x, y) => y.totalUs - x.totalUs);
  const perS = asKeyedNumbers(s.maps.get('@calls_per_s'));
  const result: ReclaimResult = {
    kind,
    calls: asNumber(s.maps.get('@calls')),
    totalUs: asNumber(s.maps.get('@total_us')),
    maxUs: asNumber(s.maps.get('@max_us')),
    pagesReclaimed: asNumber(s.maps.get('@pages_total')),
    durationUs: asHist(s.maps.get('@duration_us')),
    pagesPerCall: asHist(s.maps.get('@pages_per_call')),
    callsPerSecond: Object.entries(perS).map(([k, v]) => ({ second: Number(k), calls: v })).sort((x, y) => x.second - y.second),
    slowest: [...calls].sort((x, y) => y.durationUs - x.durationUs).slice(0, 10),
    slowestThreads: threads.slice(0, 5),
    listedCalls: calls.length,
  };
  if (kind === 'direct') result.memcgCalls = asNumber(s.maps.get('@memcg_calls'));
  return result;
}

function renderText(r: ReclaimResult): string {
  const what = r.kind === 'memcg' ? 'memcg reclaim' : 'direct reclaim';
  const out: string[] = [];
  out.push(`${what}: ${r.calls} call(s), ${formatUs(r.totalUs)} in total, slowest ${formatUs(r.maxUs)}, ${r.pagesReclaimed} page(s) reclaimed\n`);
  if (r.kind === 'direct' && r.memcgCalls !== undefined) out.push(`memcg reclaims in the same window (not direct reclaim, not shown by drsnoop): ${r.memcgCalls}\n`);
  if (r.calls === 0) return out.join('');
  out.push('\n' + renderLog2Histogram(r.durationUs, { title: `${what} duration`, unit: 'µs' }));
  out.push('\n' + renderLog2Histogram(r.pagesPerCall, { title: 'pages reclaimed per call', unit: 'pages' }));
  if (r.callsPerSecond.length > 0) out.push(`\ncalls per second: ${r.callsPerSecond.map((c) => `${c.second}s:${c.calls}`).join(' ')}\n`);
  if (r.slowestThreads.length > 0) {
    out.push('\nthreads with the most reclaim time (listed calls):\n');
    out.push(traceTable([['TID', 'COMM', 'CALLS', 'TOTAL', 'MAX', 'PAGES'], ...r.slowestThreads.map((t) => [String(t.tid), t.comm, String(t.calls), formatUs(t.totalUs), formatUs(t.maxUs), String(t.pagesReclaimed)])]));
    const t = r.slowestThreads[0];
    if (t) {
      out.push(`\ntimeline of tid ${t.tid} (${t.comm}), first ${t.timeline.length} call(s):\n`);
      out.push(traceTable([['START ms', 'DURATION', 'PAGES', 'GAP BEFORE'], ...t.timeline.map((c) => [c.startMs.toFixed(1), formatUs(c.durationUs), String(c.pagesReclaimed), c.gapBeforeMs === undefined ? '-' : `${c.gapBeforeMs.toFixed(1)} ms`])]));
    }
  }
  return out.join('');
}

function reclaimProgram(kind: 'memcg' | 'direct'): TraceProgram<ReclaimResult> {
  return {
    name: `${kind}-reclaim`,
    answers: kind === 'memcg'
      ? 'How often and how long does the target reclaim against its cgroup limit, and how many pages does each call get back?'
      : 'How often and how long does the target stall in global direct reclaim (what drsnoop shows; memcg reclaim counted apart)?',
    requiredTracepoints: () => [...TP[kind]],
    optionalProbes: kind === 'direct' ? ['vmscan:mm_vmscan_memcg_reclaim_begin'] : [],
    needs: 'vmscan tracepoints (CONFIG_TRACEPOINTS; in mainline since 2.6.36)',
    defaults: { thresholdUs: 0 },
    hasStacks: false,
    generate: (ctx) => generate(kind, ctx),
    interpret: (s) => interpret(kind, s),
    renderText,
  };
}

/** `memcg-reclaim`: every memcg reclaim of the target. */
export const memcgReclaimProgram = reclaimProgram('memcg');
/** `direct-reclaim`: global direct reclaim of the target. */
export const directReclaimProgram = reclaimProgram('direct');
