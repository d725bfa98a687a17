// Removes a run's cgroup directories: lifts the memory limit (so members stuck in reclaim can finish),
// kills every member, then rmdirs, retrying until a deadline. Only directories named reclaimwatch-repro-*.
import fs from 'node:fs';
import path from 'node:path';
import { RUN_PREFIX } from './run-registry.js';
import { sleep } from '../units/sleep.js';


function members(dir: string): number[] {
  try {
    return fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  } catch {
    return [];
  }
}

function liftLimits(dir: string): void {
  for (const [file, value] of [['memory.memsw.limit_in_bytes', '-1'], ['memory.limit_in_bytes', '-1'], ['memory.max', 'max'], ['memory.swap.max', 'max'], ['cpu.cfs_quota_us', '-1'], ['cpu.max', 'max']] as const) {
    try {
      fs.writeFileSync(path.join(dir, file), value);
    } catch {
      /* absent in this hierarchy, or the cgroup is gone */
    }
  }
}

/**
 * Removes cgroup directories (deepest last-made first). Returns the ones still there at the deadline.
 * Directories whose name does not start with `reclaimwatch-repro-` are never touched and are returned.
 */
export async function removeCgroupDirs(dirs: readonly string[], deadlineMs = 30_000): Promise<string[]> {
  const end = Date.now() + deadlineMs;
  const left: string[] = [];
  const ours = [...dirs].reverse().filter((d) => {
    if (path.basename(d).startsWith(RUN_PREFIX)) return true;
    left.push(d);
    return false;
  });
  for (const d of ours) liftLimits(d);
  for (const d of ours) {
    for (;;) {
      if (!fs.existsSync(d)) break;
      for (const pid of members(d)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      try {
        fs.rmdirSync(d);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (Date.now() >= end) {
          left.push(d);
          break;
        }
        await sleep(50);
      }
    }
  }
  return left;
}
