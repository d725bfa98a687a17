// The kernel profile: pure parts from inline data; live, on this host's thrash workload (bpftrace and /proc stacks),
// and on a stopped target, which it must finish on time without reading its address space.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { buildKernelProfile, parsePerfKernelStacks, profileShares, profileTarget } from './kernel-profile.js';
import { LIVE_HOST } from '../host/host-paths.js';
import { cgroupOfPath } from '../kernel/cgroup/cgroup-ref.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup, waitFor } from '../test-support/live.js';

test('buildKernelProfile() ranks self and inclusive functions by share of all on-CPU samples, user samples included', () => {
  const p = buildKernelProfile({
    method: 'bpftrace', hz: 99, durationMs: 1000, filter: 'pids 1',
    stacks: [{ frames: ['_raw_spin_unlock_irq', 'evict_folios', 'shrink_lruvec'], count: 6 }, { frames: ['evict_folios', 'shrink_lruvec'], count: 2 }, { frames: [], count: 2 }, { frames: ['_raw_spin_unlock_irq', 'evict_folios', 'shrink_lruvec'], count: 0 }],
  });
  assert.deepEqual([p.samples, p.kernelSamples], [10, 8]);
  assert.deepEqual(p.top.map((f) => [f.name, f.share]), [['_raw_spin_unlock_irq', 0.6], ['evict_folios', 0.2]]);
  assert.deepEqual(p.inclusive.slice(0, 2).map((f) => [f.name, f.share]), [['evict_folios', 0.8], ['shrink_lruvec', 0.8]]);
  assert.equal(p.stacks.length, 2, 'identical stacks merged, user-space samples kept out of the stacks');
  assert.equal(p.shares.evictFolios, 0.8);
  assert.equal(p.shares.spinLockInReclaim, 0.6);
});

