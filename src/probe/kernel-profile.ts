// The kernel's CPU profile of one target over a window: which kernel functions its on-CPU samples land in.
// This is the figure the reference got once from `perf top` (shrink_lruvec 64 %, lru_note_cost 29 %; later
// _raw_spin_unlock_irq 55 % under evict_folios) and never again, because perf hung on the target.
// Three methods, tried in order, each bounded by a deadline and none reading the target's address space:
//  1. bpftrace `profile:hz:N` with `kstack`, filtered to the target's cgroup v2 id (the `cgroup` builtin) or,
//     where the cgroup has no v2 directory (v1 only), to its processes' pids;
//  2. `perf record -g` in a killable child with a deadline (perf reads /proc/PID/maps there, bounded by
//     --proc-map-timeout: this is why it is second);
//  3. repeated reads of /proc/PID/task/TID/stack of the target's runnable threads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { GoneError, ReclaimwatchError, ToolMissingError } from '../kernel/errors.js';
import { cgroupPids } from '../kernel/cgroup/cgroup-ref.js';
import { readKernelStack } from '../kernel/proc/pid-kstack.js';
import { readPidCgroup } from '../kernel/proc/pid-cgroup.js';
import { readThreadStats } from '../sample/thread-stats.js';
import type { Target } from '../targets/target.js';
import { parseKstack } from '../trace/folded.js';
import { asKeyedNumbers, asNumber } from '../trace/map-values.js';
import { buildScript } from '../trace/program.js';
import { runBpftrace } from '../trace/runner.js';
import { isClassicLruFrame, isMglruFrame, isSpinLockFrame, RECLAIM_FRAMES, tagKernelStack } from './reclaim-frames.js';
import { runWithDeadline } from './run-with-deadline.js';

/** How a profile was taken. */
export type ProfileMethod = 'bpftrace' | 'perf' | 'proc-stack';
/** The methods in the order `profileTarget` tries them. */
export const PROFILE_METHODS: readonly ProfileMethod[] = ['bpftrace', 'perf', 'proc-stack'];

/** One kernel stack (function names, innermost first) and how many samples had it. */
export interface ProfileStack {
  frames: string[];
  count: number;
}

/** One kernel function and its share of the target's on-CPU samples. */
export interface ProfileFunction {
  name: string;
  samples: number;
  /** samples / all on-CPU samples of the target (user-space samples included). */
  share: number;
}

/** Shares (0..1 of the target's on-CPU samples) of the frames that tell the two livelocks apart. */
export interface ProfileShares {
  /** Samples with any reclaim frame (try_charge_memcg → shrink_* / evict_folios ...). */
  reclaim: number;
  /** Samples with `evict_folios` on the stack (MGLRU's eviction, which takes lru_lock). */
  evictFolios: number;
  /** Samples with any MGLRU frame (`evict_folios`, `lru_gen_*` ...). */
  mglru: number;
  /** Samples whose innermost frame is a spin lock (`_raw_spin_unlock_irq` ...). */
  spinLock: number;
  /** ... of which the stack is in reclaim: contention on lru_lock. */
  spinLockInReclaim: number;
  /** Samples with `shrink_lruvec` on the stack (both LRUs pass through it). */
  shrinkLruvec: number;
  /** Samples with `lru_note_cost*` on the stack (classic LRU only; 29 % in the reference's first profile). */
  lruNoteCost: number;
  /** Samples in classic two-list LRU frames (shrink_inactive_list, shrink_active_list, lru_note_cost ...). */
  classicLru: number;
  /** Samples of threads waiting for mmap_lock in a fault (lock_mm_and_find_vma, rwsem_down_*) or holding it in an mm call (do_mmap ...). */
  mmapLockWait: number;
}

