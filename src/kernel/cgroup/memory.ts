/**
 * The memory state of one cgroup, version-neutral: what `v1/memory.ts` and `v2/memory.ts` both produce.
 * Counters the hierarchy lacks are `undefined` and named in `missing`, never 0.
 */
export interface CgroupMemory {
  version: 'v1' | 'v2';
  usageBytes: number;
  /** Hard limit (`memory.max` / `memory.limit_in_bytes`); `Infinity` when unlimited. */
  limitBytes: number;
  /** v2 `memory.high`; `Infinity` when unset or on v1. */
  highBytes: number;
  /** Times usage hit the limit: v1 `memory.failcnt`, v2 `memory.events` `max`. */
  limitHits: number;
  /** OOM kills inside the cgroup: v1 `memory.oom_control` `oom_kill`, v2 `memory.events` `oom_kill`. */
  oomKills: number;
  /** OOM events (v2 `oom`); v1 has none. */
  ooms: number | undefined;
  /** v1 `under_oom`: the cgroup is frozen in OOM (oom_kill_disable set). */
  underOom: boolean;
  /** Swap limit in bytes (v1 memsw minus memory, v2 `memory.swap.max`), `Infinity` when unlimited. */
  swapLimitBytes: number | undefined;
  /** `memory.stat`, raw, in its own units. */
  stat: Record<string, number>;
  /** Names of counters this hierarchy does not offer (for the evidence table). */
  missing: string[];
}

/** Usage, limit and limit hits: what a calm cgroup's pulse reads between its full samples (src/sample/pulse.ts). */
export type MemoryCounters = Pick<CgroupMemory, 'usageBytes' | 'limitBytes' | 'limitHits'>;

/** Limits above this are "unlimited": v1 prints PAGE_COUNTER_MAX * PAGE_SIZE (9223372036854771712). */
export const UNLIMITED_THRESHOLD_BYTES = 2 ** 62;

/** Normalises a limit: huge v1 sentinels and `max` become `Infinity`. */
export function normaliseLimit(bytes: number): number {
  return bytes >= UNLIMITED_THRESHOLD_BYTES ? Infinity : bytes;
}
