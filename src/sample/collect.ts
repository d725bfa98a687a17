// Collects samples: one target (its cgroup files, its processes' threads and I/O, kernel stacks of its
// running threads) and the host (vmstat, PSI, /proc/stat). Nothing here takes a target's mmap_lock.
import type { HostPaths } from '../host/host-paths.js';
import { readV1Cpu, readV2Cpu, type CgroupCpu } from '../kernel/cgroup/cpu.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import { readV1Memory } from '../kernel/cgroup/v1/memory.js';
import { readV2Memory } from '../kernel/cgroup/v2/memory.js';
import { GoneError, KernelReadError, ParseError } from '../kernel/errors.js';
import { readKernelStack } from '../kernel/proc/pid-kstack.js';
import { readPidIo, type PidIo } from '../kernel/proc/pid-io.js';
import { parsePressure, readHostPressure } from '../kernel/proc/pressure.js';
import { readProcStat } from '../kernel/proc/stat.js';
import { readVmstat } from '../kernel/proc/vmstat.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { tagKernelStack } from '../probe/reclaim-frames.js';
import { refreshPids } from '../targets/resolve-targets.js';
import type { Target } from '../targets/target.js';
import type { HostSample, PressureSet, ProcessSample, StackSample, TargetSample } from './sample.js';
import { readThreadStats, type ThreadSampler } from './thread-stats.js';

/** Options of `collectTargetSample`. */
export interface CollectOptions {
  /** Read kernel stacks of R and D threads (root only). Default true. */
  stacks?: boolean;
  /** At most this many stacks per sample (each read walks a stack in the kernel). Default 256. */
  maxStacks?: number;
  /** A sampler that keeps thread files open between samples (a sampling loop passes one). */
  threads?: ThreadSampler;
}

const VMSTAT_KEYS = /^(pgscan|pgsteal|workingset_refault_(anon|file)$|pgfault$|pgmajfault$|oom_kill$|allocstall|pgrefill$|pgactivate$|pgdeactivate$|compact_stall$)/;

function describe(err: unknown): string {
  if (err instanceof KernelReadError || err instanceof ParseError) return err.message;
  return (err as Error).message ?? String(err);
}

function readPsi(dir: string | undefined, unreadable: string[]): PressureSet {
  const one = (f: string) => {
    if (!dir) return undefined;
    try {
      const t = readKernelFileIfExists(`${dir}/${f}`, 4096);
      return t === undefined ? undefined : parsePressure(t, `${dir}/${f}`);
    } catch (err) {
      if (err instanceof GoneError) throw err;
      unreadable.push(describe(err));
      return undefined;
    }
  };
  return { memory: one('memory.pressure'), cpu: one('cpu.pressure'), io: one('io.pressure') };
}

/**
 * CPU of a cgroup from whatever the host offers: usage from v1 cpuacct or the v2 `cpu.stat` (present on every v2
 * cgroup, even on hybrid hosts without the v2 cpu controller), bandwidth and throttling from v1 `cpu` or v2 `cpu.max`.
 */
function readCgroupCpu(cpuDir: string | undefined, cpuacctDir: string | undefined, unifiedDir: string | undefined): CgroupCpu | undefined {
  // On v2 hosts cpuDir *is* the v2 directory: read it as v2 only.
  const v2Only = cpuDir !== undefined && cpuDir === unifiedDir;
  const v1 = !v2Only && (cpuDir || cpuacctDir) ? readV1Cpu(cpuDir, cpuacctDir) : undefined;
  const v2 = unifiedDir ? readV2Cpu(unifiedDir) : undefined;
  if (!v1) return v2;
  if (!v2) return v1;
  const usageFromV1 = v1.usageUs !== undefined;
  return {
    usageUs: usageFromV1 ? v1.usageUs : v2.usageUs,
    userUs: usageFromV1 ? v1.userUs : v2.userUs,
    systemUs: usageFromV1 ? v1.systemUs : v2.systemUs,
    quotaCores: cpuDir ? v1.quotaCores : v2.quotaCores,
    periods: cpuDir ? v1.periods : v2.periods,
    throttledPeriods: cpuDir ? v1.throttledPeriods : v2.throttledPeriods,
    throttledUs: cpuDir ? v1.throttledUs : v2.throttledUs,
  };
}

