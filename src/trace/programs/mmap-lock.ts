// mmap-lock: hold and wait times of the target's mmap_lock from the mmap_lock:* tracepoints (Linux 5.10+),
// read vs write, the holds over a threshold, and the kernel stacks of holds over a second.
import { renderLog2Histogram } from '../../render/histogram.js';
import { foldedLine, parseKstack } from '../folded.js';
import { formatUs, traceTable } from '../format.js';
import type { BpftraceStream, HistBucket } from '../json-stream.js';
import { asKeyedHists, asKeyedNumbers, asNumber, histTotal } from '../map-values.js';
import { type GeneratedProgram, type ProgramContext, type TraceProgram, argOf, splitRecord } from '../program.js';

/** One hold at least `--threshold` long. */
export interface LockHold {
  pid: number;
  tid: number;
  comm: string;
  mode: 'read' | 'write';
  durationUs: number;
  /** End of the hold, milliseconds since the trace began. */
  endMs: number;
}

/** A kernel stack seen at the release of holds over the stack threshold. */
export interface HoldStack {
  /** Frames, leaf first, without offsets. */
  frames: string[];
  count: number;
}

/** What mmap-lock reports. */
export interface MmapLockResult {
  holds: { read: number; write: number };
  holdUs: { read: HistBucket[]; write: HistBucket[] };
  waitUs: { read: HistBucket[]; write: HistBucket[] };
  holdMaxUs: number;
  waitMaxUs: number;
  /** Failed trylocks (acquire_returned with success=false). */
  failedTrylocks: number;
  thresholdUs: number;
  /** Holds at least thresholdUs long, longest first (at most 200). */
  longHolds: LockHold[];
  longHoldCount: number;
  stackThresholdUs: number;
  stacks: HoldStack[];
}

const TPS = ['mmap_lock:mmap_lock_start_locking', 'mmap_lock:mmap_lock_acquire_returned', 'mmap_lock:mmap_lock_released'];

function generate(ctx: ProgramContext): GeneratedProgram {
  const a = argOf(ctx);
  const p = ctx.predicate;
  const body = `tracepoint:mmap_lock:mmap_lock_start_locking /${p}/ { @rw_wait[tid] = nsecs; }
tracepoint:mmap_lock:mmap_lock_acquire_returned /${p}/ {
  if (@rw_wait[tid]) {
    if (${a('success')}) {
      $w = (nsecs - @rw_wait[tid]) / 1000;
      @wait_us[${a('write')}] = hist($w);
      @wait_max_us = max($w);
    }
    delete(@rw_wait[tid]);
  }
  if (${a('success')}) { @rw_hold[tid] = nsecs; } else { @failed_trylocks = count(); }
}
tracepoint:mmap_lock:mmap_lock_released /(${p}) && @rw_hold[tid]/ {
  $us = (nsecs - @rw_hold[tid]) / 1000;
  delete(@rw_hold[tid]);
  @rw_events = count();
  @hold_us[${a('write')}] = hist($us);
  @holds[${a('write')}] = count();
  @hold_max_us = max($us);
  if ($us >= ${Math.floor(ctx.thresholdUs)}) {
    printf("H\\t%d\\t%d\\t%d\\t%d\\t%d\\t%s\\n", pid, tid, ${a('write')}, $us, (nsecs - @rw_t0) / 1000, comm);
  }
  if ($us >= ${Math.floor(ctx.stackThresholdUs)}) { @long_stacks[kstack] = count(); }
}
`;
  return { body, tempMaps: ['@rw_wait', '@rw_hold'], unavailable: [] };
}

