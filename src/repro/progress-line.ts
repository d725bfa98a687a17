// The workload's once-a-second report, one JSON line on its stdout (native/repro_workload.c):
// {"tMs":1010,"phase":"file","filesReady":4,"fileThreads":4,"memoryThreads":0,"filePages":5758596,"memoryPages":0}
// Counters are cumulative; rates come from two lines.

/** The workload's phase: writing files, reading them, reading them with the memory threads running, done. */
export type WorkloadPhase = 'prepare' | 'file' | 'both' | 'done';

/** One progress report. */
export interface ProgressLine {
  /** Milliseconds since the workload started (its own monotonic clock). */
  tMs: number;
  phase: WorkloadPhase;
  filesReady: number;
  fileThreads: number;
  memoryThreads: number;
  /** Pages read by all file threads since the start. */
  filePages: number;
  /** Pages touched by all memory threads since the start. */
  memoryPages: number;
}

const PHASES = new Set<string>(['prepare', 'file', 'both', 'done']);

/** Parses one line; undefined for anything that is not a progress report (the workload prints nothing else). */
export function parseProgressLine(line: string): ProgressLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const n = (k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k]) >= 0 ? (o[k]) : undefined);
  const phase = typeof o['phase'] === 'string' && PHASES.has(o['phase']) ? (o['phase'] as WorkloadPhase) : undefined;
  const tMs = n('tMs');
  const filesReady = n('filesReady');
  const fileThreads = n('fileThreads');
  const memoryThreads = n('memoryThreads');
  const filePages = n('filePages');
  const memoryPages = n('memoryPages');
  if (phase === undefined || tMs === undefined || filesReady === undefined || fileThreads === undefined || memoryThreads === undefined || filePages === undefined || memoryPages === undefined) return undefined;
  return { tMs, phase, filesReady, fileThreads, memoryThreads, filePages, memoryPages };
}
