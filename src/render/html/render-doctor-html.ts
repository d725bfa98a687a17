// `doctor --html FILE`: the report as one self-contained page. With the window's recording, each target gets its
// charts (one point per second, derived from the raw samples as the classifier saw them).
import type { DoctorRecording } from '../../doctor/run-doctor.js';
import type { DoctorReport } from '../../doctor/report.js';
import { formatBytes } from '../../units/bytes.js';
import type { ChartPoint } from './chart-point.js';
import { escapeHtml } from './escape-html.js';
import { chartsScript } from './charts-script.js';
import { htmlDocument } from './html-document.js';
import { htmlTable } from './html-table.js';
import { recordingPoints } from './recording-points.js';
import { targetSection } from './target-section.js';
import { verdictBadge } from './verdict-badge.js';

interface MemoryMetrics { usageBytes?: number; limitBytes?: number; usageRatio?: number }
interface CpuMetrics { userCores?: number; systemCores?: number }

/** The doctor report as HTML; `recording` (the window's raw samples) adds charts. */
export function renderDoctorHtml(report: DoctorReport, recording?: DoctorRecording): string {
  const h = report.host;
  const points = recording ? recordingPoints(recording) : [];
  const byLabel = new Map(recording ? recording.targets.map((rt, i) => [rt.target.label, i] as const) : []);
  const chartPoints: ChartPoint[][] = [];
  const body: string[] = [];
  body.push(`<h1>reclaimwatch doctor: ${report.targets.length} target${report.targets.length === 1 ? '' : 's'}, ${report.windowSeconds} s window</h1>`);
  body.push(`<p class="rw-muted">generated ${escapeHtml(report.generatedAt)} by reclaimwatch; a self-contained file (no network needed)</p>`);
  body.push('<h2>Host</h2>', htmlTable(['kernel', 'CPUs', 'cgroup mode', 'memory controller', 'PSI', 'MGLRU', 'as root'], [[
    h.kernelRelease, h.cpus, h.cgroupMode, h.memoryController ?? 'none', h.psi ? 'yes' : 'no',
    h.mglru.present ? (h.mglru.enabled ? 'present, enabled' : 'present, OFF') : 'absent (no CONFIG_LRU_GEN)', h.root ? 'yes' : 'no',
  ]]));
  body.push('<h2>Targets, most severe first</h2>', htmlTable(['verdict', 'severity', 'target', 'CPU user+system', 'memory', 'main finding'], report.targets.map((t, i) => {
    const cpu = t.metrics['cpu'] as CpuMetrics | undefined;
    const mem = t.metrics['memory'] as MemoryMetrics | undefined;
    const worst = [...t.findings].sort((a, b) => rank(b.severity) - rank(a.severity))[0];
    return [{ html: verdictBadge(t.verdict) }, t.severity, { html: `<a href="#t${i}">${escapeHtml(t.target.label)}</a>` },
      cpu ? `${(cpu.userCores ?? 0).toFixed(2)} + ${(cpu.systemCores ?? 0).toFixed(2)} cores` : 'n/a',
      mem?.usageBytes !== undefined ? `${formatBytes(mem.usageBytes)} of ${formatBytes(mem.limitBytes ?? Infinity)}` : 'n/a',
      worst ? `${worst.code}: ${worst.message}` : ''];
  })));
  report.targets.forEach((t, i) => {
    const k = byLabel.get(t.target.label);
    let idx: number | undefined;
    if (k !== undefined) {
      idx = chartPoints.length;
      chartPoints.push(points[k]!.map((p) => ({ ...p, verdict: t.verdict })));
    }
    body.push(targetSection(t, h, `t${i}`, idx));
  });
  if (report.failures.length > 0) body.push('<h2>Could not inspect</h2>', htmlTable(['asked', 'why'], report.failures.map((f) => [f.target, f.message])));
  return htmlDocument({ title: `reclaimwatch doctor ${report.generatedAt}`, body: body.join('\n'), script: chartsScript(chartPoints) });
}

const rank = (s: string): number => (s === 'critical' ? 2 : s === 'warning' ? 1 : 0);
