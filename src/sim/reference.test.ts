// The model against the reference's figures, at half the reference's size (500 + 500 threads on 2 CPUs keep its
// 250 threads per CPU; 500 files of 977 pages, 1.5 GB of anonymous memory, the other memory halved, under a 2 GiB
// limit) so that it runs in a second. `half` keeps the preset's CONFIG_PREEMPT_VOLUNTARY (the reference's "never
// preempted involuntarily"); `halfPreempt` is the CONFIG_PREEMPT variant the MGLRU look-around test uses.
// reclaimUnderMmapLock follows the LRU unless a test gives it: held for the two-list LRU, released for MGLRU.
// The runs with it released are 150 s (the memory threads start at 30 s): the reclaim is then many threads at
// once, which costs the model more time per simulated second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM_PRESETS } from './presets.js';
import { renderSimText } from './report-text.js';
import { runSim } from './run-sim.js';

const GiB = 1024 ** 3;
const half = { ...SIM_PRESETS.reference, fileThreads: 500, memoryThreads: 500, cpus: 2, fileBytes: 2_000_896_000, memoryBytes: 1_500_000_000, limitBytes: 2 * GiB, otherBytes: 81_174_528, durationMs: 500_000 };
const halfPreempt = { ...half, kernelPreempt: 1, fileBytes: 2_048_000_000, memoryBytes: GiB / 2, otherBytes: 32 * 1024 ** 2, durationMs: 400_000 };

void test('two-list LRU at half the reference: one read hold of hundreds of seconds that scans every page once and frees tens at the second scan, a small CPU share, ~250 threads per CPU, no OOM kill', () => {
  const r = runSim(half);
  const h = r.longestHold!;
  assert.equal(h.comm, 'r_memory');
  assert.equal(h.open, false, 'the hold ended inside the run');
  assert.ok(h.durationMs >= 300_000, `hold ${h.durationMs} ms`);
  assert.ok(h.counters.nrScanned >= 488_500 && h.counters.nrScanned <= 1_000_000, `scanned ${h.counters.nrScanned}: every page once, then the cold ones`);
  assert.ok(h.counters.nrReclaimed >= 32 && h.counters.nrReclaimed <= 100, `reclaimed ${h.counters.nrReclaimed}`);
  assert.ok(h.counters.runtimeUs < 0.01 * h.durationMs * 1000, 'CPU time a small fraction of the hold');
  assert.ok(h.threadsPerCpu >= 200 && h.threadsPerCpu <= 300, `threads per CPU ${h.threadsPerCpu}`);
  assert.equal(Math.max(...r.seconds.map((s) => s.reclaimers)), 1, 'a fault that is not preempted leaves no batch of readers to reclaim at once');
  assert.equal(r.oom.killed, false);
  assert.deepEqual(r.problems, []);
});

void test('during that hold the memory threads and every fault stop (they queue behind the writer) while the file threads keep reading their mapped pages: repro\'s rules alone say degraded, the reference program\'s own measure of progress (its memory threads) makes it affected', () => {
  const r = runSim(half);
  const d = r.duringHold!;
  const before = r.seconds.filter((s) => s.phase === 'file').at(-1)!.filePagesPerS;
  assert.ok(d.seconds >= 300);
  assert.equal(d.memoryPagesPerS, 0);
  assert.equal(d.faultsPerS, 0, 'memory.stat frozen: no page brought in or mapped');
  assert.ok(d.filePagesPerS >= 0.9 * before, `file threads at ${d.filePagesPerS} pages/s of ${before}: "1000 threads were scanning file memory"`);
  assert.ok(d.cpuSystem < 0.05 * (d.cpuUser + d.cpuSystem), 'the CPUs run the file threads\' reads, not reclaim');
  const mid = r.seconds[Math.floor((r.longestHold!.startMs + r.longestHold!.durationMs / 2) / 1000)]!;
  assert.ok(mid.lockWaiters >= half.memoryThreads - 1, `${mid.lockWaiters} threads wait for mmap_lock`);
  assert.equal(r.verdict.class, 'affected');
  assert.ok((r.verdict.figures.fileRatio ?? 0) >= 0.9, 'the file threads\' progress held: repro\'s COLLAPSED (file rate under 10 %) alone would not be met');
  assert.match(r.verdict.reasons[0]!, /the program stopped making progress: its 500 memory threads that started got no page in the last 10 s/);
  assert.ok(r.verdict.reasons.some((x) => /mmap_lock held for/.test(x)));
  assert.match(renderSimText(r), /no fault was served and the memory threads stood still, while the file threads read their mapped pages/);
});

