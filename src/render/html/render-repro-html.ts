// `repro --html FILE`: a run as one self-contained page to attach to a ticket or send to a kernel vendor: the
// verdict and its reasons, the host, the parameters, and per leg the seconds as charts (progress first).
import type { ReproReport } from '../../repro/report.js';
import { legSummary } from '../../repro/report.js';
import type { Second } from '../../repro/second.js';
import { formatBytes } from '../../units/bytes.js';
import type { ChartPanel } from './chart-panels.js';
import { TARGET_PANELS } from './chart-panels.js';
import type { ChartPoint } from './chart-point.js';
import { chartsScript } from './charts-script.js';
import { escapeHtml } from './escape-html.js';
import { htmlDocument } from './html-document.js';
import { htmlTable } from './html-table.js';
import { kernelProfileTable } from './kernel-profile-table.js';
import { verdictBadge } from './verdict-badge.js';

const panel = (id: string): ChartPanel => TARGET_PANELS.find((p) => p.id === id)!;

/** The repro panels: the workload's own progress, then the agent's panels that a run measures. */
export const REPRO_PANELS: readonly ChartPanel[] = [
  { id: 'workload-progress', title: 'Workload progress', unit: 'pagesPerSec', unitLabel: 'pages per second', minMax: 1,
    source: "the workload's own report (one JSON line a second: file pages read, anonymous pages touched)",
    series: [{ key: 'filePagesPerS', label: 'file threads', colour: '#1a7f37' }, { key: 'memoryPagesPerS', label: 'memory threads', colour: '#8250df' }] },
  panel('cpu'), panel('memory'), panel('limit-hits'), panel('reclaim'),
  { ...panel('faults'), series: panel('faults').series.filter((s) => s.key === 'refaultsPerSec') },
  panel('psi'),
  { ...panel('reclaim-threads'), source: '32 sampled kernel stacks a second (/proc/PID/task/TID/stack) tagged as reclaim' },
  { ...panel('mmap-lock'), source: 'continuous /proc/PID/cmdline read in a child with a 10 s deadline (finished or still waiting)' },
];

const v = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** One second of a leg as a chart point (t in ms since the workload started). */
export function secondPoint(s: Second, quotaCores: number): ChartPoint {
  return {
    t: s.tS * 1000, verdict: null,
    cpuUserCores: v(s.cpuUser), cpuSystemCores: v(s.cpuSystem), quotaCores: v(quotaCores),
    memoryUsageBytes: v(s.usageBytes), memoryLimitBytes: v(s.limitBytes), limitHitsPerSec: v(s.limitHitsPerS),
    pgscanPerSec: v(s.scannedPerS), pgstealPerSec: v(s.stolenPerS), refaultsPerSec: v(s.refaultsPerS), majfltPerSec: null,
    psiSome: s.psiSomePct === undefined ? null : s.psiSomePct / 100, psiFull: s.psiFullPct === undefined ? null : s.psiFullPct / 100,
    progressPerKernelCpuSecond: null, threadsInReclaimRatio: v(s.reclaimStackShare), mmapLockWorstMs: v(s.probeWorstMs),
    filePagesPerS: v(s.filePagesPerS), memoryPagesPerS: v(s.memoryPagesPerS),
  };
}

/** The repro report as HTML. */
export function renderReproHtml(r: ReproReport): string {
  const p = r.params;
  const body: string[] = [];
  body.push(`<h1>reclaimwatch repro: ${verdictBadge(r.verdict)} <span class="rw-muted">run ${escapeHtml(r.runId)}</span></h1>`);
  body.push('<p class="rw-muted">the reference incident\'s reproducer, run in a limited child cgroup; a self-contained file (no network needed)</p>');
  body.push('<h2>Host</h2>', htmlTable(['kernel', 'version', 'cgroup mode', 'CPUs', 'memory', 'MGLRU'], [[r.host.kernelRelease, r.host.kernelVersion, r.host.cgroupMode, r.host.cpus, formatBytes(r.host.memTotalBytes), r.host.mglru]]));
  body.push('<h2>Parameters</h2>', htmlTable(['preset', 'file threads', 'file size', 'memory threads', 'anonymous memory', 'limit', 'CPUs', 'delay', 'duration', 'window'], [[
    r.preset, p.fileThreads, formatBytes(p.fileSizeBytes), p.memoryThreads, formatBytes(p.memorySizeBytes), formatBytes(p.limitBytes), p.cpus,
    `${p.delayMs / 1000} s`, `${p.durationMs / 1000} s`, `${p.windowMs / 1000} s`]]));
  if (r.scaled.length > 0) body.push(`<ul>${r.scaled.map((n) => `<li>scaled ${escapeHtml(String(n.what))} ${escapeHtml(String(n.from))} → ${escapeHtml(String(n.to))}: ${escapeHtml(n.why)}</li>`).join('')}</ul>`);
  const points: ChartPoint[][] = [];
  r.legs.forEach((l, i) => {
    body.push(`<section><details open><summary><h2 style="display:inline">MGLRU ${escapeHtml(l.mglru)}: ${verdictBadge(l.verdict.class)}</h2> <span class="rw-muted">run ${escapeHtml(l.end)}, cgroup ${escapeHtml(l.cgroupPath)} (${l.cgroupVersion})</span></summary>`);
    body.push(`<ul class="rw-findings">${l.verdict.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`);
    const v = l.verdict.variant;
    if (v) {
      body.push(`<p>livelock variant <b>${escapeHtml(v.variant)}</b>${v.borderline ? ' (borderline)' : ''}</p>`,
        `<ul class="rw-findings">${(v.variant === 'unknown' ? v.missing : v.because).map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`);
    }
    const pr = l.profile;
    if (pr && 'unavailable' in pr) body.push(`<p class="rw-muted">kernel CPU profile: not taken (${escapeHtml(pr.unavailable)})</p>`);
    else if (pr) {
      body.push(`<p>kernel CPU profile: ${escapeHtml(pr.method)} at ${pr.hz} Hz over ${(pr.durationMs / 1000).toFixed(1)} s${pr.startedAtS !== undefined ? ` from ${pr.startedAtS} s` : ''}, ${pr.samples} on-CPU samples (${pr.kernelSamples} in the kernel)</p>`,
        kernelProfileTable(pr.top));
    }
    body.push(`<div class="rw-charts" data-chart="${i}"></div>`);
    body.push(`<h3>Figures</h3><pre>${escapeHtml(legSummary(l).slice(1).join('\n'))}</pre>`);
    body.push('</details></section>');
    points.push(l.seconds.map((s) => secondPoint(s, p.cpus)));
  });
  const c = r.cleanup;
  body.push('<h2>Cleanup</h2>', `<p>${c.left.length === 0 ? 'cgroups, files and processes of the run are gone' : `LEFT: ${escapeHtml(c.left.join('; '))}`}</p>`);
  return htmlDocument({ title: `reclaimwatch repro ${r.runId}: ${r.verdict}`, body: body.join('\n'), script: chartsScript(points, { relative: true, panels: REPRO_PANELS }) });
}
