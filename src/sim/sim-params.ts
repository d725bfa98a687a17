// What one run of the reclaim model takes. Sizes in bytes, times in ms or µs as named; every cost has the
// source it was taken from beside it (the reference is /work/shared/reference/the-vanishing-cpu.md).
import { UsageError } from '../kernel/errors.js';

/** Which page reclaim the model runs. */
export type SimLru = 'classic' | 'mglru';

/** The workload, the cgroup, the machine and the model's costs. */
export interface SimParams {
  lru: SimLru;
  /** Seed of the PRNG (the memory threads' random touches); same seed, same run. */
  seed: number;
  /** Threads that each map one file and read it page by page, front to back, again and again. */
  fileThreads: number;
  /** All files together ("each writing 1,000 files (totaling 4GB)"). */
  fileBytes: number;
  /** Threads that allocate anonymous memory and write to random pages of it, from `delayMs` on. */
  memoryThreads: number;
  /** Anonymous memory all memory threads allocate together. */
  memoryBytes: number;
  /** Memory the process holds from the start and that reclaim cannot touch (binary, libc, stacks). */
  otherBytes: number;
  /**
   * File pages of the program itself that are faulted in at start-up and not touched again: the parts of its
   * binary and shared libraries run only once ("file-backed memory (page cache, mmap files, binaries)"). They are
   * what "allowing background threads to access almost all pages at least once" leaves out: mapped, on the file
   * LRU with the accessed bit of their first fault, then cold. Counted in usage like otherBytes, but reclaimable.
   */
  coldFileBytes: number;
  /** The cgroup's memory limit; there is no swap. */
  limitBytes: number;
  /** CPUs the threads share. */
  cpus: number;
  /** When the memory threads are started ("Second Phase (after 30 seconds)"). */
  delayMs: number;
  /** Simulated length of the run. */
  durationMs: number;
  /** The scheduler's time slice ("their CPU quanta (up to 4ms each)"; CFS gives 0.75 ms × (1 + log2 CPUs) = 2.25 ms on 4). */
  sliceUs: number;
  /** User time to read one page of a mapped file. */
  fileTouchUs: number;
  /** User time to write one random page of anonymous memory. */
  memoryTouchUs: number;
  /** Kernel time to scan one page on the two-list LRU: the reference's 3,699,226 µs runtime / 1,093,267 pages scanned = 3.38 µs. */
  scanUs: number;
  /** Kernel time of a file page fault (page cache lookup, readahead set-up, mapping), per fault. */
  fileFaultUs: number;
  /** Pages a file fault brings in (readahead: read_ahead_kb 128 = 32 pages). */
  readaheadPages: number;
  /** Kernel time of an anonymous page fault (allocate and zero one page). */
  anonFaultUs: number;
  /**
   * The read window (as repro's workload, native/repro_workload.c): a file thread's pass may go as far into its
   * file as windowMs has let it grow (from nothing to the whole file), then starts again from the front; after
   * a whole pass it unmaps and maps the file again. A memory thread's working set grows over windowMs, is held
   * for another window, then dropped (MADV_DONTNEED) and grown again. 0: the reference's own program, whose file
   * threads read whole files again and again in one mapping and whose memory threads keep what they allocate.
   */
  windowMs: number;
  /** Time mmap_lock is held for writing by one mmap or munmap call (and per page unmapped, zapUs more). */
  mmapUs: number;
  /** Kernel time per page to unmap (munmap, MADV_DONTNEED). */
  zapUs: number;
  /** Kernel time of a minor fault: a resident file page mapped again, with fault-around. */
  minorFaultUs: number;
  /** Pages a minor fault maps around the faulting one (fault_around_bytes 64 KiB = 16 pages). */
  faultAroundPages: number;
  /** Time the main thread spends starting one thread (its stack is one mmap, so one write hold). */
  spawnUs: number;
  /** Reclaim calls that free nothing before the OOM killer runs (MAX_RECLAIM_RETRIES = 16 in try_charge_memcg). */
  reclaimRetries: number;
  /** Kernel time per page handled under lru_lock (isolating and putting back). */
  lruLockUs: number;
  /** MGLRU: kernel time per page-table entry the aging walks ("page table walks ... cache friendly"). */
  ptWalkUs: number;
  /** MGLRU: pages lru_gen_look_around() checks around a young one (MIN_LRU_BATCH = BITS_PER_LONG = 64). */
  lookAroundPages: number;
  /** MGLRU: lru_gen_min_ttl in ms (0: off). */
  minTtlMs: number;
  /**
   * The kernel's preemption model: 1 for CONFIG_PREEMPT (kernel work without a cond_resched(), such as a fault or
   * an mmap, is preempted at the end of its slice with mmap_lock held), 0 for CONFIG_PREEMPT_VOLUNTARY (it runs to
   * its end; "The thread was never preempted involuntarily", "number of preemptions: 0" in the reference).
   */
  kernelPreempt: number;
  /**
   * Whether a fault's memcg reclaim runs with mmap_lock read-held (1) or with it released first (0); absent: the
   * LRU's default, reclaimUnderMmapLockFor(lru). The reference names this as the first of the two differences of
   * a healthy kernel: "The first one is that mmap_lock is no longer held during reclaiming procedures. This
   * obviously wrong behavior has been fixed: mmap_lock is released before the new kernel starts reclaiming
   * pages." 1 is its COS 105 two-list kernel ("reclaiming for the group is done under the mmap_lock"). 0: the
   * faulting thread drops mmap_lock, reclaims and charges without it, then takes it again to finish the fault
   * (filemap_fault's VM_FAULT_RETRY after maybe_unlock_mmap_for_io()), so a waiting writer gets in and new readers
   * (ps) are not queued behind a reclaimer.
   */
  reclaimUnderMmapLock?: number;
}

