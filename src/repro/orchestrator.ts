// `reclaimwatch repro`: runs the workload in a fresh child cgroup (per MGLRU leg), watches it every
// second, judges it, and always removes what it made. Every resource is recorded before it exists,
// so a SIGKILL of reclaimwatch leaves nothing `repro --cleanup` cannot find.
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { readPidStat } from '../kernel/proc/pid-stat.js';
import type { HostFacts } from '../detect/verdict.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';
import { type TraceEvidence, traceEvidence } from '../trace/doctor-evidence.js';
import { type KernelProfile, type ProfileMethod, profileTarget } from '../probe/kernel-profile.js';
import { type KernelProfileSummary, summarizeKernelProfile } from '../probe/kernel-profile-summary.js';
import { type CleanupResult, cleanupRun } from './cleanup.js';
import { type DoctorLoop, type DoctorLoopResult, type DoctorSnapshot, startDoctorLoop } from './doctor-loop.js';
import { type MglruLeg, type MglruMode, lruGenEnabledFile, planMglruLegs, runMglruLegs } from './mglru.js';
import { startMonitor } from './monitor.js';
import { type ReproParams, validateParams } from './params.js';
import { type ReproCgroup, createReproCgroup } from './repro-cgroup.js';
import { removeCgroupDirs } from './remove-cgroup-dirs.js';
import { MARKER_FILE, RUN_PREFIX, type RunRecord, newRunId, saveRunRecord } from './run-registry.js';
import { type RawSample, type Second, deriveSecond } from './second.js';
import { type ReproVerdict, decideVerdict } from './verdict.js';
import { checkWorkDir } from './work-dir.js';
import { type WorkloadExit, findWorkload, startWorkload, workloadArgs } from './workload.js';
import { sleep } from '../units/sleep.js';

/** Grace after --duration for the workload to stop on its own before it is killed. */
export const END_GRACE_MS = 15_000;

/** What the live view gets every second. */
export interface LiveTick {
  leg: MglruLeg;
  cgroup: ReproCgroup;
  params: ReproParams;
  second: Second;
  /** The verdict the seconds so far would give. */
  soFar: ReproVerdict;
  /** The doctor's latest finished window on the cgroup (undefined while the first one runs, or when off). */
  doctor: DoctorSnapshot | undefined;
}

/** Options of a run. */
export interface ReproOptions {
  host: HostPaths;
  params: ReproParams;
  dir: string;
  mglru: MglruMode;
  stateDir: string;
  workloadPath?: string | undefined;
  /** Aborted on Ctrl-C / SIGTERM: the run stops, cleans up and returns what it measured. */
  signal?: AbortSignal | undefined;
  onTick?: ((t: LiveTick) => void) | undefined;
  /** Doctor windows on the run's cgroup, back to back, of this length (ms); 0 or undefined: no doctor. */
  doctorWindowMs?: number | undefined;
  /** Run the memcg-reclaim + mmap-lock traces (one bpftrace) over each leg. Check the machine first (prepareTraceEnvironment). */
  trace?: { bpftrace: string } | undefined;
  /**
   * The kernel CPU profile of each leg's workload (bpftrace profile:hz, else /proc stacks; never perf, which
   * reads the target's maps), over `durationMs` (default 5 s) of the second phase at `hz` (default 99).
   * On unless `false`.
   */
  profile?: { durationMs?: number; hz?: number; bpftrace?: string; methods?: ProfileMethod[] } | false | undefined;
  /** Called once the cgroup exists and the workload runs in it (tests look at it then). */
  onStarted?: ((cg: ReproCgroup, pid: number, record: RunRecord) => void) | undefined;
}

/** How a leg ended. */
export type LegEnd = 'completed' | 'interrupted' | 'workload-crashed' | 'workload-oom-killed' | 'overran';

/** One leg's result. */
export interface LegResult {
  mglru: MglruLeg['label'];
  cgroupPath: string;
  cgroupVersion: 'v1' | 'v2';
  swap: ReproCgroup['swap'];
  workloadPid: number;
  end: LegEnd;
  exit: WorkloadExit;
  seconds: Second[];
  verdict: ReproVerdict;
  /** The doctor's windows over the leg (undefined when the doctor was off). */
  doctor: DoctorLoopResult | undefined;
  /** With `--trace`: what bpftrace measured over the leg, and when it had attached (s since the workload started). */
  trace: (TraceEvidence & { attachedAtS: number | undefined }) | undefined;
  /** MGLRU (`/sys/kernel/mm/lru_gen/enabled`) as read while the leg ran; undefined without MGLRU. */
  mglruDuring: string | undefined;
  /** The kernel CPU profile of the workload in the second phase (top functions, shares), or why there is none. */
  profile: (KernelProfileSummary & { startedAtS: number | undefined }) | { unavailable: string } | undefined;
}

/** A whole run. */
export interface ReproRun {
  runId: string;
  workDir: string;
  legs: LegResult[];
  cleanup: CleanupResult;
}


