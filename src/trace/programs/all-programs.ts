// The registry of trace programs, in the order `trace list` shows them.
import type { TraceProgram } from '../program.js';
import { holdStatsProgram } from './hold-stats.js';
import { mmapLockProgram } from './mmap-lock.js';
import { profileUnderLockProgram } from './profile-under-lock.js';
import { directReclaimProgram, memcgReclaimProgram } from './reclaim.js';
import { syscallLatencyProgram } from './syscall-latency.js';

/** Every program by name. */
export const TRACE_PROGRAMS: readonly TraceProgram<unknown>[] = [
  syscallLatencyProgram, memcgReclaimProgram, directReclaimProgram, mmapLockProgram, profileUnderLockProgram, holdStatsProgram,
] as unknown as readonly TraceProgram<unknown>[];

/** Looks a program up by name. */
export function findProgram(name: string): TraceProgram<unknown> | undefined {
  return TRACE_PROGRAMS.find((p) => p.name === name);
}