void test('the small preset: the two-list LRU holds mmap_lock for many seconds, MGLRU never for more than a few', () => {
  const classic = runSim({ ...SIM_PRESETS.small, lru: 'classic' });
  const mglru = runSim({ ...SIM_PRESETS.small, lru: 'mglru' });
  assert.ok(classic.longestHold!.durationMs >= 10_000, `classic hold ${classic.longestHold!.durationMs} ms`);
  assert.ok(mglru.longestHold!.durationMs <= 3_000, `mglru hold ${mglru.longestHold!.durationMs} ms`);
  assert.ok(mglru.reclaim.pagesReclaimed > classic.reclaim.pagesReclaimed);
  assert.equal(mglru.oom.killed, false);
});

void test('MGLRU at half the reference under CONFIG_PREEMPT, reclaiming under mmap_lock as the two-list LRU does: its look-around eviction frees pages where the two-list LRU frees few, all memory threads start, holds are several times shorter, lru_lock is spun on', () => {
  const classic = runSim(halfPreempt);
  const mglru = runSim({ ...halfPreempt, lru: 'mglru', reclaimUnderMmapLock: 1 });
  assert.equal(classic.mmapLockDuringReclaim, 'held');
  assert.equal(mglru.mmapLockDuringReclaim, 'held');
  assert.ok(mglru.reclaim.pagesReclaimed >= 100_000, `MGLRU reclaimed ${mglru.reclaim.pagesReclaimed}`);
  assert.ok(classic.reclaim.pagesReclaimed < mglru.reclaim.pagesReclaimed / 20, `two-list reclaimed ${classic.reclaim.pagesReclaimed}`);
  assert.equal(mglru.threads.memoryStarted, halfPreempt.memoryThreads, 'no writer is kept waiting for the whole run');
  assert.ok(mglru.longestHold!.durationMs * 3 < classic.longestHold!.durationMs, `holds: MGLRU ${mglru.longestHold!.durationMs} ms, two-list ${classic.longestHold!.durationMs} ms`);
  assert.ok(mglru.seconds.some((s) => s.cpuSpin > 0), 'reclaimers spin on lru_lock');
  assert.equal(mglru.oom.killed, false);
  assert.deepEqual(mglru.problems, []);
});

void test('without the program\'s cold file pages the two-list hold never frees a page: every file page is re-read between its two scans, and the second scan activates it', () => {
  const none = runSim({ ...half, coldFileBytes: 0 });
  assert.equal(none.reclaim.pagesReclaimed, 0);
  assert.equal(none.longestHold!.open, true);
  assert.ok(none.longestHold!.counters.nrActivate1 > 0, 'the second scan activates: ➁');
  assert.equal(none.oom.killed, false, 'the call is still in its first pass over the priorities');
});

void test('MGLRU reclaiming under mmap_lock (not its default) without kernel preemption at half the reference: the program\'s cold file pages are freed within seconds of the first reclaim; then no page is ever found cold, walks give the mm up behind the waiting writer, and the OOM killer ends the hold', () => {
  const r = runSim({ ...half, lru: 'mglru', reclaimUnderMmapLock: 1, durationMs: 700_000 });
  const first = r.seconds.findIndex((s) => s.reclaimedPerS > 0);
  assert.ok(first >= 30 && first <= 60, `first page freed in second ${first}`);
  assert.equal(r.reclaim.pagesReclaimed, Math.floor(half.coldFileBytes / 4096), 'all of them, and (the model has no other cold page) nothing else');
  const h = r.longestHold!;
  assert.ok(h.durationMs >= 300_000, `hold ${h.durationMs} ms`);
  assert.equal(h.counters.nrReclaimed, 0);
  assert.ok(h.counters.walksSkipped > 0 && h.counters.ptesWalked === 0, 'every aging walk failed mmap_read_trylock');
  assert.ok(h.counters.nrActivate1 > 10 * h.counters.nrRefKeep, 'pages are found young by their rmap walk and promoted');
  assert.equal(r.oom.killed, true, `${half.reclaimRetries} reclaim calls that freed nothing`);
  assert.deepEqual(r.problems, []);
});

