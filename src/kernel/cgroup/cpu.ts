// CPU accounting and bandwidth of one cgroup, v1 or v2.
// v1: cpu.cfs_quota_us "-1"|"400000", cpu.cfs_period_us "100000", cpu.stat "nr_periods 0\nnr_throttled 0\nthrottled_time 0",
//     cpuacct.usage_user / cpuacct.usage_sys in ns.  https://docs.kernel.org/scheduler/sched-bwc.html
// v2: cpu.max "max 100000", cpu.stat "usage_usec 140695709\nuser_usec 96186395\nsystem_usec 44509313\nnr_periods 0\n..."
import { DIRECT_READER, type KernelReader } from '../read.js';
import { parseFlatKeyed } from '../parse-util.js';

/** CPU time and bandwidth of a cgroup. Time in microseconds; `quotaCores` is `Infinity` without a quota. */
export interface CgroupCpu {
  usageUs: number | undefined;
  userUs: number | undefined;
  systemUs: number | undefined;
  quotaCores: number;
  periods: number | undefined;
  throttledPeriods: number | undefined;
  throttledUs: number | undefined;
}

/** Parses v2 `cpu.max` ("max 100000" or "400000 100000") into cores. */
export function parseCpuMax(text: string): number {
  const [q, p] = text.trim().split(/\s+/);
  if (q === undefined || q === 'max') return Infinity;
  const quota = Number(q);
  const period = Number(p ?? 100000);
  return quota > 0 && period > 0 ? quota / period : Infinity;
}

/** A file holding one integer, or undefined when it (or its directory) is absent or holds something else. */
function numberIn(reader: KernelReader, dir: string | undefined, f: string): number | undefined {
  const t = dir ? reader.readIfExists(`${dir}/${f}`) : undefined;
  return t === undefined || !/^-?\d+\s*$/.test(t) ? undefined : Number(t.trim());
}

/** Reads a v1 cgroup's cpu (bandwidth) and cpuacct (usage) directories; either may be absent. */
export function readV1Cpu(cpuDir: string | undefined, cpuacctDir: string | undefined, reader: KernelReader = DIRECT_READER): CgroupCpu {
  const num = (dir: string | undefined, f: string): number | undefined => numberIn(reader, dir, f);
  const quota = num(cpuDir, 'cpu.cfs_quota_us');
  const period = num(cpuDir, 'cpu.cfs_period_us');
  const statText = cpuDir ? reader.readIfExists(`${cpuDir}/cpu.stat`) : undefined;
  const st = statText === undefined ? {} : parseFlatKeyed(statText);
  const nsToUs = (v: number | undefined): number | undefined => (v === undefined ? undefined : v / 1000);
  return {
    usageUs: nsToUs(num(cpuacctDir, 'cpuacct.usage')),
    userUs: nsToUs(num(cpuacctDir, 'cpuacct.usage_user')),
    systemUs: nsToUs(num(cpuacctDir, 'cpuacct.usage_sys')),
    quotaCores: quota !== undefined && quota > 0 && period ? quota / period : Infinity,
    periods: st['nr_periods'],
    throttledPeriods: st['nr_throttled'],
    throttledUs: nsToUs(st['throttled_time']),
  };
}

/** Reads a v2 cgroup directory's `cpu.stat` and `cpu.max` (the latter only where the cpu controller is on). */
export function readV2Cpu(dir: string, reader: KernelReader = DIRECT_READER): CgroupCpu {
  const statText = reader.readIfExists(`${dir}/cpu.stat`);
  const st = statText === undefined ? {} : parseFlatKeyed(statText);
  const maxText = reader.readIfExists(`${dir}/cpu.max`);
  return {
    usageUs: st['usage_usec'],
    userUs: st['user_usec'],
    systemUs: st['system_usec'],
    quotaCores: maxText === undefined ? Infinity : parseCpuMax(maxText),
    periods: st['nr_periods'],
    throttledPeriods: st['nr_throttled'],
    throttledUs: st['throttled_usec'],
  };
}

/**
 * The CPU time a cgroup used, µs, from one file: v1 `cpuacct.usage` where cpuacct is a hierarchy of its own, else
 * v2 `cpu.stat` `usage_usec` (on every v2 cgroup). The usage a full sample prefers too; undefined when neither is
 * there.
 */
export function readCgroupCpuUsageUs(cpuacctDir: string | undefined, unifiedDir: string | undefined, reader: KernelReader = DIRECT_READER): number | undefined {
  const v1 = cpuacctDir !== unifiedDir ? numberIn(reader, cpuacctDir, 'cpuacct.usage') : undefined;
  if (v1 !== undefined) return v1 / 1000;
  const st = unifiedDir ? reader.readIfExists(`${unifiedDir}/cpu.stat`) : undefined;
  return st === undefined ? undefined : parseFlatKeyed(st)['usage_usec'];
}
