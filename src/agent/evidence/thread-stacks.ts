// Kernel stacks of every thread of every process in a cgroup, taken a few times: the first pass grouped
// (as `reclaimwatch stacks` prints them), all passes folded (one count per thread per pass) for the flame graphs.
// Kernel stacks only: no debugger ever attaches to the target, nothing reads its address space.
import type { HostPaths } from '../../host/host-paths.js';
import { GoneError } from '../../kernel/errors.js';
import { formatGroups } from '../../stacks/format-groups.js';
import { toFoldedText } from '../../stacks/folded-stacks.js';
import { groupThreads } from '../../stacks/group-threads.js';
import type { StackFrame } from '../../stacks/stack-frame.js';
import { takeSnapshot } from '../../stacks/thread-snapshot.js';
import { sleep } from '../../units/sleep.js';

/** What the stacks part holds. */
export interface CgroupStacks {
  /** Grouped text, one section per process. */
  groupsText: string;
  folded: string;
  processes: number;
  threads: number;
  passes: number;
  /** Processes left out beyond `maxProcesses`, threads beyond `maxThreads`. */
  leftOut: { processes: number; threads: number };
  /** Why a process could not be read (other than gone). */
  errors: string[];
}

/** Options of `cgroupStacks`. */
export interface CgroupStacksOptions {
  passes?: number;
  intervalMs?: number;
  maxProcesses?: number;
  maxThreads?: number;
  signal?: AbortSignal;
}

/** Snapshots every process in `pids` `passes` times (default 5, 200 ms apart). */
export async function cgroupStacks(host: HostPaths, pids: readonly number[], o: CgroupStacksOptions = {}): Promise<CgroupStacks> {
  const passes = o.passes ?? 5;
  const maxP = o.maxProcesses ?? 128;
  const maxT = o.maxThreads ?? 20_000;
  const chosen = pids.filter((p) => p !== process.pid).slice(0, maxP);
  const folded: Array<{ comm: string; frames: StackFrame[]; state: string }> = [];
  const sections: string[] = [];
  const errors: string[] = [];
  let threads = 0;
  let leftThreads = 0;
  let done = 0;
  for (let pass = 0; pass < passes && !o.signal?.aborted; pass++) {
    if (pass > 0) await sleep(o.intervalMs ?? 200, o.signal);
    let seen = 0;
    for (const pid of chosen) {
      if (o.signal?.aborted) break;
      try {
        const snap = await takeSnapshot(host, pid, { kernelOnly: true });
        const room = Math.max(0, maxT - seen);
        const kept = snap.threads.slice(0, room);
        seen += kept.length;
        if (pass === 0) {
          threads += kept.length;
          leftThreads += snap.threads.length - kept.length;
          sections.push(formatGroups({ ...snap, threads: kept }, groupThreads(kept)));
        }
        for (const t of kept) folded.push({ comm: t.comm, frames: t.frames, state: t.state });
      } catch (err) {
        if (err instanceof GoneError) continue;
        if (pass === 0) errors.push(`pid ${pid}: ${(err as Error).message}`);
      }
      await new Promise((r) => setImmediate(r));
    }
    done++;
  }
  return {
    groupsText: sections.join('\n'), folded: toFoldedText(folded), processes: chosen.length, threads, passes: done,
    leftOut: { processes: pids.length - chosen.length, threads: leftThreads }, errors,
  };
}
