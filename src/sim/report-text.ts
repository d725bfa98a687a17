// The model's report in the reference's own format: the longest hold's "=== [READ] mmap_lock hold stats ===" table
// (the layout of the reference's bpftrace script output), what the counters mean, progress of both thread groups
// over time, the verdict in repro's terms, and our figures beside the reference's.
import { table } from '../render/table.js';
import { formatBytes } from '../units/bytes.js';
import type { SimHold, SimResult } from './run-sim.js';

/** The reference's longest hold (the-vanishing-cpu.md, "The livelock explained"). */
export const REFERENCE_HOLD = Object.freeze({
  tid: 1891547, comm: 'r_memory', contextSwitches: 2569, condResched: 2255178, shrinkLruvec: 13, shrinkList: 34172,
  nrScanned: 1093267, nrReclaimed: 32, nrActivate1: 564142, nrRefKeep: 529093, nrDeactivated: 0,
  runtimeUs: 3699226, durationUs: 563997395, threadsPerCpu: 150, oomKills: 0,
});

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const lbl = (s: string): string => s.padStart(30);

/** The hold's table, line for line as the reference prints it. */
export function holdTable(h: SimHold): string[] {
  const c = h.counters;
  const row = (k: string, v: number | string): string => `${lbl(k)}: ${typeof v === 'number' ? Math.round(v) : v}`;
  return [
    `=== [READ] mmap_lock hold stats in TID ${h.tid} COMM ${h.comm} ===`,
    row('number of context switches', c.contextSwitches),
    row('number of preemptions', 0),
    row('reclaim_throttle() calls', '0 WRITEBACK, 0 ISOLATED, 0 NOPROGRESS, 0 CONGESTED'),
    row('__cond_resched() calls', c.condResched),
    row('shrink_lruvec() calls', c.shrinkLruvec),
    row('shrink_list() calls', c.shrinkList),
    row('nr_taken', c.nrScanned),
    row('nr_active', 0),
    row('nr_deactivated', c.nrDeactivated),
    row('nr_referenced', 0),
    row('nr_scanned', c.nrScanned),
    row('nr_reclaimed', c.nrReclaimed),
    row('nr_dirty', 0),
    row('nr_writeback', 0),
    row('nr_congested', 0),
    row('nr_immediate', 0),
    row('nr_activate0', c.nrActivate0),
    row('nr_activate1', c.nrActivate1),
    row('nr_ref_keep', c.nrRefKeep),
    row('nr_unmap_fail', 0),
    row('runtime', `${Math.round(c.runtimeUs)} us`),
    row('duration', `${Math.round(h.durationMs * 1000)} us${h.open ? ' (still held when the run ended)' : ''}`),
  ];
}