/** Runs a repro. Throws UsageError/KernelLacksError/ToolMissingError before creating anything when it cannot run. */
export async function runRepro(o: ReproOptions): Promise<ReproRun> {
  validateParams(o.params);
  const bin = findWorkload(o.workloadPath);
  const { realDir } = checkWorkDir(o.host, o.dir, o.params.fileThreads * o.params.fileSizeBytes);
  const legs = planMglruLegs(o.host, o.mglru);
  const runId = newRunId();
  const rec: RunRecord = {
    version: 1, runId, ownerPid: process.pid, ownerStartTicks: readPidStat(o.host, process.pid).starttimeTicks, createdAt: new Date().toISOString(),
    workDirs: [], cgroupDirs: [], workloads: [], mglruRestore: undefined,
  };
  const save = (): void => saveRunRecord(o.stateDir, rec);
  save();
  const workDir = path.join(realDir, `${RUN_PREFIX}${runId}`);
  const results: LegResult[] = [];
  let cleanup: CleanupResult | undefined;
  try {
    rec.workDirs.push(workDir);
    save();
    fs.mkdirSync(workDir, { mode: 0o700 });
    fs.writeFileSync(path.join(workDir, MARKER_FILE), `${runId}\n`);
    await runMglruLegs(o.host, legs, (file, value) => {
      rec.mglruRestore = { file, value };
      save();
    }, async (leg) => {
      if (o.signal?.aborted) return;
      results.push(await runLeg(o, bin, leg, rec, save, workDir));
    });
  } finally {
    // One teardown path for every ending; force: this process is the owner.
    cleanup = await cleanupRun(o.host, o.stateDir, rec, true);
  }
  return { runId, workDir, legs: results, cleanup };
}

async function runLeg(o: ReproOptions, bin: string, leg: MglruLeg, rec: RunRecord, save: () => void, workDir: string): Promise<LegResult> {
  const p = o.params;
  const cg = createReproCgroup(o.host, rec.runId, { limitBytes: p.limitBytes, cpus: p.cpus }, (dir) => {
    if (!rec.cgroupDirs.includes(dir)) rec.cgroupDirs.push(dir);
    save();
  });
  const wl = await startWorkload(bin, workloadArgs(p, workDir, cg.procsFiles));
  let exit: WorkloadExit | undefined;
  void wl.exited.then((e) => {
    exit = e;
  });
  try {
    rec.workloads.push({ pid: wl.pid, startTicks: readPidStat(o.host, wl.pid).starttimeTicks });
  } catch {
    rec.workloads.push({ pid: wl.pid, startTicks: -1 });
  }
  save();
  const t0 = performance.now();
  const monitor = startMonitor(o.host, cg);
  const clock = (): number => performance.now() - t0;
  const doctor: DoctorLoop | undefined = o.doctorWindowMs ? startDoctorLoop(monitor.sampler, monitor.id, hostFacts(o.host), clock, o.doctorWindowMs) : undefined;
  // The trace filters on the v2 id of the cgroup (hybrid hosts: the v2 twin); without one, on the workload's pid.
  const traceStop = new AbortController();
  const tracing = o.trace ? startTrace(o, cg, wl.pid, traceStop.signal, clock) : undefined;
  const profiling = o.profile === false ? undefined : startProfile(o, wl.pid, traceStop.signal, clock);
  const mglruDuring = readMglruText(o.host);
  const seconds: Second[] = [];
  let prev: RawSample = monitor.sample(0, wl.latest());
  let final: RawSample = prev;
  let end: LegEnd = 'completed';
  try {
    o.onStarted?.(cg, wl.pid, rec);
    const hardEnd = p.durationMs + END_GRACE_MS;
    for (let tick = 1; ; tick++) {
      const wait = t0 + tick * 1000 - performance.now();
      if (wait > 0) await Promise.race([sleep(wait, o.signal), wl.exited]);
      if (o.signal?.aborted) {
        end = 'interrupted';
        break;
      }
      const now = performance.now() - t0;
      if (exit === undefined || now >= tick * 1000 - 50) {
        const cur = monitor.sample(now, wl.latest());
        const derived = deriveSecond(prev, cur);
        // A workload too stalled to report is still in its second phase once --delay has passed.
        const second: Second = !derived.reported && derived.tS * 1000 >= p.delayMs && derived.phase !== 'both' && derived.phase !== 'done' ? { ...derived, phase: 'both' } : derived;
        prev = cur;
        seconds.push(second);
        o.onTick?.({ leg, cgroup: cg, params: p, second, soFar: decideVerdict(seconds), doctor: doctor?.latest() });
      }
      if (exit !== undefined) break;
      if (now >= hardEnd) {
        end = 'overran';
        break;
      }
    }
    final = monitor.sample(performance.now() - t0, wl.latest());
    if (final.atMs - prev.atMs >= 500) {
      seconds.push(deriveSecond(prev, final));
      prev = final;
    }
  } catch (err) {
    // Never leave the doctor or bpftrace running past the leg, whatever failed.
    traceStop.abort();
    await Promise.allSettled([doctor?.stop(), tracing, profiling]);
    throw err;
  }
  // bpftrace prints its maps on SIGINT while the cgroup still exists; the doctor's window in flight is dropped.
  traceStop.abort();
  const [doctorResult, trace, profiled] = await Promise.all([doctor?.stop(), tracing, profiling]);
  if (exit === undefined) {
    wl.kill('SIGKILL');
    // Members stuck in reclaim die faster once the limit is lifted; removal lifts it, kills, rmdirs.
    await removeCgroupDirs(cg.dirs, 30_000);
  }
  const giveUp = new AbortController();
  const ex = await Promise.race([wl.exited, sleep(30_000, giveUp.signal).then((): WorkloadExit => ({ code: null, signal: null, stderr: 'did not exit within 30 s of SIGKILL' }))]);
  giveUp.abort();
  await monitor.stop();
  const last = final.target.memory ?? prev.target.memory;
  if (end === 'completed' && (ex.code !== 0 || ex.signal !== null)) {
    end = ex.signal === 'SIGKILL' && (last?.oomKills ?? 0) > 0 ? 'workload-oom-killed' : 'workload-crashed';
  }
  // Drop this leg's cgroup and files so a next leg starts cold; the final cleanup catches anything left.
  await removeCgroupDirs(cg.dirs, 30_000);
  for (const f of fs.readdirSync(workDir)) if (f.startsWith('file.')) fs.rmSync(path.join(workDir, f), { force: true });
  return {
    mglru: leg.label, cgroupPath: cg.path, cgroupVersion: cg.version, swap: cg.swap, workloadPid: wl.pid, end, exit: ex, seconds,
    verdict: decideVerdict(seconds, trace?.ran ? trace : undefined, { host: hostFacts(o.host), profile: profiled && 'profile' in profiled ? profiled.profile : undefined }),
    doctor: doctorResult, trace, mglruDuring,
    profile: profiled === undefined ? undefined : 'profile' in profiled ? { ...summarizeKernelProfile(profiled.profile), startedAtS: profiled.startedAtS } : profiled,
  };
}

