// An evidence bundle for a real thrashing test cgroup (test/workloads/thrash.c at its memory limit): every part
// present, or absent with a reason; within its byte bound; index.html self-contained; bounds per incident.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDoctor } from '../../doctor/run-doctor.js';
import { LIVE_HOST } from '../../host/host-paths.js';
import { readV1Memory } from '../../kernel/cgroup/v1/memory.js';
import { readV2Memory } from '../../kernel/cgroup/v2/memory.js';
import { resolveTargets } from '../../targets/resolve-targets.js';
import { cannotRunHere, liveCgroupBlocker, makeTestCgroup, spawnInCgroup, waitFor } from '../../test-support/live.js';
import { listBundles } from './bundle-store.js';
import { captureEvidence } from './capture-evidence.js';
import { evidenceManifestSchema } from './manifest.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const EVERY_PART = ['cgroup-memory', 'cgroup-unified', 'vmstat', 'psi', 'mglru', 'kernel-log', 'stacks', 'folded', 'flame', 'flame-reversed', 'kernel-profile', 'trace', 'report-json', 'report-text'];

test('a thrashing cgroup gets a bundle with every part present or absent with a reason, within its bound', async (t) => {
  const why = liveCgroupBlocker();
  if (why) return void cannotRunHere(t, why);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwevidence-'));
  cleanups.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const bin = path.join(tmp, 'thrash');
  try {
    execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/thrash.c']);
  } catch (err) {
    return void cannotRunHere(t, `cannot compile test/workloads/thrash.c: ${(err as Error).message}`);
  }
  const data = fs.mkdtempSync('/var/tmp/rwevidence-');
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  const cg = makeTestCgroup('rwevidence');
  cleanups.push(() => cg.remove());
  const limit = 64 << 20;
  cg.setLimit(limit);
  const child = spawnInCgroup(cg, bin, [data, '16', '16', '4', '8']);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.resume();
  const mem = (): { usageBytes: number } => (fs.existsSync(`${cg.memoryDir}/memory.limit_in_bytes`) ? readV1Memory(cg.memoryDir) : readV2Memory(cg.memoryDir));
  assert.ok(await waitFor(() => out.includes('ready') && mem().usageBytes >= 0.9 * limit, 60_000, 100), 'thrash reached its limit');
  const onset = Date.now();
  const { targets } = await resolveTargets(LIVE_HOST, { cgroup: cg.path });
  const target = targets[0]!;
  const report = await runDoctor(LIVE_HOST, targets, { windowMs: 2000 });
  const store = path.join(tmp, 'store');
  const limits = { maxBundleBytes: 16 << 20 };
  // A 100 ms timer beside the capture stands in for the agent's tick: how late does it ever fire?
  let worstLateMs = 0;
  let expected = Date.now() + 100;
  const tick = setInterval(() => {
    worstLateMs = Math.max(worstLateMs, Date.now() - expected);
    expected = Date.now() + 100;
  }, 100);
  const r = await captureEvidence({ host: LIVE_HOST, storeDir: store, incidentId: 'inc-thrash-1', targetId: cg.path, target, verdict: report.targets[0]!.verdict, onsetWallMs: onset, report, limits, traceMs: 2000 });
  clearInterval(tick);
  const captureMs = Date.now() - onset;
  // A figure, not an assertion (speed goals live in the bench): on this 2-core host the same timer is up to ~0.35 s
  // late with the thrash running and no capture at all.
  t.diagnostic(`a 100 ms timer beside the capture was at worst ${worstLateMs} ms late`);
  t.diagnostic(JSON.stringify(r.manifest?.parts.map((p) => [p.name, p.status, p.bytes, p.ms, p.reason ?? p.note])));
  t.diagnostic(`bundle in ${captureMs} ms (capture ${r.manifest?.captureMs} ms), ${r.manifest?.bytes} bytes, verdict ${report.targets[0]!.verdict}`);
  assert.equal(r.refused, undefined);
  assert.ok(r.dir && fs.existsSync(path.join(r.dir, 'manifest.json')) && fs.existsSync(path.join(r.dir, 'index.html')));
  const m = evidenceManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(r.dir, 'manifest.json'), 'utf8')));
  assert.deepEqual(m.parts.map((p) => p.name), EVERY_PART);
  for (const p of m.parts) {
    if (p.status === 'present') {
      assert.ok(p.file && fs.statSync(path.join(r.dir, p.file)).size === p.bytes && p.bytes > 0, `${p.name} present with its size`);
    } else assert.ok(p.reason && p.reason.length > 10, `${p.name} absent with a reason`);
  }
  const byName = new Map(m.parts.map((p) => [p.name, p]));
  for (const must of ['cgroup-memory', 'vmstat', 'stacks', 'folded', 'flame', 'flame-reversed', 'report-json', 'report-text', 'kernel-log']) assert.equal(byName.get(must)?.status, 'present', `${must}: ${byName.get(must)?.reason}`);
  assert.equal(m.complete, m.parts.every((p) => !p.failed));
  assert.ok(m.complete, JSON.stringify(m.parts.filter((p) => p.failed)));
  assert.ok(m.bytes <= limits.maxBundleBytes, `${m.bytes} bytes within the bound`);
  // The reference's tail -n 100 * of the cgroup, and the stacks in reclaim.
  const cgText = fs.readFileSync(path.join(r.dir, 'cgroup-memory.txt'), 'utf8');
  assert.match(cgText, /==> memory\.(stat|current|usage_in_bytes) <==/);
  assert.match(fs.readFileSync(path.join(r.dir, 'stacks.folded'), 'utf8'), /try_charge_memcg_\[k\]|shrink_\w+_\[k\]/, 'kernel stacks show memcg reclaim');
  assert.match(fs.readFileSync(path.join(r.dir, 'flame-reversed.svg'), 'utf8'), /reversed/);
  const html = fs.readFileSync(path.join(r.dir, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no network resources');
  assert.match(html, /memory cgroup files/);
  // The kernel's CPU profile: bpftrace here (or /proc stacks, saying why not bpftrace), in the manifest and the page.
  const prof = byName.get('kernel-profile');
  assert.equal(prof?.status, 'present', prof?.reason);
  const kp = m.kernelProfile;
  assert.ok(kp && kp.samples > 0 && kp.top.length > 0, JSON.stringify(kp));
  t.diagnostic(`kernel profile: ${kp.method}, ${kp.samples} samples over ${kp.durationMs} ms, top ${kp.top.slice(0, 3).map((f) => `${f.name} ${(f.share * 100).toFixed(1)} %`).join(', ')}`);
  // The sampled span is the one asked for (a stop or a kill can only shorten it), and the whole bundle, bpftrace's
  // start and exit included, keeps the capture's deadline (30 s by default).
  assert.ok(kp.durationMs > 0 && kp.durationMs <= 2500, `sampled over at most the 2.5 s asked: ${kp.durationMs} ms`);
  assert.ok(m.captureMs <= 30_000, `the capture kept its 30 s deadline: ${m.captureMs} ms`);
  if (kp.method !== 'bpftrace') assert.ok(kp.fallbacks.some((f) => f.method === 'bpftrace'), 'says why not bpftrace');
  assert.notEqual(kp.method, 'perf', 'perf (which reads /proc/PID/maps) is never used for the bundle');
  assert.ok(kp.shares.reclaim! > 0, `the profile sees reclaim: ${JSON.stringify(kp.shares)}`);
  const pj = JSON.parse(fs.readFileSync(path.join(r.dir, 'kernel-profile.json'), 'utf8')) as { samples: number; stacks: unknown[] };
  assert.equal(pj.samples, kp.samples);
  assert.ok(html.includes(`method <b>${kp.method}</b>`) && html.includes(`<b>${kp.samples}</b> on-CPU samples`) && html.includes(`<code>${kp.top[0]!.name}</code>`), 'the page shows method, sample count and top function');
  if (byName.get('trace')?.status === 'present') {
    const tr = JSON.parse(fs.readFileSync(path.join(r.dir, 'trace.json'), 'utf8')) as { memcgReclaim?: { calls: number } };
    t.diagnostic(`trace.json: ${JSON.stringify(tr)}`);
    assert.ok((tr.memcgReclaim?.calls ?? 0) > 0, `bpftrace saw memcg reclaim: ${JSON.stringify(tr)}`);
  }
  // One bundle per incident; at most perTargetPerHour per target.
  const again = await captureEvidence({ host: LIVE_HOST, storeDir: store, incidentId: 'inc-thrash-1', targetId: cg.path, target, verdict: 'thrashing', report, traceMs: 0, stackPasses: 1 });
  assert.match(again.refused ?? '', /already has its bundle/);
  const second = await captureEvidence({ host: LIVE_HOST, storeDir: store, incidentId: 'inc-thrash-2', targetId: cg.path, target, verdict: 'thrashing', report, traceMs: 0, stackPasses: 1, limits: { perTargetPerHour: 1 } });
  assert.match(second.refused ?? '', /in the last hour/);
  assert.deepEqual(listBundles(store).map((b) => b.id), ['inc-thrash-1']);
  // A tiny bundle bound drops the largest parts, says so, and holds.
  const small = await captureEvidence({ host: LIVE_HOST, storeDir: store, incidentId: 'inc-thrash-3', targetId: 'other', target, verdict: 'thrashing', report, traceMs: 0, stackPasses: 1, limits: { maxBundleBytes: 120 << 10 } });
  assert.ok(small.manifest && small.manifest.bytes <= 120 << 10, `${small.manifest?.bytes}`);
  assert.ok(small.manifest.parts.some((p) => /byte bound/.test(p.reason ?? '')));
  await cg.remove();
});
