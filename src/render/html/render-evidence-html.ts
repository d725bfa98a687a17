// `evidence export ID --html FILE`: an incident's evidence bundle (a directory: manifest.json, report.json,
// report.txt, stacks, folded stacks, flame graphs, trace output) as one self-contained page. The flame graphs
// keep their own zoom and search (their script runs inline); text parts are shown up to a cap each.
import fs from 'node:fs';
import path from 'node:path';
import { doctorReportSchema } from '../../doctor/report.js';
import { evidenceManifestSchema } from '../../agent/evidence/manifest.js';
import { UsageError } from '../../kernel/errors.js';
import { formatBytes } from '../../units/bytes.js';
import { escapeHtml } from './escape-html.js';
import { EVIDENCE_PART_ORDER, evidencePartKind } from './evidence-parts.js';
import { htmlDocument, jsonForScript } from './html-document.js';
import { htmlTable } from './html-table.js';
import { kernelProfileTable } from './kernel-profile-table.js';
import { sharePct } from '../../probe/kernel-profile-summary.js';
import { targetSection } from './target-section.js';
import { verdictBadge } from './verdict-badge.js';

/** Text parts beyond this many bytes are cut (the bundle keeps them whole). */
export const EVIDENCE_TEXT_CAP_BYTES = 512 * 1024;

interface PartEntry { file: string; title?: string; absent?: string; note?: string }

/** The files a manifest lists (strings, or objects naming a file), else the directory's files. */
function partFiles(dir: string, manifest: Record<string, unknown> | undefined): PartEntry[] {
  const listed = manifest && Array.isArray(manifest['parts']) ? (manifest['parts'] as unknown[]) : undefined;
  if (listed) {
    return listed.map((p): PartEntry => {
      if (typeof p === 'string') return { file: p };
      const o = (p ?? {}) as Record<string, unknown>;
      const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k]) : undefined);
      const file = str('file') ?? str('path') ?? '';
      const absent = o['status'] === 'absent' || o['absent'] !== undefined ? (str('reason') ?? str('absent') ?? 'absent') : undefined;
      const title = str('title') ?? str('name');
      const note = str('note');
      return { file, ...(title ? { title } : {}), ...(absent !== undefined ? { absent } : {}), ...(note ? { note } : {}) };
    });
  }
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => ({ file: d.name })).sort((a, b) => a.file.localeCompare(b.file));
}

function readCapped(file: string): { text: string; size: number; cut: boolean } {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, EVIDENCE_TEXT_CAP_BYTES));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return { text: buf.subarray(0, n).toString('utf8'), size, cut: size > n };
  } finally {
    fs.closeSync(fd);
  }
}

function scalarRows(o: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(o).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]): [string, string] => [k, String(v)]);
}