const released = { ...half, durationMs: 150_000 };
const coldPages = Math.floor(half.coldFileBytes / 4096);

void test('MGLRU as it comes (mmap_lock released before reclaim) at half the reference: no hold of even a second, ps never waits, every memory thread starts and hundreds reclaim at once, spinning on lru_lock; the cold pages are freed and no OOM kill comes', () => {
  const r = runSim({ ...released, lru: 'mglru' });
  assert.equal(r.mmapLockDuringReclaim, 'released');
  assert.ok(r.longestHold!.durationMs < 1000, `longest hold ${r.longestHold!.durationMs} ms`);
  assert.equal(r.holds.over1s, 0);
  assert.ok(Math.max(...r.seconds.map((s) => s.probeWaitMs)) < 1000, 'ps is not queued behind a reclaimer');
  assert.equal(r.threads.memoryStarted, half.memoryThreads, 'no writer waits behind a reader in reclaim');
  assert.ok(Math.max(...r.seconds.map((s) => s.reclaimers)) >= 100, 'faults no longer queue behind one reclaimer: many reclaim at once under CONFIG_PREEMPT_VOLUNTARY too');
  assert.ok(r.seconds.some((s) => s.cpuSpin > 0), 'reclaimers spin on lru_lock');
  assert.equal(r.reclaim.pagesReclaimed, coldPages, 'the cold pages, and no page the file threads keep reading');
  assert.equal(r.oom.killed, false);
  assert.notEqual(r.verdict.class, 'affected');
  assert.deepEqual(r.problems, []);
});

void test('what the model\'s MGLRU does not cure: with every file page re-read by its thread at each turn on the CPU (every ~0.5 s) and one aging walk taking longer, no page is ever found cold, so the memory threads wait in reclaim and get no page; the report says so', () => {
  const r = runSim({ ...released, lru: 'mglru' });
  const both = r.seconds.filter((s) => s.phase === 'both');
  const stuck = both.findIndex((s, i) => both.slice(i).every((x) => x.memoryPagesPerS === 0));
  assert.ok(stuck >= 0 && stuck <= 30, `memory threads get no page from second ${stuck} of the second phase on (once the cold pages are used up)`);
  assert.ok(both.at(-1)!.reclaimers >= half.memoryThreads - 10, `${both.at(-1)!.reclaimers} threads in reclaim at the end`);
  assert.match(renderSimText(r), /the memory threads started but got no page in the last 10 s: .*MGLRU evicts no page it finds accessed/);
  assert.match(renderSimText(r), /reclaim with mmap_lock released first/);
  assert.equal(r.verdict.class, 'degraded', 'memory threads that get no page are not "not affected"');
  assert.ok(r.verdict.reasons.some((x) => /memory threads that started got no page in the last 10 s/.test(x)), r.verdict.reasons.join('; '));
});

void test('the two-list LRU with mmap_lock released before reclaim (the reference\'s first difference alone): no long hold and no hung ps, the memory threads get their pages and the file threads\' pages are evicted instead, thrashing (repro: degraded), no OOM kill', () => {
  const r = runSim({ ...released, reclaimUnderMmapLock: 0 });
  assert.equal(r.mmapLockDuringReclaim, 'released');
  assert.equal(r.holds.over1s, 0, `longest hold ${r.longestHold!.durationMs} ms`);
  assert.ok(Math.max(...r.seconds.map((s) => s.probeWaitMs)) < 1000);
  assert.ok(r.reclaim.pagesReclaimed >= 1_000_000, `reclaimed ${r.reclaim.pagesReclaimed}`);
  const last = r.seconds.slice(-30);
  const before = r.seconds.filter((s) => s.phase === 'file').at(-1)!.filePagesPerS;
  assert.ok(last.every((s) => s.memoryPagesPerS > 0), 'the memory threads progress');
  assert.ok(last.reduce((a, s) => a + s.filePagesPerS, 0) / last.length < 0.5 * before, 'the file threads fault on the pages taken from them');
  assert.ok(Math.max(...r.seconds.map((s) => s.reclaimers)) >= 100);
  assert.equal(r.oom.killed, false);
  assert.equal(r.verdict.class, 'degraded');
  assert.deepEqual(r.problems, []);
});
