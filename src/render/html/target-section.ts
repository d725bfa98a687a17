// One target of a doctor report as HTML: verdict badge with the word, findings, a place for its charts, the
// evidence table (with "not measured, because …" rows, as the terminal shows them), stack groups, trace, probes,
// advice. Used by `doctor --html` and by evidence bundles whose report.json is a doctor report.
import type { DoctorReport, TargetReport } from '../../doctor/report.js';
import { evidenceRows } from '../doctor-text.js';
import { escapeHtml } from './escape-html.js';
import { htmlTable } from './html-table.js';
import { verdictBadge } from './verdict-badge.js';

/** Findings as a list, the severity as a word and a class. */
export function findingsList(findings: ReadonlyArray<{ code: string; severity: string; message: string }>): string {
  if (findings.length === 0) return '<p class="rw-muted">no findings</p>';
  return `<ul class="rw-findings">${findings.map((f) => `<li><span class="sev-${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span> <code>${escapeHtml(f.code)}</code> ${escapeHtml(f.message)}</li>`).join('')}</ul>`;
}

/** Where a target lives, in words. */
export function targetWhere(t: TargetReport['target']): string {
  return [t.cgroup ? `cgroup ${t.cgroup}` : undefined, t.pod ? `pod ${t.pod.name ?? t.pod.uid}` : undefined, t.container ? `container ${t.container.slice(0, 12)}` : undefined, t.comm ? `comm ${t.comm}` : undefined]
    .filter(Boolean).join(', ');
}

/** The section; `chartIndex` adds an empty `[data-chart]` box that the report's script fills. */
export function targetSection(t: TargetReport, host: DoctorReport['host'], anchor: string, chartIndex?: number): string {
  const out: string[] = [];
  const open = t.verdict !== 'healthy' && t.verdict !== 'cpu-bound' && t.verdict !== 'gone';
  out.push(`<section class="rw-target" id="${escapeHtml(anchor)}"><details${open ? ' open' : ''}><summary><h2 style="display:inline">${verdictBadge(t.verdict)} ${escapeHtml(t.target.label)}</h2>`,
    ` <span class="rw-muted">severity ${t.severity}</span></summary>`);
  out.push(`<p class="rw-muted">${escapeHtml(targetWhere(t.target))}; ${t.target.pids} processes, ${t.target.threads} threads</p>`);
  out.push(findingsList(t.findings));
  if (chartIndex !== undefined) out.push(`<div class="rw-charts" data-chart="${chartIndex}"></div>`);
  out.push('<h3>Evidence</h3>', htmlTable(['signal', 'value', 'threshold', 'meaning'], evidenceRows(t, host)));
  if (t.stacks.groups.length > 0) {
    out.push(`<h3>Kernel stacks (${t.stacks.sampled} sampled)</h3>`);
    for (const g of t.stacks.groups.slice(0, 12)) {
      const tags = [g.tags.inReclaim ? 'in reclaim' : '', g.tags.waitsMmapLock ? 'waits for mmap_lock' : '', g.tags.inPageFault ? 'in a page fault' : ''].filter(Boolean).join(', ');
      out.push(`<p><strong>${g.count}</strong> samples, ${g.threads} threads, states ${escapeHtml(g.states.join(' '))}${tags ? ` — ${escapeHtml(tags)}` : ''}</p><pre>${escapeHtml(g.frames.join('\n'))}</pre>`);
    }
  } else if (t.stacks.unavailable) out.push(`<p class="rw-muted">kernel stacks: ${escapeHtml(t.stacks.unavailable)}</p>`);
  if (t.trace) {
    const tr = t.trace;
    const rows: string[][] = [];
    if (tr.memcgReclaim) rows.push(['memcg reclaim', `${tr.memcgReclaim.calls} calls, ${(tr.memcgReclaim.totalUs / 1000).toFixed(1)} ms in all, longest ${(tr.memcgReclaim.maxUs / 1000).toFixed(1)} ms, ${tr.memcgReclaim.pagesReclaimed} pages reclaimed`]);
    if (tr.mmapLock) rows.push(['mmap_lock', `${tr.mmapLock.holds} holds, ${tr.mmapLock.holdsOver1s} over 1 s, longest ${tr.mmapLock.maxHoldMs.toFixed(1)} ms, longest wait ${(tr.mmapLock.maxWaitUs / 1000).toFixed(1)} ms`]);
    for (const u of tr.unavailable) rows.push(['unavailable', u]);
    out.push(`<h3>Trace (bpftrace, ${(tr.tracedMs / 1000).toFixed(1)} s)</h3>`, htmlTable(['program', 'figures'], rows));
  }
  if (t.probes.length > 0) {
    out.push('<h3>mmap_lock probes (reading /proc/PID/cmdline in a child)</h3>', htmlTable(['pid', 'outcome', 'latency', 'deadline'], t.probes.map((p) => [p.pid, p.outcome, `${p.latencyMs.toFixed(1)} ms`, `${p.deadlineMs} ms`])));
  }
  if (t.advice.length > 0) out.push('<h3>Advice</h3>', `<ul>${t.advice.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`);
  if (t.unreadable.length > 0) out.push('<h3>Could not read</h3>', htmlTable(['source', 'code', 'path', 'message'], t.unreadable.map((u) => [u.source, u.code, u.path ?? '', u.message])));
  out.push('</details></section>');
  return out.join('\n');
}
