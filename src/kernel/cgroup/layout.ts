// Where the cgroup hierarchies are: v2 only (cgroup.controllers at the root), v1 (one mount per
// controller), or hybrid (v1 controllers plus a v2 tree at `unified`, usually carrying PSI only).
// https://docs.kernel.org/admin-guide/cgroup-v2.html  https://docs.kernel.org/admin-guide/cgroup-v1/cgroups.html
import fs from 'node:fs';
import type { HostPaths } from '../../host/host-paths.js';

/** The cgroup mode of a host. */
export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

/** Mount directories of the hierarchies reclaimwatch reads. */
export interface CgroupLayout {
  mode: CgroupMode;
  /** Directory of the v1 memory controller's root, when v1 memory is mounted. */
  v1Memory: string | undefined;
  /** Directory of the v1 cpu controller's root (often `cpu,cpuacct`). */
  v1Cpu: string | undefined;
  /** Directory of the v1 cpuacct controller's root. */
  v1Cpuacct: string | undefined;
  /** Root of the v2 hierarchy (all of `/sys/fs/cgroup` on v2 hosts, `unified` on hybrid ones). */
  unified: string | undefined;
  /** Controllers enabled at the v2 root (`cgroup.controllers`), e.g. memory, cpu, io. */
  unifiedControllers: string[];
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function firstDir(cands: string[]): string | undefined {
  return cands.find(isDir);
}

/** Detects the cgroup layout below `${sys}/fs/cgroup` by probing the directories each mode creates. */
export function detectCgroupLayout(host: HostPaths): CgroupLayout {
  const base = `${host.sys}/fs/cgroup`;
  const controllersOf = (dir: string): string[] => {
    try {
      return fs.readFileSync(`${dir}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  };
  if (fs.existsSync(`${base}/cgroup.controllers`)) {
    return { mode: 'v2', v1Memory: undefined, v1Cpu: undefined, v1Cpuacct: undefined, unified: base, unifiedControllers: controllersOf(base) };
  }
  const v1Memory = firstDir([`${base}/memory`]);
  const v1Cpu = firstDir([`${base}/cpu`, `${base}/cpu,cpuacct`, `${base}/cpuacct,cpu`]);
  const v1Cpuacct = firstDir([`${base}/cpuacct`, `${base}/cpu,cpuacct`, `${base}/cpuacct,cpu`]);
  const unified = fs.existsSync(`${base}/unified/cgroup.procs`) ? `${base}/unified` : undefined;
  const anyV1 = v1Memory !== undefined || v1Cpu !== undefined;
  return {
    mode: anyV1 ? (unified ? 'hybrid' : 'v1') : unified ? 'v2' : 'none',
    v1Memory, v1Cpu, v1Cpuacct, unified,
    unifiedControllers: unified ? controllersOf(unified) : [],
  };
}

/** Which hierarchy carries the memory controller. */
export function memoryVersion(layout: CgroupLayout): 'v1' | 'v2' | undefined {
  if (layout.v1Memory) return 'v1';
  if (layout.unified && layout.unifiedControllers.includes('memory')) return 'v2';
  return undefined;
}
