import type { KernelProfile } from '../probe/kernel-profile.js';
import type { TargetModel } from '../sample/model.js';

/** The verdicts of `doctor`, mildest first. */
export const VERDICTS = ['healthy', 'cpu-bound', 'memory-pressure', 'thrashing', 'oom-loop', 'reclaim-livelock', 'gone'] as const;
/** One verdict. */
export type VerdictClass = (typeof VERDICTS)[number];

/** Finding codes. */
export type FindingCode =
  | 'mmap-lock-stall' | 'memory-at-limit' | 'reclaim-inefficient' | 'progress-collapsed' | 'threads-in-reclaim'
  | 'cpu-throttled' | 'psi-memory-full' | 'psi-memory-some' | 'mglru-off' | 'oom-kills' | 'refaulting' | 'cpu-busy' | 'gone'
  | 'lru-lock-contention' | 'borderline';

/**
 * The two reclaim livelocks of the reference, which look alike from outside (CPU at its quota, all of it in
 * the kernel, memory at the limit, no OOM kill): `mmap-lock`, classic LRU reclaim run under a page fault's
 * mmap_lock for seconds (ps and perf hang; cure: MGLRU), and `lru-lock`, MGLRU's `evict_folios` spinning on
 * lru_lock with many threads reclaiming at once (ps and perf work; MGLRU is already on). `unknown` when the
 * evidence names neither.
 */
export const VARIANTS = ['mmap-lock', 'lru-lock', 'unknown'] as const;
/** One variant. */
export type LivelockVariant = (typeof VARIANTS)[number];

/** Which of the two livelocks this is, and on what evidence. */
export interface VariantAssessment {
  variant: LivelockVariant;
  /** The evidence that decided it, one sentence each. */
  because: string[];
  /** For `unknown`: what was missing or below its threshold, one sentence each. */
  missing: string[];
  /** The deciding figures (shares 0..1 of the target's on-CPU samples, from the kernel profile). */
  figures: {
    profileMethod?: string;
    profileSamples?: number;
    evictFoliosShare?: number;
    spinLockShare?: number;
    shrinkLruvecShare?: number;
    lruNoteCostShare?: number;
    mmapLockWaitShare?: number;
    probeWorstMs?: number;
    maxHoldMs?: number;
  };
  /** Set when a deciding figure sat within the borderline margin of its threshold. */
  borderline: boolean;
}

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
  /** Which livelock (or reclaim trouble) this is; absent when reclaim plays no part (healthy, cpu-bound, gone). */
  variant?: VariantAssessment;
  /**
   * Reasons the verdict is borderline: a deciding figure within `borderlineMargin` of its threshold. The verdict
   * is then decided from the evidence as a whole, so repeated windows of a steady state give the same one.
   */
  borderline: string[];
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
  /** The kernel's CPU profile of the target over the window (`doctor --profile`; see src/probe/kernel-profile.ts). */
  profile?: KernelProfile | undefined;
}