/**
 * The default of reclaimUnderMmapLock per LRU. classic: held, the reference's COS 105 kernel (its hold table is
 * a fault's reclaim under "mmap_read_lock"). mglru: released, what the reference saw on its MGLRU kernel: "Tools
 * like perf and ps were working just fine without any hangups. And as I later checked shrink_lruvec had very few
 * calls to mmap_lock, with most not requiring this lock." (and MGLRU arrived in Linux 6.1, after the fix of the
 * first difference). Either can be given against its LRU to see which difference cures what.
 */
export function reclaimUnderMmapLockFor(lru: SimLru): number {
  return lru === 'mglru' ? 0 : 1;
}

/** The parameter resolved: given, or the LRU's default. */
export function reclaimHoldsMmapLock(p: SimParams): boolean {
  return (p.reclaimUnderMmapLock ?? reclaimUnderMmapLockFor(p.lru)) === 1;
}

/** Parameter names as the CLI spells them, with their units (for messages and the sweep). */
export const PARAM_UNITS: Readonly<Record<keyof SimParams, 'count' | 'bytes' | 'ms' | 'us' | 'lru'>> = Object.freeze({
  lru: 'lru', seed: 'count', fileThreads: 'count', fileBytes: 'bytes', memoryThreads: 'count', memoryBytes: 'bytes', otherBytes: 'bytes', coldFileBytes: 'bytes',
  limitBytes: 'bytes', cpus: 'count', delayMs: 'ms', durationMs: 'ms', sliceUs: 'us', fileTouchUs: 'us', memoryTouchUs: 'us', scanUs: 'us',
  fileFaultUs: 'us', readaheadPages: 'count', anonFaultUs: 'us', windowMs: 'ms', mmapUs: 'us', zapUs: 'us', minorFaultUs: 'us', faultAroundPages: 'count', spawnUs: 'us', reclaimRetries: 'count',
  lruLockUs: 'us', ptWalkUs: 'us', lookAroundPages: 'count', minTtlMs: 'ms', kernelPreempt: 'count',
  reclaimUnderMmapLock: 'count',
});

/** Size of a page. */
export const PAGE_BYTES = 4096;

/** Checks a parameter set; throws UsageError naming the first bad value and what to give instead. */
export function checkSimParams(p: SimParams): void {
  const bad = (what: string, why: string): never => {
    throw new UsageError(`bad sim parameter ${what}: ${why}`);
  };
  if (p.lru !== 'classic' && p.lru !== 'mglru') bad('lru', `${JSON.stringify(p.lru)}: give classic or mglru`);
  for (const [k, unit] of Object.entries(PARAM_UNITS) as Array<[keyof SimParams, string]>) {
    if (unit === 'lru') continue;
    if (k === 'reclaimUnderMmapLock' && p[k] === undefined) continue; // the LRU's default
    const v = p[k] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(k, `${String(v)}: give a finite number of 0 or more`);
  }
  const whole = ['seed', 'fileThreads', 'memoryThreads', 'cpus', 'readaheadPages', 'faultAroundPages', 'reclaimRetries', 'lookAroundPages', 'kernelPreempt'] as const;
  for (const k of whole) if (!Number.isInteger(p[k])) bad(k, `${p[k]}: give a whole number`);
  if (p.reclaimUnderMmapLock !== undefined && p.reclaimUnderMmapLock !== 0 && p.reclaimUnderMmapLock !== 1) {
    bad('reclaimUnderMmapLock', `${p.reclaimUnderMmapLock}: give 1 (reclaim with mmap_lock held) or 0 (released first)`);
  }
  if (p.kernelPreempt > 1) bad('kernelPreempt', `${p.kernelPreempt}: give 0 (CONFIG_PREEMPT_VOLUNTARY) or 1 (CONFIG_PREEMPT)`);
  if (p.cpus < 1 || p.cpus > 1024) bad('cpus', `${p.cpus}: give 1 to 1024`);
  if (p.fileThreads + p.memoryThreads < 1) bad('fileThreads', 'the run needs at least one file or memory thread');
  if (p.fileThreads + p.memoryThreads > 100_000) bad('fileThreads', 'the model runs at most 100,000 threads');
  if (p.fileThreads > 0 && p.fileBytes < p.fileThreads * PAGE_BYTES) bad('fileBytes', 'give at least one page (4 KiB) per file thread');
  if (p.memoryThreads > 0 && p.memoryBytes < p.memoryThreads * PAGE_BYTES) bad('memoryBytes', 'give at least one page (4 KiB) per memory thread');
  if ((p.fileBytes + p.memoryBytes) / PAGE_BYTES > 32_000_000) bad('fileBytes', 'the model holds at most 32 M pages (128 GiB) of files and anonymous memory');
  if (p.limitBytes < p.otherBytes + p.coldFileBytes + 64 * PAGE_BYTES) bad('limitBytes', 'the limit must leave at least 64 pages above otherBytes + coldFileBytes');
  if (p.durationMs <= 0 || p.durationMs > 3_600_000) bad('durationMs', `${p.durationMs}: give more than 0 and at most one hour`);
  if (p.sliceUs < 10) bad('sliceUs', `${p.sliceUs}: give at least 10 µs`);
  for (const k of ['fileTouchUs', 'memoryTouchUs', 'scanUs'] as const) if (p[k] <= 0) bad(k, `${p[k]}: give more than 0`);
  if (p.readaheadPages < 1) bad('readaheadPages', 'give at least 1');
  if (p.faultAroundPages < 1) bad('faultAroundPages', 'give at least 1');
}
