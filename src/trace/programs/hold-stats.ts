// hold-stats: for each mmap_lock hold of the target, what reclaim did during it (the reference's per-hold
// table): shrink_inactive/_active counters, reclaim throttling, context switches, CPU time vs wall time.
// Counters that only kprobes can give (__cond_resched, shrink_lruvec, shrink_list) are generated only where
// the kernel offers kprobes; elsewhere they are listed as unavailable, never printed as zeros.
import { formatUs } from '../format.js';
import type { BpftraceStream } from '../json-stream.js';
import { asNumber } from '../map-values.js';
import { type GeneratedProgram, type ProgramContext, type TraceProgram, type Unavailable, argOf, splitRecord } from '../program.js';

/** One counter kept per hold. */
interface Counter {
  /** Key in results, e.g. `nr_scanned`, `context_switches`. */
  key: string;
  /** Statement(s) run in the source probe for the holding thread `$t` (or `tid`). */
  source: 'inactive' | 'active' | 'throttled' | `kprobe:${string}`;
  /** Expression added per event (a tracepoint field accessor or `1`). */
  add: (a: (f: string) => string) => string;
  /** Extra condition (bpftrace expression) for this counter. */
  when?: (a: (f: string) => string) => string;
}

const INACTIVE = 'vmscan:mm_vmscan_lru_shrink_inactive';
const ACTIVE = 'vmscan:mm_vmscan_lru_shrink_active';
const THROTTLED = 'vmscan:mm_vmscan_throttled';
const INACTIVE_FIELDS = ['nr_scanned', 'nr_reclaimed', 'nr_dirty', 'nr_writeback', 'nr_congested', 'nr_immediate', 'nr_activate0', 'nr_activate1', 'nr_activate', 'nr_ref_keep', 'nr_unmap_fail'];
const ACTIVE_FIELDS = ['nr_taken', 'nr_active', 'nr_deactivated', 'nr_referenced'];
const THROTTLE_REASONS = ['writeback', 'isolated', 'noprogress', 'congested'];
const KPROBE_COUNTERS = [
  { fn: '__cond_resched', key: 'cond_resched_calls' },
  { fn: 'shrink_lruvec', key: 'shrink_lruvec_calls' },
  { fn: 'shrink_list', key: 'shrink_list_calls' },
];

/** The counters this kernel can give, and the ones it cannot with the reason. */
export function holdCounters(ctx: Pick<ProgramContext, 'fields' | 'kprobes' | 'traceableFunction'>): { counters: Counter[]; unavailable: Unavailable[] } {
  const counters: Counter[] = [];
  const unavailable: Unavailable[] = [];
  const inactive = ctx.fields(INACTIVE);
  const active = ctx.fields(ACTIVE);
  const throttled = ctx.fields(THROTTLED);
  if (inactive) {
    counters.push({ key: 'shrink_inactive_calls', source: 'inactive', add: () => '1' });
    for (const f of INACTIVE_FIELDS) if (inactive.has(f)) counters.push({ key: f, source: 'inactive', add: (a) => a(f) });
  } else unavailable.push({ what: 'shrink_inactive counters (nr_scanned, nr_reclaimed, nr_activate*, nr_ref_keep, ...)', reason: `tracepoint ${INACTIVE} absent (Linux 4.9+)` });
  if (active) {
    counters.push({ key: 'shrink_active_calls', source: 'active', add: () => '1' });
    for (const f of ACTIVE_FIELDS) if (active.has(f)) counters.push({ key: f, source: 'active', add: (a) => a(f) });
  } else unavailable.push({ what: 'shrink_active counters (nr_taken, nr_active, nr_deactivated, nr_referenced)', reason: `tracepoint ${ACTIVE} absent (Linux 4.9+)` });
  if (throttled?.has('reason')) {
    THROTTLE_REASONS.forEach((r, i) => counters.push({ key: `throttled_${r}`, source: 'throttled', add: () => '1', when: (a) => `${a('reason')} == ${i}` }));
  } else unavailable.push({ what: 'reclaim_throttle() sleeps by reason', reason: `tracepoint ${THROTTLED} absent (Linux 5.16+)` });
  for (const k of KPROBE_COUNTERS) {
    if (!ctx.kprobes) unavailable.push({ what: `${k.fn}() calls`, reason: 'unavailable here (no kprobes: the kernel was built without CONFIG_KPROBES)' });
    else if (!ctx.traceableFunction(k.fn)) unavailable.push({ what: `${k.fn}() calls`, reason: `${k.fn} cannot be probed on this kernel (inlined or not traceable)` });
    else counters.push({ key: k.key, source: `kprobe:${k.fn}`, add: () => '1' });
  }
  return { counters, unavailable };
}

