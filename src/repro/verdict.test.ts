import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelProfile, type KernelProfile } from '../probe/kernel-profile.js';
import { decideVerdict } from './verdict.js';
import type { Second } from './second.js';

const sec = (tS: number, phase: Second['phase'], file: number, mem: number, probeMs: number, extra: Partial<Second> = {}): Second => ({
  tS, phase, filePagesPerS: file, memoryPagesPerS: mem, reported: true, cpuUser: 0.5, cpuSystem: 0.5, throttledPerS: 0, usageBytes: 1, limitBytes: 2, shmemBytes: 0,
  limitHits: 0, limitHitsPerS: 0, oomKills: 0, psiSomePct: 0, psiFullPct: 0, refaultsPerS: 0, reclaimScope: 'host', scannedPerS: 10, stolenPerS: 5,
  threads: 10, threadsRunning: 1, threadsD: 0, reclaimStackShare: 0, mmapLockStackShare: 0, probeWorstMs: probeMs, probesFinished: 1, probeTimeouts: 0, ...extra,
});

/** 10 s of phase file at 1000 pages/s, then `both` seconds from the given rates. */
function run(both: Array<[number, number, number]>, extra: Partial<Second> = {}): Second[] {
  const out: Second[] = [];
  for (let i = 1; i <= 10; i++) out.push(sec(i, 'file', 1000, 0, 2));
  both.forEach(([f, m, p], i) => out.push(sec(11 + i, 'both', f, m, p, extra)));
  return out;
}

void test('decideVerdict() says affected when both groups collapse and the probe stalls', () => {
  const v = decideVerdict(run([[900, 5000, 3], [800, 5000, 5], [50, 100, 2500], [10, 10, 8000], [0, 0, 10000], [0, 0, 10000]]));
  assert.equal(v.class, 'affected');
  assert.equal(v.figures.fileBeforePerS, 1000);
  assert.equal(v.figures.worstProbeMs, 10000);
  assert.ok(v.figures.fileRatio !== undefined && v.figures.fileRatio < 0.1);
  assert.match(v.reasons.join(' '), /collapsed/);
});

void test('decideVerdict() says degraded for a large drop that recovered, without stalls', () => {
  const v = decideVerdict(run([[900, 5000, 3], [100, 5000, 3], [100, 5000, 3], [100, 5000, 3], [900, 5000, 3], [950, 5000, 3], [950, 5000, 3]]));
  assert.equal(v.class, 'degraded');
  assert.match(v.reasons.join(' '), /dropped .* recovered/);
});

void test('decideVerdict() says degraded for a stall alone', () => {
  const v = decideVerdict(run([[900, 5000, 3], [900, 5000, 1500], [900, 5000, 3]]));
  assert.equal(v.class, 'degraded');
  assert.equal(v.figures.stalledProbes, 1);
});

void test('decideVerdict() does not call an OOM-killed run affected', () => {
  const v = decideVerdict(run([[900, 5000, 3], [0, 0, 5000], [0, 0, 5000], [0, 0, 5000]], { oomKills: 1 }));
  assert.equal(v.class, 'degraded');
  assert.equal(v.figures.oomKills, 1);
  assert.match(v.reasons.join(' '), /OOM/);
});

void test('decideVerdict() says not affected when progress holds and probes are fast', () => {
  const v = decideVerdict(run([[900, 5000, 3], [800, 5200, 4], [700, 5100, 3], [750, 5000, 3]]));
  assert.equal(v.class, 'not affected');
  assert.equal(v.figures.fileAfterPerS, 725, "median of the last third (700, 750)");
  assert.equal(v.figures.memoryPeakPerS, 5100);
});

void test('decideVerdict() keeps file-only thrashing with busy memory threads out of affected', () => {
  const v = decideVerdict(run([[900, 5000, 3], [10, 5000, 1200], [10, 5000, 1200], [10, 5000, 1200]]));
  assert.equal(v.class, 'degraded');
});

void test('decideVerdict() explains a run without a first phase', () => {
  const v = decideVerdict([sec(1, 'both', 10, 10, 1)]);
  assert.equal(v.figures.fileBeforePerS, undefined);
  assert.match(v.reasons.join(' '), /no progress was measured before/);
});

void test('decideVerdict() takes the baseline from prepare when the files were still being written at --delay', () => {
  const secs: Second[] = [sec(1, 'prepare', 0, 0, 2), sec(2, 'prepare', 500, 0, 2), sec(3, 'prepare', 700, 0, 2), sec(4, 'prepare', 700, 0, 2)];
  for (let i = 5; i < 10; i++) secs.push({ ...sec(i, 'both', 0, 0, 5000), reported: false });
  const v = decideVerdict(secs);
  assert.equal(v.figures.fileBeforePerS, 700);
  assert.equal(v.figures.silentSeconds, 5);
  assert.equal(v.class, 'affected');
});

const traced = (maxHoldMs: number, holdsOver1s: number, maxWaitUs = 500) => ({
  ran: true, tracedMs: 20_000, unavailable: [],
  memcgReclaim: { calls: 4558, totalUs: 5_847_081, maxUs: 96_714, pagesReclaimed: 211_885 },
  mmapLock: { holds: 460, holdsOver1s, maxHoldMs, tidsOver1s: holdsOver1s ? [42] : [], maxWaitUs },
});

