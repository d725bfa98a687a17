// A short combined trace for `doctor --trace`: memcg-reclaim and mmap-lock in ONE bpftrace run, reduced
// to a small typed summary the classifier can weigh.
import { LIVE_HOST, type HostPaths } from '../host/host-paths.js';
import { ReclaimwatchError } from '../kernel/errors.js';
import { mmapLockProgram } from './programs/mmap-lock.js';
import { memcgReclaimProgram } from './programs/reclaim.js';
import { buildScript } from './program.js';
import { programContext } from './run-program.js';
import { runBpftrace } from './runner.js';
import { resolveTraceTarget } from './target-filter.js';
import { prepareTraceEnvironment } from './trace-environment.js';

/** What a short trace says about reclaim and mmap_lock, for doctor's verdict. */
export interface TraceEvidence {
  /** False when the trace could not run at all (see `unavailable`). */
  ran: boolean;
  tracedMs: number;
  memcgReclaim: { calls: number; totalUs: number; maxUs: number; pagesReclaimed: number } | undefined;
  mmapLock: {
    holds: number;
    /** Holds of at least one second. */
    holdsOver1s: number;
    maxHoldMs: number;
    /** Threads that held it for over a second. */
    tidsOver1s: number[];
    maxWaitUs: number;
  } | undefined;
  /** Why parts (or all) of the evidence are missing: only what was not measured. */
  unavailable: string[];
  /** How the trace was done, when worth saying (e.g. a v1-only cgroup filtered on its processes at start). */
  notes?: string[];
}

/**
 * Runs memcg-reclaim and mmap-lock together for `durationMs` against a pid or a cgroup path. Never throws
 * for a machine that cannot trace: the reasons land in `unavailable`.
 */
export async function traceEvidence(opts: { pid?: number; cgroupPath?: string; durationMs: number; bpftrace?: string; host?: HostPaths; stop?: AbortSignal; onAttached?: () => void }): Promise<TraceEvidence> {
  const host = opts.host ?? LIVE_HOST;
  const none = (why: string): TraceEvidence => ({ ran: false, tracedMs: 0, memcgReclaim: undefined, mmapLock: undefined, unavailable: [why] });
  try {
    const target = resolveTraceTarget(host, { pid: opts.pid, cgroupPath: opts.cgroupPath });
    const env = await prepareTraceEnvironment(host, opts.bpftrace ?? 'bpftrace');
    // The target's notes say how it was filtered, not what is missing: a trace that ran is not "not measured".
    const unavailable: string[] = [];
    const parts = [];
    const reclaimOk = memcgReclaimProgram.requiredTracepoints({}).every((tp) => env.fields(tp));
    const lockOk = mmapLockProgram.requiredTracepoints({}).every((tp) => env.fields(tp));
    if (!reclaimOk) unavailable.push('memcg reclaim: vmscan memcg reclaim tracepoints absent on this kernel');
    if (!lockOk) unavailable.push('mmap_lock: mmap_lock tracepoints absent (need Linux 5.10+)');
    const base = { durationMs: opts.durationMs };
    const rctx = programContext(env, memcgReclaimProgram, target.predicate, { ...base, thresholdUs: 1_000_000 });
    const lctx = programContext(env, mmapLockProgram, target.predicate, { ...base, thresholdUs: 1_000_000, stackThresholdUs: 1_000_000 });
    if (reclaimOk) parts.push(memcgReclaimProgram.generate(rctx));
    if (lockOk) parts.push(mmapLockProgram.generate(lctx));
    if (parts.length === 0) return { ...none(unavailable.join('; ')), unavailable };
    const run = await runBpftrace({ bpftrace: env.bpftrace.path, script: buildScript(rctx, parts), durationMs: opts.durationMs, ...(opts.stop ? { stop: opts.stop } : {}), ...(opts.onAttached ? { onAttached: opts.onAttached } : {}) });
    if (run.killed) unavailable.push('bpftrace was killed before printing its maps: totals missing');
    const r = reclaimOk ? memcgReclaimProgram.interpret(run.stream, rctx) : undefined;
    const l = lockOk ? mmapLockProgram.interpret(run.stream, lctx) : undefined;
    return {
      ran: true,
      tracedMs: run.tracedMs,
      memcgReclaim: r && { calls: r.calls, totalUs: r.totalUs, maxUs: r.maxUs, pagesReclaimed: r.pagesReclaimed },
      mmapLock: l && {
        holds: l.holds.read + l.holds.write,
        holdsOver1s: l.longHoldCount,
        maxHoldMs: l.holdMaxUs / 1000,
        tidsOver1s: [...new Set(l.longHolds.map((h) => h.tid))],
        maxWaitUs: l.waitMaxUs,
      },
      unavailable,
      ...(target.notes.length ? { notes: target.notes } : {}),
    };
  } catch (err) {
    if (err instanceof ReclaimwatchError) return none(err.message);
    throw err;
  }
}