function interpret(s: BpftraceStream, ctx: ProgramContext): MmapLockResult {
  const holds: LockHold[] = [];
  for (const line of s.printfs) {
    if (!line.startsWith('H\t')) continue;
    const f = splitRecord(line, 7);
    if (!f) continue;
    holds.push({ pid: Number(f[1]), tid: Number(f[2]), mode: f[3] === '1' ? 'write' : 'read', durationUs: Number(f[4]), endMs: Number(f[5]) / 1000, comm: f[6] ?? '' });
  }
  holds.sort((x, y) => y.durationUs - x.durationUs);
  const hold = asKeyedHists(s.maps.get('@hold_us'));
  const wait = asKeyedHists(s.maps.get('@wait_us'));
  const n = asKeyedNumbers(s.maps.get('@holds'));
  // Stacks that differ only in offsets are one stack once offsets are stripped.
  const merged = new Map<string, HoldStack>();
  for (const [k, count] of Object.entries(asKeyedNumbers(s.maps.get('@long_stacks')))) {
    const frames = parseKstack(k);
    const key = frames.join(';');
    const prev = merged.get(key);
    if (prev) prev.count += count;
    else merged.set(key, { frames, count });
  }
  const stacks = [...merged.values()].sort((x, y) => y.count - x.count);
  return {
    holds: { read: n['0'] ?? histTotal(hold['0'] ?? []), write: n['1'] ?? histTotal(hold['1'] ?? []) },
    holdUs: { read: hold['0'] ?? [], write: hold['1'] ?? [] },
    waitUs: { read: wait['0'] ?? [], write: wait['1'] ?? [] },
    holdMaxUs: asNumber(s.maps.get('@hold_max_us')),
    waitMaxUs: asNumber(s.maps.get('@wait_max_us')),
    failedTrylocks: asNumber(s.maps.get('@failed_trylocks')),
    thresholdUs: ctx.thresholdUs,
    longHolds: holds.slice(0, 200),
    longHoldCount: holds.length,
    stackThresholdUs: ctx.stackThresholdUs,
    stacks,
  };
}

function renderText(r: MmapLockResult): string {
  const out: string[] = [];
  out.push(`mmap_lock holds: ${r.holds.read} read, ${r.holds.write} write; longest hold ${formatUs(r.holdMaxUs)}, longest wait ${formatUs(r.waitMaxUs)}\n`);
  for (const mode of ['read', 'write'] as const) {
    if (r.holdUs[mode].length) out.push('\n' + renderLog2Histogram(r.holdUs[mode], { title: `${mode} hold time`, unit: 'µs' }));
  }
  for (const mode of ['read', 'write'] as const) {
    if (r.waitUs[mode].length) out.push('\n' + renderLog2Histogram(r.waitUs[mode], { title: `${mode} wait time (start_locking to acquired)`, unit: 'µs' }));
  }
  out.push(`\nholds of at least ${formatUs(r.thresholdUs)}: ${r.longHoldCount}\n`);
  if (r.longHolds.length) {
    out.push(traceTable([['PID', 'TID', 'COMM', 'MODE', 'HELD', 'ENDED AT'], ...r.longHolds.slice(0, 25).map((h) => [String(h.pid), String(h.tid), h.comm, h.mode, formatUs(h.durationUs), `${h.endMs.toFixed(0)} ms`])]));
  }
  out.push(`\nkernel stacks at release of holds of at least ${formatUs(r.stackThresholdUs)}:${r.stacks.length === 0 ? ' none' : ''}\n`);
  for (const st of r.stacks.slice(0, 10)) out.push(`  ${st.count}x\n${st.frames.map((f) => `      ${f}`).join('\n')}\n`);
  return out.join('');
}

/** `mmap-lock`: mmap_lock hold and wait times, long holds and their stacks. */
export const mmapLockProgram: TraceProgram<MmapLockResult> = {
  name: 'mmap-lock',
  answers: 'How long does the target hold and wait for its mmap_lock (read vs write), which threads hold it too long, and where?',
  requiredTracepoints: () => [...TPS],
  optionalProbes: [],
  needs: 'mmap_lock tracepoints (Linux 5.10+)',
  defaults: { thresholdUs: 50_000 },
  hasStacks: true,
  generate,
  interpret,
  renderText,
  folded: (r) => r.stacks.map((s) => foldedLine(s.frames, s.count)).join('\n') + (r.stacks.length ? '\n' : ''),
};