/** Collects one sample of a target. A vanished cgroup or process makes `gone`, never a throw. */
export function collectTargetSample(host: HostPaths, target: Target, opts: CollectOptions = {}): TargetSample {
  const monoMs = performance.now();
  const wallMs = Date.now();
  const unreadable: string[] = [];
  const cg = target.cgroup;
  let memory: CgroupMemory | undefined;
  let cpu: CgroupCpu | undefined;
  let psi: PressureSet = { memory: undefined, cpu: undefined, io: undefined };
  let gone = false;
  if (cg) {
    try {
      if (cg.memoryDir) memory = cg.memoryVersion === 'v2' ? readV2Memory(cg.memoryDir) : readV1Memory(cg.memoryDir);
      cpu = readCgroupCpu(cg.cpuDir, cg.cpuacctDir, cg.unifiedDir);
      psi = readPsi(cg.unifiedDir, unreadable);
    } catch (err) {
      if (err instanceof GoneError) gone = true;
      else unreadable.push(describe(err));
    }
  } else {
    psi = { memory: readHostPressure(host, 'memory'), cpu: readHostPressure(host, 'cpu'), io: readHostPressure(host, 'io') };
  }
  // reclaimwatch itself is left out when it runs inside the target (its own stack reads would show as busy
  // threads of the target), unless it is the asked process.
  const pids = gone ? [] : refreshPids(target).filter((pid) => pid !== process.pid || pid === target.pid);
  opts.threads?.retain(pids);
  const processes: ProcessSample[] = [];
  for (const pid of pids) {
    let threads;
    try {
      threads = opts.threads ? opts.threads.read(pid) : readThreadStats(host, pid);
    } catch (err) {
      if (!(err instanceof GoneError)) unreadable.push(describe(err));
      continue;
    }
    let io: PidIo | undefined;
    try {
      io = readPidIo(host, pid);
    } catch (err) {
      if (!(err instanceof GoneError)) unreadable.push(describe(err));
    }
    processes.push({ pid, threads, io });
  }
  // A pid target is gone when its process is; a cgroup target when every process it had has exited.
  if (target.kind === 'pid' ? !processes.some((p) => p.pid === target.pid) : target.kind !== 'host' && processes.length === 0 && target.pids.length > 0) gone = true;
  let stacks: StackSample[] | undefined;
  if (opts.stacks !== false && !gone) {
    stacks = [];
    const max = opts.maxStacks ?? 256;
    outer: for (const p of processes) {
      for (const t of p.threads) {
        if (t.state !== 'R' && t.state !== 'D') continue;
        if (stacks.length >= max) break outer;
        try {
          const frames = readKernelStack(host, p.pid, t.tid);
          stacks.push({ pid: p.pid, tid: t.tid, state: t.state, frames, tags: tagKernelStack(frames) });
        } catch (err) {
          if (err instanceof GoneError) continue;
          unreadable.push(`kernel stacks: ${describe(err)}`);
          stacks = undefined;
          break outer;
        }
      }
    }
  }
  return { monoMs, wallMs, gone, memory, cpu, psi, processes, stacks, unreadable: [...new Set(unreadable)] };
}

/** Collects one host sample. */
export function collectHostSample(host: HostPaths): HostSample {
  const monoMs = performance.now();
  const vm = readVmstat(host);
  const vmstat: Record<string, number> = {};
  for (const [k, v] of Object.entries(vm)) if (VMSTAT_KEYS.test(k)) vmstat[k] = v;
  const st = readProcStat(host);
  const c = st.cpu;
  return {
    monoMs,
    vmstat,
    psi: { memory: readHostPressure(host, 'memory'), cpu: readHostPressure(host, 'cpu'), io: readHostPressure(host, 'io') },
    cpuTicks: { user: c.user + c.nice, system: c.system + c.irq + c.softirq, idle: c.idle, iowait: c.iowait, total: c.user + c.nice + c.system + c.idle + c.iowait + c.irq + c.softirq + c.steal },
    cpus: st.cpus,
  };
}
