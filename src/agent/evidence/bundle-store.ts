// Evidence bundles on disk: `<store>/evidence/<incident-id>/` with manifest.json. A capture writes into
// `<incident-id>.partial/` and renames it when done, so a crash never leaves a half bundle that looks whole.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../kernel/errors.js';
import type { BundleFacts } from './evidence-limits.js';
import { type EvidenceManifest, evidenceManifestSchema } from './manifest.js';

/** Suffix of a bundle still being written. */
export const PARTIAL_SUFFIX = '.partial';

/** `<store>/evidence`. */
export function evidenceRoot(storeDir: string): string {
  return path.join(storeDir, 'evidence');
}

/** Turns any incident id into a safe directory name (letters, digits, `._:-`). */
export function bundleName(incidentId: string): string {
  const n = incidentId.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/^\.+/, '_').slice(0, 160);
  return n || '_';
}

/** The directory of bundle `id`; UsageError for a name that is not a bundle's. */
export function bundleDir(storeDir: string, id: string): string {
  if (!/^[A-Za-z0-9._:-]+$/.test(id) || id.startsWith('.') || id.endsWith(PARTIAL_SUFFIX)) {
    throw new UsageError(`bad evidence id ${JSON.stringify(id)}: give an id as \`reclaimwatch evidence list\` prints it`);
  }
  return path.join(evidenceRoot(storeDir), id);
}

/** One bundle as listed. */
export interface BundleEntry {
  id: string;
  dir: string;
  manifest: EvidenceManifest | undefined;
  /** Bytes of its files (from the directory, not the manifest). */
  bytes: number;
  /** Why the manifest could not be read. */
  problem: string | undefined;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** Reads one bundle. */
export function readBundle(dir: string): BundleEntry {
  const id = path.basename(dir);
  let manifest: EvidenceManifest | undefined;
  let problem: string | undefined;
  try {
    manifest = evidenceManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  } catch (err) {
    problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no manifest.json' : `bad manifest.json: ${(err as Error).message.split('\n')[0]}`;
  }
  let bytes = 0;
  try {
    bytes = dirBytes(dir);
  } catch {
    /* vanished meanwhile */
  }
  return { id, dir, manifest, bytes, problem };
}

/** Every finished bundle, oldest first. */
export function listBundles(storeDir: string): BundleEntry[] {
  const root = evidenceRoot(storeDir);
  let names: string[];
  try {
    names = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.endsWith(PARTIAL_SUFFIX)).map((e) => e.name);
  } catch {
    return [];
  }
  const out = names.map((n) => readBundle(path.join(root, n)));
  const when = (b: BundleEntry): number => (b.manifest ? Date.parse(b.manifest.startedAt) : 0);
  return out.sort((a, b) => when(a) - when(b) || a.id.localeCompare(b.id));
}

/** The facts retention weighs, per bundle. */
export function bundleFacts(b: BundleEntry): BundleFacts {
  return { id: b.id, targetId: b.manifest?.target.id, startedWallMs: b.manifest ? Date.parse(b.manifest.startedAt) : 0, bytes: b.bytes };
}

/** Removes bundles left `.partial` by a crash; returns their names. */
export function removePartialBundles(storeDir: string, except: ReadonlySet<string> = new Set()): string[] {
  const root = evidenceRoot(storeDir);
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.endsWith(PARTIAL_SUFFIX) && !except.has(n));
  } catch {
    return [];
  }
  for (const n of names) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  return names;
}
