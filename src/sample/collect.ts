// Collects samples: one target (its cgroup files, its processes' counters and thread states, kernel stacks of
// its running and blocked threads) and the host (vmstat, PSI, /proc/stat). Nothing here takes a target's
// mmap_lock: /proc/PID/stat, task/TID/stat, io and stack are read without it. What cannot be read becomes a
// Failure entry; what vanished is "gone" and no failure at all.
import type { HostPaths } from '../host/host-paths.js';
import { readV1Cpu, readV2Cpu, type CgroupCpu } from '../kernel/cgroup/cpu.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import { readV1Memory } from '../kernel/cgroup/v1/memory.js';
import { readV2Memory } from '../kernel/cgroup/v2/memory.js';
import { GoneError, KernelReadError, ParseError } from '../kernel/errors.js';
import { readKernelStack } from '../kernel/proc/pid-kstack.js';
import { readPidIo, type PidIo } from '../kernel/proc/pid-io.js';
import { readPidStat } from '../kernel/proc/pid-stat.js';
import { parsePressure, readHostPressure } from '../kernel/proc/pressure.js';
import { readProcStat } from '../kernel/proc/stat.js';
import { readVmstat } from '../kernel/proc/vmstat.js';
import { DIRECT_READER, type KernelReader } from '../kernel/read.js';
import { refreshPids } from '../targets/resolve-targets.js';
import type { Target } from '../targets/target.js';
import type { Failure, HostSample, PressureSet, ProbeState, ProcessSample, StackSample, TargetSample } from './sample.js';
import { readThreadStats, type ThreadSampler, type ThreadStat } from './thread-stats.js';

/** Options of `collectTargetSample`. */
export interface CollectOptions {
  /** Read kernel stacks of R and D threads (root only). Default true. */
  stacks?: boolean;
  /** At most this many stacks per sample (each read walks a stack in the kernel). Default 256. */
  maxStacks?: number;
  /** A sampler that keeps thread files open between samples (a sampling loop passes one). */
  threads?: ThreadSampler;
  /**
   * The previous sample of this target, when the per-thread files are to be skipped this time: thread counts are
   * carried from it (per process) and no stacks are read. Reading every thread's stat file is most of a tick's
   * cost on a node with thousands of threads; the Sampler reads them for calm targets only every few ticks.
   */
  carryThreadsFrom?: TargetSample;
  /** The probe state to put in the sample (the Sampler owns the probe children). */
  probes?: ProbeState;
  /** How files are read (a sampling loop passes a `KeptOpenReader`). Default: opened and closed each time. */
  reader?: KernelReader;
  /** Clock override for tests. */
  now?: () => { monoMs: number; wallMs: number };
}

const VMSTAT_KEYS = /^(pgscan|pgsteal|workingset_refault_(anon|file)$|pgfault$|pgmajfault$|oom_kill$|allocstall|pgrefill$|pgactivate$|pgdeactivate$|compact_stall$)/;

const NO_PROBES: ProbeState = Object.freeze({ finished: [], inFlightMs: [], stuck: 0 });

/** Turns a read error into a Failure; GoneError is not a failure and is rethrown. */
export function failureOf(source: string, err: unknown): Failure {
  if (err instanceof GoneError) throw err;
  if (err instanceof KernelReadError) {
    const errno = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    return { source, code: errno, path: err.path, message: err.message };
  }
  if (err instanceof ParseError) return { source, code: 'parse', path: err.path, message: err.message };
  const e = err as NodeJS.ErrnoException;
  return { source, code: e?.code ?? 'error', message: e?.message ?? String(err) };
}

function readPsi(dir: string | undefined, failures: Failure[], reader: KernelReader): PressureSet {
  const one = (f: string): PressureSet['memory'] => {
    if (!dir) return undefined;
    try {
      const t = reader.readIfExists(`${dir}/${f}`, 4096);
      return t === undefined ? undefined : parsePressure(t, `${dir}/${f}`);
    } catch (err) {
      failures.push(failureOf('psi', err));
      return undefined;
    }
  };
  return { memory: one('memory.pressure'), cpu: one('cpu.pressure'), io: one('io.pressure') };
}