/** The kernel's CPU profile of a target. */
export interface KernelProfile {
  method: ProfileMethod;
  /** Sampling rate, per second (per CPU for bpftrace and perf; reads of every runnable thread for proc-stack). */
  hz: number;
  /** How long it sampled, milliseconds. */
  durationMs: number;
  /** On-CPU samples of the target (kernel and user). For proc-stack: observations of runnable threads. */
  samples: number;
  /** Samples with a kernel stack. */
  kernelSamples: number;
  /** Innermost (self) kernel functions, most samples first (at most 20). */
  top: ProfileFunction[];
  /** Functions anywhere on the stack (inclusive), most samples first (at most 30). */
  inclusive: ProfileFunction[];
  shares: ProfileShares;
  /** The most frequent kernel stacks (at most 100). */
  stacks: ProfileStack[];
  /** Whom it sampled: "cgroup v2 id 4711 (/x/y)", "pids 1, 2". */
  filter: string;
  /** Methods tried first that could not run here, and why. */
  fallbacks: { method: ProfileMethod; reason: string }[];
  notes: string[];
}

const RECLAIM = new Set(RECLAIM_FRAMES);
const share = (n: number, d: number): number => (d > 0 ? n / d : 0);

/** Shares of the telling frames over `samples` on-CPU samples. Pure. */
export function profileShares(stacks: readonly ProfileStack[], samples: number): ProfileShares {
  const c = { reclaim: 0, evictFolios: 0, mglru: 0, spinLock: 0, spinLockInReclaim: 0, shrinkLruvec: 0, lruNoteCost: 0, classicLru: 0, mmapLockWait: 0 };
  for (const s of stacks) {
    const inReclaim = s.frames.some((f) => RECLAIM.has(f));
    const spin = s.frames[0] !== undefined && isSpinLockFrame(s.frames[0]);
    if (inReclaim) c.reclaim += s.count;
    if (s.frames.includes('evict_folios')) c.evictFolios += s.count;
    if (s.frames.some(isMglruFrame)) c.mglru += s.count;
    if (spin) c.spinLock += s.count;
    if (spin && inReclaim) c.spinLockInReclaim += s.count;
    if (s.frames.includes('shrink_lruvec')) c.shrinkLruvec += s.count;
    if (s.frames.some((f) => f.startsWith('lru_note_cost'))) c.lruNoteCost += s.count;
    if (s.frames.some(isClassicLruFrame)) c.classicLru += s.count;
    if (tagKernelStack(s.frames).waitsMmapLock) c.mmapLockWait += s.count;
  }
  const d = Math.max(samples, stacks.reduce((n, s) => n + s.count, 0));
  return {
    reclaim: share(c.reclaim, d), evictFolios: share(c.evictFolios, d), mglru: share(c.mglru, d), spinLock: share(c.spinLock, d),
    spinLockInReclaim: share(c.spinLockInReclaim, d), shrinkLruvec: share(c.shrinkLruvec, d), lruNoteCost: share(c.lruNoteCost, d), classicLru: share(c.classicLru, d),
    mmapLockWait: share(c.mmapLockWait, d),
  };
}

/** Builds a profile from counted kernel stacks (empty stacks = user-space samples). Pure. */
export function buildKernelProfile(o: {
  method: ProfileMethod; hz: number; durationMs: number; stacks: readonly ProfileStack[]; samples?: number; filter: string;
  fallbacks?: KernelProfile['fallbacks']; notes?: string[];
}): KernelProfile {
  const merged = new Map<string, ProfileStack>();
  for (const s of o.stacks) {
    const key = s.frames.join(';');
    const m = merged.get(key);
    if (m) m.count += s.count;
    else merged.set(key, { frames: [...s.frames], count: s.count });
  }
  const all = [...merged.values()];
  const counted = all.reduce((n, s) => n + s.count, 0);
  const samples = Math.max(o.samples ?? counted, counted);
  const kernel = all.filter((s) => s.frames.length > 0);
  const kernelSamples = kernel.reduce((n, s) => n + s.count, 0);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const s of kernel) {
    const leaf = s.frames[0] as string;
    self.set(leaf, (self.get(leaf) ?? 0) + s.count);
    for (const f of new Set(s.frames)) incl.set(f, (incl.get(f) ?? 0) + s.count);
  }
  const rank = (m: Map<string, number>, n: number): ProfileFunction[] => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([name, c]) => ({ name, samples: c, share: share(c, samples) }));
  return {
    method: o.method, hz: o.hz, durationMs: Math.round(o.durationMs), samples, kernelSamples,
    top: rank(self, 20), inclusive: rank(incl, 30), shares: profileShares(kernel, samples),
    stacks: kernel.sort((a, b) => b.count - a.count).slice(0, 100), filter: o.filter, fallbacks: o.fallbacks ?? [], notes: o.notes ?? [],
  };
}

