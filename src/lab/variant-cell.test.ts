// Live, on this host: the thrash workload sampled by the doctor with the kernel profile beside it. Without
// MGLRU the variant can only be mmap-lock (with hold or probe evidence) or unknown, never lru-lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { LIVE_HOST } from '../host/host-paths.js';
import { cannotRunHere, liveCgroupBlocker } from '../test-support/live.js';
import { runVariantCell } from './variant-cell.js';

test('live: the thrash workload here gets a verdict, a kernel profile and a variant that MGLRU\'s absence allows', { timeout: 180_000 }, async (t) => {
  const blocker = liveCgroupBlocker();
  if (blocker) return void cannotRunHere(t, blocker);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwcell-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync('cc', ['-O2', '-pthread', '-o', `${dir}/thrash`, 'test/workloads/thrash.c']);
  } catch (err) {
    return void cannotRunHere(t, `cannot compile test/workloads/thrash.c: ${(err as Error).message}`);
  }
  const cells = (): number => fs.readdirSync('/var/tmp').filter((f) => f.startsWith('rwcell-')).length;
  const before = cells();
  const r = await runVariantCell(LIVE_HOST, { thrash: `${dir}/thrash`, dataDir: '/var/tmp', fileThreads: 16, fileMiB: 16, anonThreads: 4, anonMiB: 8, limitBytes: 64 << 20, windowMs: 4000, procStackHz: 20 });
  t.diagnostic(`${r.verdict.class} / ${r.variant}: ${JSON.stringify(r.verdict.figures)}; profile ${r.profile.method} ${r.profile.samples} samples`);
  assert.ok(['thrashing', 'reclaim-livelock'].includes(r.verdict.class), r.verdict.class);
  assert.ok(r.profile.samples > 20, `${r.profile.samples} profile samples`);
  assert.ok(r.profile.shares.reclaim > 0.2, JSON.stringify(r.profile.shares));
  const mglru = fs.existsSync('/sys/kernel/mm/lru_gen/enabled') && (Number.parseInt(fs.readFileSync('/sys/kernel/mm/lru_gen/enabled', 'utf8'), 16) & 1) === 1;
  if (!mglru) {
    assert.ok(['mmap-lock', 'unknown'].includes(r.variant), r.variant);
    assert.equal(r.profile.shares.evictFolios, 0);
    if (r.variant === 'unknown') assert.ok(r.variantMissing.some((m) => /MGLRU is (absent|off)/.test(m)), r.variantMissing.join(' | '));
  }
  assert.equal(cells(), before, 'its data directory is gone');
  assert.ok(!fs.existsSync(`/sys/fs/cgroup/memory/rwcell-${process.pid}`) && !fs.existsSync(`/sys/fs/cgroup/rwcell-${process.pid}`), 'its cgroup is gone');
});
