import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelProfile } from '../probe/kernel-profile.js';
import { summarizeKernelProfile } from '../probe/kernel-profile-summary.js';
import type { LegResult, ReproRun } from './orchestrator.js';
import { profileWindow } from './orchestrator.js';
import { PRESETS } from './params.js';
import { buildReport, renderReportText } from './report.js';
import { decideVerdict } from './verdict.js';
import type { Second } from './second.js';

const sec = (tS: number, phase: Second['phase'], file: number, mem: number): Second => ({
  tS, phase, filePagesPerS: file, memoryPagesPerS: mem, reported: true, cpuUser: 0.1, cpuSystem: 0.9, throttledPerS: 0, usageBytes: 1, limitBytes: 2, shmemBytes: 0,
  limitHits: 0, limitHitsPerS: 0, oomKills: 0, psiSomePct: 0, psiFullPct: 0, refaultsPerS: 0, reclaimScope: 'cgroup', scannedPerS: 10, stolenPerS: 5,
  threads: 10, threadsRunning: 1, threadsD: 0, reclaimStackShare: 0.9, mmapLockStackShare: 0, probeWorstMs: 3, probesFinished: 1, probeTimeouts: 0,
});
const EVICT = ['_raw_spin_unlock_irq', 'evict_folios', 'try_to_shrink_lruvec', 'lru_gen_shrink_node', 'shrink_node', 'try_to_free_mem_cgroup_pages', 'try_charge_memcg'];
const profile = buildKernelProfile({ method: 'bpftrace', hz: 99, durationMs: 5000, filter: 'pids 42', stacks: [{ frames: EVICT, count: 600 }, { frames: ['isolate_folios', ...EVICT.slice(1)], count: 250 }, { frames: [], count: 150 }] });

function leg(label: LegResult['mglru'], mglruOn: boolean, withProfile: boolean): LegResult {
  const seconds = [sec(1, 'file', 1000, 0), sec(2, 'file', 1000, 0), sec(3, 'both', 900, 5000), sec(4, 'both', 800, 5000), sec(5, 'both', 10, 10), sec(6, 'both', 0, 0), sec(7, 'both', 0, 0)];
  const host = { mglruPresent: true, mglruEnabled: mglruOn, kernelRelease: '6.1.0-test' };
  return {
    mglru: label, cgroupPath: '/x', cgroupVersion: 'v2', swap: 'off' as LegResult['swap'], workloadPid: 42, end: 'completed', exit: { code: 0, signal: null, stderr: '' }, seconds,
    verdict: decideVerdict(seconds, undefined, { host, profile: withProfile ? profile : undefined }), doctor: undefined, trace: undefined, mglruDuring: mglruOn ? '0x0007' : '0x0000',
    profile: withProfile ? { ...summarizeKernelProfile(profile), startedAtS: 4.2 } : { unavailable: 'the profile could not run: no bpftrace' },
  };
}

void test('repro\'s report carries each leg\'s variant and kernel profile, and the worst leg\'s variant at the top', () => {
  const run: ReproRun = { runId: 'r1', workDir: '/tmp/x', legs: [leg('off', false, false), leg('on', true, true)], cleanup: { runId: 'r1', skipped: undefined, killed: [], removedCgroups: [], removedDirs: [], mglruRestored: undefined, left: [] } };
  const r = buildReport(run, { kernelRelease: '6.1.0-test', kernelVersion: '#1', cgroupMode: 'unified', cpus: 4, memTotalBytes: 1 << 30, mglru: 'on' }, 'small', PRESETS.small, []);
  assert.equal(r.legs[0]!.verdict.variant?.variant, 'unknown');
  assert.equal(r.legs[1]!.verdict.variant?.variant, 'lru-lock');
  assert.equal(r.variant, 'unknown', 'both legs degraded: the first of equals');
  const json = JSON.parse(JSON.stringify(r)) as { legs: Array<{ profile: { method?: string; samples?: number; top?: Array<{ name: string }>; unavailable?: string } }> };
  assert.equal(json.legs[1]!.profile.method, 'bpftrace');
  assert.equal(json.legs[1]!.profile.samples, 1000);
  assert.equal(json.legs[1]!.profile.top?.[0]?.name, '_raw_spin_unlock_irq');
  assert.match(json.legs[0]!.profile.unavailable ?? '', /no bpftrace/);
  const text = renderReportText(r);
  assert.match(text, /verdict: DEGRADED {2}\(variant unknown\)/);
  assert.match(text, /variant {10}lru-lock\n {19}- 85 % of the target's CPU samples are in evict_folios and 60 % spin/);
  assert.match(text, /kernel profile {3}bpftrace at 99 Hz over 5\.0 s, 1000 sample\(s\) \(85\.0 % in the kernel\); pids 42, from 4\.2 s/);
  assert.match(text, /top: _raw_spin_unlock_irq 60 %, isolate_folios 25 %/);
  assert.match(text, /kernel profile {3}none: the profile could not run: no bpftrace/);
  assert.match(text, /MGLRU is off/);
});

void test('profileWindow() puts the profile late in the second phase, inside the run', () => {
  assert.deepEqual(profileWindow(PRESETS.small, 5000), { startMs: 4000, durationMs: 3000 });
  assert.deepEqual(profileWindow({ delayMs: 10_000, durationMs: 120_000 }, 5000), { startMs: 114_000, durationMs: 5000 });
  const tiny = profileWindow({ delayMs: 3000, durationMs: 4000 }, 5000);
  assert.equal(tiny.durationMs, 1000);
  assert.ok(tiny.startMs >= 4000, 'never before the second phase has begun');
});
