// The record of every repro run, kept while it runs, so `repro --cleanup` can remove what a killed run
// left behind and nothing else: /var/lib/reclaimwatch/repro/<run-id>.json (under the host's rootfs).
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { z } from 'zod';
import { ReclaimwatchError } from '../kernel/errors.js';

/** Every directory name a run creates (cgroups and the file directory) starts with this. */
export const RUN_PREFIX = 'reclaimwatch-repro-';

/** Name of the marker file in a run's file directory; it holds the run id. */
export const MARKER_FILE = '.reclaimwatch-repro';

/** What a run owns. Written before each thing is created, so a crash never leaves an unrecorded resource. */
export interface RunRecord {
  version: 1;
  runId: string;
  /** The reclaimwatch process and its start time (clock ticks since boot, to tell a reused pid). */
  ownerPid: number;
  ownerStartTicks: number;
  createdAt: string;
  /** Directories holding the workload's files (`<dir>/reclaimwatch-repro-<run-id>`). */
  workDirs: string[];
  /** Cgroup directories, in creation order. */
  cgroupDirs: string[];
  /** Workload processes started, with their start times. */
  workloads: Array<{ pid: number; startTicks: number }>;
  /** An MGLRU setting to put back (`/sys/kernel/mm/lru_gen/enabled` and its original text). */
  mglruRestore: { file: string; value: string } | undefined;
}

/** The default state directory under a host's rootfs. */
export function defaultStateDir(host: HostPaths): string {
  return path.join(host.rootfs, 'var/lib/reclaimwatch/repro');
}

/** A new run id: UTC time, pid and a random suffix, safe in file and cgroup names. */
export function newRunId(now = new Date(), pid = process.pid): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${pid}-${Math.random().toString(36).slice(2, 6)}`;
}

/** True for a string that is a run id this module could have made (guards every path built from one). */
export function isRunId(s: string): boolean {
  return /^\d{8}T\d{6}Z-\d+-[a-z0-9]{1,8}$/.test(s);
}

/** Writes a record atomically (temp file, then rename). */
export function saveRunRecord(stateDir: string, rec: RunRecord): void {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o755 });
    const file = path.join(stateDir, `${rec.runId}.json`);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (err) {
    throw new ReclaimwatchError('permission', `cannot record the run in ${stateDir} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run as root, or give --state-dir`, { cause: err });
  }
}

/** Deletes a record. */
export function deleteRunRecord(stateDir: string, runId: string): void {
  if (!isRunId(runId)) return;
  fs.rmSync(path.join(stateDir, `${runId}.json`), { force: true });
}

const workloadSchema = z.object({ pid: z.number(), startTicks: z.number() });

/** A record as read back: strict where a path or a pid is built from it, lenient about the rest. */
const runRecordSchema = z.object({
  version: z.literal(1),
  runId: z.string().refine(isRunId),
  ownerPid: z.number(),
  ownerStartTicks: z.number(),
  createdAt: z.string().catch(''),
  workDirs: z.array(z.string()),
  cgroupDirs: z.array(z.string()),
  // A malformed workload entry or MGLRU note is dropped, not a reason to forget the run.
  workloads: z.array(z.unknown()).transform((ws) => ws.flatMap((w) => { const r = workloadSchema.safeParse(w); return r.success ? [r.data] : []; })),
  mglruRestore: z.object({ file: z.string(), value: z.string() }).optional().catch(undefined),
});

/** Parses a record; undefined when the text is not one. */
export function parseRunRecord(text: string): RunRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = runRecordSchema.safeParse(v);
  return r.success ? { ...r.data, mglruRestore: r.data.mglruRestore } : undefined;
}

/** Lists the records in a state directory (unreadable or foreign files are skipped). */
export function listRunRecords(stateDir: string): RunRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(stateDir);
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
    try {
      const rec = parseRunRecord(fs.readFileSync(path.join(stateDir, n), 'utf8'));
      if (rec && `${rec.runId}.json` === n) out.push(rec);
    } catch {
      /* vanished or unreadable: not ours to judge */
    }
  }
  return out;
}
