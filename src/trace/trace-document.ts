// The `--json` document of `reclaimwatch trace <program>`.
import type { Unavailable } from './program.js';

/** Schema tag of the trace JSON document. */
export const TRACE_SCHEMA = 'reclaimwatch.trace/v1';

/** One trace run, as printed by `--json`. */
export interface TraceDocument<R = unknown> {
  schema: typeof TRACE_SCHEMA;
  program: string;
  target: { description: string; pid?: number; cgroupPath?: string; cgroupId?: number; pidsAtStart?: number[] };
  host: { kernel: string; bpftrace: { path: string; version: string; argsAccess: '->' | '.' }; kprobes: boolean };
  /** ISO time the trace started. */
  startedAt: string;
  requestedMs: number;
  /** Time from attach to exit. */
  tracedMs: number;
  /** Ctrl-C or a deadline stopped it before the duration. */
  stoppedEarly: boolean;
  /** False when bpftrace was killed before printing its maps or its output was cut. */
  complete: boolean;
  /** Events the kernel dropped (perf buffer full) plus per-event lines reclaimwatch did not keep. */
  lostEvents: number;
  droppedRecords: number;
  /** Parts of the program left out on this machine, and why. */
  unavailable: Unavailable[];
  notes: string[];
  result: R;
}