/**
 * CPU of a cgroup from whatever the host offers: usage from v1 cpuacct or the v2 `cpu.stat` (present on every v2
 * cgroup, even on hybrid hosts without the v2 cpu controller), bandwidth and throttling from v1 `cpu` or v2 `cpu.max`.
 */
function readCgroupCpu(cpuDir: string | undefined, cpuacctDir: string | undefined, unifiedDir: string | undefined, reader: KernelReader): CgroupCpu | undefined {
  // On v2 hosts cpuDir *is* the v2 directory: read it as v2 only.
  const v2Only = cpuDir !== undefined && cpuDir === unifiedDir;
  const v1 = !v2Only && (cpuDir || cpuacctDir) ? readV1Cpu(cpuDir, cpuacctDir, reader) : undefined;
  const v2 = unifiedDir ? readV2Cpu(unifiedDir, reader) : undefined;
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

/** `/proc/PID/io`, or undefined (with a failure unless the process is gone). */
function readIo(host: HostPaths, pid: number, failures: Failure[], reader: KernelReader): PidIo | undefined {
  try {
    return readPidIo(host, pid, reader);
  } catch (err) {
    if (!(err instanceof GoneError)) failures.push(failureOf('io', err));
    return undefined;
  }
}

/** Reads one process: its own totals, its threads' states, its I/O. Throws GoneError when it exited. */
function readProcess(host: HostPaths, pid: number, threads: ThreadSampler | undefined, failures: Failure[], carry: ProcessSample | undefined, reader: KernelReader): { sample: ProcessSample; threads: ThreadStat[] } {
  const st = readPidStat(host, pid, undefined, reader);
  if (carry && carry.starttimeTicks === st.starttimeTicks) {
    const io = readIo(host, pid, failures, reader);
    return {
      sample: { pid, starttimeTicks: st.starttimeTicks, minflt: st.minflt, majflt: st.majflt, utimeTicks: st.utimeTicks, stimeTicks: st.stimeTicks, threads: st.numThreads, running: carry.running, uninterruptible: carry.uninterruptible, io },
      threads: [],
    };
  }
  const ts = threads ? threads.read(pid) : readThreadStats(host, pid);
  let running = 0;
  let uninterruptible = 0;
  for (const t of ts) {
    if (t.state === 'R') running++;
    else if (t.state === 'D') uninterruptible++;
  }
  const io = readIo(host, pid, failures, reader);
  return {
    sample: { pid, starttimeTicks: st.starttimeTicks, minflt: st.minflt, majflt: st.majflt, utimeTicks: st.utimeTicks, stimeTicks: st.stimeTicks, threads: ts.length, running, uninterruptible, io },
    threads: ts,
  };
}

/** Collects one sample of a target. A vanished cgroup or process makes `gone`, never a throw. */
export function collectTargetSample(host: HostPaths, target: Target, opts: CollectOptions = {}): TargetSample {
  const { monoMs, wallMs } = opts.now?.() ?? { monoMs: performance.now(), wallMs: Date.now() };
  const failures: Failure[] = [];
  const reader = opts.reader ?? DIRECT_READER;
  const cg = target.cgroup;
  let memory: CgroupMemory | undefined;
  let cpu: CgroupCpu | undefined;
  let psi: PressureSet = { memory: undefined, cpu: undefined, io: undefined };
  let gone = false;
  if (cg) {
    try {
      if (cg.memoryDir) memory = cg.memoryVersion === 'v2' ? readV2Memory(cg.memoryDir, reader) : readV1Memory(cg.memoryDir, reader);
    } catch (err) {
      if (err instanceof GoneError) gone = true;
      else failures.push(failureOf('memory', err));
    }
    try {
      if (!gone) cpu = readCgroupCpu(cg.cpuDir, cg.cpuacctDir, cg.unifiedDir, reader);
    } catch (err) {
      if (err instanceof GoneError) gone = true;
      else failures.push(failureOf('cpu', err));
    }
    if (!gone) psi = readPsi(cg.unifiedDir, failures, reader);
  } else {
    try {
      psi = { memory: readHostPressure(host, 'memory', reader), cpu: readHostPressure(host, 'cpu', reader), io: readHostPressure(host, 'io', reader) };
    } catch (err) {
      failures.push(failureOf('psi', err));
    }
  }
  // reclaimwatch itself is left out when it runs inside the target (its own stack reads would show as busy
  // threads of the target), unless it is the asked process.
  const pids = gone ? [] : refreshPids(target).filter((pid) => pid !== process.pid || pid === target.pid);
  opts.threads?.retain(pids);
  const processes: ProcessSample[] = [];
  const threadsOf: ThreadStat[][] = [];
  const carried = new Map((opts.carryThreadsFrom?.processes ?? []).map((p) => [p.pid, p]));
  const carrying = opts.carryThreadsFrom !== undefined;
  for (const pid of pids) {
    try {
      const r = readProcess(host, pid, opts.threads, failures, carried.get(pid), reader);
      processes.push(r.sample);
      threadsOf.push(r.threads);
    } catch (err) {
      if (!(err instanceof GoneError)) failures.push(failureOf('process', err));
    }
  }
  // A pid target is gone when its process is; a cgroup target when every process it had has exited.
  if (target.kind === 'pid' ? !processes.some((p) => p.pid === target.pid) : target.kind !== 'host' && processes.length === 0 && target.pids.length > 0) gone = true;
  let stacks: StackSample[] | undefined;
  if (carrying && !gone && opts.stacks !== false) stacks = [];
  else if (opts.stacks !== false && !gone) {
    stacks = [];
    const max = opts.maxStacks ?? 256;
    outer: for (let i = 0; i < processes.length; i++) {
      const p = processes[i]!;
      if (p.running + p.uninterruptible === 0) continue;
      for (const t of threadsOf[i]!) {
        if (t.state !== 'R' && t.state !== 'D') continue;
        if (stacks.length >= max) break outer;
        try {
          stacks.push({ pid: p.pid, tid: t.tid, state: t.state, frames: readKernelStack(host, p.pid, t.tid) });
        } catch (err) {
          if (err instanceof GoneError) continue;
          failures.push(failureOf('stacks', err));
          stacks = undefined;
          break outer;
        }
      }
    }
  }
  return { monoMs, wallMs, gone, memory, cpu, psi, processes, stacks, probes: opts.probes ?? NO_PROBES, failures: dedupe(failures) };
}

function dedupe(fs: Failure[]): Failure[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.source}\0${f.code}\0${f.path ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Collects one host sample. A file the host lacks or hides is a Failure, never a throw. */
export function collectHostSample(host: HostPaths, now?: () => { monoMs: number; wallMs: number }, reader: KernelReader = DIRECT_READER): HostSample {
  const { monoMs, wallMs } = now?.() ?? { monoMs: performance.now(), wallMs: Date.now() };
  const failures: Failure[] = [];
  const vmstat: Record<string, number> = {};
  try {
    for (const [k, v] of Object.entries(readVmstat(host, reader))) if (VMSTAT_KEYS.test(k)) vmstat[k] = v;
  } catch (err) {
    failures.push(failureOf('vmstat', err));
  }
  let cpuTicks: HostSample['cpuTicks'] = { user: 0, system: 0, idle: 0, iowait: 0, total: 0 };
  let cpus = 1;
  try {
    const st = readProcStat(host, reader);
    const c = st.cpu;
    cpus = st.cpus;
    cpuTicks = { user: c.user + c.nice, system: c.system + c.irq + c.softirq, idle: c.idle, iowait: c.iowait, total: c.user + c.nice + c.system + c.idle + c.iowait + c.irq + c.softirq + c.steal };
  } catch (err) {
    failures.push(failureOf('stat', err));
  }
  let psi: PressureSet = { memory: undefined, cpu: undefined, io: undefined };
  try {
    psi = { memory: readHostPressure(host, 'memory', reader), cpu: readHostPressure(host, 'cpu', reader), io: readHostPressure(host, 'io', reader) };
  } catch (err) {
    failures.push(failureOf('psi', err));
  }
  return { monoMs, wallMs, vmstat, psi, cpuTicks, cpus, failures };
}