/** Per-hold counters as the program reports them. */
export interface HoldStat {
  pid: number;
  tid: number;
  comm: string;
  mode: 'read' | 'write';
  durationUs: number;
  /** Time on CPU during the hold. */
  runtimeUs: number;
  contextSwitches: number;
  /** Switched out while still runnable (preempted or yielded), not sleeping. */
  preemptions: number;
  /** Counters by name (only those available on this kernel). */
  counters: Record<string, number>;
}

/** What hold-stats reports. */
export interface HoldStatsResult {
  holds: number;
  thresholdUs: number;
  /** Holds of at least thresholdUs, longest first (at most 100). */
  longHolds: HoldStat[];
  longHoldCount: number;
  /** Counter names available here, in order. */
  counterNames: string[];
  unavailable: Unavailable[];
}

function mapName(key: string): string {
  return `@rw_c_${key}`;
}

function generate(ctx: ProgramContext): GeneratedProgram {
  const a = argOf(ctx);
  const p = ctx.predicate;
  const { counters, unavailable } = holdCounters(ctx);
  const bySource = new Map<string, Counter[]>();
  for (const c of counters) bySource.set(c.source, [...(bySource.get(c.source) ?? []), c]);
  const probeOf: Record<string, string> = { inactive: `tracepoint:${INACTIVE}`, active: `tracepoint:${ACTIVE}`, throttled: `tracepoint:${THROTTLED}` };
  const sourceProbes = [...bySource.entries()].map(([src, cs]) => {
    const probe = probeOf[src] ?? src;
    const stmts = cs.map((c) => {
      const s = `${mapName(c.key)}[tid] = ${mapName(c.key)}[tid] + ${c.add(a)};`;
      return c.when ? `if (${c.when(a)}) { ${s} }` : s;
    });
    return `${probe} /@rw_hs_start[tid]/ {\n  ${stmts.join('\n  ')}\n}`;
  }).join('\n');
  const tmp = ['@rw_hs_start', '@rw_hs_on', '@rw_hs_write', '@rw_c_cs', '@rw_c_pre', '@rw_c_rt', ...counters.map((c) => mapName(c.key))];
  const fmt = ['S', '%d', '%d', '%d', '%d', '%d', '%d', '%d', ...counters.map(() => '%d'), '%s'].join('\\t');
  const args = ['pid', 'tid', '@rw_hs_write[tid]', '$dur', '$rt', '@rw_c_cs[tid]', '@rw_c_pre[tid]', ...counters.map((c) => `${mapName(c.key)}[tid]`), 'comm'];
  // A thread that acquires again before releasing (a nested read lock) starts a fresh hold: its accumulators are
  // cleared too, or the runtime of the earlier hold would count against the later one's wall time.
  // An on-CPU stretch is counted once, from the acquire or a switch-in to the next switch-out or the release, and
  // the switch-out forgets its start. A lost switch-in (the kernel skips a BPF program that would recurse on a
  // CPU, as CI saw when runtime came out 1.2 ms over a 9.9 ms hold) then drops a stretch instead of counting the
  // time off CPU: the stretches never overlap, so the runtime can come out short but never beyond the wall time.
  const body = `tracepoint:mmap_lock:mmap_lock_acquire_returned /(${p}) && ${a('success')}/ {
  ${tmp.map((m) => `delete(${m}[tid]);`).join(' ')}
  @rw_hs_start[tid] = nsecs; @rw_hs_on[tid] = nsecs; @rw_hs_write[tid] = ${a('write')};
}
${sourceProbes}
tracepoint:sched:sched_switch {
  $prev = ${a('prev_pid')};
  $next = ${a('next_pid')};
  if (@rw_hs_start[$prev]) {
    @rw_c_cs[$prev] = @rw_c_cs[$prev] + 1;
    if ((${a('prev_state')} & 0x7f) == 0) { @rw_c_pre[$prev] = @rw_c_pre[$prev] + 1; }
    if (@rw_hs_on[$prev]) {
      @rw_c_rt[$prev] = @rw_c_rt[$prev] + (nsecs - @rw_hs_on[$prev]);
      delete(@rw_hs_on[$prev]);
    }
  }
  if (@rw_hs_start[$next]) { @rw_hs_on[$next] = nsecs; }
}
tracepoint:mmap_lock:mmap_lock_released /(${p}) && @rw_hs_start[tid]/ {
  $now = nsecs;
  $dur = ($now - @rw_hs_start[tid]) / 1000;
  $rt = @rw_c_rt[tid];
  if (@rw_hs_on[tid]) { $rt = $rt + ($now - @rw_hs_on[tid]); }
  $rt = $rt / 1000;
  @rw_events = count();
  @hs_holds = count();
  if ($dur >= ${Math.floor(ctx.thresholdUs)}) {
    printf("${fmt}\\n", ${args.join(', ')});
  }
  ${tmp.map((m) => `delete(${m}[tid]);`).join(' ')}
}
`;
  return { body, tempMaps: tmp, unavailable };
}