/** What the longest hold's counters mean, in the reference's words. */
function meaning(r: SimResult, h: SimHold): string[] {
  const c = h.counters;
  const mglru = r.params.lru === 'mglru';
  const out = [
    `The thread held mmap_lock for reading for ${(h.durationMs / 1000).toFixed(1)} s of simulated time${h.open ? ' (and still held it at the end)' : ''} but ran only ${(c.runtimeUs / 1e6).toFixed(2)} s on a CPU:`,
    `it competed with about ${Math.round(h.threadsPerCpu)} other threads for its CPU (duration / runtime), yielding ${num(c.contextSwitches)} times in __cond_resched().`,
    `It scanned ${num(c.nrScanned)} pages (${formatBytes(c.nrScanned * 4096)}) and reclaimed ${num(c.nrReclaimed)}:`,
  ];
  if (mglru) {
    out.push(`  nr_ref_keep  ${num(c.nrRefKeep)}: pages the eviction sorted to a younger generation because the aging had found them accessed;`);
    out.push(`  nr_activate1 ${num(c.nrActivate1)}: pages whose rmap walk found them accessed, promoted with their neighbours (lru_gen_look_around);`);
    out.push(`  ${num(c.ptesWalked)} page-table entries walked in ${c.agingWalks} aging walk(s)${c.walksSkipped ? ` (${c.walksSkipped} gave the mm up: mmap_read_trylock failed behind a waiting writer)` : ''}; ${(c.spinUs / 1000).toFixed(1)} ms spun on lru_lock.`);
  } else {
    out.push(`  nr_ref_keep    ${num(c.nrRefKeep)} ➀: first scan, accessed bit set: marked referenced and rotated on the inactive list;`);
    out.push(`  nr_activate1   ${num(c.nrActivate1)} ➁: accessed again since that scan: promoted to the active list;`);
    out.push(`  nr_deactivated ${num(c.nrDeactivated)} ➂: active pages moved back to the inactive list regardless of the bit;`);
    out.push(`  nr_reclaimed   ${num(c.nrReclaimed)} ➃: inactive pages not accessed between two scans, freed.`);
  }
  out.push(r.params.lru === 'mglru'
    ? `  ${c.shrinkLruvec} shrink_lruvec() calls are the scan priorities it went through (12 down to 0: each scans lruvec size >> priority), ${num(c.shrinkList)} evict_folios() batches (up to 4,096 sorted, 64 isolated).`
    : `  ${c.shrinkLruvec} shrink_lruvec() calls are the scan priorities it went through (12 down to 0: each scans list size >> priority), ${num(c.shrinkList)} shrink_list() batches of 32.`);
  return out;
}

/** Our figures beside the reference's, with the rule each depends on. */
export function besideReference(r: SimResult): string[] {
  const h = r.longestHold;
  const R = REFERENCE_HOLD;
  const mglru = r.params.lru === 'mglru';
  const held = r.mmapLockDuringReclaim === 'held';
  const spinS = r.seconds.reduce((a, s) => a + s.cpuSpin, 0);
  const spinPeak = Math.max(0, ...r.seconds.map((s) => s.cpuSpin));
  const psWorst = Math.max(0, ...r.seconds.map((s) => s.probeWaitMs));
  const rows: string[][] = [
    ['longest read hold', h ? `${(h.durationMs / 1000).toFixed(1)} s${h.open ? ' (open)' : ''}` : 'none', `${(R.durationUs / 1e6).toFixed(0)} s`, held
      ? 'reclaim under mmap_lock; the holder yields in __cond_resched behind every runnable thread'
      : 'mmap_lock released before reclaim ("mmap_lock is released before the new kernel starts reclaiming pages"): a hold is one fault, the reclaim runs outside it'],
    ['runtime of that hold', h ? `${(h.counters.runtimeUs / 1e6).toFixed(2)} s` : '-', `${(R.runtimeUs / 1e6).toFixed(1)} s`, `scanUs ${r.params.scanUs} µs per page scanned (the reference's runtime / nr_scanned)`],
    ['nr_scanned', h ? num(h.counters.nrScanned) : '-', num(R.nrScanned), mglru
      ? 'priorities 12..0 scan lruvec size >> priority from the oldest generation; sorting is cheap, rmap walks are not'
      : 'two scans per page before reclaim; priorities 12..0 scan size >> priority'],
    ['nr_reclaimed', h ? num(h.counters.nrReclaimed) : '-', num(R.nrReclaimed), mglru
      ? 'a page not accessed since its PTE was last cleared (aging walk, rmap walk or look-around) is evicted'
      : 'cgroup reclaim stops once nr_to_reclaim = 32 pages are freed'],
    ...(mglru ? [] : [['nr_ref_keep / nr_activate1 / nr_deactivated', h ? `${num(h.counters.nrRefKeep)} / ${num(h.counters.nrActivate1)} / ${num(h.counters.nrDeactivated)}` : '-',
      `${num(R.nrRefKeep)} / ${num(R.nrActivate1)} / ${num(R.nrDeactivated)}`, 'a first scan of a page found accessed keeps it, a second activates it; deactivation only when the inactive list is low']]),
    ['threads in reclaim at once (most)', num(Math.max(0, ...r.seconds.map((s) => s.reclaimers))), '-', !held
      ? 'mmap_lock released before reclaim: every thread whose charge fails reclaims, none queues behind a reclaimer'
      : r.params.kernelPreempt
      ? 'CONFIG_PREEMPT: a fault preempted at its slice end keeps mmap_lock; the readers queued meanwhile are woken together and reclaim together'
      : 'CONFIG_PREEMPT_VOLUNTARY: faults run to their end; the first reclaimer holds mmap_lock and the others queue behind the writer'],
    ['file / memory pages/s during it', r.duringHold ? `${num(r.duringHold.filePagesPerS)} / ${num(r.duringHold.memoryPagesPerS)}` : '-', 'reading / stopped',
      'file threads read mapped pages without a fault ("1000 threads were scanning file memory"); memory threads fault, and queue behind the writer'],
    ['faults/s during it', r.duringHold ? num(r.duringHold.faultsPerS) : '-', '~0 (memory.stat frozen)', 'a fault takes mmap_lock for reading, and new readers wait behind a waiting writer'],
    ['lru_lock spin', `${spinS.toFixed(1)} CPU-s, at most ${spinPeak.toFixed(2)} CPUs in a second`, mglru ? '_raw_spin_unlock_irq 55 % (MGLRU kernel)' : '-',
      `lru_lock taken per batch (${r.params.lruLockUs} µs a page); a taker spins while reclaimers on other CPUs hold it${mglru ? ' (evict_folios sorts under it)' : ''}`],
    ['ps waits (worst)', `${(psWorst / 1000).toFixed(1)} s`, held ? 'hung (COS 105)' : 'no hangups (its MGLRU kernel)', 'a reader arriving while a writer waits queues behind it'],
    ['threads per CPU', h && h.counters.runtimeUs >= 1000 ? num(h.threadsPerCpu) : '-', `~${R.threadsPerCpu}`, `fair slices of ${r.params.sliceUs} µs shared by the runnable threads on ${r.params.cpus} CPU(s)`],
    ['OOM kill', r.oom.killed ? `yes, at ${((r.oom.atMs ?? 0) / 1000).toFixed(1)} s` : 'no', 'no', `OOM only after ${r.params.reclaimRetries} reclaim calls that free nothing`],
  ];
  return table(['figure', 'model', 'reference', 'rule it depends on'], rows).split('\n');
}

