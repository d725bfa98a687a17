// `reclaimwatch evidence list|show ID|export ID`: the bundles the agent wrote under `<store>/evidence/`, with
// the store's incident beside each when the store is there (read-only, so it works while the agent writes).
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderEvidenceHtml } from '../render/html/render-evidence-html.js';
import { type BundleEntry, bundleDir, evidenceRoot, listBundles, readBundle } from '../agent/evidence/bundle-store.js';
import { DEFAULT_STORE_DIR, Store } from '../agent/store/store.js';
import type { Incident } from '../agent/store/store-types.js';
import { ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { formatBytes } from '../units/bytes.js';
import { outputPathOption, writeOutputFile } from './output-path.js';

interface StoreOption {
  store: string;
}

/** The store's incidents by their bundle's directory name (undefined without a store). */
function incidentsByBundle(storeDir: string): Map<string, Incident> | undefined {
  if (!fs.existsSync(path.join(storeDir, 'store.db'))) return undefined;
  let store: Store;
  try {
    store = Store.openReadOnly(storeDir);
  } catch {
    return undefined;
  }
  try {
    const out = new Map<string, Incident>();
    for (const i of store.listIncidents({})) {
      out.set(String(i.id), i);
      if (i.evidencePath) out.set(path.basename(i.evidencePath), i);
    }
    return out;
  } finally {
    store.close();
  }
}

function findBundle(storeDir: string, id: string): BundleEntry {
  const dir = bundleDir(storeDir, id);
  if (!fs.existsSync(dir)) {
    throw new UsageError(`no evidence bundle ${id} in ${evidenceRoot(storeDir)}: \`reclaimwatch evidence list --store ${storeDir}\` lists them`);
  }
  return readBundle(dir);
}

function listText(storeDir: string, bundles: BundleEntry[], incidents: Map<string, Incident> | undefined): string {
  if (bundles.length === 0) return `no evidence bundles in ${evidenceRoot(storeDir)}${incidents ? '' : ' (and no store.db beside it)'}\n`;
  const rows = bundles.map((b) => {
    const m = b.manifest;
    const inc = incidents?.get(b.id) ?? (m ? incidents?.get(m.incidentId) : undefined);
    const present = m ? m.parts.filter((p) => p.status === 'present').length : 0;
    return [
      b.id, m ? m.startedAt.replace(/\.\d+Z$/, 'Z') : '?', m?.verdict ?? '?', m ? `${present}/${m.parts.length}${m.complete ? '' : ' INCOMPLETE'}` : b.problem ?? '?',
      formatBytes(b.bytes), inc ? `#${inc.id}${inc.endWallMs === null ? ' open' : ''}` : '', m?.target.label ?? '',
    ];
  });
  const head = ['ID', 'CAPTURED', 'VERDICT', 'PARTS', 'SIZE', 'INCIDENT', 'TARGET'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const total = bundles.reduce((s, b) => s + b.bytes, 0);
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n${bundles.length} bundle(s), ${formatBytes(total)} in ${evidenceRoot(storeDir)}\n`;
}

function showText(b: BundleEntry, inc: Incident | undefined): string {
  const m = b.manifest;
  if (!m) return `${b.dir}: ${b.problem ?? 'unreadable'}\n`;
  const t = m.target;
  const lines = [
    `evidence ${b.id}: ${m.verdict.toUpperCase()} in ${t.label}`,
    `  ${[t.cgroup && `cgroup ${t.cgroup}`, t.namespace && `namespace ${t.namespace}`, t.pod && `pod ${t.pod}`, t.container && `container ${t.container}`].filter(Boolean).join(', ')}`,
    `  captured ${m.startedAt} in ${(m.captureMs / 1000).toFixed(1)} s${m.onsetAt ? ` (onset ${m.onsetAt})` : ''}; ${formatBytes(b.bytes)} of at most ${formatBytes(m.maxBytes)}; ${m.complete ? 'complete' : 'INCOMPLETE'}`,
    ...(inc ? [`  incident #${inc.id} ${inc.verdict}, ${inc.endWallMs === null ? 'still open' : `ended ${new Date(inc.endWallMs).toISOString()}`}`] : []),
    '',
  ];
  const w = Math.max(...m.parts.map((p) => p.name.length));
  for (const p of m.parts) {
    const what = p.status === 'present' ? `${(p.file ?? '').padEnd(20)} ${formatBytes(p.bytes).padStart(9)}${p.truncated ? ' (cut)' : ''}${p.note ? `  ${p.note}` : ''}` : `ABSENT${p.failed ? ' (fault)' : ''}: ${p.reason ?? ''}`;
    lines.push(`  ${p.name.padEnd(w)}  ${what}`);
  }
  lines.push('', `  open ${path.join(b.dir, 'index.html')} in a browser, or \`reclaimwatch evidence export ${b.id}\``);
  return `${lines.join('\n')}\n`;
}

/** Writes `<store>/evidence/<id>/` as a .tar.gz with Debian's tar, in a child with a deadline. */
export async function exportBundle(storeDir: string, id: string, out: string, deadlineMs = 120_000): Promise<void> {
  findBundle(storeDir, id);
  const r = await runWithDeadline('tar', ['-czf', path.resolve(out), '-C', evidenceRoot(storeDir), id], { deadlineMs });
  if (r.spawnError) throw new ReclaimwatchError('tool-missing', `tar is not installed (${r.spawnError.code ?? 'spawn error'}): apt-get install tar`);
  if (r.timedOut || r.code !== 0) {
    fs.rmSync(out, { force: true });
    throw new ReclaimwatchError('read', r.timedOut ? `tar did not finish within ${deadlineMs} ms writing ${out}` : `tar failed writing ${out}: ${r.stderr.trim()}`);
  }
}

/** Registers `reclaimwatch evidence`. */
export function registerEvidence(program: Command): void {
  const ev = program.command('evidence').description('evidence bundles the agent captured at incidents: list, show, export');
  const storeOpt = (c: Command): Command => c.option('--store <dir>', "the agent's store directory", DEFAULT_STORE_DIR);
  storeOpt(ev.command('list').description('every bundle, oldest first, with its incident').option('--json', 'one JSON document on stdout'))
    .action((o: StoreOption & { json?: boolean }) => {
      const bundles = listBundles(o.store);
      const incidents = incidentsByBundle(o.store);
      if (o.json) {
        const list = bundles.map((b) => ({ id: b.id, dir: b.dir, bytes: b.bytes, problem: b.problem, manifest: b.manifest, incident: incidents?.get(b.id) ?? (b.manifest ? incidents?.get(b.manifest.incidentId) : undefined) }));
        process.stdout.write(`${JSON.stringify({ schema: 'reclaimwatch.evidence-list/v1', dir: evidenceRoot(o.store), bundles: list }, null, 2)}\n`);
        return;
      }
      process.stdout.write(listText(o.store, bundles, incidents));
    });
  storeOpt(ev.command('show').argument('<id>', 'a bundle id, as `evidence list` prints it').description("one bundle's parts: present with size, or absent with the reason").option('--json', 'the manifest on stdout'))
    .action((id: string, o: StoreOption & { json?: boolean }) => {
      const b = findBundle(o.store, id);
      const inc = incidentsByBundle(o.store)?.get(b.id);
      if (o.json) process.stdout.write(`${JSON.stringify(b.manifest ?? { problem: b.problem }, null, 2)}\n`);
      else process.stdout.write(showText(b, inc));
    });
  storeOpt(ev.command('export').argument('<id>', 'a bundle id').description('one bundle as a .tar.gz, to attach to a ticket')
    .addOption(outputPathOption('-o, --output <file>', 'the archive to write (default ./reclaimwatch-evidence-ID.tar.gz)'))
    .addOption(outputPathOption('--html <file>', 'instead, one self-contained HTML report of the bundle (opens from disk, no network)')))
    .action(async (id: string, o: StoreOption & { output?: string; html?: string }) => {
      if (o.html !== undefined) {
        if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new UsageError(`bad bundle id ${JSON.stringify(id)}: give one as reclaimwatch evidence list prints it`);
        writeOutputFile(o.html, renderEvidenceHtml(path.join(o.store, 'evidence', id)), '--html');
        process.stderr.write(`reclaimwatch: wrote ${o.html} (${formatBytes(fs.statSync(o.html).size)})\n`);
        return;
      }
      const out = o.output ?? `reclaimwatch-evidence-${id}.tar.gz`;
      await exportBundle(o.store, id, out);
      process.stderr.write(`reclaimwatch: wrote ${out} (${formatBytes(fs.statSync(out).size)})\n`);
    });
}