test('profileShares() counts a spin lock as contention only inside reclaim, and lru_note_cost by its 6.18 name too', () => {
  const s = profileShares([
    { frames: ['_raw_spin_unlock_irq', 'tty_write'], count: 5 },
    { frames: ['lru_note_cost_unlock_irq', 'shrink_lruvec', 'try_charge_memcg'], count: 5 },
  ], 10);
  assert.deepEqual([s.spinLock, s.spinLockInReclaim, s.lruNoteCost, s.shrinkLruvec, s.reclaim, s.mmapLockWait], [0.5, 0, 0.5, 0.5, 0.5, 0]);
  const w = profileShares([{ frames: ['lock_mm_and_find_vma', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault'], count: 1 }, { frames: ['shrink_node'], count: 3 }], 4);
  assert.equal(w.mmapLockWait, 0.25, 'threads waiting for mmap_lock in a fault (seen in the 6.1 guest: 11 %)');
});

test('parsePerfKernelStacks() keeps kernel frames of each sample, innermost first, and counts user-only samples', () => {
  const text = [
    'thrash 4242',
    '\tffffffff816d659d _raw_spin_unlock_irq+0x1d ([kernel.kallsyms])',
    '\tffffffff81300130 shrink_lruvec ([kernel.kallsyms])',
    '\t           f8350 main (/tmp/thrash)',
    '',
    'thrash 4243',
    '\t           f8350 main (/tmp/thrash)',
    '',
  ].join('\n');
  const r = parsePerfKernelStacks(text);
  assert.equal(r.samples, 2);
  assert.deepEqual(r.stacks.find((s) => s.frames.length)?.frames, ['_raw_spin_unlock_irq', 'shrink_lruvec']);
  assert.equal(r.stacks.find((s) => s.frames.length === 0)?.count, 1);
});

/** Runs the thrash workload (the README's example: 16 file threads × 16 MiB, 4 anon threads, 64 MiB limit) for `fn`. */
async function withThrash(t: import('node:test').TestContext, fn: (pid: number, cgroupPath: string) => Promise<void>): Promise<void> {
  const blocker = liveCgroupBlocker();
  if (blocker) return void cannotRunHere(t, blocker);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwprof-'));
  const data = fs.mkdtempSync('/var/tmp/rwprof-');
  const cg = makeTestCgroup('rwprof');
  try {
    try {
      execFileSync('cc', ['-O2', '-pthread', '-o', `${dir}/thrash`, 'test/workloads/thrash.c']);
    } catch (err) {
      return void cannotRunHere(t, `cannot compile test/workloads/thrash.c: ${(err as Error).message}`);
    }
    cg.setLimit(64 << 20);
    const child = spawnInCgroup(cg, `${dir}/thrash`, [data, '16', '16', '4', '8']);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.resume();
    assert.ok(await waitFor(() => out.includes('ready'), 60_000, 100), 'the workload got ready');
    await new Promise((r) => setTimeout(r, 1000));
    await fn(child.pid!, cg.path);
  } finally {
    await cg.remove();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  }
}

test('live: bpftrace profiles the thrash workload through its cgroup v2 id; reclaim dominates, evict_folios is absent (no MGLRU here)', { timeout: 120_000 }, async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root (bpftrace)');
  if (spawnSync('bpftrace', ['--version']).error) return void cannotRunHere(t, 'bpftrace is not installed');
  await withThrash(t, async (pid, cgroupPath) => {
    const target = { pids: [pid], cgroup: cgroupOfPath(LIVE_HOST, cgroupPath), followCgroup: true };
    let started = 0;
    const p = await profileTarget(LIVE_HOST, target, { durationMs: 3000, methods: ['bpftrace'], onStarted: () => started++ });
    t.diagnostic(`bpftrace: ${p.samples} samples, ${p.filter}, shares ${JSON.stringify(p.shares)}`);
    assert.equal(p.method, 'bpftrace');
    assert.equal(started, 1);
    assert.ok(p.samples >= 50, `${p.samples} samples`);
    assert.ok(p.durationMs >= 2500, `sampled ${p.durationMs} ms`);
    assert.ok(p.shares.reclaim > 0.3, JSON.stringify(p.shares));
    assert.ok(p.top.length > 0 && p.stacks.some((s) => s.frames.includes('try_charge_memcg')));
    if (!fs.existsSync('/sys/kernel/mm/lru_gen/enabled')) assert.equal(p.shares.evictFolios, 0);
  });
});

test('live: /proc stacks of runnable threads give a profile where bpftrace and perf are not asked for', { timeout: 120_000 }, async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root (/proc/PID/task/TID/stack)');
  await withThrash(t, async (pid, cgroupPath) => {
    const target = { pids: [pid], cgroup: cgroupOfPath(LIVE_HOST, cgroupPath), followCgroup: true };
    const p = await profileTarget(LIVE_HOST, target, { durationMs: 2000, methods: ['proc-stack'], procStackHz: 20 });
    assert.equal(p.method, 'proc-stack');
    assert.ok(p.samples > 10, `${p.samples} samples`);
    assert.ok(p.shares.reclaim > 0, JSON.stringify(p.shares));
    assert.match(p.notes.join(' '), /lower bounds/);
  });
});

test('live: a stopped target is profiled on time by every method, and a failing method falls back with its reason', { timeout: 120_000 }, async (t) => {
  if (process.getuid?.() !== 0) return void cannotRunHere(t, 'needs root');
  const child = spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  try {
    process.kill(child.pid!, 'SIGSTOP');
    const target = { pids: [child.pid!], cgroup: undefined, followCgroup: false };
    for (const method of ['bpftrace', 'perf', 'proc-stack'] as const) {
      const t0 = Date.now();
      const p = await profileTarget(LIVE_HOST, target, { durationMs: 1500, methods: [method, 'proc-stack'], procStackHz: 20 });
      const took = Date.now() - t0;
      t.diagnostic(`${method}: ${p.method} in ${took} ms, ${p.samples} samples, fallbacks ${JSON.stringify(p.fallbacks)}`);
      assert.ok(took < 1500 + 30_000, `${method} took ${took} ms`);
      assert.equal(p.samples, 0, 'a stopped process is never on a CPU');
    }
    const p = await profileTarget(LIVE_HOST, target, { durationMs: 500, methods: ['perf', 'proc-stack'], perf: '/nonexistent/perf' });
    assert.equal(p.method, 'proc-stack');
    assert.match(p.fallbacks[0]?.reason ?? '', /perf is not installed at \/nonexistent\/perf/);
  } finally {
    child.kill('SIGKILL');
  }
});
