// Live: every trace program runs the real bpftrace against a real workload (a process thrashing a file in a
// 64 MiB child memory cgroup) on this machine's kernel. Needs root, bpftrace, tracefs and a C compiler.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { LIVE_HOST } from '../host/host-paths.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { readPidCgroup } from '../kernel/proc/pid-cgroup.js';
import { findTracefs, hasKprobes } from '../kernel/sys/tracing.js';
import { cannotRunHere, liveCgroupBlocker, waitFor } from '../test-support/live.js';
import { traceEvidence } from './doctor-evidence.js';
import { findProgram } from './programs/all-programs.js';
import type { HoldStatsResult } from './programs/hold-stats.js';
import type { MmapLockResult } from './programs/mmap-lock.js';
import type { ProfileUnderLockResult } from './programs/profile-under-lock.js';
import type { ReclaimResult } from './programs/reclaim.js';
import type { SyscallLatencyResult } from './programs/syscall-latency.js';
import { runTraceProgram } from './run-program.js';
import { type ReclaimWorkload, startReclaimWorkload, workloadBlocker } from './test-workload.js';

function blocker(): string | undefined {
  const cg = liveCgroupBlocker();
  if (cg) return cg;
  if (spawnSync('bpftrace', ['--version'], { stdio: 'ignore' }).status !== 0) return 'needs bpftrace (apt-get install bpftrace)';
  if (!findTracefs(LIVE_HOST)) return 'needs tracefs at /sys/kernel/tracing';
  return workloadBlocker();
}

const why = blocker();
let w: ReclaimWorkload | undefined;
before(() => {
  if (!why) w = startReclaimWorkload({ seconds: 120 });
});
after(async () => {
  await w?.stop();
});

async function run<R>(name: string, extra: Record<string, unknown> = {}) {
  const program = findProgram(name);
  assert.ok(program && w);
  return runTraceProgram(program, { host: LIVE_HOST, bpftrace: 'bpftrace', cgroupPath: w.cgroup.path, durationMs: 2000, ...extra }) as Promise<import('./trace-document.js').TraceDocument<R>>;
}

void test('memcg-reclaim sees the reclaims of a process thrashing in a 64 MiB cgroup', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const doc = await run<ReclaimResult>('memcg-reclaim', { thresholdUs: 100 });
  const r = doc.result;
  assert.equal(doc.schema, 'reclaimwatch.trace/v1');
  assert.equal(doc.complete, true);
  assert.ok(r.calls > 0, 'reclaim calls');
  assert.ok(r.pagesReclaimed > 0);
  assert.ok(r.maxUs > 0 && r.maxUs <= r.totalUs);
  assert.equal(r.durationUs.reduce((a, b) => a + b.count, 0), r.calls);
  assert.ok(r.slowestThreads[0]?.tid === w?.pid || r.slowestThreads.length > 0);
  assert.equal(r.callsPerSecond.reduce((a, c) => a + c.calls, 0), r.calls);
});

void test('direct-reclaim runs and counts the memcg reclaims (which drsnoop misses) apart', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const r = (await run<ReclaimResult>('direct-reclaim')).result;
  assert.equal(r.kind, 'direct');
  assert.ok((r.memcgCalls ?? 0) > 0, 'memcg reclaims seen in the same window');
});

void test('mmap-lock sees read holds and waits, long holds listed with tid and comm', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const r = (await run<MmapLockResult>('mmap-lock', { thresholdUs: 500, stackThresholdUs: 1000 })).result;
  assert.ok(r.holds.read > 0, 'read holds');
  assert.ok(r.holdUs.read.length > 0);
  assert.ok(r.longHoldCount > 0, 'holds over 500 µs');
  const h = r.longHolds[0];
  assert.ok(h && h.durationUs >= 500 && h.comm === 'w' && h.pid === w?.pid);
  assert.ok(r.stacks.length > 0 && r.stacks.some((s) => s.frames.some((f) => f.includes('mmap_lock'))));
});

void test('profile-under-lock samples the CPU only while the lock is held', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const r = (await run<ProfileUnderLockResult>('profile-under-lock', { hz: 999, durationMs: 4000 })).result;
  assert.ok(r.samples > 0, 'samples of the target');
  assert.ok(r.underLock > 0 && r.underLock <= r.samples, `under lock ${r.underLock} of ${r.samples}`);
  const odd = r.stacks.filter((s) => s.comm !== 'w');
  assert.deepEqual(odd, [], 'only the workload in the cgroup is sampled');
  assert.ok((r.stacks[0]?.frames.length ?? 0) > 0, 'the top stack has kernel frames');
  assert.match(findProgram('profile-under-lock')?.folded?.(r) ?? '', /^w;.+ \d+$/m);
});

