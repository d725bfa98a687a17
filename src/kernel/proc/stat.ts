// /proc/stat: CPU time per state in USER_HZ ticks and scheduler counters.
// https://docs.kernel.org/filesystems/proc.html#miscellaneous-kernel-statistics-in-proc-stat
// Example: "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0", "procs_running 2"
import type { HostPaths } from '../../host/host-paths.js';
import { DIRECT_READER, type KernelReader } from '../read.js';

/** Host CPU time (ticks) and counters. */
export interface ProcStat {
  cpu: { user: number; nice: number; system: number; idle: number; iowait: number; irq: number; softirq: number; steal: number };
  cpus: number;
  ctxt: number;
  procsRunning: number;
  procsBlocked: number;
  btimeSeconds: number;
}

/** Parses `/proc/stat`; unknown lines are skipped. */
export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = {
    cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    cpus: 0, ctxt: 0, procsRunning: 0, procsBlocked: 0, btimeSeconds: 0,
  };
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    const n = (i: number): number => Number(p[i] ?? 0) || 0;
    if (p[0] === 'cpu') {
      out.cpu = { user: n(1), nice: n(2), system: n(3), idle: n(4), iowait: n(5), irq: n(6), softirq: n(7), steal: n(8) };
    } else if (p[0] !== undefined && /^cpu\d+$/.test(p[0])) out.cpus++;
    else if (p[0] === 'ctxt') out.ctxt = n(1);
    else if (p[0] === 'procs_running') out.procsRunning = n(1);
    else if (p[0] === 'procs_blocked') out.procsBlocked = n(1);
    else if (p[0] === 'btime') out.btimeSeconds = n(1);
  }
  return out;
}

/** Reads `/proc/stat`. */
export function readProcStat(host: HostPaths, reader: KernelReader = DIRECT_READER): ProcStat {
  return parseProcStat(reader.read(`${host.proc}/stat`));
}