/** Parses `perf script -F comm,tid,ip,sym,dso` output into kernel stacks (frames with a `[kernel.*]` dso). Pure. */
export function parsePerfKernelStacks(text: string): { stacks: ProfileStack[]; samples: number } {
  const counts = new Map<string, number>();
  let samples = 0;
  let frames: string[] | undefined;
  const flush = (): void => {
    if (frames === undefined) return;
    const key = frames.join(';');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    samples++;
    frames = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (!/^\s/.test(line)) {
      flush();
      frames = [];
      continue;
    }
    const m = /^\s+[0-9a-f]+\s+(\S+)\s+\(([^)]*)\)\s*$/.exec(line);
    if (m && frames !== undefined && (m[2] ?? '').startsWith('[kernel')) frames.push((m[1] ?? '').replace(/\+0x[0-9a-f]+$/, ''));
  }
  flush();
  return { stacks: [...counts.entries()].map(([k, count]) => ({ frames: k === '' ? [] : k.split(';'), count })), samples };
}

/** Options of `profileTarget`. */
export interface ProfileOptions {
  durationMs: number;
  /** Sampling rate for bpftrace and perf (default 99 Hz). */
  hz?: number;
  /** Reads per second of every runnable thread's stack for proc-stack (default 10). */
  procStackHz?: number;
  /** Methods to try, in order (default bpftrace, perf, proc-stack). */
  methods?: readonly ProfileMethod[];
  bpftrace?: string;
  perf?: string;
  /** Ends the profile early with what it has. */
  signal?: AbortSignal;
  /** Called once when sampling begins (bpftrace attached, perf started, first stack read), to line up a window. */
  onStarted?: () => void;
  /** Time bpftrace may take to compile and attach (default 30 s; an emulated guest needs more). */
  attachBudgetMs?: number;
}

/** Who is profiled: the doctor's Target, or just a few of its fields. */
export type ProfileTarget = Pick<Target, 'pids' | 'cgroup' | 'followCgroup'> & { label?: string };

const MAX_PID_FILTER = 64;

function currentPids(target: ProfileTarget): number[] {
  if (target.followCgroup && target.cgroup) {
    try {
      return cgroupPids(target.cgroup);
    } catch {
      return [];
    }
  }
  return target.pids;
}

/** The bpftrace predicate for the target: its cgroup v2 id when its processes are in that v2 cgroup, else its pids. */
function bpftraceFilter(host: HostPaths, target: ProfileTarget): { predicate: string; filter: string; notes: string[] } {
  const pids = currentPids(target);
  const dir = target.cgroup?.unifiedDir;
  if (dir !== undefined && target.cgroup && pids.length > 0) {
    let inIt = false;
    try {
      inIt = readPidCgroup(host, pids[0] as number).some((l) => l.hierarchyId === 0 && (l.path === target.cgroup?.path || dir.endsWith(l.path === '/' ? '' : l.path)));
    } catch {
      /* gone: fall through to pids */
    }
    if (inIt) {
      const id = fs.statSync(dir).ino;
      return { predicate: `cgroup == ${id}`, filter: `cgroup v2 id ${id} (${target.cgroup.path})`, notes: [] };
    }
  }
  if (pids.length === 0) throw new GoneError(target.label ?? 'target');
  if (pids.length > MAX_PID_FILTER) throw new ReclaimwatchError('usage', `the target has ${pids.length} processes and no cgroup v2 directory to filter on (bpftrace filters on at most ${MAX_PID_FILTER} pids)`);
  return {
    predicate: pids.map((p) => `pid == ${p}`).join(' || '),
    filter: `pids ${pids.join(', ')}`,
    notes: target.cgroup ? [`the cgroup has no v2 directory to filter on (cgroup v1 only): filtered on its ${pids.length} process(es) at start; processes started later are missed`] : [],
  };
}

