// The run's child cgroup, made under this process's own cgroups: memory limit, no swap, CPU quota.
// v1: memory.limit_in_bytes, plus memory.memsw.limit_in_bytes (= limit: no swap) only where the host has swap,
//     cpu.cfs_quota_us/cfs_period_us; on hybrid hosts a twin in the v2 tree for PSI (memory.pressure).
//     https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
//     Why memsw only with swap: the kernel charges memsw before memory, so with memsw = limit it is memsw
//     that fails at the limit, and since Linux 6.13 only the memory counter keeps a failcnt (memsw's stays 0):
//     limit hits would read 0 however hard the run hits the limit. Without swap memsw adds nothing.
// v2: memory.max, memory.swap.max = 0, cpu.max "QUOTA 100000". https://docs.kernel.org/admin-guide/cgroup-v2.html
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { KernelLacksError, ReclaimwatchError } from '../kernel/errors.js';
import { type CgroupLayout, detectCgroupLayout, memoryVersion } from '../kernel/cgroup/layout.js';
import { readMeminfo } from '../kernel/proc/meminfo.js';
import { readPidCgroup } from '../kernel/proc/pid-cgroup.js';
import { RUN_PREFIX } from './run-registry.js';

/** CFS period written with the quota. */
export const CFS_PERIOD_US = 100_000;

/** A run's cgroup directories and what was written to them. */
export interface ReproCgroup {
  /** Relative path (as in /proc/PID/cgroup) of the memory cgroup, e.g. `/process_api/abc/reclaimwatch-repro-…`. */
  path: string;
  version: 'v1' | 'v2';
  memoryDir: string;
  cpuDir: string | undefined;
  cpuacctDir: string | undefined;
  /** The v2 directory (PSI; on v2 hosts the same as memoryDir). */
  unifiedDir: string | undefined;
  /** Every directory made, in creation order (remove in reverse). */
  dirs: string[];
  /** The `cgroup.procs` files the workload writes its pid to. */
  procsFiles: string[];
  /**
   * How swap is kept out: a limit (memsw = limit, or swap.max 0), the host has no swap at all (v1: memsw left
   * unlimited so `memory.failcnt` counts), or only by the host lacking swap accounting.
   */
  swap: 'limited' | 'no-swap' | 'no-accounting';
}

/** Limits of the cgroup. */
export interface ReproCgroupLimits {
  limitBytes: number;
  cpus: number;
}

const write = (file: string, value: string): void => {
  try {
    fs.writeFileSync(file, value);
  } catch (err) {
    throw new ReclaimwatchError('permission', `cannot write ${JSON.stringify(value)} to ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run as root on a host where this cgroup is writable`, { cause: err });
  }
};

/**
 * Creates the child cgroup `reclaimwatch-repro-<runId>` in every hierarchy the run needs, under this
 * process's own cgroups, and applies the limits. `onDir` is called before each mkdir (to record it).
 * Throws KernelLacksError where no memory controller is mounted.
 */
export function createReproCgroup(host: HostPaths, runId: string, limits: ReproCgroupLimits, onDir: (dir: string) => void, layout: CgroupLayout = detectCgroupLayout(host)): ReproCgroup {
  const hostHasSwap = (readMeminfo(host)['SwapTotal'] ?? 1) > 0;
  const mv = memoryVersion(layout);
  if (!mv) throw new KernelLacksError('memory cgroup', `no memory cgroup controller is mounted under ${host.sys}/fs/cgroup: repro needs one to limit the workload`);
  const mine = readPidCgroup(host, process.pid);
  const pathFor = (ctl: string): string => mine.find((l) => l.controllers.includes(ctl))?.path ?? '/';
  const v2Path = mine.find((l) => l.hierarchyId === 0)?.path ?? '/';
  const leaf = `${RUN_PREFIX}${runId}`;
  const under = (root: string, rel: string): string => path.join(root, rel, leaf);
  const dirs: string[] = [];
  const mk = (dir: string): string => {
    if (!dirs.includes(dir)) {
      onDir(dir);
      try {
        fs.mkdirSync(dir);
      } catch (err) {
        throw new ReclaimwatchError('permission', `cannot create cgroup ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run as root`, { cause: err });
      }
      dirs.push(dir);
    }
    return dir;
  };
  const quotaUs = Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US));
  if (mv === 'v1') {
    const memRel = pathFor('memory');
    const memoryDir = mk(under(layout.v1Memory!, memRel));
    write(`${memoryDir}/memory.limit_in_bytes`, String(limits.limitBytes));
    const memsw = `${memoryDir}/memory.memsw.limit_in_bytes`;
    const hasMemsw = fs.existsSync(memsw);
    if (hasMemsw && hostHasSwap) write(memsw, String(limits.limitBytes));
    let cpuDir: string | undefined;
    let cpuacctDir: string | undefined;
    if (layout.v1Cpu) {
      cpuDir = mk(under(layout.v1Cpu, pathFor('cpu')));
      write(`${cpuDir}/cpu.cfs_period_us`, String(CFS_PERIOD_US));
      write(`${cpuDir}/cpu.cfs_quota_us`, String(quotaUs));
    }
    if (layout.v1Cpuacct) cpuacctDir = mk(under(layout.v1Cpuacct, pathFor('cpuacct')));
    const unifiedDir = layout.unified ? mk(under(layout.unified, v2Path)) : undefined;
    return {
      path: path.join(memRel, leaf), version: 'v1', memoryDir, cpuDir, cpuacctDir, unifiedDir, dirs,
      procsFiles: dirs.map((d) => `${d}/cgroup.procs`), swap: !hostHasSwap ? 'no-swap' : hasMemsw ? 'limited' : 'no-accounting',
    };
  }
  const root = layout.unified!;
  const parent = path.join(root, v2Path);
  const enabled = fs.readFileSync(`${parent}/cgroup.subtree_control`, 'utf8').split(/\s+/);
  const want = ['memory', ...(layout.unifiedControllers.includes('cpu') ? ['cpu'] : [])].filter((c) => !enabled.includes(c));
  if (want.length > 0) {
    try {
      fs.writeFileSync(`${parent}/cgroup.subtree_control`, want.map((c) => `+${c}`).join(' '));
    } catch (err) {
      throw new ReclaimwatchError('permission', `cannot enable ${want.join(', ')} for children of ${parent} (${(err as NodeJS.ErrnoException).code ?? 'error'}): on cgroup v2 a cgroup with processes cannot hand controllers to children; run reclaimwatch in its own delegated scope, e.g. systemd-run --scope -p Delegate=yes reclaimwatch repro`, { cause: err });
    }
  }
  const dir = mk(under(root, v2Path));
  write(`${dir}/memory.max`, String(limits.limitBytes));
  const swapMax = `${dir}/memory.swap.max`;
  const hasSwap = fs.existsSync(swapMax);
  if (hasSwap) write(swapMax, '0');
  const hasCpu = fs.existsSync(`${dir}/cpu.max`);
  if (hasCpu) write(`${dir}/cpu.max`, `${quotaUs} ${CFS_PERIOD_US}`);
  return {
    path: path.join(v2Path, leaf), version: 'v2', memoryDir: dir, cpuDir: hasCpu ? dir : undefined, cpuacctDir: undefined, unifiedDir: dir, dirs,
    procsFiles: [`${dir}/cgroup.procs`], swap: hasSwap ? 'limited' : 'no-accounting',
  };
}