void test('decideVerdict() counts a traced mmap_lock hold of >= 1 s as a stall: collapse + traced hold is affected', () => {
  const collapse: Array<[number, number, number]> = [[900, 5000, 3], [800, 5000, 5], [50, 100, 3], [10, 10, 3], [0, 0, 3], [0, 0, 3]];
  assert.equal(decideVerdict(run(collapse)).class, 'degraded', 'the probe alone saw no stall');
  const v = decideVerdict(run(collapse), traced(2400, 3));
  assert.equal(v.class, 'affected');
  assert.match(v.reasons.join(' '), /mmap-lock trace saw mmap_lock held for 2400 ms at worst, 3 hold\(s\) of >= 1 s/);
  assert.equal(v.figures.traceMmapLockHoldsOver1s, 3);
  assert.equal(v.figures.traceReclaimCalls, 4558);
  assert.equal(v.figures.traceReclaimMs, 5847.081);
  assert.equal(v.figures.traceMmapLockMaxWaitMs, 0.5);
});

void test('decideVerdict() counts a traced wait of >= 1 s as a stall, and short traced holds as none', () => {
  const steady: Array<[number, number, number]> = [[950, 5000, 3], [950, 5000, 3], [950, 5000, 3]];
  const calm = decideVerdict(run(steady), traced(61.5, 0));
  assert.equal(calm.class, 'not affected');
  assert.match(calm.reasons.join(' '), /traced holds \(worst 61\.5 ms\)/);
  const waited = decideVerdict(run(steady), traced(61.5, 0, 1_500_000));
  assert.equal(waited.class, 'degraded');
  assert.match(waited.reasons.join(' '), /wait 1500 ms for mmap_lock/);
  const none = decideVerdict(run(steady));
  assert.equal(none.figures.traceMmapLockHolds, undefined, 'no trace: no traced figures');
});

void test('decideVerdict() says first when the files sat in shared memory (tmpfs-backed --dir), not page cache', () => {
  const mib = 1 << 20;
  const v = decideVerdict(run([[900, 5000, 3], [900, 5000, 3], [900, 5000, 3]], { limitBytes: 40 * mib, shmemBytes: 32 * mib }));
  assert.equal(v.figures.shmemMaxBytes, 32 * mib);
  assert.match(v.reasons[0]!, /^NOT the page-cache test: 32\.0 MiB .* shared memory .* block-device file system/);
  const ok = decideVerdict(run([[900, 5000, 3], [900, 5000, 3]], { limitBytes: 40 * mib, shmemBytes: 1 * mib }));
  assert.doesNotMatch(ok.reasons.join(' '), /NOT the page-cache test/);
});

const EVICT = ['_raw_spin_unlock_irq', 'evict_folios', 'try_to_shrink_lruvec', 'shrink_one', 'shrink_many', 'lru_gen_shrink_node', 'shrink_node', 'do_try_to_free_pages', 'try_to_free_mem_cgroup_pages', 'try_charge_memcg'];
const lruLockProfile = (): KernelProfile => buildKernelProfile({ method: 'bpftrace', hz: 99, durationMs: 5000, filter: 'pids 1', stacks: [
  { frames: EVICT, count: 550 }, { frames: ['isolate_folios', ...EVICT.slice(1)], count: 290 }, { frames: ['filemap_map_pages', 'do_read_fault', 'handle_mm_fault'], count: 160 },
] });
const MGLRU_ON = { mglruPresent: true, mglruEnabled: true, kernelRelease: '6.1.0-test' };
const collapse: Array<[number, number, number]> = [[900, 5000, 3], [800, 5000, 5], [50, 100, 20], [10, 10, 30], [0, 0, 40], [0, 0, 40]];

void test('decideVerdict() names the lru-lock variant from an MGLRU host and a profile of evict_folios spinning, with the shares that decided it', () => {
  const v = decideVerdict(run(collapse), undefined, { host: MGLRU_ON, profile: lruLockProfile() });
  assert.equal(v.class, 'degraded');
  assert.equal(v.variant?.variant, 'lru-lock');
  assert.equal(v.variant?.figures.evictFoliosShare, 0.84);
  assert.equal(v.variant?.figures.spinLockShare, 0.55);
  assert.match(v.variant?.because.join(' ') ?? '', /84 % of the target's CPU samples are in evict_folios and 55 % spin on a lock inside reclaim/);
  assert.match(v.variant?.because.join(' ') ?? '', /MGLRU is on \(6\.1\.0-test\)/);
});

void test('decideVerdict() never names lru-lock without MGLRU on, and names mmap-lock from a probe stall of >= STALL_MS', () => {
  const noMglru = decideVerdict(run(collapse), undefined, { host: { ...MGLRU_ON, mglruEnabled: false }, profile: lruLockProfile() });
  assert.equal(noMglru.variant?.variant, 'unknown');
  assert.match(noMglru.variant.missing.join(' '), /MGLRU is off/);
  const stalled = decideVerdict(run([[900, 5000, 3], [800, 5000, 1200], [50, 100, 2500], [10, 10, 8000], [0, 0, 10000], [0, 0, 10000]]), undefined, { host: { ...MGLRU_ON, mglruPresent: false, mglruEnabled: false } });
  assert.equal(stalled.class, 'affected');
  assert.equal(stalled.variant?.variant, 'mmap-lock');
  assert.match(stalled.variant.because.join(' '), /cmdline took 10000 ms/);
  // A probe between the doctor's 500 ms and repro's 1000 ms is no stall in repro's terms.
  const slow = decideVerdict(run([[900, 5000, 3], [800, 5000, 700], [0, 0, 700]]), undefined, { host: MGLRU_ON });
  assert.equal(slow.variant?.variant, 'unknown');
  assert.equal(decideVerdict(run(collapse)).variant, undefined, 'no host facts: no variant');
});
