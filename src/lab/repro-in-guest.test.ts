// Live, in a Debian 6.1 guest with the cgroup v2 memory controller and MGLRU left as the kernel boots it (off):
// `repro --mglru both` runs the reference's A/B there — MGLRU off, then on, each leg read back while it runs —
// and writes the original `lru_gen/enabled` back; the guest reads it after repro exits. This is also repro's
// cgroup v2 path (memory.max, memory.swap.max, cpu.max, memory.events, memory.stat pgscan) run live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKOUT_ROOT, guestKernelForTest } from '../test-support/guest-test.js';
import { DEFAULT_LAB_CACHE, runInGuest } from './run-in-guest.js';

const KERNEL = process.env['RECLAIMWATCH_LAB_KERNEL'] ?? 'linux-image-6.1.0-50-amd64';
const root = CHECKOUT_ROOT;
const MARK = '@@LRU_GEN_AFTER@@';

/** The part of the repro JSON this test reads. */
interface ReproJson {
  verdict: string;
  host: { cgroupMode: string; mglru: string };
  legs: Array<{
    mglru: string;
    mglruDuring?: string;
    cgroupVersion: string;
    swap: string;
    end: string;
    seconds: Array<{ phase: string; filePagesPerS?: number; memoryPagesPerS?: number; limitHits?: number; psiSomePct?: number }>;
    verdict: { class: string; figures: Record<string, number | string | undefined> };
    doctor?: { windows: number; last?: { verdict: string } };
  }>;
  cleanup: { left: string[] };
}

test('repro --mglru both in a cgroup v2 guest: MGLRU off then on, a verdict per leg, the original setting restored', { timeout: 420_000 }, async (t) => {
  const kernel = await guestKernelForTest(t, KERNEL, [{ file: 'build/Release/repro_workload', hint: 'the repro workload is not built (npm run build with a C compiler)' }]);
  if (!kernel) return;
  // The small preset's threads, files and limit; under TCG (10-50x slower than hardware, and the doctor's windows
  // share the 2 vCPUs) writing the files alone can take 4 s, so the memory threads start after 8 s, 14 s a leg.
  const repro = `${process.execPath} dist/cli/main.js repro --preset small --delay 8s --duration 14s --mglru both --json --state-dir /tmp/rw-repro-state`;
  const script = `cd ${root}\n${repro}; rc=$?\necho "${MARK} $(cat /sys/kernel/mm/lru_gen/enabled)"\nexit $rc`;
  // scratchBytes given: the files must be page cache on ext4, not tmpfs pages of the guest's overlay root.
  const r = await runInGuest({ kernel, cgroup: 'v2', cpus: 2, memoryBytes: 1024 << 20, scratchBytes: 1 << 30, accel: 'auto', cacheDir: DEFAULT_LAB_CACHE, timeoutMs: 400_000, argv: ['/bin/sh', '-c', script] });
  t.diagnostic(`accel ${r.accel}, boot ${r.bootMs} ms, command ${r.commandMs} ms, lru_gen/enabled at boot ${r.mglru ?? 'absent'}`);
  const [json = '', after = ''] = r.stdout.split(MARK);
  const why = `exit ${r.exitCode}\n${r.stderr.slice(-4000)}`;
  assert.ok(r.exitCode === 0 || r.exitCode === 1, `repro gave a verdict (exit 0 or 1): ${why}`);
  assert.ok(r.mglru !== undefined, 'the 6.1 guest kernel has MGLRU');
  const original = r.mglru;
  assert.equal(original, '0x0000', 'MGLRU was left at the Debian kernel default (off)');
  const report = JSON.parse(json) as ReproJson;
  assert.equal(report.host.cgroupMode, 'v2');
  assert.deepEqual(report.legs.map((l) => l.mglru), ['off', 'on'], 'two legs, off then on');
  const [off, on] = report.legs;
  // MGLRU as read while each leg ran: off is 0x0000, on has the base bit (0x0001) and whatever extras the kernel allows.
  assert.equal(off!.mglruDuring, '0x0000', 'MGLRU was off during the off leg');
  assert.ok(on!.mglruDuring !== undefined && (parseInt(on!.mglruDuring, 16) & 1) === 1, `MGLRU was on during the on leg: ${on!.mglruDuring}`);
  for (const leg of report.legs) {
    const label = `leg ${leg.mglru} (live view:\n${r.stderr.slice(-6000)})\n`;
    assert.ok(['affected', 'degraded', 'not affected'].includes(leg.verdict.class), `${label} has a verdict`);
    assert.equal(leg.end, 'completed', `${label} ran to its end: ${why}`);
    assert.equal(leg.cgroupVersion, 'v2', `${label} ran in a v2 cgroup`);
    assert.equal(leg.swap, 'limited', `${label}: memory.swap.max 0`);
    assert.ok(leg.seconds.some((s) => (s.phase === 'file' || s.phase === 'prepare') && (s.filePagesPerS ?? 0) > 0), `${label}: file threads progressed in phase 1`);
    assert.ok(leg.seconds.some((s) => s.phase === 'both' && (s.memoryPagesPerS ?? 0) > 0), `${label}: memory threads progressed in phase 2`);
    // The v2 readers, live: memory.events max counted the limit, memory.stat gave the cgroup's own reclaim counters.
    assert.equal(leg.verdict.figures['reclaimScope'], 'cgroup', `${label}: reclaim counters from the cgroup's memory.stat`);
    assert.ok(Number(leg.verdict.figures['limitHits'] ?? 0) > 0, `${label}: memory.events max counted hits of the limit`);
    assert.ok(leg.seconds.some((s) => s.psiSomePct !== undefined), `${label}: the cgroup's memory.pressure was read`);
    assert.ok(Number(leg.verdict.figures['shmemMaxBytes'] ?? 0) < 8 << 20, `${label}: the files were page cache, not shared memory`);
    assert.ok(leg.doctor && leg.doctor.windows >= 1 && leg.doctor.last, `${label}: a doctor window on the v2 cgroup finished: ${JSON.stringify(leg.doctor)}`);
  }
  assert.deepEqual(report.cleanup.left, [], 'nothing left in the guest');
  assert.equal(after.trim(), original, 'lru_gen/enabled is back to its original value after repro');
});
