// Live, in a Debian 6.1 guest with MGLRU on and 4 vCPUs (TCG on this host): many threads faulting file pages
// in a small memory cgroup put MGLRU's evict_folios on the kernel profile, the cell reports its share and the
// spin-lock share, and the variant follows from them by the rule (never mmap-lock without hold or probe
// evidence). The figures of each run are printed; the README's lab section has one run's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_THRESHOLDS } from '../detect/thresholds.js';
import { CHECKOUT_ROOT, guestKernelForTest } from '../test-support/guest-test.js';
import { cannotRunHere } from '../test-support/live.js';
import { DEFAULT_LAB_CACHE, runInGuest } from './run-in-guest.js';
import type { VariantCellReport } from './variant-cell.js';

const KERNEL = process.env['RECLAIMWATCH_LAB_KERNEL'] ?? 'linux-image-6.1.0-50-amd64';
const root = CHECKOUT_ROOT;

test('in a 6.1 guest with MGLRU on, the thrash puts evict_folios on the kernel profile and the variant follows its shares', { timeout: 420_000 }, async (t) => {
  const kernel = await guestKernelForTest(t, KERNEL, []);
  if (!kernel) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rwvariant-guest-'));
  try {
    const thrash = path.join(tmp, 'thrash');
    try {
      execFileSync('cc', ['-O2', '-pthread', '-o', thrash, path.join(root, 'test/workloads/thrash.c')]);
    } catch (err) {
      return void cannotRunHere(t, `cannot compile test/workloads/thrash.c: ${(err as Error).message}`);
    }
    const argv = [process.execPath, path.join(root, 'dist/cli/main.js'), 'lab', 'variant-cell', '--thrash', thrash, '--threads', '96', '--file-mib', '1', '--anon-threads', '2', '--limit', '64M', '--window', '8s', '--profile-methods', 'bpftrace,proc-stack'];
    const r = await runInGuest({ kernel, cgroup: 'v2', mglru: 'on', cpus: 4, memoryBytes: 1536 << 20, accel: 'auto', cacheDir: DEFAULT_LAB_CACHE, timeoutMs: 400_000, keep: [tmp], argv });
    t.diagnostic(`accel ${r.accel}, boot ${r.bootMs} ms, command ${r.commandMs} ms`);
    assert.equal(r.exitCode === 0 || r.exitCode === 1, true, `exit ${r.exitCode}: ${r.stderr.slice(-2000)}`);
    const cell = JSON.parse(r.stdout) as VariantCellReport;
    const s = cell.profile.shares;
    t.diagnostic(`${cell.kernelRelease}: ${cell.verdict.class}, variant ${cell.variant}; ${cell.profile.method} ${cell.profile.samples} samples (${cell.profile.kernelSamples} kernel); evict_folios ${(s.evictFolios * 100).toFixed(1)} %, spin lock in reclaim ${(s.spinLockInReclaim * 100).toFixed(1)} %, shrink_lruvec ${(s.shrinkLruvec * 100).toFixed(1)} %; top ${cell.profile.top.slice(0, 3).map((f) => `${f.name} ${(f.share * 100).toFixed(1)} %`).join(', ')}; fallbacks ${JSON.stringify(cell.profile.fallbacks)}`);
    assert.match(cell.kernelRelease, /^6\.1\./);
    assert.ok(cell.profile.samples >= 100, `the profile rests on ${cell.profile.samples} samples`);
    if (cell.profile.method !== 'bpftrace') assert.ok(cell.profile.fallbacks.some((f) => f.method === 'bpftrace'), 'says why not bpftrace');
    assert.ok(s.evictFolios > 0.05, `MGLRU's evict_folios is on the profile: ${s.evictFolios}`);
    const lruSigns = s.evictFolios >= DEFAULT_THRESHOLDS.lruLockEvictFoliosShare && s.spinLockInReclaim >= DEFAULT_THRESHOLDS.lruLockSpinShare;
    if (cell.variant === 'lru-lock') assert.ok(lruSigns, 'lru-lock only on the shares');
    if (cell.variant === 'mmap-lock') assert.ok(cell.variantBecause.some((b) => /cmdline|held mmap_lock/.test(b)), `mmap-lock only with hold or probe evidence: ${cell.variantBecause.join(' | ')}`);
    if (cell.variant === 'unknown') assert.ok(cell.variantMissing.length > 0, 'unknown says what was missing');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
