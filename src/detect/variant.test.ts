// The reference's two livelocks, as recorded samples, stacks and profiles shaped like its own figures, classify
// as the right variant; a thrash that is neither stays unknown; the advice follows the variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { classify } from './classify.js';
import { buildKernelProfile, type KernelProfile, type ProfileStack } from '../probe/kernel-profile.js';
import { tagKernelStack } from '../probe/reclaim-frames.js';
import type { TargetModel } from '../sample/model.js';
import type { ClassifyInput, HostFacts } from './verdict.js';

/** The reference's second stack (MGLRU on, COS), its exact frames, innermost first. */
const EVICT_FOLIOS_STACK = ['_raw_spin_unlock_irq', 'evict_folios', 'shrink_lruvec', 'shrink_node', 'do_try_to_free_pages', 'try_to_free_mem_cgroup_pages',
  'try_charge_memcg', 'charge_memcg', '__mem_cgroup_charge', '__filemap_add_folio', 'filemap_add_folio', 'page_cache_ra_unbounded', 'do_sync_mmap_readahead',
  'filemap_fault', '__do_fault', 'handle_mm_fault', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault'];
/** The reference's first stack: the mmap_lock held ≥ 1 s was taken in a page fault. */
const MMAP_HOLD_STACK = ['__mmap_lock_do_trace_released', '__mmap_lock_do_trace_released', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault'];
const CHARGE = EVICT_FOLIOS_STACK.slice(3);

/** perf top of the second livelock: _raw_spin_unlock_irq 55.47 %, _raw_spin_unlock_irqrestore 12.05 %; 84 % of stacks in evict_folios. */
function lruLockProfile(): KernelProfile {
  const stacks: ProfileStack[] = [
    { frames: EVICT_FOLIOS_STACK, count: 5547 },
    { frames: ['_raw_spin_unlock_irqrestore', 'evict_folios', ...EVICT_FOLIOS_STACK.slice(2)], count: 1205 },
    { frames: ['isolate_folios', 'evict_folios', ...EVICT_FOLIOS_STACK.slice(2)], count: 1648 },
    { frames: ['filemap_map_pages', 'do_read_fault', 'handle_mm_fault', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault'], count: 1600 },
  ];
  return buildKernelProfile({ method: 'bpftrace', hz: 99, durationMs: 5000, stacks, filter: 'cgroup v2 id 1' });
}

/** perf top of the first livelock (COS 105, 5.15): shrink_lruvec 64.28 %, lru_note_cost 28.81 %, shrink_node 2.91 % ... */
function classicProfile(): KernelProfile {
  const under = (leaf: string, n: number): ProfileStack => ({ frames: [leaf, ...(leaf === 'shrink_lruvec' ? [] : leaf === 'shrink_node' ? [] : ['shrink_lruvec']), ...CHARGE], count: n });
  const stacks = [under('shrink_lruvec', 6428), under('lru_note_cost', 2881), under('shrink_node', 291), under('_raw_spin_unlock_irqrestore', 184),
    under('count_shadow_nodes', 38), under('shrink_page_list', 33), under('_find_next_bit', 15), under('__remove_mapping', 15)];
  return buildKernelProfile({ method: 'perf', hz: 4000, durationMs: 5000, stacks, filter: 'pids 864720' });
}

/** The thrash workload on this project's host (Linux 6.18, no MGLRU), profiled live with bpftrace: recorded. */
function hostThrashProfile(): KernelProfile {
  const rec = JSON.parse(fs.readFileSync(new URL('../../test/fixtures/kernel-profile/thrash-6.18-no-mglru.json', import.meta.url), 'utf8')) as { stacks: ProfileStack[]; samples: number };
  return buildKernelProfile({ method: 'bpftrace', hz: 99, durationMs: 5000, stacks: rec.stacks, samples: rec.samples, filter: 'recorded' });
}

/** A livelocked window: 3.9 of 4 cores in the kernel buying 20 faults/s, at the limit, stacks in reclaim. */
function livelock(): TargetModel {
  return {
    seconds: 5, gone: false,
    cpu: { userCores: 0.1, systemCores: 3.9, totalCores: 4, quotaCores: 4, ofCapacity: 1, throttledRatio: 0.9, throttledPerSec: undefined, source: 'cgroup' },
    memory: { usageBytes: 4.1e9, limitBytes: 4.29e9, usageRatio: 0.96, limitHitsPerSec: 400, oomKills: 0, underOom: false, pgscanPerSec: 2000, pgstealPerSec: 5, reclaimEfficiency: 0.0025, reclaimSource: 'cgroup', refaultsPerSec: 10, version: 'v2', missing: [] },
    progress: { minfltPerSec: 20, majfltPerSec: 0, faultsPerSec: 20, ioBytesPerSec: 0, ioSyscallsPerSec: 0, workPerSystemCpuSecond: 20 / 3.9 },
    psi: { memorySome: 0.99, memoryFull: 0.95, cpuSome: 0.2, ioFull: 0, scope: 'cgroup' },
    threads: { count: 1000, running: 900, uninterruptible: 5, stacksSampled: 200, inReclaim: 180, waitingMmapLock: 0, inPageFault: 190 },
  };
}
const MGLRU_ON: HostFacts = { mglruPresent: true, mglruEnabled: true, kernelRelease: '6.1.0-50-amd64' };
const MGLRU_OFF: HostFacts = { mglruPresent: true, mglruEnabled: false, kernelRelease: '6.1.0-50-amd64' };
const NO_MGLRU: HostFacts = { mglruPresent: false, mglruEnabled: false, kernelRelease: '5.15.0' };
const input = (host: HostFacts, extra: Partial<ClassifyInput> = {}): ClassifyInput => ({
  window: livelock(), intervals: [livelock()], probe: { probes: 4, timeouts: 0, worstLatencyMs: 3 }, host, ...extra,
});
const stalled = { probes: 4, timeouts: 2, worstLatencyMs: 1000 };
const longHold = { ran: true, tracedMs: 5000, memcgReclaim: undefined, mmapLock: { holds: 900, holdsOver1s: 1, maxHoldMs: 230818, tidsOver1s: [2398050], maxWaitUs: 5e6 }, unavailable: [] };

test('the reference\'s evict_folios stack is tagged as MGLRU reclaim spinning on a lock', () => {
  const tags = tagKernelStack(EVICT_FOLIOS_STACK);
  assert.deepEqual([tags.inReclaim, tags.inMglruReclaim, tags.spinningInReclaim, tags.inPageFault], [true, true, true, true]);
  const host = tagKernelStack(hostThrashProfile().stacks[0]!.frames);
  assert.deepEqual([host.inMglruReclaim, host.spinningInReclaim], [false, true], 'classic LRU spins on lru_lock too');
});

test('a profile shaped like the reference\'s second livelock, with MGLRU on, is the lru-lock variant with its finding and advice', () => {
  const v = classify(input(MGLRU_ON, { profile: lruLockProfile() }));
  assert.equal(v.verdict, 'reclaim-livelock');
  assert.equal(v.variant?.variant, 'lru-lock');
  assert.ok(Math.abs((v.variant.figures.evictFoliosShare ?? 0) - 0.84) < 0.01, String(v.variant.figures.evictFoliosShare));
  assert.ok(Math.abs((v.variant.figures.spinLockShare ?? 0) - 0.6752) < 0.01, String(v.variant.figures.spinLockShare));
  assert.ok(v.findings.some((f) => f.code === 'lru-lock-contention'));
  assert.ok(!v.advice.some((a) => a.includes('echo y > /sys/kernel/mm/lru_gen/enabled')), 'never "enable MGLRU" with MGLRU on');
  assert.ok(v.advice.some((a) => /MGLRU is already on/.test(a)));
  assert.ok(v.advice.some((a) => /fewer threads|Cut the number of threads/.test(a)));
  assert.ok(v.evidence.some((e) => e.signal === 'profile: evict_folios / spin lock in reclaim' && e.value === '84 % / 68 %'), JSON.stringify(v.evidence.at(-1)));
});

test('the same stacks on a kernel without MGLRU (or with it off) are never lru-lock', () => {
  for (const host of [NO_MGLRU, MGLRU_OFF]) {
    const v = classify(input(host, { profile: lruLockProfile() }));
    assert.equal(v.variant?.variant, 'unknown', host.kernelRelease);
    assert.ok(v.variant.missing.some((m) => /MGLRU is (off|absent)/.test(m)), v.variant.missing.join(' | '));
    assert.ok(!v.findings.some((f) => f.code === 'lru-lock-contention'));
  }
});

test('the reference\'s first livelock (classic LRU profile, stalled probe, 230 s hold) is the mmap-lock variant, and MGLRU is advised', () => {
  const v = classify(input(MGLRU_OFF, { profile: classicProfile(), probe: stalled, trace: longHold }));
  assert.equal(v.verdict, 'reclaim-livelock');
  assert.equal(v.variant?.variant, 'mmap-lock');
  assert.ok(v.variant.because.some((b) => /230818 ms/.test(b)), v.variant.because.join(' | '));
  assert.ok(v.variant.because.some((b) => /\d+ % of CPU samples in shrink_lruvec and 29 % in lru_note_cost/.test(b)), v.variant.because.join(' | '));
  assert.ok(v.advice.some((a) => a.includes('echo y > /sys/kernel/mm/lru_gen/enabled') && /the one seen here/.test(a)));
  // The hold stack itself tags as a page fault holding mmap_lock.
  assert.equal(tagKernelStack(MMAP_HOLD_STACK).inPageFault, true);
});

test('a classic-LRU profile without hold or probe evidence is never mmap-lock', () => {
  const v = classify(input(MGLRU_OFF, { profile: classicProfile() }));
  assert.equal(v.variant?.variant, 'unknown');
  assert.ok(v.variant.missing.some((m) => /no sign of a long mmap_lock hold/.test(m)));
});

test('a thrash that is neither (no spin-lock frames, no long holds) stays unknown, even with MGLRU on', () => {
  const stacks: ProfileStack[] = [
    { frames: ['shrink_folio_list', 'evict_folios', ...EVICT_FOLIOS_STACK.slice(2)], count: 30 },
    { frames: ['copy_page_to_iter', 'filemap_read', 'vfs_read', 'ksys_read', 'do_syscall_64'], count: 50 },
    { frames: [], count: 20 },
  ];
  const v = classify(input(MGLRU_ON, { profile: buildKernelProfile({ method: 'proc-stack', hz: 10, durationMs: 5000, stacks, filter: 'pids 1' }) }));
  assert.equal(v.variant?.variant, 'unknown');
  assert.ok(v.variant.missing.some((m) => /does not show lru_lock contention/.test(m)), v.variant.missing.join(' | '));
  assert.ok(!v.findings.some((f) => f.code === 'lru-lock-contention'));
});

test('this host\'s thrash (6.18, no MGLRU: 64 % spinning under shrink_lruvec) is unknown without a stall, mmap-lock with one unless the profile contradicts the probe', () => {
  const p = hostThrashProfile();
  assert.ok(p.shares.spinLockInReclaim > 0.3 && p.shares.evictFolios === 0, JSON.stringify(p.shares));
  const host: HostFacts = { mglruPresent: false, mglruEnabled: false, kernelRelease: '6.18.0' };
  assert.equal(classify(input(host, { profile: p })).variant?.variant, 'unknown');
  // Recorded here: 2 samples of a thread reclaiming inside do_mmap (holding mmap_lock): with a slow probe, mmap-lock.
  assert.ok(p.shares.mmapLockWait > 0);
  assert.equal(classify(input(host, { profile: p, probe: stalled })).variant?.variant, 'mmap-lock');
  // A slow probe alone, against a profile where no thread waits for or holds mmap_lock: the reader was starved.
  const clean = buildKernelProfile({ method: 'bpftrace', hz: 99, durationMs: 5000, stacks: p.stacks.filter((x) => !tagKernelStack(x.frames).waitsMmapLock), filter: 'recorded' });
  const probeOnly = classify(input(host, { profile: clean, probe: stalled }));
  assert.equal(probeOnly.variant?.variant, 'unknown');
  assert.ok(probeOnly.variant.missing.some((m) => /none of the profile's \d+ kernel samples waited for mmap_lock/.test(m)), probeOnly.variant.missing.join(' | '));
  assert.ok(probeOnly.findings.some((f) => f.code === 'mmap-lock-stall'), 'the probe finding itself stays: ps would hang');
  assert.equal(classify(input(host, { profile: clean, probe: stalled, trace: longHold })).variant?.variant, 'mmap-lock', 'a traced hold decides');
});

test('a slow probe with faulting threads queued for mmap_lock in the profile is the mmap-lock variant (the lab\'s 6.1 guests: 5–12 % waiting)', () => {
  const stacks: ProfileStack[] = [
    { frames: ['lock_mm_and_find_vma', ...MMAP_HOLD_STACK.slice(2)], count: 95 },
    { frames: ['shrink_folio_list', 'evict_folios', ...EVICT_FOLIOS_STACK.slice(2)], count: 130 },
    { frames: ['__alloc_pages', 'folio_alloc', 'page_cache_ra_unbounded', 'filemap_fault', '__do_fault', 'do_fault'], count: 291 },
  ];
  const v = classify(input(MGLRU_ON, { profile: buildKernelProfile({ method: 'proc-stack', hz: 20, durationMs: 13609, stacks, filter: 'pids 187' }), probe: stalled }));
  assert.equal(v.variant?.variant, 'mmap-lock');
  assert.ok(v.variant.because.some((b) => /18 % of the profile's samples are threads waiting for mmap_lock/.test(b)), v.variant.because.join(' | '));
  assert.ok(!v.findings.some((f) => f.code === 'lru-lock-contention'));
});

test('without a profile the variant is unknown and says the profile is missing; healthy targets have none', () => {
  const v = classify(input(MGLRU_ON));
  assert.equal(v.variant?.variant, 'unknown');
  assert.ok(v.variant.missing.some((m) => /doctor --profile/.test(m)));
  assert.ok(v.advice.some((a) => /doctor --profile --trace/.test(a)));
  const idle = livelock();
  idle.cpu = { ...idle.cpu, userCores: 0, systemCores: 0, totalCores: 0.001, ofCapacity: 0, throttledRatio: 0 };
  idle.memory = { ...idle.memory!, usageRatio: 0.1, limitHitsPerSec: 0, pgscanPerSec: 0, reclaimEfficiency: undefined };
  idle.psi = { memorySome: 0, memoryFull: 0, cpuSome: 0, ioFull: 0, scope: 'cgroup' };
  idle.threads = { ...idle.threads, stacksSampled: 0, inReclaim: 0 };
  const h = classify({ ...input(MGLRU_ON), window: idle, intervals: [idle] });
  assert.equal(h.verdict, 'healthy');
  assert.equal(h.variant, undefined);
});
