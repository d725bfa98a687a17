// Samples: raw counters of one instant, as collected and as stored (src/sample/schema.ts is their format).
// Rates are never stored; `derive()` recomputes them from two samples, live, on replay and from the store alike.
import type { CgroupCpu } from '../kernel/cgroup/cpu.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import type { PidIo } from '../kernel/proc/pid-io.js';
import type { Pressure } from '../kernel/proc/pressure.js';

/**
 * Something that could not be read, as data: which collector (`source`), why (`code`: an errno such as `EACCES`,
 * or `parse`, `timeout`, `cap`), which file, and one line for a person. Per-collector success is counted from these.
 */
export interface Failure {
  source: string;
  code: string;
  path?: string;
  message: string;
}

/**
 * One process of a target at one instant. Fault and CPU counters are the process's own totals from
 * `/proc/PID/stat` (they include threads that already exited, so they never go backwards while the process
 * lives); thread states are counted from `/proc/PID/task/TID/stat`.
 */
export interface ProcessSample {
  pid: number;
  /** Start time (clock ticks since boot): with the PID, identifies the process across samples. */
  starttimeTicks: number;
  minflt: number;
  majflt: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Threads, and how many were running (R) and in uninterruptible sleep (D). */
  threads: number;
  running: number;
  uninterruptible: number;
  /** `/proc/PID/io`; undefined when it could not be read (another user's process, or ptrace rules). */
  io: PidIo | undefined;
}

/** One thread's kernel stack, innermost frame first. Tags are derived at assessment (src/probe/reclaim-frames.ts). */
export interface StackSample {
  pid: number;
  tid: number;
  state: string;
  frames: string[];
}

/** PSI files of one scope (a cgroup or the host). Absent files are undefined. */
export interface PressureSet {
  memory: Pressure | undefined;
  cpu: Pressure | undefined;
  io: Pressure | undefined;
}

/** One finished mmap_lock probe (a `/proc/PID/cmdline` read in a killable child; src/probe/mmap-lock-probe.ts). */
export interface ProbeRecord {
  pid: number;
  outcome: 'ok' | 'timeout' | 'gone' | 'error';
  /** How long the read took; at least the deadline when it timed out. */
  latencyMs: number;
  timing: 'read' | 'wall';
  deadlineMs: number;
}

/** Probe children of a target at the instant of a sample. */
export interface ProbeState {
  /** Probes that finished since the previous sample. */
  finished: ProbeRecord[];
  /** Age of each probe still in flight, ms (a long one is a stall seen before it ends). */
  inFlightMs: number[];
  /** Children killed at their deadline that have not exited yet (stuck in uninterruptible sleep). */
  stuck: number;
}

/** Raw counters of one target at one instant: what is collected, recorded and stored. */
export interface TargetSample {
  /** Monotonic clock, milliseconds (performance.now() of the collecting process). */
  monoMs: number;
  /** Wall clock, milliseconds since the epoch. */
  wallMs: number;
  /** True when the target's cgroup was removed or all its processes exited. */
  gone: boolean;
  memory: CgroupMemory | undefined;
  cpu: CgroupCpu | undefined;
  psi: PressureSet;
  processes: ProcessSample[];
  /** Kernel stacks of the target's running (R) and blocked (D) threads; undefined when unreadable or not asked. */
  stacks: StackSample[] | undefined;
  probes: ProbeState;
  /** What could not be read, and why. */
  failures: Failure[];
}

/** Host-wide counters at one instant. */
export interface HostSample {
  monoMs: number;
  wallMs: number;
  /** Reclaim-related `/proc/vmstat` counters (pgscan_*, pgsteal_*, workingset_refault_*, pgfault, pgmajfault, oom_kill). */
  vmstat: Record<string, number>;
  psi: PressureSet;
  /** Host CPU time in ticks from /proc/stat. */
  cpuTicks: { user: number; system: number; idle: number; iowait: number; total: number };
  cpus: number;
  failures: Failure[];
}
