// doctor's live scenarios, each in a child memory cgroup created under this process's own and removed after:
// idle → healthy, busy loop → cpu-bound, page-cache thrash → thrashing or reclaim-livelock, OOM loop → oom-loop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIVE_HOST } from '../host/host-paths.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup, waitFor, type TestCgroup } from '../test-support/live.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { type DoctorOptions, runDoctor } from './run-doctor.js';
import { traceEvidence } from '../trace/doctor-evidence.js';
import type { CgroupMemory } from '../kernel/cgroup/memory.js';
import { readV1Memory } from '../kernel/cgroup/v1/memory.js';
import { readV2Memory } from '../kernel/cgroup/v2/memory.js';
import { doctorReportSchema, type TargetReport } from './report.js';

// The lab runs these scenarios again inside a Debian 6.1 guest with the v2 memory controller, where bpftrace
// under software emulation would dominate the run: it sets RECLAIMWATCH_DOCTOR_LIVE_TRACE=0 there.
const TRACE = process.env['RECLAIMWATCH_DOCTOR_LIVE_TRACE'] !== '0';
const cleanups: Array<() => Promise<void>> = [];

/** The test cgroup's memory, through the project's own readers. */
function memoryOf(cg: TestCgroup): CgroupMemory {
  return cg.memoryDir.includes('/memory/') && fs.existsSync(`${cg.memoryDir}/memory.limit_in_bytes`) ? readV1Memory(cg.memoryDir) : readV2Memory(cg.memoryDir);
}
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function scenario(t: import('node:test').TestContext, limitBytes: number, cmd: string, args: string[], warmMs: number, ready?: (cg: TestCgroup, child: ChildProcess) => Promise<boolean>, extra: Partial<DoctorOptions> = {}): Promise<TargetReport | undefined> {
  const why = liveCgroupBlocker();
  if (why) {
    cannotRunHere(t, why);
    return undefined;
  }
  const cg = makeTestCgroup('rwdoctor');
  cleanups.push(() => cg.remove());
  cg.setLimit(limitBytes);
  const child = spawnInCgroup(cg, cmd, args);
  child.stdout?.resume();
  child.stderr?.resume();
  if (ready) assert.ok(await ready(cg, child), 'workload did not become ready');
  await new Promise((r) => setTimeout(r, warmMs));
  const { targets } = await resolveTargets(LIVE_HOST, { cgroup: cg.path });
  const report = await runDoctor(LIVE_HOST, targets, { windowMs: 3000, ...extra });
  doctorReportSchema.parse(report);
  await cg.remove();
  assert.ok(!fs.existsSync(cg.memoryDir), 'test cgroup removed');
  return report.targets[0];
}

test('an idle process is healthy', async (t) => {
  const r = await scenario(t, 256 << 20, 'sleep', ['600'], 300);
  if (!r) return;
  assert.equal(r.verdict, 'healthy', JSON.stringify(r.findings));
  assert.equal(r.target.pids, 1);
  assert.ok(r.probes.length >= 1 && r.probes.every((p) => p.outcome === 'ok'), 'the mmap_lock probe ran and finished');
});

test('a busy loop is cpu-bound', async (t) => {
  const r = await scenario(t, 256 << 20, '/bin/sh', ['-c', 'while :; do :; done'], 500);
  if (!r) return;
  assert.equal(r.verdict, 'cpu-bound', JSON.stringify(r.findings));
  const cpu = r.metrics['cpu'] as { userCores: number; systemCores: number };
  assert.ok(cpu.userCores > 0.5, `user CPU ${cpu.userCores}`);
  assert.ok(cpu.userCores > cpu.systemCores * 3);
});

test('threads re-reading mmapped files several times the limit, with anonymous faulting beside them, thrash or livelock (with --trace)', async (t) => {
  if (liveCgroupBlocker()) return void cannotRunHere(t, liveCgroupBlocker()!);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwthrash-'));
  cleanups.push(() => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })));
  const bin = path.join(dir, 'thrash');
  try {
    execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/thrash.c']);
  } catch (err) {
    return void cannotRunHere(t, `cannot compile test/workloads/thrash.c: ${(err as Error).message}`);
  }
  // /var/tmp is on a block device here (the page cache must be reclaimable, not tmpfs).
  const data = fs.mkdtempSync('/var/tmp/rwthrash-');
  cleanups.push(() => Promise.resolve(fs.rmSync(data, { recursive: true, force: true })));
  let out = '';
  const r = await scenario(t, 64 << 20, bin, [data, '16', '16', '4', '8'], 1000, async (cg, child) => {
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    // Ready once the threads run and the cgroup has reached its limit (slow in an emulated guest).
    const start = memoryOf(cg).limitHits;
    return waitFor(() => {
      if (!out.includes('ready')) return false;
      const m = memoryOf(cg);
      return m.usageBytes >= 0.9 * (64 << 20) || m.limitHits > start;
    }, 120000, 100);
  }, TRACE ? { trace: { run: (tg, durationMs, stop, onAttached) => traceEvidence({ cgroupPath: tg.cgroup!.path, durationMs, stop, onAttached }) } } : {});
  if (!r) return;
  assert.ok(['thrashing', 'reclaim-livelock'].includes(r.verdict), `verdict ${r.verdict}: ${JSON.stringify({ findings: r.findings, memory: r.metrics['memory'], unreadable: r.unreadable, target: r.target })}`);
  const codes = r.findings.map((f) => f.code);
  assert.ok(codes.includes('memory-at-limit'), codes.join(','));
  const mem = r.metrics['memory'] as { usageRatio: number; limitHitsPerSec: number };
  assert.ok(mem.usageRatio > 0.9 && mem.limitHitsPerSec > 0);
  const seen = r.stacks.groups.slice(0, 8).map((g) => `${g.count}× [${g.states.join(',')}] ${g.frames.slice(0, 12).join(' ← ')}`).join('\n    ');
  assert.ok(r.stacks.groups.some((g) => g.tags.inReclaim && g.frames.includes('try_charge_memcg')), `kernel stacks show memcg reclaim; seen:\n    ${seen}`);
  assert.ok(r.probes.some((p) => p.latencyMs > 0));
  if (!TRACE) return;
  // doctor --trace: bpftrace saw the memcg reclaims of this cgroup.
  assert.ok(r.trace?.ran, JSON.stringify(r.trace?.unavailable));
  // The window starts once bpftrace has attached, so the trace covers the whole (1 s) window.
  assert.ok(r.trace.tracedMs >= 900, `traced ${r.trace.tracedMs} ms of a 1000 ms window`);
  assert.ok((r.trace?.memcgReclaim?.calls ?? 0) > 0, 'traced memcg reclaim calls');
  assert.ok(r.evidence.some((e) => e.signal === 'memcg reclaim calls (trace)'));
});

test('a loop of allocations beyond the limit is an oom-loop', async (t) => {
  // dd with a 100 MiB block faults its whole buffer in one read(): in a 48 MiB cgroup it is OOM-killed at once,
  // again and again (fast even in the lab's emulated guest). Sampling starts after the first kill.
  const r = await scenario(t, 48 << 20, '/bin/sh', ['-c', 'while :; do dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null; done'], 0,
    (cg) => waitFor(() => memoryOf(cg).oomKills >= 1, 60000, 100));
  if (!r) return;
  assert.equal(r.verdict, 'oom-loop', JSON.stringify({ findings: r.findings, memory: r.metrics['memory'], unreadable: r.unreadable, target: r.target }));
  const mem = r.metrics['memory'] as { oomKills: number };
  assert.ok(mem.oomKills >= 1, `oom kills ${mem.oomKills}`);
});
