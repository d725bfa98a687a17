// The live view: one line per second (works on a terminal and in a log alike), ending with the repro verdict
// so far and the doctor's verdict from its latest finished window on the run's cgroup (src/repro/doctor-loop.ts).
import { formatBytes } from '../units/bytes.js';
import type { LiveTick } from './orchestrator.js';
import type { DoctorSnapshot } from './doctor-loop.js';
import type { Second } from './second.js';

const si = (n: number | undefined): string => {
  if (n === undefined) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
};
const f1 = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));

/** Formats one second as a line of the live view. */
export function formatLiveLine(s: Second, quotaCpus: number, verdict: string, doctor: string | undefined): string {
  const probe = s.probeWorstMs === undefined ? '-' : s.probeWorstMs >= 1000 ? `${(s.probeWorstMs / 1000).toFixed(1)} s` : `${s.probeWorstMs.toFixed(1)} ms`;
  const parts = [
    `[${s.tS.toFixed(0).padStart(4)}s] ${s.phase.padEnd(7)}`,
    `file ${si(s.filePagesPerS).padStart(6)} pg/s`,
    `mem ${si(s.memoryPagesPerS).padStart(6)} pg/s${s.reported ? '' : ' (silent)'}`,
    `cpu ${f1(s.cpuUser)}u+${f1(s.cpuSystem)}s/${quotaCpus}`,
    `usage ${s.usageBytes === undefined ? '-' : formatBytes(s.usageBytes)}/${s.limitBytes === undefined ? '-' : formatBytes(s.limitBytes)}`,
    `refault ${si(s.refaultsPerS)}/s hits ${si(s.limitHitsPerS)}/s oom ${s.oomKills ?? '-'}`,
    `psi ${s.psiSomePct === undefined ? '-' : `${s.psiSomePct.toFixed(0)}%`}`,
    `D ${s.threadsD ?? '-'}/${s.threads ?? '-'}`,
    `reclaim ${s.reclaimStackShare === undefined ? '-' : `${(s.reclaimStackShare * 100).toFixed(0)}%`}`,
    `probe ${probe}`,
    `=> ${verdict}`,
  ];
  if (doctor) parts.push(`doctor ${doctor}`);
  return parts.join('  ');
}

/** How the live view's header names the cgroup's swap setting. */
const SWAP_TEXT: Record<LiveTick['cgroup']['swap'], string> = { limited: 'off (limited)', 'no-swap': 'none on the host', 'no-accounting': 'not accounted' };

/** Short text of a doctor window for the live line: `thrashing (12 s)` — the verdict and when its window ended. */
export function formatDoctor(d: DoctorSnapshot | undefined): string | undefined {
  return d === undefined ? undefined : `${d.verdict} (${d.atS.toFixed(0)} s)`;
}

/** A live view writing to `write`; pass the tick handler to the orchestrator. */
export function createLiveView(write: (line: string) => void): (t: LiveTick) => void {
  let header = '';
  return (t) => {
    const h = `-- MGLRU ${t.leg.label}, cgroup ${t.cgroup.path} (${t.cgroup.version}, limit ${formatBytes(t.params.limitBytes)}, ${t.params.cpus} CPUs, swap ${SWAP_TEXT[t.cgroup.swap]})`;
    if (h !== header) {
      header = h;
      write(h);
    }
    write(formatLiveLine(t.second, t.params.cpus, t.soFar.class, formatDoctor(t.doctor)));
  };
}
