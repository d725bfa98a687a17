// The workload's once-a-second report, one JSON line on its stdout (native/repro_workload.c):
// {"tMs":1010,"phase":"file","filesReady":4,"fileThreads":4,"memoryThreads":0,"filePages":5758596,"memoryPages":0}
// Counters are cumulative; rates come from two lines.

import { z } from 'zod';

const count = z.number().finite().nonnegative();

const progressLineSchema = z.object({
  /** Milliseconds since the workload started (its own monotonic clock). */
  tMs: count,
  /** The workload's phase: writing files, reading them, reading them with the memory threads running, done. */
  phase: z.enum(['prepare', 'file', 'both', 'done']),
  filesReady: count,
  fileThreads: count,
  memoryThreads: count,
  /** Pages read by all file threads since the start. */
  filePages: count,
  /** Pages touched by all memory threads since the start. */
  memoryPages: count,
});

/** One progress report. */
export type ProgressLine = z.infer<typeof progressLineSchema>;

/** The workload's phase. */
export type WorkloadPhase = ProgressLine['phase'];

/** Parses one line; undefined for anything that is not a progress report (the workload prints nothing else). */
export function parseProgressLine(line: string): ProgressLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = progressLineSchema.safeParse(v);
  return r.success ? r.data : undefined;
}
