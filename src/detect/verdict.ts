import type { TargetModel } from '../sample/model.js';

/** The verdicts of `doctor`, mildest first. */
export const VERDICTS = ['healthy', 'cpu-bound', 'memory-pressure', 'thrashing', 'oom-loop', 'reclaim-livelock', 'gone'] as const;
/** One verdict. */
export type VerdictClass = (typeof VERDICTS)[number];

/** Finding codes. */
export type FindingCode =
  | 'mmap-lock-stall' | 'memory-at-limit' | 'reclaim-inefficient' | 'progress-collapsed' | 'threads-in-reclaim'
  | 'cpu-throttled' | 'psi-memory-full' | 'psi-memory-some' | 'mglru-off' | 'oom-kills' | 'refaulting' | 'cpu-busy' | 'gone';

/** One thing the classifier found. */
export interface Finding {
  code: FindingCode;
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

/** One row of the evidence table: a signal, its value, the threshold and what it means. */
export interface Evidence {
  signal: string;
  value: string;
  threshold: string;
  meaning: string;
}

/** What the classifier concludes about one target. */
export interface Verdict {
  verdict: VerdictClass;
  /** 0..100, for ranking `--all`. */
  severity: number;
  findings: Finding[];
  evidence: Evidence[];
  advice: string[];
}

/** Probe results the classifier uses (from the mmap_lock probe). */
export interface ProbeSummary {
  probes: number;
  timeouts: number;
  worstLatencyMs: number | undefined;
}

/** Host facts the advice depends on. */
export interface HostFacts {
  mglruPresent: boolean;
  mglruEnabled: boolean;
  kernelRelease: string;
}

/** What a short bpftrace run (`doctor --trace`) saw; see src/trace/doctor-evidence.ts. */
export interface TraceSummary {
  ran: boolean;
  tracedMs: number;
  memcgReclaim: { calls: number; totalUs: number; maxUs: number; pagesReclaimed: number } | undefined;
  mmapLock: { holds: number; holdsOver1s: number; maxHoldMs: number; tidsOver1s: number[]; maxWaitUs: number } | undefined;
  unavailable: string[];
}

/** Everything `classify` looks at: models only, so recorded samples replay into the same verdicts. */
export interface ClassifyInput {
  /** The model over the whole window (first sample to last). */
  window: TargetModel;
  /** Models of each interval, for "in how many seconds" questions. */
  intervals: TargetModel[];
  probe: ProbeSummary;
  host: HostFacts;
  /** Trace evidence, when `--trace` ran. */
  trace?: TraceSummary | undefined;
}
