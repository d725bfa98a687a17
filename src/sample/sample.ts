import type { CgroupCpu } from '../kernel/cgroup/cpu.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import type { PidIo } from '../kernel/proc/pid-io.js';
import type { Pressure } from '../kernel/proc/pressure.js';
import type { StackTags } from '../probe/reclaim-frames.js';
import type { ThreadStat } from './thread-stats.js';

/** One process of a target at one instant. */
export interface ProcessSample {
  pid: number;
  threads: ThreadStat[];
  /** `/proc/PID/io`; undefined when it could not be read (not root, other user). */
  io: PidIo | undefined;
}

/** One thread's kernel stack, innermost frame first, with its tags. */
export interface StackSample {
  pid: number;
  tid: number;
  state: string;
  frames: string[];
  tags: StackTags;
}

/** PSI files of one scope (a cgroup or the host). Absent files are undefined. */
export interface PressureSet {
  memory: Pressure | undefined;
  cpu: Pressure | undefined;
  io: Pressure | undefined;
}

/**
 * Raw counters of one target at one instant: what is collected and what the agent will store. Rates are never
 * stored; `derive()` recomputes them from two samples, live and on replay alike.
 */
export interface TargetSample {
  /** Monotonic clock, milliseconds. */
  monoMs: number;
  /** Wall clock, milliseconds since the epoch. */
  wallMs: number;
  /** True when the target's cgroup was removed or all its processes exited. */
  gone: boolean;
  memory: CgroupMemory | undefined;
  cpu: CgroupCpu | undefined;
  psi: PressureSet;
  processes: ProcessSample[];
  /** Kernel stacks of the target's running (R) and blocked (D) threads; undefined when unreadable (not root). */
  stacks: StackSample[] | undefined;
  /** What could not be read, and why (one line each). */
  unreadable: string[];
}

/** Host-wide counters at one instant. */
export interface HostSample {
  monoMs: number;
  /** Reclaim-related `/proc/vmstat` counters (pgscan_*, pgsteal_*, workingset_refault_*, pgfault, pgmajfault, oom_kill). */
  vmstat: Record<string, number>;
  psi: PressureSet;
  /** Host CPU time in ticks from /proc/stat. */
  cpuTicks: { user: number; system: number; idle: number; iowait: number; total: number };
  cpus: number;
}
