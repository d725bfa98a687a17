import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveView } from './live-view.js';
import type { LiveTick } from './orchestrator.js';
import { PRESETS } from './params.js';
import type { Second } from './second.js';
import { decideVerdict } from './verdict.js';

const second: Second = {
  tS: 7, phase: 'both', filePagesPerS: 161_100, memoryPagesPerS: 10_700_000, reported: true, cpuUser: 0.5, cpuSystem: 0.5, throttledPerS: 3,
  usageBytes: 40 << 20, limitBytes: 40 << 20, shmemBytes: 0, limitHits: 9000, limitHitsPerS: 61_600, oomKills: 0, psiSomePct: 44, psiFullPct: 20, refaultsPerS: 72_900,
  reclaimScope: 'host', scannedPerS: 1, stolenPerS: 1, threads: 18, threadsRunning: 2, threadsD: 1, reclaimStackShare: 0.25, mmapLockStackShare: 0,
  probeWorstMs: 0.1, probesFinished: 1, probeTimeouts: 0,
};

const tick = (doctor: LiveTick['doctor']): LiveTick => ({
  leg: { label: 'off', write: 'n' },
  cgroup: { path: '/reclaimwatch-repro-x', version: 'v2', memoryDir: '/sys/fs/cgroup/reclaimwatch-repro-x', cpuDir: undefined, cpuacctDir: undefined, unifiedDir: undefined, dirs: [], procsFiles: [], swap: 'limited' },
  params: PRESETS.small, second, soFar: decideVerdict([second]), doctor,
});

void test('createLiveView() prints the header once, then a line per second ending with the latest doctor verdict', () => {
  const lines: string[] = [];
  const view = createLiveView((l) => lines.push(l));
  view(tick(undefined));
  view(tick({ verdict: 'thrashing', severity: 63, findings: ['refaulting'], atS: 6.1, windowMs: 3000 }));
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^-- MGLRU off, cgroup \/reclaimwatch-repro-x \(v2, limit 40\.0 MiB, 1 CPUs, swap off \(limited\)\)$/);
  assert.doesNotMatch(lines[1]!, /doctor/, 'no doctor window finished yet: nothing shown');
  assert.match(lines[2]!, /hits 61\.6k\/s .*=> \S.* {2}doctor thrashing \(6 s\)$/);
});
