import type { CgroupRef } from '../kernel/cgroup/cgroup-ref.js';

/** What the user asked to examine, resolved to a cgroup and the processes in it. */
export interface Target {
  kind: 'pid' | 'cgroup' | 'container' | 'pod' | 'host';
  /** What to print: "pid 1234", "cgroup /kubepods/…", "pod web-0". */
  label: string;
  /** The memory cgroup (and its cpu/v2 twins); undefined for a process in the root cgroup or the host. */
  cgroup: CgroupRef | undefined;
  /** Processes examined. Re-read from the cgroup at every sample when `followCgroup` is set. */
  pids: number[];
  /** True when membership comes from the cgroup (it may change during the window). */
  followCgroup: boolean;
  /**
   * `own`: only the processes in the cgroup itself, not in its children (`--all` and the agent judge each
   * cgroup on what is its own, so a parent is not blamed for a child's threads). Default `subtree`.
   */
  members?: 'own' | 'subtree';
  /** The PID asked for, with `--pid`. */
  pid?: number;
  /** The container ID found in the cgroup path, when there is one. */
  container?: string;
  /** The pod, when the cgroup is under kubepods. */
  pod?: { uid: string; name?: string; namespace?: string };
  /** The command name of the main process, when known. */
  comm?: string;
}
