#!/usr/bin/env node
// Times `reclaimwatch sim`'s reference preset (1,000 file + 1,000 memory threads, ~1 M pages, 4 CPUs) for both
// LRUs: wall seconds, CPU seconds and the simulated-to-wall ratio, at the 120 simulated seconds (goal:
// ≤ 10 s wall) and at the preset's own 900 s, under the preset's CONFIG_PREEMPT_VOLUNTARY (kernelPreempt 0); the
// two-list LRU also with kernelPreempt 1 (CONFIG_PREEMPT); then the cross cases of reclaimUnderMmapLock (MGLRU
// reclaiming with mmap_lock held, the two-list LRU with it released), whose many reclaimers at once cost more.
// Not a test: it prints, it never fails on a number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist/sim/run-sim.js');
if (!fs.existsSync(dist)) {
  console.error('build first: npm run build');
  process.exit(2);
}
const { runSim } = await import(dist);
const { SIM_PRESETS } = await import(path.join(root, 'dist/sim/presets.js'));
const lengths = (process.env.BENCH_SIM_SECONDS ?? '120,900').split(',').map(Number);
console.log(`reclaimwatch sim, preset reference (${os.availableParallelism()} CPUs here, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
for (const seconds of lengths) {
  for (const [lru, kernelPreempt, under] of [['classic', 0], ['mglru', 0], ['classic', 1], ['mglru', 0, 1], ['classic', 0, 0]]) {
    const params = { ...SIM_PRESETS.reference, lru, kernelPreempt, durationMs: seconds * 1000, ...(under === undefined ? {} : { reclaimUnderMmapLock: under }) };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runSim(params);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    const h = r.longestHold;
    console.log(`  ${lru.padEnd(7)} ${kernelPreempt ? 'PREEMPT  ' : 'VOLUNTARY'} ${r.mmapLockDuringReclaim.padEnd(8)} ${String(seconds).padStart(4)} s simulated  ${wall.toFixed(2).padStart(6)} s wall  ${cpu.toFixed(2).padStart(6)} s CPU  sim/wall ${(r.simulatedMs / 1000 / wall).toFixed(1).padStart(6)}x${seconds === 120 ? (wall <= 10 ? '  (goal ≤ 10 s: met)' : '  (goal ≤ 10 s: NOT met)') : ''}  longest hold ${h ? (h.durationMs / 1000).toFixed(1) : 0} s, ${h?.counters.nrScanned ?? 0} scanned, ${h?.counters.nrReclaimed ?? 0} reclaimed; ${r.reclaim.pagesReclaimed} reclaimed in all`);
  }
}