/** The host facts the classifier's advice depends on, from the host's own files (`--path.*` honoured). */
function hostFacts(host: HostPaths): HostFacts {
  const lru = readLruGen(host);
  return { mglruPresent: lru.present, mglruEnabled: lru.enabled, kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim() };
}

/** Runs traceEvidence over the leg; never throws (a failure lands in `unavailable`). */
async function startTrace(o: ReproOptions, cg: ReproCgroup, pid: number, stop: AbortSignal, clock: () => number): Promise<TraceEvidence & { attachedAtS: number | undefined }> {
  const target = cg.unifiedDir ? { cgroupPath: cg.unifiedDir } : { pid };
  try {
    const ev = await traceEvidence({ ...target, durationMs: o.params.durationMs + END_GRACE_MS, bpftrace: o.trace!.bpftrace, host: o.host, stop });
    return { ...ev, attachedAtS: ev.ran && ev.tracedMs > 0 ? Math.round((clock() - ev.tracedMs) / 100) / 10 : undefined };
  } catch (err) {
    return { ran: false, tracedMs: 0, memcgReclaim: undefined, mmapLock: undefined, unavailable: [`the trace failed: ${(err as Error)?.message ?? String(err)}`], attachedAtS: undefined };
  }
}

/**
 * When a leg's profile starts and how long it samples: late in the second phase (where a collapse shows),
 * ending 1 s before --duration, and no longer than the second phase less 2 s (at least 1 s). Pure.
 */
export function profileWindow(p: Pick<ReproParams, 'delayMs' | 'durationMs'>, profileMs: number): { startMs: number; durationMs: number } {
  const durationMs = Math.min(profileMs, Math.max(1000, p.durationMs - p.delayMs - 2000));
  return { startMs: Math.max(p.delayMs + 1000, p.durationMs - durationMs - 1000), durationMs };
}

/** Profiles the workload once, late in the leg; never throws (a failure becomes `unavailable`). */
async function startProfile(o: ReproOptions, pid: number, stop: AbortSignal, clock: () => number): Promise<{ profile: KernelProfile; startedAtS: number | undefined } | { unavailable: string }> {
  const po = o.profile || {};
  const w = profileWindow(o.params, po.durationMs ?? 5000);
  await sleep(Math.max(0, w.startMs - clock()), stop);
  if (stop.aborted) return { unavailable: 'the leg ended before its profile could start' };
  let startedAtS: number | undefined;
  try {
    const profile = await profileTarget(o.host, { pids: [pid], cgroup: undefined, followCgroup: false, label: 'repro workload' }, {
      durationMs: w.durationMs, hz: po.hz ?? 99, signal: stop, methods: po.methods ?? ['bpftrace', 'proc-stack'],
      bpftrace: po.bpftrace ?? o.trace?.bpftrace ?? 'bpftrace', onStarted: () => (startedAtS = Math.round(clock() / 100) / 10),
    });
    return { profile, startedAtS };
  } catch (err) {
    return { unavailable: `the profile could not run: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** The text of lru_gen/enabled now (e.g. "0x0007"), or undefined without MGLRU. */
function readMglruText(host: HostPaths): string | undefined {
  try {
    return fs.readFileSync(lruGenEnabledFile(host), 'utf8').trim();
  } catch {
    return undefined;
  }
}
