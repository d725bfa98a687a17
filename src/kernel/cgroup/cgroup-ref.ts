import type { HostPaths } from '../../host/host-paths.js';
import { UsageError } from '../errors.js';
import { readPidCgroup } from '../proc/pid-cgroup.js';
import { readKernelFile } from '../read.js';
import { type CgroupLayout, detectCgroupLayout, memoryVersion } from './layout.js';
import fs from 'node:fs';

/**
 * One cgroup as reclaimwatch sees it: the same relative path may live in several hierarchies on v1 and
 * hybrid hosts (a process can even sit at different paths per controller), so each directory is kept.
 */
export interface CgroupRef {
  /** The memory cgroup's path relative to its hierarchy root, e.g. `/kubepods/burstable/pod…/abc`. */
  path: string;
  /** Which hierarchy carries memory for this cgroup. */
  memoryVersion: 'v1' | 'v2' | undefined;
  memoryDir: string | undefined;
  cpuDir: string | undefined;
  cpuacctDir: string | undefined;
  /** The v2 directory (cpu.stat, PSI files) of the same workload, where there is one. */
  unifiedDir: string | undefined;
}

/** The cgroups a process belongs to, per hierarchy. Throws GoneError when the process exited. */
export function cgroupOfPid(host: HostPaths, pid: number, layout: CgroupLayout = detectCgroupLayout(host)): CgroupRef {
  const lines = readPidCgroup(host, pid);
  const pathFor = (ctl: string): string | undefined => lines.find((l) => l.controllers.includes(ctl))?.path;
  const v2 = lines.find((l) => l.hierarchyId === 0 && l.controllers.length === 0)?.path;
  const join = (root: string | undefined, p: string | undefined): string | undefined => (root && p !== undefined ? `${root}${p === '/' ? '' : p}` : undefined);
  const mv = memoryVersion(layout);
  const memPath = mv === 'v1' ? pathFor('memory') : v2;
  // On hybrid hosts a process may sit in a child memory cgroup but in the root of cpu or v2: the root's files
  // describe the whole host, so they are dropped rather than passed off as the target's.
  const own = (p: string | undefined): string | undefined => (p === '/' && memPath !== '/' ? undefined : p);
  return {
    path: memPath ?? v2 ?? '/',
    memoryVersion: mv,
    memoryDir: mv === 'v1' ? join(layout.v1Memory, memPath) : mv === 'v2' ? join(layout.unified, v2) : undefined,
    cpuDir: layout.v1Cpu ? join(layout.v1Cpu, own(pathFor('cpu'))) : layout.unifiedControllers.includes('cpu') ? join(layout.unified, own(v2)) : undefined,
    cpuacctDir: layout.v1Cpuacct ? join(layout.v1Cpuacct, own(pathFor('cpuacct'))) : undefined,
    unifiedDir: join(layout.unified, own(v2)),
  };
}

/**
 * A cgroup named by path (relative to the hierarchy roots, or absolute under `${sys}/fs/cgroup/...`).
 * The same relative path is looked up in every hierarchy; the ones where it does not exist stay undefined.
 */
export function cgroupOfPath(host: HostPaths, given: string, layout: CgroupLayout = detectCgroupLayout(host)): CgroupRef {
  let rel = given;
  const roots = [layout.v1Memory, layout.v1Cpu, layout.v1Cpuacct, layout.unified].filter((r): r is string => r !== undefined);
  for (const r of roots) {
    if (given === r || given.startsWith(`${r}/`)) rel = given.slice(r.length) || '/';
  }
  if (!rel.startsWith('/')) rel = `/${rel}`;
  rel = rel.replace(/\/+$/, '') || '/';
  const at = (root: string | undefined): string | undefined => {
    if (!root) return undefined;
    const d = `${root}${rel === '/' ? '' : rel}`;
    return fs.existsSync(d) ? d : undefined;
  };
  const mv = memoryVersion(layout);
  const ref: CgroupRef = {
    path: rel,
    memoryVersion: mv,
    memoryDir: mv === 'v1' ? at(layout.v1Memory) : mv === 'v2' ? at(layout.unified) : undefined,
    cpuDir: layout.v1Cpu ? at(layout.v1Cpu) : layout.unifiedControllers.includes('cpu') ? at(layout.unified) : undefined,
    cpuacctDir: at(layout.v1Cpuacct),
    unifiedDir: at(layout.unified),
  };
  if (!ref.memoryDir && !ref.cpuDir && !ref.unifiedDir && !ref.cpuacctDir) {
    throw new UsageError(`no cgroup ${given} in any hierarchy under ${host.sys}/fs/cgroup: give a path as shown in /proc/PID/cgroup, e.g. /system.slice/foo.service`);
  }
  return ref;
}

/** The PIDs in a cgroup (`cgroup.procs` of its memory, else unified, directory). */
export function cgroupPids(ref: CgroupRef): number[] {
  const dir = ref.memoryDir ?? ref.unifiedDir ?? ref.cpuDir;
  if (!dir) return [];
  return readKernelFile(`${dir}/cgroup.procs`).split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}