/** Progress of both thread groups over time, one row per `stepS` seconds. */
export function progressRows(r: SimResult, stepS: number): string[] {
  const rows: string[][] = [];
  for (let i = stepS - 1; i < r.seconds.length; i += stepS) {
    const s = r.seconds[i]!;
    rows.push([String(s.tS), s.phase, num(s.filePagesPerS), num(s.memoryPagesPerS), num(s.fileFaultsPerS + s.memoryFaultsPerS), (s.cpuUser + s.cpuSystem).toFixed(2), s.cpuSystem.toFixed(2), num(s.scannedPerS), num(s.reclaimedPerS), (s.maxHoldMs / 1000).toFixed(1), (s.probeWaitMs / 1000).toFixed(1), num(s.lockWaiters)]);
  }
  return table(['t s', 'phase', 'file pages/s', 'memory pages/s', 'faults/s', 'CPUs', 'kernel', 'scanned/s', 'reclaimed/s', 'hold s', 'ps waits s', 'lock waiters'], rows, { alignRight: [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }).split('\n');
}

/** The whole report. */
export function renderSimText(r: SimResult): string {
  const p = r.params;
  const out: string[] = [];
  out.push(`reclaimwatch sim: ${p.lru === 'mglru' ? 'MGLRU' : 'two-list (classic) LRU'}, ${p.fileThreads} file threads over ${formatBytes(p.fileBytes)}, ${p.memoryThreads} memory threads (${formatBytes(p.memoryBytes)}) from ${p.delayMs / 1000} s, limit ${formatBytes(p.limitBytes)}, ${p.cpus} CPU(s), no swap, ${p.kernelPreempt ? 'CONFIG_PREEMPT' : 'CONFIG_PREEMPT_VOLUNTARY'}, reclaim with mmap_lock ${r.mmapLockDuringReclaim === 'held' ? 'read-held' : 'released first'}, ${(r.simulatedMs / 1000).toFixed(0)} s simulated, seed ${p.seed}`);
  out.push('');
  const h = r.longestHold;
  if (h) {
    // A hold with no reclaim in it (mmap_lock released first) has an all-zero table: the sentence below says it all.
    const empty = r.mmapLockDuringReclaim === 'released' && h.counters.nrScanned === 0;
    out.push(...(empty ? [] : [...holdTable(h), '']), ...(empty
      ? [`The longest read hold was one fault of ${(h.durationMs).toFixed(1)} ms: mmap_lock was released before every reclaim ("mmap_lock is released before the new kernel starts reclaiming pages"), so no hold contains one;`,
        `reclaim: ${num(r.reclaim.calls)} calls outside the lock, at most ${num(Math.max(0, ...r.seconds.map((x) => x.reclaimers)))} threads in it at once, ${(r.seconds.reduce((a, x) => a + x.cpuSpin, 0)).toFixed(1)} CPU-s spun on lru_lock.`]
      : meaning(r, h)));
  } else out.push('no mmap_lock read hold at all');
  out.push('', `holds: ${num(r.holds.count)}, ${num(r.holds.over1s)} of 1 s or more; longest wait for mmap_lock ${(r.holds.maxLockWaitMs / 1000).toFixed(1)} s; reclaim: ${num(r.reclaim.calls)} calls, ${num(r.reclaim.pagesScanned)} pages scanned, ${num(r.reclaim.pagesReclaimed)} reclaimed; memory threads started ${r.threads.memoryStarted} of ${p.memoryThreads}`);
  out.push('', 'progress per thread group:');
  out.push(...progressRows(r, Math.max(1, Math.ceil(r.seconds.length / 24))));
  out.push('', `verdict (repro's rules): ${r.verdict.class}`);
  for (const reason of r.verdict.reasons) out.push(`  - ${reason}`);
  const d = r.duringHold;
  if (d && d.faultsPerS < 1 && d.memoryPagesPerS < 1 && d.filePagesPerS > 0) {
    out.push(`  (during the longest hold no fault was served and the memory threads stood still, while the file threads read their mapped pages at ${num(d.filePagesPerS)} pages/s without a fault: the reference's "1000 threads were scanning file memory", whose CPU share is what kept the holder off the CPU; ${r.params.windowMs === 0 ? 'they are full and read only to keep the CPU pressure, so the program\'s progress is its memory threads\'' : 'repro\'s rule wants the file threads\' rate collapsed too'})`);
  }
  const both = r.seconds.filter((s) => s.phase === 'both');
  if (r.threads.memoryStarted > 0 && both.length >= 20 && both.slice(-10).every((s) => s.memoryPagesPerS < 1)) {
    out.push(`  (the memory threads started but got no page in the last 10 s: they waited ${r.mmapLockDuringReclaim === 'held' ? 'for mmap_lock or ' : ''}in reclaim, which freed ${num(r.reclaim.pagesReclaimed)} pages in all${r.params.lru === 'mglru' ? '; the model\'s MGLRU evicts no page it finds accessed, and the file threads re-read every page between two aging walks' : ''}; ${r.params.windowMs === 0 ? 'the program\'s iteration barrier waits for them' : 'repro\'s rules judge the file threads\' progress, which held'})`);
  }
  out.push('', 'our figures beside the reference\'s:', ...besideReference(r));
  if (r.problems.length) out.push('', `MODEL CHECKS FAILED: ${r.problems.join('; ')}`);
  return `${out.join('\n')}\n`;
}
