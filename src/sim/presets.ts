// The model's presets: `reference` is the reference's own set-up ("The program runs inside a Docker container
// with 4 CPUs and 4 GB of memory": 1,000 threads over 4 GB of mmapped files, iterated sequentially, and after
// 30 seconds 1,000 threads allocating anonymous memory randomly; no swap), `small` the same shape at 1/100 of
// the threads and pages on one CPU, in well under a second, for tests.
// `reference` simulates 900 s, not the 120 s of repro's seed: the reference's hold lasted 564 s ("The lock was
// held for 564 wall-clock seconds"), and a hold of hundreds of seconds cannot fit in two minutes; 900 s lets the
// model's hold (about 840 s from 30 s on) end inside the run, with the pages it freed. The bench times 120 s and
// the preset's own length (scripts/bench-sim.mjs).
// Two figures of `reference` come from the reference's program itself (github.com/serxa/stress_memcg, "I developed
// a small C++ program that reproduced the issue"), whose env.sh.inc runs it as
// `stress_memcg 1000 1000 3000000000 4000000000 /stress_memcg/files 30000` (memory threads, file threads, memory
// bytes, file bytes, directory, delay ms) in `docker run --memory=4g --cpus 4`: memoryBytes is its 3,000,000,000
// and fileBytes its 4,000,000,000 rounded to whole pages per thread (977 pages, the reference's "cache 4001792000").
// otherBytes is what the reference's frozen cgroup held besides its files and anonymous pages, less the cold file
// pages: "memory.usage_in_bytes 4294967296" − "cache 4001792000" − "rss 128729088" = 164,446,208 bytes, − 2 MiB.
// Its kernel's preemption model is CONFIG_PREEMPT_VOLUNTARY (kernelPreempt 0): "The thread was never preempted
// involuntarily; it voluntarily yielded CPU via __cond_resched(), which sometimes resulted in context switches"
// ("number of preemptions: 0" in its hold table). Under CONFIG_PREEMPT a thread in reclaim would be preempted at
// its slice's end, cond_resched() or not. `small` keeps CONFIG_PREEMPT (kernelPreempt 1): it is the tests' quick
// case for holds and MGLRU's look-around, not a copy of the reference.
// Neither preset sets reclaimUnderMmapLock, so it follows the LRU (reclaimUnderMmapLockFor in sim-params.ts):
// with the two-list LRU a fault reclaims with mmap_lock read-held, as on the reference's COS 105 kernel (its hold
// table is one such reclaim under "mmap_read_lock"); with MGLRU it releases the lock first, as the reference
// found on the healthy kernel ("mmap_lock is released before the new kernel starts reclaiming pages") and on its
// MGLRU kernel ("ps were working just fine without any hangups ... shrink_lruvec had very few calls to mmap_lock,
// with most not requiring this lock"). `--lru mglru --reclaim-under-mmap-lock 1` and `--lru classic
// --reclaim-under-mmap-lock 0` separate the reference's two differences.
import type { SimParams } from './sim-params.js';

/** Preset names. */
export type SimPresetName = 'reference' | 'small';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const costs = {
  sliceUs: 2250,
  fileTouchUs: 1,
  memoryTouchUs: 1,
  scanUs: 3.38,
  fileFaultUs: 10,
  readaheadPages: 32,
  anonFaultUs: 2,
  mmapUs: 5,
  zapUs: 0.02,
  minorFaultUs: 1,
  faultAroundPages: 16,
  spawnUs: 20,
  reclaimRetries: 16,
  lruLockUs: 0.02,
  ptWalkUs: 0.01,
  lookAroundPages: 64,
  minTtlMs: 0,
} as const;

/** The presets (classic LRU, seed 1; `--lru` and every other flag override them). */
export const SIM_PRESETS: Readonly<Record<SimPresetName, Readonly<SimParams>>> = Object.freeze({
  reference: Object.freeze({
    lru: 'classic', seed: 1,
    fileThreads: 1000, fileBytes: 4_001_792_000, memoryThreads: 1000, memoryBytes: 3_000_000_000, otherBytes: 162_349_056, coldFileBytes: 2 * MiB,
    limitBytes: 4 * GiB, cpus: 4, delayMs: 30_000, durationMs: 900_000, windowMs: 0,
    ...costs, kernelPreempt: 0,
  }),
  small: Object.freeze({
    lru: 'classic', seed: 1,
    fileThreads: 200, fileBytes: 81_920_000, memoryThreads: 200, memoryBytes: 20 * MiB, otherBytes: 2 * MiB, coldFileBytes: 64 * 1024,
    limitBytes: 84 * MiB, cpus: 1, delayMs: 10_000, durationMs: 60_000, windowMs: 0,
    ...costs, kernelPreempt: 1,
  }),
});
