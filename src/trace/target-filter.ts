// Turns `--pid` / `--cgroup` into a bpftrace predicate. bpftrace's `cgroup` builtin is the current task's
// cgroup v2 id (bpf_get_current_cgroup_id), which is the inode number of its directory in the v2 hierarchy.
import fs from 'node:fs';
import type { HostPaths } from '../host/host-paths.js';
import { GoneError, hasCode, ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { cgroupOfPath, cgroupPids } from '../kernel/cgroup/cgroup-ref.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';

/** Whom a trace watches. */
export interface TraceTarget {
  /** bpftrace predicate, e.g. `pid == 4242` or `cgroup == 5123`. */
  predicate: string;
  /** Human description for the report. */
  description: string;
  pid?: number;
  cgroupPath?: string;
  /** v2 cgroup id used in the predicate. */
  cgroupId?: number;
  /** Set when the cgroup had no v2 twin and its processes at start were used instead. */
  pidsAtStart?: number[];
  /** Notes worth printing (e.g. the v1 fallback). */
  notes: string[];
}

/** Most pids a v1-only cgroup filter lists in the predicate before refusing. */
const MAX_PIDS = 64;

/** Resolves `--pid` or `--cgroup` (exactly one) into a predicate. Throws UsageError, or a `gone` error for a pid or cgroup that is not there. */
export function resolveTraceTarget(host: HostPaths, opts: { pid?: number | undefined; cgroupPath?: string | undefined }): TraceTarget {
  if (opts.pid !== undefined && opts.cgroupPath !== undefined) throw new UsageError('give either --pid or --cgroup, not both');
  if (opts.pid !== undefined) {
    if (!Number.isInteger(opts.pid) || opts.pid <= 0) throw new UsageError(`bad --pid ${String(opts.pid)}: give a process id (a positive integer)`);
    if (!fs.existsSync(`${host.proc}/${opts.pid}`)) throw new GoneError(`${host.proc}/${opts.pid}`);
    return { predicate: `pid == ${opts.pid}`, description: `pid ${opts.pid}`, pid: opts.pid, notes: [] };
  }
  if (opts.cgroupPath === undefined) throw new UsageError('say whom to trace: --pid PID or --cgroup PATH (as in /proc/PID/cgroup)');
  const layout = detectCgroupLayout(host);
  let ref;
  try {
    ref = cgroupOfPath(host, opts.cgroupPath, layout);
  } catch (err) {
    // A cgroup that is not there cannot be inspected: exit 3 in every command, as doctor reports it, not a usage error.
    if (hasCode(err, 'usage')) throw new ReclaimwatchError('gone', (err as Error).message, { cause: err });
    throw err;
  }
  if (ref.unifiedDir) {
    const id = fs.statSync(ref.unifiedDir).ino;
    return { predicate: `cgroup == ${id}`, description: `cgroup ${ref.path} (v2 id ${id})`, cgroupPath: ref.path, cgroupId: id, notes: [] };
  }
  // A v1-only cgroup has no v2 id: fall back to the processes it holds now.
  const pids = cgroupPids(ref);
  if (pids.length === 0) throw new UsageError(`cgroup ${ref.path} exists only in cgroup v1 (no v2 id to filter on) and has no processes: trace one of its processes with --pid`);
  if (pids.length > MAX_PIDS) throw new UsageError(`cgroup ${ref.path} exists only in cgroup v1 (no v2 id to filter on) and has ${pids.length} processes: trace one with --pid`);
  return {
    predicate: `(${pids.map((p) => `pid == ${p}`).join(' || ')})`,
    description: `cgroup ${ref.path} (v1 only: its ${pids.length} process(es) at start)`,
    cgroupPath: ref.path,
    pidsAtStart: pids,
    notes: [`cgroup ${ref.path} has no cgroup v2 directory, so it has no v2 id: filtering on the ${pids.length} process(es) it held at start; processes started later are missed`],
  };
}