/** Renders the bundle in `bundleDir` as a self-contained HTML page. Throws UsageError when it is not a bundle. */
export function renderEvidenceHtml(bundleDir: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(bundleDir);
  } catch (err) {
    throw new UsageError(`cannot read evidence bundle ${bundleDir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if (!st.isDirectory()) throw new UsageError(`${bundleDir} is not an evidence bundle directory`);
  const root = fs.realpathSync(bundleDir);
  let manifest: Record<string, unknown> | undefined;
  if (fs.existsSync(path.join(root, 'manifest.json'))) {
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      manifest = undefined;
    }
  }
  const str = (k: string): string | undefined => {
    const v = manifest?.[k];
    return typeof v === 'string' ? v : undefined;
  };
  const id = str('incidentId') ?? str('id') ?? path.basename(root);
  const verdict = typeof manifest?.['verdict'] === 'string' ? manifest['verdict'] : undefined;
  const body: string[] = [`<h1>reclaimwatch evidence ${verdict ? `${verdictBadge(verdict)} ` : ''}<span class="mono">${escapeHtml(id)}</span></h1>`,
    '<p class="rw-muted">an incident\'s evidence bundle; a self-contained file (no network needed)</p>'];
  if (manifest) {
    const target = manifest['target'];
    body.push('<h2>Incident</h2>', htmlTable(['field', 'value'], [...scalarRows(manifest), ...(target && typeof target === 'object' ? scalarRows(target as Record<string, unknown>).map(([k, v]) => [`target ${k}`, v]) : [])]));
  }
  const profile = evidenceManifestSchema.shape.kernelProfile.safeParse(manifest?.['kernelProfile']);
  if (profile.success && profile.data) {
    const k = profile.data;
    body.push('<h2>Kernel CPU profile</h2>',
      `<p>method <b>${escapeHtml(k.method)}</b> at ${k.hz} Hz over ${(k.durationMs / 1000).toFixed(1)} s: <b>${k.samples}</b> on-CPU samples, ${k.kernelSamples} in the kernel; ${escapeHtml(k.filter)}</p>`,
      kernelProfileTable(k.top),
      `<p class="rw-muted">shares of the target's on-CPU samples: ${escapeHtml(Object.entries(k.shares).map(([n, v]) => `${n} ${sharePct(v)}`).join(' · '))}</p>`);
  }
  const flames: Array<{ box: string; svg: string; title: string }> = [];
  const parts = partFiles(root, manifest);
  body.push('<h2>Parts</h2>', htmlTable(['part', 'file', 'size'], parts.map((p) => {
    const abs = path.resolve(root, p.file);
    const there = p.absent === undefined && p.file !== '' && abs.startsWith(`${root}${path.sep}`) && fs.existsSync(abs) && fs.statSync(abs).isFile();
    return [p.title ?? evidencePartKind(p.file).title, p.file, there ? `${formatBytes(fs.statSync(abs).size)}${p.note ? `; ${p.note}` : ''}` : `absent: ${p.absent ?? 'no such file in the bundle'}`];
  })));
  const shown = parts.map((p, i) => ({ p, i, rank: EVIDENCE_PART_ORDER.indexOf(evidencePartKind(p.file).kind) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map((x) => x.p);
  for (const p of shown) {
    const abs = path.resolve(root, p.file);
    if (p.absent !== undefined || p.file === '' || !abs.startsWith(`${root}${path.sep}`) || !fs.existsSync(abs) || !fs.statSync(abs).isFile()) continue;
    const kind = evidencePartKind(p.file).kind;
    const title = p.title ?? evidencePartKind(p.file).title;
    if (kind === 'manifest' || kind === 'page') continue;
    const { text, size, cut } = readCapped(abs);
    const head = `<h2>${escapeHtml(title)} <span class="rw-muted mono">${escapeHtml(p.file)}</span></h2>`;
    if (kind === 'flame' || kind === 'flame-reversed') {
      const box = `flame-${flames.length}`;
      flames.push({ box, svg: text, title });
      body.push(head, cut ? `<p class="rw-muted">${escapeHtml(p.file)} is ${formatBytes(size)}, over the ${formatBytes(EVIDENCE_TEXT_CAP_BYTES)} inline cap: see the bundle</p>` : `<div id="${box}"></div>`);
      continue;
    }
    if (kind === 'report-json' && !cut) {
      const parsed = doctorReportSchema.safeParse(safeJson(text));
      if (parsed.success) {
        body.push(head, ...parsed.data.targets.map((t, i) => targetSection(t, parsed.data.host, `t${i}`)));
        continue;
      }
    }
    if (kind === 'other' && text.includes('\u0000')) {
      body.push(head, `<p class="rw-muted">binary, ${formatBytes(size)}</p>`);
      continue;
    }
    body.push(head, `<pre>${escapeHtml(text)}</pre>`, cut ? `<p class="rw-muted">first ${formatBytes(EVIDENCE_TEXT_CAP_BYTES)} of ${formatBytes(size)} shown</p>` : '');
  }
  const script = `(function(){var F=${jsonForScript(flames.filter((f) => !f.svg.length || f.svg.length <= EVIDENCE_TEXT_CAP_BYTES))};
F.forEach(function(f){var b=document.getElementById(f.box);if(b)rw.flame(b,f.svg,f.title);});document.body.setAttribute('data-ready','1');})();`;
  return htmlDocument({ title: `reclaimwatch evidence ${id}`, body: body.join('\n'), script });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
