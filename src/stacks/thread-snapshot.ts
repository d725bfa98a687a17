// One snapshot of every thread of a process: state, wchan, kernel stack (/proc/PID/task/TID/stack) and,
// unless kernel-only, user stack (debugger), joined per thread. Kernel stacks are read first, before any
// debugger attaches (attaching would move every thread into a ptrace stop).
import type { HostPaths } from '../host/host-paths.js';
import { GoneError, KernelReadError } from '../kernel/errors.js';
import { readKernelStack, readWchan } from '../kernel/proc/pid-kstack.js';
import { readComm } from '../kernel/proc/task.js';
import { type StackTags, tagKernelStack } from '../probe/reclaim-frames.js';
import { readThreadStats } from '../sample/thread-stats.js';
import { joinStack, type StackFrame } from './stack-frame.js';
import { collectUserStacks, type DebuggerName, type UserStackOptions } from './user-stacks.js';

/** One thread in a snapshot. */
export interface ThreadStack {
  tid: number;
  comm: string;
  /** Scheduler state letter when the kernel stack was read (R, S, D, T, t, ...). */
  state: string;
  /** Wait channel (`0` when running). */
  wchan: string;
  /** Kernel frames, innermost first; empty for a thread running in user space or on a CPU. */
  kernel: string[];
  /** User frames, innermost first; undefined when not collected or the debugger did not see the thread. */
  user: string[] | undefined;
  /** Joined stack, root first (user frames above kernel frames). */
  frames: StackFrame[];
  tags: StackTags;
}

/** A whole snapshot. */
export interface ThreadSnapshot {
  pid: number;
  comm: string;
  takenAt: string;
  threads: ThreadStack[];
  user: { collected: boolean; tool: DebuggerName | undefined; skipped: string | undefined; elapsedMs: number };
}

/** Options of `takeSnapshot`. */
export interface SnapshotOptions extends UserStackOptions {
  /** Never touch the target's address space: no mmap_lock probe, no debugger. */
  kernelOnly?: boolean;
}

/** Takes a snapshot. Throws GoneError when the process is gone; threads that exit meanwhile are left out. */
export async function takeSnapshot(host: HostPaths, pid: number, opts: SnapshotOptions = {}): Promise<ThreadSnapshot> {
  const comm = readComm(host, pid);
  const takenAt = new Date().toISOString();
  const threads: ThreadStack[] = [];
  for (const st of readThreadStats(host, pid)) {
    try {
      const kernel = readKernelStack(host, pid, st.tid);
      threads.push({
        tid: st.tid, comm: readComm(host, pid, st.tid), state: st.state, wchan: readWchan(host, pid, st.tid),
        kernel, user: undefined, frames: [], tags: tagKernelStack(kernel),
      });
    } catch (err) {
      if (err instanceof GoneError) continue;
      if (err instanceof KernelReadError && err.code === 'permission' && process.geteuid?.() !== 0) throw new KernelReadError(err.path, err.cause, 'reading kernel stacks needs root (CAP_SYS_ADMIN): run reclaimwatch stacks as root');
      throw err;
    }
  }
  if (threads.length === 0) throw new GoneError(`${host.proc}/${pid}`);
  let user: ThreadSnapshot['user'] = { collected: false, tool: undefined, skipped: 'not collected: --kernel-only', elapsedMs: 0 };
  if (!opts.kernelOnly) {
    const u = await collectUserStacks(host, pid, opts);
    user = { collected: u.skipped === undefined, tool: u.tool, skipped: u.skipped, elapsedMs: u.elapsedMs };
    for (const t of threads) t.user = u.byTid.get(t.tid);
  }
  for (const t of threads) t.frames = joinStack(t.user, t.kernel);
  return { pid, comm, takenAt, threads, user };
}