void test('hold-stats reports per-hold reclaim counters and lists kprobe-only counters as unavailable, not zeros', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const doc = await run<HoldStatsResult>('hold-stats', { thresholdUs: 500, durationMs: 4000 });
  const r = doc.result;
  const brief = JSON.stringify(r.longHolds.slice(0, 3));
  assert.ok(r.holds > 0 && r.longHoldCount > 0, `holds ${r.holds}, long ${r.longHoldCount}`);
  for (const h of r.longHolds) assert.ok(h.runtimeUs <= h.durationUs + 1, `on-CPU time within wall time: ${JSON.stringify(h)}`);
  assert.ok(r.longHolds.some((h) => (h.counters['nr_scanned'] ?? 0) > 0), `reclaim scanned pages under the lock: ${brief}`);
  if (!hasKprobes(findTracefs(LIVE_HOST))) {
    assert.ok(!r.counterNames.includes('cond_resched_calls'));
    assert.ok(doc.unavailable.some((u) => u.what === '__cond_resched() calls' && /no kprobes/.test(u.reason)));
  }
});

void test('syscall-latency draws the latency of mincore', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const r = (await run<SyscallLatencyResult>('syscall-latency', { syscall: 'mincore', durationMs: 3000 })).result;
  assert.ok(r.calls > 0);
  assert.equal(r.latencyUs.reduce((a, b) => a + b.count, 0), r.calls);
});

void test('stopping early (Ctrl-C) still returns the maps bpftrace collected, well before the duration', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const stop = new AbortController();
  const started = Date.now();
  const p = run<ReclaimResult>('memcg-reclaim', { durationMs: 60_000, stop: stop.signal, onProgress: (pr: { attached: boolean; elapsedMs: number }) => { if (pr.attached && pr.elapsedMs >= 1000) stop.abort(); } });
  const doc = await p;
  assert.ok(Date.now() - started < 40_000, 'finished long before 60 s');
  assert.equal(doc.stoppedEarly, true);
  assert.equal(doc.complete, true);
  assert.ok(doc.result.calls > 0 && doc.result.durationUs.length > 0);
});

void test('traceEvidence() runs memcg-reclaim and mmap-lock together for doctor', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  assert.ok(w);
  const e = await traceEvidence({ pid: w.pid, durationMs: 2000 });
  assert.equal(e.ran, true);
  assert.ok((e.memcgReclaim?.calls ?? 0) > 0);
  assert.ok((e.mmapLock?.holds ?? 0) > 0);
  assert.ok((e.mmapLock?.maxHoldMs ?? 0) > 0);
  assert.deepEqual(e.unavailable, []);
});

void test('traceEvidence() reports a missing bpftrace as unavailable instead of throwing', async () => {
  const e = await traceEvidence({ pid: process.pid, durationMs: 1000, bpftrace: '/nonexistent/bpftrace' });
  assert.equal(e.ran, false);
  assert.match(e.unavailable.join(' '), /apt-get install bpftrace/);
});

void test('traceEvidence() of a v1-only cgroup notes the pid filter apart: a trace that ran is not "not measured"', { timeout: 60_000 }, async (t) => {
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const layout = detectCgroupLayout(LIVE_HOST);
  if (!layout.v1Memory) {
    cannotRunHere(t, 'needs a cgroup v1 memory hierarchy (a cgroup with no v2 twin)');
    return;
  }
  const mine = readPidCgroup(LIVE_HOST, process.pid).find((l) => l.controllers.includes('memory'))?.path ?? '/';
  const rel = `${mine === '/' ? '' : mine}/rw-v1only-${process.pid}`;
  const dir = `${layout.v1Memory}${rel}`;
  fs.mkdirSync(dir);
  const child = spawn('/bin/sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && exec sleep 30`], { stdio: 'ignore' });
  try {
    assert.ok(await waitFor(() => fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').trim() !== '', 5000));
    const e = await traceEvidence({ cgroupPath: rel, durationMs: 1000 });
    assert.equal(e.ran, true, e.unavailable.join('; '));
    assert.ok(!e.unavailable.some((u) => /filtering on/.test(u)), e.unavailable.join('; '));
    assert.match((e.notes ?? []).join(' '), /no cgroup v2 directory.*filtering on the 1 process/);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(() => fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').trim() === '', 5000);
    fs.rmdirSync(dir);
  }
});
