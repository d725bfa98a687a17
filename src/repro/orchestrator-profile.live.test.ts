// Live: a repro leg on this host's kernel carries its kernel CPU profile and its variant (real cgroup, real
// workload, real bpftrace or /proc stacks), and leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIVE_HOST } from '../host/host-paths.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';
import { cannotRunHere, liveCgroupBlocker } from '../test-support/live.js';
import { runRepro } from './orchestrator.js';
import { PRESETS } from './params.js';
import { defaultWorkloadPath } from './workload.js';

void test('a repro leg carries a kernel profile of its workload from the second phase, and a variant with its evidence', async (t) => {
  const why = liveCgroupBlocker() ?? (fs.existsSync(defaultWorkloadPath()) ? undefined : `the workload is not built (${defaultWorkloadPath()})`);
  if (why) return void cannotRunHere(t, why);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-repro-prof-'));
  try {
    const run = await runRepro({ host: LIVE_HOST, params: PRESETS.small, dir: '/var/tmp', mglru: 'keep', stateDir, profile: { durationMs: 3000 } });
    assert.equal(run.legs.length, 1);
    const leg = run.legs[0]!;
    const p = leg.profile;
    assert.ok(p && !('unavailable' in p), `a profile: ${JSON.stringify(p)}`);
    t.diagnostic(`${p.method}, ${p.samples} samples (${p.kernelSamples} kernel) from ${p.startedAtS} s; top ${p.top.slice(0, 3).map((f) => `${f.name} ${(f.share * 100).toFixed(1)} %`).join(', ')}; variant ${leg.verdict.variant?.variant}`);
    assert.ok(p.samples > 0 && p.top.length > 0, 'samples and functions');
    assert.notEqual(p.method, 'perf');
    assert.ok(p.startedAtS !== undefined && p.startedAtS * 1000 >= PRESETS.small.delayMs, `sampled in the second phase (from ${p.startedAtS} s)`);
    assert.ok(p.durationMs <= 3000 + 1500, `bounded: ${p.durationMs} ms`);
    const v = leg.verdict.variant;
    assert.ok(v, 'a variant');
    assert.equal(v.figures.profileMethod, p.method, 'the variant rests on the leg\'s profile');
    const lru = readLruGen(LIVE_HOST);
    if (!(lru.present && lru.enabled)) assert.notEqual(v.variant, 'lru-lock', 'never lru-lock without MGLRU on');
    assert.ok((v.variant === 'unknown' ? v.missing : v.because).length > 0, 'says why');
    assert.deepEqual(run.cleanup.left, []);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
