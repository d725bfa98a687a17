// profile-under-lock: CPU samples (profile:hz) kept only while the sampled thread holds its mmap_lock,
// as the reference did to see that reclaim ran under the lock. Output: kernel stacks per comm, folded.
import { foldedLine, parseKstack } from '../folded.js';
import { traceTable } from '../format.js';
import type { BpftraceStream } from '../json-stream.js';
import { asKeyedNumbers, asNumber } from '../map-values.js';
import { type GeneratedProgram, type ProgramContext, type TraceProgram, argOf } from '../program.js';

/** One sampled kernel stack. */
export interface SampledStack {
  comm: string;
  /** Frames, leaf first, without offsets. */
  frames: string[];
  count: number;
}

/** What profile-under-lock reports. */
export interface ProfileUnderLockResult {
  hz: number;
  /** Samples of the target, with or without the lock. */
  samples: number;
  /** Samples taken while the thread held its mmap_lock. */
  underLock: number;
  stacks: SampledStack[];
  /** Share of under-lock samples whose stack has a reclaim frame (shrink_*, try_to_free_*, evict_folios). */
  reclaimShare: number | undefined;
}

const RECLAIM = /^(shrink_|try_to_free_|evict_folios|do_try_to_free_pages|lru_gen_|isolate_lru|reclaim_)/;

function generate(ctx: ProgramContext): GeneratedProgram {
  const a = argOf(ctx);
  const p = ctx.predicate;
  const body = `tracepoint:mmap_lock:mmap_lock_acquire_returned /(${p}) && ${a('success')}/ { @rw_holding[tid] = 1; }
tracepoint:mmap_lock:mmap_lock_released /${p}/ { delete(@rw_holding[tid]); }
profile:hz:${Math.round(ctx.hz)} /${p}/ {
  @samples = count();
  if (@rw_holding[tid]) {
    @rw_events = count();
    @under_lock[comm, kstack] = count();
  }
}
`;
  return { body, tempMaps: ['@rw_holding'], unavailable: [] };
}

/**
 * Splits an `@under_lock[comm, kstack]` key: `comm,\n    frame+1\n ...`, or `comm, ` / `comm,` when the sample
 * hit user space and the kernel stack is empty.
 */
export function splitKey(key: string): { comm: string; stack: string } {
  const m = /,(\n|[ \t]*$)/.exec(key);
  return m === null ? { comm: key, stack: '' } : { comm: key.slice(0, m.index), stack: key.slice(m.index + 1) };
}

function interpret(s: BpftraceStream, ctx: ProgramContext): ProfileUnderLockResult {
  const stacks = Object.entries(asKeyedNumbers(s.maps.get('@under_lock'))).map(([k, count]) => {
    const { comm, stack } = splitKey(k);
    return { comm, frames: parseKstack(stack), count };
  }).sort((x, y) => y.count - x.count);
  const under = stacks.reduce((n, st) => n + st.count, 0);
  const withReclaim = stacks.filter((st) => st.frames.some((f) => RECLAIM.test(f))).reduce((n, st) => n + st.count, 0);
  return { hz: ctx.hz, samples: asNumber(s.maps.get('@samples')), underLock: under, stacks, reclaimShare: under > 0 ? withReclaim / under : undefined };
}

function renderText(r: ProfileUnderLockResult): string {
  const out = [`${r.underLock} of ${r.samples} CPU sample(s) at ${r.hz} Hz were taken while the thread held its mmap_lock`];
  if (r.reclaimShare !== undefined) out.push(`; ${(r.reclaimShare * 100).toFixed(0)}% of those were in reclaim`);
  out.push('\n');
  if (r.stacks.length) {
    out.push('\ntop stacks under the lock (leaf frame first):\n');
    out.push(traceTable([['SAMPLES', 'COMM', 'STACK'], ...r.stacks.slice(0, 10).map((st) => [String(st.count), st.comm, st.frames.slice(0, 6).join(' < ')])]));
    out.push('(write them all with --folded FILE and draw with `reclaimwatch flamegraph`)\n');
  }
  return out.join('');
}

/** `profile-under-lock`: CPU profile restricted to mmap_lock holds. */
export const profileUnderLockProgram: TraceProgram<ProfileUnderLockResult> = {
  name: 'profile-under-lock',
  answers: 'What does the CPU do while the target holds its mmap_lock (is reclaim running under the lock)?',
  requiredTracepoints: () => ['mmap_lock:mmap_lock_acquire_returned', 'mmap_lock:mmap_lock_released'],
  optionalProbes: [],
  needs: 'mmap_lock tracepoints (Linux 5.10+) and perf_event profile:hz sampling',
  defaults: { thresholdUs: 0 },
  hasStacks: true,
  generate,
  interpret,
  renderText,
  folded: (r) => r.stacks.map((s) => foldedLine(s.frames, s.count, [s.comm])).join('\n') + (r.stacks.length ? '\n' : ''),
};
