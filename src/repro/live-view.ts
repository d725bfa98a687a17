// The live view: one line per second (works on a terminal and in a log alike), plus the hook where the
// doctor verdict for the run's cgroup will be shown once doctor's classifier exists.
import { formatBytes } from './bytes.js';
import type { LiveTick } from './orchestrator.js';
import type { Second } from './second.js';

/**
 * The doctor hook: given the run's cgroup path (relative, as `doctor --cgroup` takes it), returns a short
 * verdict text. Called at most once a second and never awaited by the loop: a slow answer shows late.
 */
export type DoctorVerdictHook = (cgroupPath: string) => Promise<string | undefined> | string | undefined;

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
  if (doctor) parts.push(`doctor: ${doctor}`);
  return parts.join('  ');
}

/** A live view writing to `write`; pass the tick handler to the orchestrator. */
export function createLiveView(write: (line: string) => void, doctorHook?: DoctorVerdictHook): (t: LiveTick) => void {
  let doctorText: string | undefined;
  let asking = false;
  let header = '';
  return (t) => {
    const h = `-- MGLRU ${t.leg.label}, cgroup ${t.cgroup.path} (${t.cgroup.version}, limit ${formatBytes(t.params.limitBytes)}, ${t.params.cpus} CPUs, swap ${t.cgroup.swap === 'limited' ? 'off' : 'not accounted'})`;
    if (h !== header) {
      header = h;
      write(h);
    }
    if (doctorHook && !asking) {
      asking = true;
      Promise.resolve()
        .then(() => doctorHook(t.cgroup.path))
        .then((v) => {
          doctorText = v;
        }, () => {
          doctorText = undefined;
        })
        .finally(() => {
          asking = false;
        });
    }
    write(formatLiveLine(t.second, t.params.cpus, t.soFar.class, doctorText));
  };
}
