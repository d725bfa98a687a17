// index.html of a bundle: the manifest as a table, every text part inline, the flame graphs as the bundle's own
// SVG files. Self-contained: no script, font or style from the network; open it from the bundle directory.
import { sharePct as pct } from '../../probe/kernel-profile-summary.js';
import type { EvidenceManifest } from './manifest.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** Most characters of one part shown inline (the file holds the rest). */
export const INLINE_CAP_CHARS = 256 << 10;


/** The kernel CPU profile: how it was taken and on how many samples, the top functions by share, the telling shares. */
function profileSection(name: string, title: string, file: string, k: NonNullable<EvidenceManifest['kernelProfile']>): string {
  const rows = k.top.map((f) => `<tr><td class="n">${pct(f.share)}</td><td class="n">${f.samples}</td><td><code>${esc(f.name)}</code></td></tr>`).join('\n');
  const shares = (['evictFolios', 'spinLockInReclaim', 'shrinkLruvec', 'lruNoteCost', 'mmapLockWait', 'reclaim'] as const)
    .map((s) => `${s} ${pct(k.shares[s] ?? 0)}`).join(' · ');
  const fallbacks = k.fallbacks.map((f) => `<br>not ${esc(f.method)}: ${esc(f.reason)}`).join('');
  const notes = k.notes.map((n) => `<br>${esc(n)}`).join('');
  return `<section id="${esc(name)}"><h2>${esc(title)}</h2><p><a href="${esc(file)}">${esc(file)}</a></p>
<p class="profile-method">method <b>${esc(k.method)}</b> at ${k.hz} Hz over ${(k.durationMs / 1000).toFixed(1)} s: <b>${k.samples}</b> on-CPU samples, ${k.kernelSamples} in the kernel; ${esc(k.filter)}${fallbacks}</p>
<table class="profile"><tr><th>share</th><th>samples</th><th>kernel function (innermost)</th></tr>
${rows || '<tr><td colspan="3">no kernel samples</td></tr>'}
</table>
<p class="dim">shares of the target's on-CPU samples: ${esc(shares)}${notes}</p></section>`;
}

/** Renders the page. `texts` maps a part's file name to its text (for the inline parts). */
export function renderEvidenceIndex(m: EvidenceManifest, texts: ReadonlyMap<string, string>): string {
  const t = m.target;
  const who = [t.cgroup && `cgroup ${t.cgroup}`, t.namespace && `namespace ${t.namespace}`, t.pod && `pod ${t.pod}`, t.container && `container ${t.container}`].filter(Boolean).join(' · ');
  const rows = m.parts.map((p) => `<tr class="${p.status}${p.failed ? ' failed' : ''}"><td>${p.file ? `<a href="#${esc(p.name)}">${esc(p.title)}</a>` : esc(p.title)}</td><td>${p.status}${p.truncated ? ' (cut)' : ''}</td><td class="n">${p.status === 'present' ? size(p.bytes) : ''}</td><td class="n">${Math.round(p.ms)} ms</td><td>${esc(p.reason ?? p.note ?? '')}</td></tr>`).join('\n');
  const sections: string[] = [];
  for (const p of m.parts) {
    if (p.status !== 'present' || !p.file) continue;
    if (p.name === 'kernel-profile' && m.kernelProfile) {
      sections.push(profileSection(p.name, p.title, p.file, m.kernelProfile));
      continue;
    }
    if (p.file.endsWith('.svg')) {
      sections.push(`<section id="${esc(p.name)}"><h2>${esc(p.title)}</h2><p><a href="${esc(p.file)}">${esc(p.file)}</a> (interactive: click a frame to zoom)</p><iframe src="${esc(p.file)}" title="${esc(p.title)}"></iframe></section>`);
      continue;
    }
    const text = texts.get(p.file);
    if (text === undefined) continue;
    const cut = text.length > INLINE_CAP_CHARS;
    sections.push(`<section id="${esc(p.name)}"><h2>${esc(p.title)}</h2><p><a href="${esc(p.file)}">${esc(p.file)}</a>${cut ? ` (first ${size(INLINE_CAP_CHARS)} shown)` : ''}</p><pre>${esc(cut ? text.slice(0, INLINE_CAP_CHARS) : text)}</pre></section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>reclaimwatch evidence ${esc(m.incidentId)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1300px}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.5em 0 .3em;border-bottom:1px solid #ddd}
.verdict{color:#b00;font-weight:bold;text-transform:uppercase}.dim{color:#666}
table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}td.n{text-align:right}
tr.absent td{color:#777}tr.failed td{color:#b00}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:40em;font:12px/1.3 ui-monospace,monospace}
iframe{width:100%;height:640px;border:1px solid #ddd}
</style></head><body>
<h1>Evidence: <span class="verdict">${esc(m.verdict)}</span> in ${esc(t.label)}</h1>
<p class="dim">${esc(who)}<br>incident ${esc(m.incidentId)}${m.onsetAt ? ` · onset ${esc(m.onsetAt)}` : ''} · captured ${esc(m.startedAt)} in ${(m.captureMs / 1000).toFixed(1)} s · ${size(m.bytes)} of at most ${size(m.maxBytes)} · ${m.complete ? 'complete' : '<b>incomplete</b>'}</p>
<h2>Parts</h2>
<table><tr><th>part</th><th>status</th><th>size</th><th>took</th><th>reason / note</th></tr>
${rows}
</table>
${sections.join('\n')}
<p class="dim">Written by reclaimwatch. Every part is also a file in this directory; manifest.json lists them.</p>
</body></html>
`;
}
