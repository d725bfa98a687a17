// A derived interval model (src/sample/model.ts) as one chart point: the mapping the reports use for doctor
// recordings, and the shape the agent's series API serves.
import type { TargetModel } from '../../sample/model.js';
import type { ChartPoint } from './chart-point.js';

const fin = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

/** The point for the interval of `m` that ends at wall time `t`. */
export function modelPoint(t: number, m: TargetModel, verdict: string | null): ChartPoint {
  const th = m.threads;
  return {
    t,
    verdict,
    cpuUserCores: fin(m.cpu.userCores),
    cpuSystemCores: fin(m.cpu.systemCores),
    quotaCores: fin(m.cpu.quotaCores),
    memoryUsageBytes: fin(m.memory?.usageBytes),
    memoryLimitBytes: fin(m.memory?.limitBytes),
    limitHitsPerSec: fin(m.memory?.limitHitsPerSec),
    pgscanPerSec: fin(m.memory?.pgscanPerSec),
    pgstealPerSec: fin(m.memory?.pgstealPerSec),
    refaultsPerSec: fin(m.memory?.refaultsPerSec),
    majfltPerSec: fin(m.progress.majfltPerSec),
    psiSome: fin(m.psi.memorySome),
    psiFull: fin(m.psi.memoryFull),
    progressPerKernelCpuSecond: fin(m.progress.workPerSystemCpuSecond),
    threadsInReclaimRatio: th.inReclaim !== undefined && th.stacksSampled ? th.inReclaim / th.stacksSampled : null,
    mmapLockWorstMs: null,
  };
}
