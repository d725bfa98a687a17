// Removes what a run owns, from its record: the workload processes, the cgroups, the file directories,
// and an MGLRU setting to put back. The same path serves a normal end, Ctrl-C, a crashed workload and
// `repro --cleanup` after reclaimwatch itself was SIGKILLed. It only ever touches what the record names,
// and only when the names carry the run's id.
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { readPidStat } from '../kernel/proc/pid-stat.js';
import { removeCgroupDirs } from './remove-cgroup-dirs.js';
import { MARKER_FILE, RUN_PREFIX, type RunRecord, deleteRunRecord, listRunRecords } from './run-registry.js';

/** What cleaning one run did. */
export interface CleanupResult {
  runId: string;
  /** Set when the run was left alone, with why. */
  skipped: string | undefined;
  killed: number[];
  removedCgroups: string[];
  removedDirs: string[];
  mglruRestored: string | undefined;
  /** Anything still there (the record is kept so a later --cleanup can retry). */
  left: string[];
}

/** The start time of a live (not zombie) process, or undefined when it is gone. */
function startTicks(host: HostPaths, pid: number): number | undefined {
  try {
    const st = readPidStat(host, pid);
    return st.state === 'Z' || st.state === 'X' ? undefined : st.starttimeTicks;
  } catch {
    return undefined;
  }
}

/** True when the run's reclaimwatch process is still alive (same pid and start time). */
export function ownerAlive(host: HostPaths, rec: RunRecord): boolean {
  return startTicks(host, rec.ownerPid) === rec.ownerStartTicks;
}

/** True for a file directory this run made: named after it and holding its marker. */
function isRunDir(dir: string, runId: string): boolean {
  if (path.basename(dir) !== `${RUN_PREFIX}${runId}`) return false;
  try {
    return fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8').trim() === runId;
  } catch {
    return false;
  }
}

/** Cleans one run. `force` cleans even when its owner is alive (the owner itself, at the end of a run). */
export async function cleanupRun(host: HostPaths, stateDir: string, rec: RunRecord, force = false, deadlineMs = 30_000): Promise<CleanupResult> {
  const res: CleanupResult = { runId: rec.runId, skipped: undefined, killed: [], removedCgroups: [], removedDirs: [], mglruRestored: undefined, left: [] };
  if (!force && ownerAlive(host, rec)) {
    res.skipped = `its reclaimwatch (pid ${rec.ownerPid}) is still running; it cleans up when it ends`;
    return res;
  }
  for (const w of rec.workloads) {
    if (startTicks(host, w.pid) === w.startTicks) {
      try {
        process.kill(w.pid, 'SIGKILL');
        res.killed.push(w.pid);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  // A killed process with many threads takes a moment to exit; wait (bounded) so "gone" means gone.
  const until = Date.now() + Math.min(deadlineMs, 10_000);
  while (res.killed.some((pid) => rec.workloads.some((w) => w.pid === pid && startTicks(host, pid) === w.startTicks)) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const cgroups = rec.cgroupDirs.filter((d) => path.basename(d) === `${RUN_PREFIX}${rec.runId}`);
  const present = cgroups.filter((d) => fs.existsSync(d));
  const left = await removeCgroupDirs(present, deadlineMs);
  res.removedCgroups = present.filter((d) => !left.includes(d));
  res.left.push(...left);
  for (const d of rec.workDirs) {
    if (!fs.existsSync(d)) continue;
    if (!isRunDir(d, rec.runId)) {
      res.left.push(`${d} (not removed: it lacks the run's marker)`);
      continue;
    }
    try {
      fs.rmSync(d, { recursive: true, force: true });
      res.removedDirs.push(d);
    } catch (err) {
      res.left.push(`${d} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (rec.mglruRestore && path.basename(rec.mglruRestore.file) === 'enabled' && rec.mglruRestore.file.endsWith('/kernel/mm/lru_gen/enabled')) {
    try {
      fs.writeFileSync(rec.mglruRestore.file, rec.mglruRestore.value);
      res.mglruRestored = rec.mglruRestore.value;
    } catch (err) {
      res.left.push(`MGLRU setting ${rec.mglruRestore.value} not restored in ${rec.mglruRestore.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (res.left.length === 0) deleteRunRecord(stateDir, rec.runId);
  return res;
}

/** `repro --cleanup`: cleans every recorded run whose reclaimwatch is no longer running. */
export async function cleanupStaleRuns(host: HostPaths, stateDir: string): Promise<CleanupResult[]> {
  const out: CleanupResult[] = [];
  for (const rec of listRunRecords(stateDir)) out.push(await cleanupRun(host, stateDir, rec));
  return out;
}