async function profileWithBpftrace(host: HostPaths, target: ProfileTarget, o: ProfileOptions, hz: number): Promise<KernelProfile> {
  const f = bpftraceFilter(host, target);
  // @rw_kmode: samples that interrupted kernel code (a negative instruction pointer as int64 on x86-64 and arm64).
  const body = `profile:hz:${hz} /${f.predicate}/ { @rw_events = count(); @rw_k[kstack] = count(); if ((int64)reg("ip") < 0) { @rw_kmode = count(); } }`;
  const script = buildScript({ durationMs: o.durationMs }, [{ body, tempMaps: [], unavailable: [] }]);
  const budget = o.attachBudgetMs ?? 30_000;
  const attachTimer = new AbortController();
  const timer = setTimeout(() => attachTimer.abort(), budget);
  let attached = false;
  const stop = o.signal ? AbortSignal.any([o.signal, attachTimer.signal]) : attachTimer.signal;
  let run;
  try {
    run = await runBpftrace({
      bpftrace: o.bpftrace ?? 'bpftrace', script, durationMs: o.durationMs, stop, startupBudgetMs: budget, graceMs: 3_000,
      onAttached: () => {
        attached = true;
        clearTimeout(timer);
        o.onStarted?.();
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (!attached) throw new ReclaimwatchError('timeout', `bpftrace did not attach its profile probe within ${Math.round(budget / 1000)} s`);
  const samples = asNumber(run.stream.maps.get('@rw_events'));
  const keyedNow = asKeyedNumbers(run.stream.maps.get('@rw_k'));
  // Seen in a TCG guest (6.1): 1,676 samples of a target 99 % in the kernel, every kstack empty. Samples that
  // interrupted kernel code but carry no kernel stack mean kstack fails here (a user-space target has neither).
  const kmode = asNumber(run.stream.maps.get('@rw_kmode'));
  const withStack = Object.entries(keyedNow).filter(([k]) => parseKstack(k).length > 0).reduce((n, [, c]) => n + c, 0);
  if (kmode >= 20 && withStack < kmode / 10) {
    throw new ReclaimwatchError('read', `bpftrace took ${kmode} samples in kernel code but only ${withStack} kernel stacks (kstack does not work on this kernel)`);
  }
  const stacks = Object.entries(keyedNow).map(([k, count]) => ({ frames: parseKstack(k), count }));
  const notes = [...f.notes];
  if (run.killed) notes.push('bpftrace had to be killed before it printed its maps: the profile may be empty');
  if (run.stream.lostEvents > 0) notes.push(`the kernel dropped ${run.stream.lostEvents} event(s)`);
  // The sampled span ends when the program's interval probe calls exit(): at most durationMs after attach. What
  // follows (printing and symbolising the maps, detaching) is bpftrace's own time and no part of the profile: seen
  // at 2 s on a loaded 2-core CI host. It is said in a note, so that the span and the wall time are both known.
  const span = Math.min(run.tracedMs, o.durationMs);
  if (run.tracedMs - span > 1000) notes.push(`bpftrace needed ${((run.tracedMs - span) / 1000).toFixed(1)} s after the window to print its maps and exit`);
  return buildKernelProfile({ method: 'bpftrace', hz, durationMs: span, stacks, samples, filter: f.filter, notes });
}

async function profileWithPerf(target: ProfileTarget, o: ProfileOptions, hz: number): Promise<KernelProfile> {
  const pids = currentPids(target);
  if (pids.length === 0) throw new GoneError(target.label ?? 'target');
  const perf = o.perf ?? 'perf';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-kprof-'));
  const data = path.join(dir, 'perf.data');
  try {
    const t0 = performance.now();
    const deadlineMs = o.durationMs + 15_000;
    o.onStarted?.();
    const rec = await runWithDeadline(perf, ['record', '-q', '-g', '-F', String(hz), '-p', pids.join(','), '--proc-map-timeout', '500', '-o', data, '--', 'sleep', (o.durationMs / 1000).toFixed(3)],
      { deadlineMs, maxStdoutBytes: 1 << 16, ...(o.signal ? { signal: o.signal } : {}) });
    const elapsed = performance.now() - t0;
    if (rec.spawnError) throw new ToolMissingError('perf', `perf is not installed at ${perf} (${rec.spawnError.code ?? 'cannot start'})`);
    if (rec.timedOut) throw new ReclaimwatchError('timeout', `perf record did not finish within ${deadlineMs} ms and was killed (it hangs so when the target's mmap_lock is held)`);
    if (rec.code !== 0 || !fs.existsSync(data)) throw new ReclaimwatchError('read', `perf record failed (exit ${String(rec.code ?? rec.signal)}): ${rec.stderr.trim().split('\n').slice(-2).join('; ') || 'no message'}`);
    const sc = await runWithDeadline(perf, ['script', '-i', data, '-F', 'comm,tid,ip,sym,dso'], { deadlineMs: 60_000, maxStdoutBytes: 256 << 20 });
    if (sc.timedOut || sc.code !== 0) throw new ReclaimwatchError('read', `perf script failed: ${sc.timedOut ? 'timed out' : sc.stderr.trim().split('\n').slice(-2).join('; ')}`);
    const parsed = parsePerfKernelStacks(sc.stdout);
    return buildKernelProfile({ method: 'perf', hz, durationMs: Math.min(elapsed, o.durationMs), stacks: parsed.stacks, samples: parsed.samples, filter: `pids ${pids.join(', ')}`, notes: ['perf read /proc/PID/maps of the target in a killable child (--proc-map-timeout 500 ms)'] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function profileWithProcStacks(host: HostPaths, target: ProfileTarget, o: ProfileOptions): Promise<KernelProfile> {
  const hz = o.procStackHz ?? 10;
  const period = 1000 / hz;
  const counts = new Map<string, ProfileStack>();
  let samples = 0;
  let unreadable = 0;
  const t0 = performance.now();
  let pids = currentPids(target);
  if (pids.length === 0) throw new GoneError(target.label ?? 'target');
  o.onStarted?.();
  for (let i = 0; performance.now() - t0 < o.durationMs && !o.signal?.aborted; i++) {
    if (i % Math.max(1, Math.round(hz)) === 0 && i > 0) pids = currentPids(target);
    for (const pid of pids) {
      let stats;
      try {
        stats = readThreadStats(host, pid);
      } catch {
        continue;
      }
      for (const st of stats) {
        if (st.state !== 'R') continue;
        let frames: string[];
        try {
          frames = readKernelStack(host, pid, st.tid);
        } catch (err) {
          if (err instanceof GoneError) continue;
          if (err instanceof ReclaimwatchError && err.code === 'permission') throw err;
          unreadable++;
          continue;
        }
        samples++;
        const key = frames.join(';');
        const m = counts.get(key);
        if (m) m.count++;
        else counts.set(key, { frames, count: 1 });
      }
    }
    const wait = t0 + (i + 1) * period - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const notes = ['stacks of runnable (R) threads read from /proc/PID/task/TID/stack: a thread on a CPU at the instant of the read shows no kernel stack and counts as user time, so kernel shares are lower bounds'];
  if (unreadable) notes.push(`${unreadable} stack read(s) failed`);
  return buildKernelProfile({ method: 'proc-stack', hz, durationMs: performance.now() - t0, stacks: [...counts.values()], samples, filter: `pids ${pids.join(', ')}`, notes });
}

/**
 * Profiles `target`'s kernel CPU for `opts.durationMs`: bpftrace where it runs, else perf, else /proc stacks.
 * Never reads the target's address space in this process and never outlives its deadlines.
 * Throws GoneError when the target has no processes, and the last method's error when none could run.
 */
export async function profileTarget(host: HostPaths, target: ProfileTarget, opts: ProfileOptions): Promise<KernelProfile> {
  const hz = Math.max(1, Math.round(opts.hz ?? 99));
  const fallbacks: KernelProfile['fallbacks'] = [];
  let last: unknown;
  for (const method of opts.methods ?? PROFILE_METHODS) {
    try {
      const p = method === 'bpftrace' ? await profileWithBpftrace(host, target, opts, hz)
        : method === 'perf' ? await profileWithPerf(target, opts, hz)
          : await profileWithProcStacks(host, target, opts);
      return { ...p, fallbacks };
    } catch (err) {
      if (err instanceof GoneError) throw err;
      last = err;
      fallbacks.push({ method, reason: err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err) });
      if (opts.signal?.aborted) break;
    }
  }
  throw last instanceof Error ? last : new ReclaimwatchError('read', 'no profiling method could run');
}