function interpret(s: BpftraceStream, ctx: ProgramContext): HoldStatsResult {
  const { counters, unavailable } = holdCounters(ctx);
  const n = 8 + counters.length;
  const holds: HoldStat[] = [];
  for (const line of s.printfs) {
    if (!line.startsWith('S\t')) continue;
    const f = splitRecord(line, n + 1);
    if (!f) continue;
    const num = (i: number): number => Number(f[i]);
    const c: Record<string, number> = {};
    counters.forEach((k, i) => (c[k.key] = num(8 + i)));
    holds.push({ pid: num(1), tid: num(2), mode: f[3] === '1' ? 'write' : 'read', durationUs: num(4), runtimeUs: num(5), contextSwitches: num(6), preemptions: num(7), counters: c, comm: f[n] ?? '' });
  }
  holds.sort((x, y) => y.durationUs - x.durationUs);
  return {
    holds: asNumber(s.maps.get('@hs_holds')),
    thresholdUs: ctx.thresholdUs,
    longHolds: holds.slice(0, 100),
    longHoldCount: holds.length,
    counterNames: counters.map((c) => c.key),
    unavailable,
  };
}

function renderText(r: HoldStatsResult): string {
  const out: string[] = [`${r.holds} mmap_lock hold(s); ${r.longHoldCount} of at least ${formatUs(r.thresholdUs)}\n`];
  for (const h of r.longHolds.slice(0, 5)) {
    out.push(`\n=== [${h.mode.toUpperCase()}] mmap_lock hold in PID ${h.pid} TID ${h.tid} COMM ${h.comm} ===\n`);
    const rows: [string, string][] = [
      ['context switches', String(h.contextSwitches)],
      ['preemptions (switched out runnable)', String(h.preemptions)],
      ...r.counterNames.map((k): [string, string] => [k, String(h.counters[k] ?? 0)]),
      ['runtime (on CPU)', `${h.runtimeUs} µs`],
      ['duration (wall)', `${h.durationUs} µs`],
    ];
    out.push(rows.map(([k, v]) => `${k.padStart(36)}: ${v}\n`).join(''));
  }
  return out.join('');
}

/** `hold-stats`: per-hold reclaim and scheduling counters. */
export const holdStatsProgram: TraceProgram<HoldStatsResult> = {
  name: 'hold-stats',
  answers: 'During each long mmap_lock hold, what did reclaim do (pages scanned, reclaimed, activated, kept) and how much of the hold was on CPU?',
  requiredTracepoints: () => ['mmap_lock:mmap_lock_acquire_returned', 'mmap_lock:mmap_lock_released', 'sched:sched_switch'],
  optionalProbes: [INACTIVE, ACTIVE, THROTTLED, ...KPROBE_COUNTERS.map((k) => `kprobe:${k.fn}`)],
  needs: 'mmap_lock tracepoints (Linux 5.10+), sched_switch, vmscan lru_shrink tracepoints; kprobes for __cond_resched/shrink_lruvec/shrink_list',
  defaults: { thresholdUs: 10_000 },
  hasStacks: false,
  generate,
  interpret,
  renderText,
};
