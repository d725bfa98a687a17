// derive(prev, cur): rates and ratios from two raw samples. Pure; a counter that went backwards (a
// recreated cgroup, a reused PID) gives "no rate" (undefined), never a negative one.
import type { HostModel, TargetModel } from './model.js';
import { tagKernelStack } from '../probe/reclaim-frames.js';
import type { HostSample, PressureSet, ProcessSample, TargetSample } from './sample.js';

/** USER_HZ: the unit of /proc tick counters, fixed at 100 in the kernel's user ABI on every architecture Linux ships. */
export const USER_HZ = 100;

function rate(a: number | undefined, b: number | undefined, seconds: number): number | undefined {
  if (a === undefined || b === undefined || seconds <= 0 || b < a) return undefined;
  return (b - a) / seconds;
}

/** The sum of the counters whose names start with `prefix` (cgroup v1's `total_` copies left out), or undefined when none. */
export function sumKeys(stat: Record<string, number>, prefix: string): number | undefined {
  let sum = 0;
  let any = false;
  for (const k in stat) {
    if (k.startsWith(prefix) && !k.startsWith('total_')) {
      sum += stat[k]!;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/**
 * Pages scanned and stolen by reclaim, from `memory.stat` (v2: `pgscan`, `pgsteal`) or `/proc/vmstat`
 * (`pgscan_anon + pgscan_file`: every reclaim, memcg included; `pgscan_direct` counts only global reclaim
 * since 5.x, so a memcg livelock leaves it at 0). Never sums prefixes: `pgscan_direct_throttle` is no page count.
 */
export function reclaimPages(stat: Record<string, number>): { scanned: number; stolen: number } | undefined {
  const pick = (name: 'pgscan' | 'pgsteal'): number | undefined => {
    if (stat[name] !== undefined) return stat[name];
    if (stat[`${name}_anon`] !== undefined || stat[`${name}_file`] !== undefined) return (stat[`${name}_anon`] ?? 0) + (stat[`${name}_file`] ?? 0);
    const parts = ['kswapd', 'direct', 'khugepaged', 'proactive'].map((k) => stat[`${name}_${k}`]).filter((v): v is number => v !== undefined);
    return parts.length ? parts.reduce((a, b) => a + b, 0) : undefined;
  };
  const scanned = pick('pgscan');
  const stolen = pick('pgsteal');
  return scanned === undefined || stolen === undefined ? undefined : { scanned, stolen };
}

interface ProcessDelta {
  minflt: number;
  majflt: number;
  userTicks: number;
  systemTicks: number;
}

/**
 * Sums per-process deltas of the processes' own totals; a process is matched by PID and start time, so a reused
 * PID never subtracts. A process born in the interval contributes everything it did (all of it was in the
 * interval); one that exited takes its last interval with it.
 */
function processDeltas(prev: ProcessSample[], cur: ProcessSample[]): ProcessDelta {
  const before = new Map<string, ProcessSample>();
  for (const p of prev) before.set(`${p.pid}:${p.starttimeTicks}`, p);
  const d: ProcessDelta = { minflt: 0, majflt: 0, userTicks: 0, systemTicks: 0 };
  for (const p of cur) {
    const b = before.get(`${p.pid}:${p.starttimeTicks}`);
    d.minflt += Math.max(0, p.minflt - (b?.minflt ?? 0));
    d.majflt += Math.max(0, p.majflt - (b?.majflt ?? 0));
    d.userTicks += Math.max(0, p.utimeTicks - (b?.utimeTicks ?? 0));
    d.systemTicks += Math.max(0, p.stimeTicks - (b?.stimeTicks ?? 0));
  }
  return d;
}

function ioTotals(ps: ProcessSample[]): { bytes: number; syscalls: number } | undefined {
  if (ps.length === 0 || ps.some((p) => p.io === undefined)) return undefined;
  let bytes = 0;
  let syscalls = 0;
  for (const p of ps) {
    bytes += p.io!.rcharBytes + p.io!.wcharBytes;
    syscalls += p.io!.syscr + p.io!.syscw;
  }
  return { bytes, syscalls };
}

function ioDelta(prev: ProcessSample[], cur: ProcessSample[]): { bytes: number; syscalls: number } | undefined {
  // Only processes present in both samples: an exited process's counters leave with it.
  const pids = new Set(prev.map((p) => p.pid));
  const curBoth = cur.filter((p) => pids.has(p.pid));
  const curPids = new Set(curBoth.map((p) => p.pid));
  const prevBoth = prev.filter((p) => curPids.has(p.pid));
  const a = ioTotals(prevBoth);
  const b = ioTotals(curBoth);
  if (!a || !b || b.bytes < a.bytes || b.syscalls < a.syscalls) return undefined;
  return { bytes: b.bytes - a.bytes, syscalls: b.syscalls - a.syscalls };
}

function psiRatio(a: PressureSet, b: PressureSet, key: 'memory' | 'cpu' | 'io', line: 'some' | 'full', seconds: number): number | undefined {
  const x = a[key]?.[line]?.totalUs;
  const y = b[key]?.[line]?.totalUs;
  const r = rate(x, y, seconds);
  return r === undefined ? undefined : Math.min(1, r / 1e6);
}

/** Derives a target's model from two of its samples and the host's CPU count. */
export function derive(prev: TargetSample, cur: TargetSample, hostCpus: number, hostPrev?: HostSample, hostCur?: HostSample): TargetModel {
  const seconds = Math.max(1e-3, (cur.monoMs - prev.monoMs) / 1000);
  const td = processDeltas(prev.processes, cur.processes);
  const cgUser = rate(prev.cpu?.userUs, cur.cpu?.userUs, seconds);
  const cgSys = rate(prev.cpu?.systemUs, cur.cpu?.systemUs, seconds);
  const fromCgroup = cgUser !== undefined && cgSys !== undefined;
  const userCores = fromCgroup ? cgUser / 1e6 : td.userTicks / USER_HZ / seconds;
  const systemCores = fromCgroup ? cgSys / 1e6 : td.systemTicks / USER_HZ / seconds;
  const quotaCores = cur.cpu?.quotaCores ?? Infinity;
  const capacity = Math.min(quotaCores, hostCpus || 1);
  const periods = rate(prev.cpu?.periods, cur.cpu?.periods, seconds);
  const throttled = rate(prev.cpu?.throttledPeriods, cur.cpu?.throttledPeriods, seconds);

  let memory: TargetModel['memory'];
  const m = cur.memory;
  if (m) {
    const pm = prev.memory;
    const effLimit = Math.min(m.limitBytes, m.highBytes);
    const a = pm ? reclaimPages(pm.stat) : undefined;
    const b = reclaimPages(m.stat);
    let pgscan = rate(a?.scanned, b?.scanned, seconds);
    let pgsteal = rate(a?.stolen, b?.stolen, seconds);
    let reclaimSource: 'cgroup' | 'host' | undefined = pgscan !== undefined ? 'cgroup' : undefined;
    if (b === undefined && hostPrev && hostCur) {
      // v1 memory.stat has no pgscan/pgsteal: fall back to the host's counters, and say so.
      const ha = reclaimPages(hostPrev.vmstat);
      const hb = reclaimPages(hostCur.vmstat);
      pgscan = rate(ha?.scanned, hb?.scanned, seconds);
      pgsteal = rate(ha?.stolen, hb?.stolen, seconds);
      reclaimSource = pgscan !== undefined ? 'host' : undefined;
    }
    const refault = rate(pm ? sumKeys(pm.stat, 'workingset_refault') : undefined, sumKeys(m.stat, 'workingset_refault'), seconds);
    memory = {
      usageBytes: m.usageBytes,
      limitBytes: effLimit,
      usageRatio: Number.isFinite(effLimit) && effLimit > 0 ? m.usageBytes / effLimit : 0,
      limitHitsPerSec: rate(pm?.limitHits, m.limitHits, seconds),
      oomKills: pm && m.oomKills >= pm.oomKills ? m.oomKills - pm.oomKills : undefined,
      underOom: m.underOom,
      pgscanPerSec: pgscan,
      pgstealPerSec: pgsteal,
      reclaimEfficiency: pgscan !== undefined && pgsteal !== undefined && pgscan > 0 ? Math.min(1, pgsteal / pgscan) : undefined,
      reclaimSource,
      refaultsPerSec: refault,
      version: m.version,
      missing: m.missing,
    };
  }

  const io = ioDelta(prev.processes, cur.processes);
  const faultsPerSec = (td.minflt + td.majflt) / seconds;
  const ioSyscallsPerSec = io ? io.syscalls / seconds : undefined;
  const stacks = cur.stacks;
  const tags = stacks?.map((st) => tagKernelStack(st.frames));
  const psiScope: 'cgroup' | 'host' | undefined = cur.psi.memory ? (prev.psi.memory && cur.memory !== undefined ? 'cgroup' : 'host') : undefined;
  return {
    seconds,
    gone: cur.gone,
    cpu: {
      userCores,
      systemCores,
      totalCores: userCores + systemCores,
      quotaCores,
      ofCapacity: (userCores + systemCores) / capacity,
      throttledRatio: periods !== undefined && throttled !== undefined && periods > 0 ? Math.min(1, throttled / periods) : undefined,
      throttledPerSec: throttled,
      source: fromCgroup ? 'cgroup' : 'threads',
    },
    memory,
    progress: {
      minfltPerSec: td.minflt / seconds,
      majfltPerSec: td.majflt / seconds,
      faultsPerSec,
      ioBytesPerSec: io ? io.bytes / seconds : undefined,
      ioSyscallsPerSec,
      workPerSystemCpuSecond: systemCores > 0.05 ? (faultsPerSec + (ioSyscallsPerSec ?? 0)) / systemCores : undefined,
    },
    psi: {
      memorySome: psiRatio(prev.psi, cur.psi, 'memory', 'some', seconds),
      memoryFull: psiRatio(prev.psi, cur.psi, 'memory', 'full', seconds),
      cpuSome: psiRatio(prev.psi, cur.psi, 'cpu', 'some', seconds),
      ioFull: psiRatio(prev.psi, cur.psi, 'io', 'full', seconds),
      scope: psiScope,
    },
    threads: {
      count: cur.processes.reduce((n, p) => n + p.threads, 0),
      running: cur.processes.reduce((n, p) => n + p.running, 0),
      uninterruptible: cur.processes.reduce((n, p) => n + p.uninterruptible, 0),
      stacksSampled: stacks?.length,
      inReclaim: tags?.filter((t) => t.inReclaim).length,
      waitingMmapLock: tags?.filter((t) => t.waitsMmapLock).length,
      inPageFault: tags?.filter((t) => t.inPageFault).length,
    },
  };
}

/** Derives host-wide rates from two host samples. A counter that went backwards gives undefined, never 0. */
export function deriveHost(prev: HostSample, cur: HostSample): HostModel {
  const seconds = Math.max(1e-3, (cur.monoMs - prev.monoMs) / 1000);
  const ticks = cur.cpuTicks.total - prev.cpuTicks.total;
  const share = (a: number, b: number): number | undefined => (ticks > 0 && b >= a ? (b - a) / ticks : undefined);
  const ra = reclaimPages(prev.vmstat);
  const rb = reclaimPages(cur.vmstat);
  const oa = prev.vmstat['oom_kill'];
  const ob = cur.vmstat['oom_kill'];
  return {
    seconds,
    cpuSystemRatio: share(prev.cpuTicks.system, cur.cpuTicks.system),
    cpuUserRatio: share(prev.cpuTicks.user, cur.cpuTicks.user),
    pgscanPerSec: rate(ra?.scanned, rb?.scanned, seconds),
    pgstealPerSec: rate(ra?.stolen, rb?.stolen, seconds),
    refaultsPerSec: rate(sumKeys(prev.vmstat, 'workingset_refault'), sumKeys(cur.vmstat, 'workingset_refault'), seconds),
    oomKills: oa !== undefined && ob !== undefined && ob >= oa ? ob - oa : undefined,
    psiMemorySome: psiRatio(prev.psi, cur.psi, 'memory', 'some', seconds),
    psiMemoryFull: psiRatio(prev.psi, cur.psi, 'memory', 'full', seconds),
  };
}
