// The model's event loop: threads of one process on C CPUs (scheduler.ts), sharing one mmap_lock
// (mmap-lock.ts), charging pages to one memory cgroup whose reclaim is the two-list LRU or MGLRU.
//
// Time advances by slices, never by microseconds: a thread given a CPU runs until its slice is used up or it
// blocks, and the whole stretch is computed at once (a file thread's reads of resident pages are one addition
// to its progress counter). Rules, each from the reference:
// - File threads: "These files are then memory-mapped and continuously iterated over in sequential order." As
//   repro's workload (native/repro_workload.c) does it: a pass reads the file front to back as far as the read
//   window has grown (windowMs from nothing to the whole file), then starts again; after a whole pass the file is
//   unmapped and mapped again (munmap + mmap: mmap_lock for writing). A read of a mapped page sets its accessed bit
//   ("the processor sets an accessed bit (A bit) in the Page Table Entry"); a resident page not mapped since the
//   last mmap is a minor fault (fault-around maps 16 pages, no charge); a page not resident is a major fault whose
//   readahead charges up to readaheadPages pages. Faults take mmap_lock for reading.
// - The accessed bit of a file page is not stored. Passes within one mapping cover [0, w) with w never shrinking,
//   so the last read of offset k is in the current pass (if it got past k) or else in the previous one (if that
//   covered k): one number per page (the thread's read count when the bit was last cleared) and three per thread
//   replace a write per read.
// - Memory threads: "Spawns another 1,000 threads that allocate anonymous memory. These threads access memory
//   randomly, triggering page faults." As repro's workload: one mmap of the thread's share, a working set that
//   grows over windowMs and is held for another, writes to random pages of it (a first write is an anonymous
//   fault), then MADV_DONTNEED (mmap_lock for reading) frees it all and it grows again. The writes before the next
//   fault are drawn from a geometric distribution (seeded PRNG).
// - "Synchronous reclaim: Triggered when a specific cgroup exceeds its memory limit (memcg reclaim) ... It is
//   handled in the context of the process that requests memory. The requesting thread stalls until enough
//   memory is reclaimed." A charge that would pass the limit reclaims max(pages, 32), inside the fault, so
//   "reclaiming for the group is done under the mmap_lock" held for reading.
// - "Moreover scans are never done for a cgroup unless it hits the memory limit."
// - "The reclaiming process only stops when it finds something to reclaim. If it does not succeed then OOM is
//   triggered": try_charge_memcg retries while reclaim frees something and up to reclaimRetries times when it
//   frees nothing, then the OOM killer kills the process (all its threads) and the run ends.
// - "The thread that holds the mmap_lock may release the CPU by calling __cond_resched()": a reclaimer whose
//   slice is used up yields and goes behind every runnable thread, still holding mmap_lock.
// - Other kernel work (a fault that does not reclaim, mmap, munmap) has no cond_resched(): with kernelPreempt 0
//   (CONFIG_PREEMPT_VOLUNTARY; the reference's hold shows "number of preemptions: 0") it finishes past the end
//   of the slice; with 1 (CONFIG_PREEMPT) it is preempted there and keeps mmap_lock until its next turn, so
//   readers and writers pile up behind it and are then woken in batches (many reclaimers at once).
// - reclaimUnderMmapLock (sim-params.ts; default held for the two-list LRU, released for MGLRU): held is the
//   above. Released is the reference's first difference of a healthy kernel: "mmap_lock is released before the
//   new kernel starts reclaiming pages." A charge that would pass the limit ends the fault's read hold first
//   (a writer waiting behind it gets in; new readers, ps among them, are not queued behind a reclaimer), then
//   reclaims and charges without the lock: a file fault's readahead puts its pages in the page cache, an
//   anonymous fault's page is allocated. Then the fault is retried (VM_FAULT_RETRY): mmap_lock for reading again,
//   minorFaultUs to find the page in place and map it (the readahead window's resident pages). Reclaimers no
//   longer queue behind one another on mmap_lock, so many reclaim at once even under CONFIG_PREEMPT_VOLUNTARY and
//   contend for lru_lock instead (the reference's second bug, "_raw_spin_unlock_irq" in evict_folios).
import { MmapLock } from './mmap-lock.js';
import { Mglru } from './mglru/mglru.js';
import { TwoListLru } from './lru/two-list.js';
import { LIST_COUNT, SWAP_CLUSTER_MAX } from './lru/lru-lists.js';
import { PageLists } from './page-lists.js';
import { Prng } from './prng.js';
import { type HoldCounters, type PageWorld, type ReclaimJob, type ReclaimPolicy, emptyCounters } from './reclaim-policy.js';
import { NO_THREAD, Scheduler } from './scheduler.js';
import { PAGE_BYTES, type SimParams, reclaimHoldsMmapLock } from './sim-params.js';

// kind 0 is the main thread (the one that starts the others)
const KIND_FILE = 1;
const KIND_MEMORY = 2;

const S_NEW = 0;
const S_QUEUED = 1;
const S_LOCKWAIT = 2;
const S_AGINGWAIT = 3;
const S_SLEEP = 4;
const S_DONE = 5;

const M_USER = 0;
const M_FAULT = 1;
const M_CHARGE = 2;
const M_RECLAIM = 3;
const M_MMAP = 4;
const M_SPAWN = 5;
const M_REMAP = 6;
const M_DONTNEED = 7;
const M_MINOR = 8;
/** A fault retried after reclaim without mmap_lock: the lock taken again, the charged page(s) mapped. */
const M_RETRY = 9;

/** One finished (or, at the end, still open) mmap_lock read hold. */
export interface HoldRecord {
  tid: number;
  group: 'file' | 'memory';
  startUs: number;
  durationUs: number;
  open: boolean;
  counters: HoldCounters;
}

/** Per simulated second. */
export interface SecondStats {
  filePages: Float64Array;
  memoryPages: Float64Array;
  /**
   * Faults served: file (major, and minor with fault-around) and anonymous. The reference's "none of the values
   * were changing besides inactive_file and active_file" (memory.stat: no page brought in) and "only 90 [page
   * faults] in 10 seconds" (perf stat) are this figure collapsing while reads of mapped pages go on.
   */
  fileFaults: Float64Array;
  memoryFaults: Float64Array;
  userUs: Float64Array;
  sysUs: Float64Array;
  spinUs: Float64Array;
  scanned: Float64Array;
  reclaimed: Float64Array;
  usagePages: Float64Array;
  /** Longest read hold ended in the second or open at its end, µs. */
  maxHoldUs: Float64Array;
  /** Longest a new reader arriving in the second waited (what `ps` reading /proc/PID/cmdline would), µs. */
  probeWaitUs: Float64Array;
  /** Threads runnable (queued or running) at the end of the second. */
  runnable: Float64Array;
  /** Threads waiting for mmap_lock at the end of the second. */
  lockWaiters: Float64Array;
  /** Threads inside a reclaim call at the end of the second. */
  reclaimers: Float64Array;
}

/** What the engine hands back. */
export interface EngineResult {
  endUs: number;
  seconds: SecondStats;
  longest: HoldRecord | undefined;
  holds: number;
  holdsOver1s: number;
  /** Hold durations, log2 buckets of ms: [0] < 1 ms, [i] in [2^(i-1), 2^i) ms. */
  holdHistogram: number[];
  tidsOver1s: number[];
  maxLockWaitUs: number;
  reclaimCalls: number;
  reclaimUs: number;
  reclaimMaxUs: number;
  pagesScanned: number;
  pagesReclaimed: number;
  oomAtUs: number | undefined;
  memoryThreadsStarted: number;
  fileThreadsStarted: number;
  /** Checks after the run: problems found with the lists, usage, or the two-scan rule; empty when sound. */
  problems: string[];
  /** Highest usage seen, pages; limit, pages. */
  maxUsagePages: number;
  limitPages: number;
  /** Pages: file, anonymous, resident at the end, and those reclaimed before their second scan (two-list). */
  filePagesTotal: number;
  anonPagesTotal: number;
  residentAtEnd: number;
  reclaimedBeforeTwoScans: number;
}

/** Runs one simulation. Pure: the same parameters give the same result. */
export function runEngine(p: SimParams): EngineResult {
  return new Engine(p).run();
}

class Engine implements PageWorld {
  readonly lists: PageLists;
  readonly flags: Uint8Array;
  readonly scans: Uint8Array;
  readonly filePages: number;
  readonly pagesPerFile: number;
  /** File pages of the file threads (0..threadFilePages-1); the program's cold pages follow, up to filePages. */
  private readonly threadFilePages: number;
  /** Accessed bit of each cold page (the program's own binary and libraries): set by its start-up fault only. */
  private readonly coldYoung: Uint8Array;
  private readonly anonPerThread: number;
  private readonly anonBase: number;
  private readonly limitPages: number;
  private usage: number;
  private maxUsage: number;
  private readonly clearMark: Float64Array;
  private readonly policy: ReclaimPolicy;
  /** reclaimUnderMmapLock resolved: a fault's reclaim keeps its read hold (true) or drops it first. */
  private readonly reclaimHeld: boolean;
  private readonly mglru: Mglru | undefined;
  private readonly sched: Scheduler;
  private readonly lock = new MmapLock();
  private readonly rng: Prng;
  private readonly endUs: number;
  private nowUs = 0;
  private cpu = 0;
  private sliceLockHoldUs = 0;
  private readonly lockShare: Float64Array;
  private readonly lockUntil: Float64Array;
  // threads
  private readonly nThreads: number;
  private readonly kind: Uint8Array;
  private readonly state: Uint8Array;
  private readonly mode: Uint8Array;
  private readonly prog: Float64Array;
  private readonly nonResident: Int32Array;
  private readonly faultAt: Int32Array;
  private readonly faultMajor: Uint8Array;
  private readonly faulted: Int32Array;
  /** File threads: mapping epoch, pages mapped in it, current pass (start read count, position), previous pass. */
  private readonly epoch: Int32Array;
  private readonly pageEpoch: Int32Array;
  private readonly mappedCount: Int32Array;
  private readonly passStart: Float64Array;
  private readonly pos: Int32Array;
  private readonly prevStart: Float64Array;
  private readonly prevLen: Int32Array;
  /** When the current mapping (file threads) or working set (memory threads) began, µs. */
  private readonly cycleStart: Float64Array;
  private readonly workLeft: Float64Array;
  private readonly chargeN: Int32Array;
  private readonly retries: Int32Array;
  private readonly holding: Uint8Array;
  private readonly holdStart: Float64Array;
  private readonly waitStart: Float64Array;
  private readonly reclaimStart: Float64Array;
  private readonly counters: HoldCounters[];
  private readonly jobs: Array<ReclaimJob | undefined>;
  private holders = new Set<number>();
  // main thread script
  private spawned = 0;
  private fileStarted = 0;
  private memoryStarted = 0;
  // stats
  private readonly sec: SecondStats;
  private readonly nSec: number;
  private nextSecond = 1_000_000;
  private longest: HoldRecord | undefined;
  private holds = 0;
  private holdsOver1s = 0;
  private readonly holdHistogram: number[] = new Array<number>(24).fill(0);
  private readonly tidsOver1s = new Set<number>();
  private maxLockWaitUs = 0;
  private reclaimCalls = 0;
  private reclaimUs = 0;
  private reclaimMaxUs = 0;
  private pagesScanned = 0;
  private pagesReclaimed = 0;
  private oomAtUs: number | undefined;
  private blockedSince = -1;
  private reclaimedBeforeTwoScans = 0;

  constructor(private readonly p: SimParams) {
    this.pagesPerFile = p.fileThreads > 0 ? Math.max(1, Math.floor(p.fileBytes / PAGE_BYTES / p.fileThreads)) : 0;
    this.threadFilePages = this.pagesPerFile * p.fileThreads;
    const cold = Math.floor(p.coldFileBytes / PAGE_BYTES);
    this.filePages = this.threadFilePages + cold;
    this.anonPerThread = p.memoryThreads > 0 ? Math.max(1, Math.floor(p.memoryBytes / PAGE_BYTES / p.memoryThreads)) : 0;
    this.anonBase = this.filePages;
    const pages = this.filePages + this.anonPerThread * p.memoryThreads;
    this.limitPages = Math.floor(p.limitBytes / PAGE_BYTES);
    this.usage = Math.ceil(p.otherBytes / PAGE_BYTES);
    this.maxUsage = this.usage;
    this.lists = new PageLists(pages, LIST_COUNT);
    this.flags = new Uint8Array(pages);
    this.scans = new Uint8Array(pages);
    this.clearMark = new Float64Array(this.filePages);
    if (p.lru === 'mglru') {
      this.mglru = new Mglru(this, { scanUs: p.scanUs, lruLockUs: p.lruLockUs, ptWalkUs: p.ptWalkUs, lookAroundPages: p.lookAroundPages, minTtlMs: p.minTtlMs });
      this.policy = this.mglru;
    } else {
      this.mglru = undefined;
      this.policy = new TwoListLru(this, { scanUs: p.scanUs, lruLockUs: p.lruLockUs });
    }
    this.reclaimHeld = reclaimHoldsMmapLock(p);
    this.nThreads = 1 + p.fileThreads + p.memoryThreads;
    const n = this.nThreads;
    this.sched = new Scheduler(n, p.cpus, p.sliceUs);
    this.rng = new Prng(p.seed);
    this.lockShare = new Float64Array(p.cpus);
    this.lockUntil = new Float64Array(p.cpus);
    this.endUs = p.durationMs * 1000;
    this.kind = new Uint8Array(n);
    for (let t = 1; t < n; t++) this.kind[t] = t <= p.fileThreads ? KIND_FILE : KIND_MEMORY;
    this.state = new Uint8Array(n);
    this.mode = new Uint8Array(n);
    this.prog = new Float64Array(n);
    this.nonResident = new Int32Array(n);
    for (let t = 1; t <= p.fileThreads; t++) this.nonResident[t] = this.pagesPerFile;
    this.faultAt = new Int32Array(n);
    this.faultMajor = new Uint8Array(n);
    this.faulted = new Int32Array(n);
    this.epoch = new Int32Array(n).fill(1);
    this.pageEpoch = new Int32Array(this.threadFilePages);
    this.mappedCount = new Int32Array(n);
    this.passStart = new Float64Array(n);
    this.pos = new Int32Array(n);
    this.prevStart = new Float64Array(n);
    this.prevLen = new Int32Array(n);
    this.cycleStart = new Float64Array(n);
    for (let t = p.fileThreads + 1; t < n; t++) this.cycleStart[t] = -1;
    this.workLeft = new Float64Array(n);
    this.chargeN = new Int32Array(n);
    this.retries = new Int32Array(n);
    this.holding = new Uint8Array(n);
    this.holdStart = new Float64Array(n);
    this.waitStart = new Float64Array(n);
    this.reclaimStart = new Float64Array(n);
    this.counters = Array.from({ length: n }, () => emptyCounters());
    this.jobs = new Array<ReclaimJob | undefined>(n).fill(undefined);
    this.nSec = Math.ceil(p.durationMs / 1000);
    const f = (): Float64Array => new Float64Array(this.nSec);
    // The program's cold file pages: faulted in at start-up, before any file thread runs, so they are the oldest
    // on the file LRU ("the page is brought to the inactive list by the initial pagefault with the set accessed
    // bit"), and never touched again.
    this.coldYoung = new Uint8Array(cold).fill(1);
    for (let i = 0; i < cold; i++) this.policy.addFile(this.threadFilePages + i);
    this.usage += cold;
    this.maxUsage = this.usage;
    this.sec = { filePages: f(), memoryPages: f(), fileFaults: f(), memoryFaults: f(), userUs: f(), sysUs: f(), spinUs: f(), scanned: f(), reclaimed: f(), usagePages: f(), maxHoldUs: f(), probeWaitUs: f(), runnable: f(), lockWaiters: f(), reclaimers: f() };
  }

  // ---- PageWorld ----
  now(): number {
    return this.nowUs;
  }

  young(page: number): boolean {
    if (page >= this.threadFilePages) return this.coldYoung[page - this.threadFilePages] === 1;
    const F = this.pagesPerFile;
    const owner = 1 + Math.floor(page / F);
    if (this.pageEpoch[page] !== this.epoch[owner]) return false; // not mapped: no PTE, no accessed bit
    const k = page - (owner - 1) * F;
    const last = this.pos[owner]! > k ? this.passStart[owner]! + k : k < this.prevLen[owner]! ? this.prevStart[owner]! + k : -Infinity;
    return last >= this.clearMark[page]!;
  }

  clearYoung(page: number): void {
    if (page >= this.threadFilePages) {
      this.coldYoung[page - this.threadFilePages] = 0;
      return;
    }
    this.clearMark[page] = this.prog[1 + Math.floor(page / this.pagesPerFile)]!;
  }

  evict(page: number): void {
    if (page >= this.threadFilePages) {
      // a cold page of the program: mapped since start-up, so the two-scan rule holds for it too
      if (this.p.lru === 'classic' && this.scans[page]! < 2) this.reclaimedBeforeTwoScans++;
      this.lists.remove(page);
      this.flags[page] = 0;
      this.usage--;
      this.sec.reclaimed[this.secOf(this.nowUs)]!++;
      this.pagesReclaimed++;
      return;
    }
    const owner = 1 + Math.floor(page / this.pagesPerFile);
    // the two-scan rule is about pages "brought to the inactive list by the initial pagefault with the set
    // accessed bit": a page unmapped since (repro's remap) has no accessed bit and may go at its first scan
    if (this.p.lru === 'classic' && this.scans[page]! < 2 && this.pageEpoch[page] === this.epoch[owner]) this.reclaimedBeforeTwoScans++;
    this.lists.remove(page);
    this.flags[page] = 0;
    this.usage--;
    this.nonResident[owner]!++;
    if (this.pageEpoch[page] === this.epoch[owner]) this.mappedCount[owner]!--;
    this.pageEpoch[page] = 0;
    this.sec.reclaimed[this.secOf(this.nowUs)]!++;
    this.pagesReclaimed++;
  }

  /**
   * lru_lock, a spinlock: a holder on another CPU makes this one spin. Slices are computed whole, so the lock is
   * modelled by load, not by timestamps: each CPU in reclaim publishes the share of its time it holds lru_lock
   * (ρ_c); a taker waits as in a single-server queue, holdUs × ρ/(1 − ρ) with ρ the other CPUs' shares (≤ 0.95).
   */
  lruLock(at: number, holdUs: number): number {
    let rho = 0;
    for (let c = 0; c < this.lockShare.length; c++) if (c !== this.cpu && this.lockUntil[c]! > at) rho += this.lockShare[c]!;
    rho = Math.min(0.95, rho);
    this.sliceLockHoldUs += holdUs;
    return (holdUs * rho) / (1 - rho);
  }

  mmapReadTrylock(): boolean {
    return this.lock.readTrylockWould();
  }

  walked = 0;

  ageWalk(from: number, maxPages: number, genOf: Int32Array, gen: number): number {
    const listOf = this.lists.listOf;
    const end = this.filePages;
    const T = this.threadFilePages;
    const F = this.pagesPerFile;
    const pageEpoch = this.pageEpoch;
    const clearMark = this.clearMark;
    let p = from;
    let walked = 0;
    while (p < end && walked < maxPages) {
      if (p >= T) {
        // the program's cold pages
        if (listOf[p] !== 0) {
          walked++;
          if (this.coldYoung[p - T] === 1) {
            this.coldYoung[p - T] = 0;
            genOf[p] = gen;
          }
        }
        p++;
        continue;
      }
      const owner = 1 + Math.floor(p / F);
      const base = (owner - 1) * F;
      const ep = this.epoch[owner]!;
      const pos = this.pos[owner]!;
      const passStart = this.passStart[owner]!;
      const prevLen = this.prevLen[owner]!;
      const prevStart = this.prevStart[owner]!;
      const prog = this.prog[owner]!;
      const stop = base + F;
      for (; p < stop && walked < maxPages; p++) {
        if (listOf[p] === 0) continue;
        walked++;
        if (pageEpoch[p] !== ep) continue; // not mapped: no PTE, no accessed bit
        const k = p - base;
        const last = pos > k ? passStart + k : k < prevLen ? prevStart + k : -Infinity;
        if (last >= clearMark[p]!) {
          clearMark[p] = prog;
          genOf[p] = gen;
        }
      }
    }
    this.walked = walked;
    return p;
  }

  // ---- helpers ----
  private secOf(t: number): number {
    return Math.min(this.nSec - 1, Math.max(0, Math.floor(t / 1_000_000)));
  }

  private noteLock(at: number): void {
    const blocked = this.lock.writer !== NO_THREAD || this.lock.waiters > 0;
    if (blocked && this.blockedSince < 0) this.blockedSince = at;
    else if (!blocked && this.blockedSince >= 0) {
      this.closeBlocked(this.blockedSince, at);
      this.blockedSince = -1;
    }
  }

  /** New readers could not get the lock from s to e: a probe arriving at T in there waits e − T. */
  private closeBlocked(s: number, e: number): void {
    for (let k = this.secOf(s); k <= this.secOf(e); k++) {
      const T = Math.max(s, k * 1_000_000);
      if (T > e) break;
      if (e - T > this.sec.probeWaitUs[k]!) this.sec.probeWaitUs[k] = e - T;
    }
  }

  private grant(tids: number[], at: number): void {
    // a reader that queued behind the writer now served (a `ps` among them) is woken with this batch
    if (tids.length > 0 && this.lock.writer !== tids[0] && this.blockedSince >= 0) {
      this.closeBlocked(this.blockedSince, at);
      this.blockedSince = at;
    }
    for (const t of tids) {
      const waited = at - this.waitStart[t]!;
      if (waited > this.maxLockWaitUs) this.maxLockWaitUs = waited;
      if (this.lock.writer !== t) this.beginHold(t, at);
      this.state[t] = S_QUEUED;
      this.sched.enqueueWoken(t, at);
    }
  }

  private beginHold(t: number, at: number): void {
    this.holding[t] = 1;
    this.holdStart[t] = at;
    const c = this.counters[t]!;
    c.contextSwitches = c.condResched = c.shrinkLruvec = c.shrinkList = c.nrDeactivated = c.nrScanned = c.nrReclaimed = 0;
    c.nrActivate0 = c.nrActivate1 = c.nrRefKeep = c.ptesWalked = c.agingWalks = c.walksSkipped = c.spinUs = c.runtimeUs = 0;
    this.holders.add(t);
  }

  private endHold(t: number, at: number, open: boolean): void {
    this.holding[t] = 0;
    this.holders.delete(t);
    const d = at - this.holdStart[t]!;
    this.holds++;
    const ms = d / 1000;
    const b = ms < 1 ? 0 : Math.min(this.holdHistogram.length - 1, 1 + Math.floor(Math.log2(ms)));
    this.holdHistogram[b]!++;
    if (ms >= 1000) {
      this.holdsOver1s++;
      this.tidsOver1s.add(t);
    }
    const k = this.secOf(at);
    if (d > this.sec.maxHoldUs[k]!) this.sec.maxHoldUs[k] = d;
    if (this.longest === undefined || d > this.longest.durationUs) {
      this.longest = { tid: t, group: this.kind[t] === KIND_FILE ? 'file' : 'memory', startUs: this.holdStart[t]!, durationUs: d, open, counters: { ...this.counters[t]! } };
    }
  }

  private requestRead(t: number, at: number): boolean {
    const ok = this.lock.read(t);
    if (ok) this.beginHold(t, at);
    else {
      this.state[t] = S_LOCKWAIT;
      this.waitStart[t] = at;
    }
    this.noteLock(at);
    return ok;
  }

  private requestWrite(t: number, at: number): boolean {
    const ok = this.lock.write(t);
    if (!ok) {
      this.state[t] = S_LOCKWAIT;
      this.waitStart[t] = at;
    }
    this.noteLock(at);
    return ok;
  }

  private releaseRead(t: number, at: number): void {
    this.endHold(t, at, false);
    this.grant(this.lock.releaseRead(), at);
    this.noteLock(at);
  }

  private releaseWrite(at: number): void {
    this.grant(this.lock.releaseWrite(), at);
    this.noteLock(at);
  }

  private startThread(t: number, at: number): void {
    if (this.kind[t] === KIND_FILE) {
      this.fileStarted++;
      this.cycleStart[t] = at;
    }
    else this.memoryStarted++;
    this.state[t] = S_QUEUED;
    this.sched.enqueue(t, at);
  }

  private newJob(t: number): ReclaimJob {
    const job: ReclaimJob = {
      tid: t, target: Math.max(this.chargeN[t]!, SWAP_CLUSTER_MAX), reclaimed: 0, priority: 0, nrInactive: 0, nrActive: 0,
      mayDeactivate: false, forceDeactivate: false, skippedDeactivate: false, walking: false, walkCursor: 0, seqAtPriority: 0, done: false, waitAging: false,
      counters: this.counters[t]!,
    };
    this.policy.start(job);
    this.reclaimCalls++;
    return job;
  }

  /** The first offset in [from, to) of thread t's file that is not resident or not mapped, or -1. */
  private nextUnmapped(t: number, from: number, to: number): number {
    const base = (t - 1) * this.pagesPerFile;
    const ep = this.epoch[t]!;
    const pe = this.pageEpoch;
    for (let k = from; k < to; k++) if (pe[base + k] !== ep) return k;
    return -1;
  }

  /** Pages a major fault at offset k brings in: the non-resident ones of its readahead window. */
  private readaheadCount(t: number, k: number): number {
    const F = this.pagesPerFile;
    const base = (t - 1) * F;
    const end = Math.min(F, k + this.p.readaheadPages);
    let n = 0;
    for (let i = k; i < end; i++) if (this.lists.listOf[base + i] === 0) n++;
    return n;
  }

  /** Maps page pg of thread t in its current mapping, accessed bit set ("a fault brings a page in ... with its accessed bit set"). */
  private mapPage(t: number, pg: number): void {
    this.pageEpoch[pg] = this.epoch[t]!;
    this.clearMark[pg] = -Infinity;
    this.mappedCount[t]!++;
  }

  /** Major fault: brings the readahead window's missing pages in and maps them (or, map false, only brings them in). */
  private mapFilePages(t: number, k: number, map = true): void {
    const F = this.pagesPerFile;
    const base = (t - 1) * F;
    const end = Math.min(F, k + this.p.readaheadPages);
    for (let i = k; i < end; i++) {
      const pg = base + i;
      if (this.lists.listOf[pg] !== 0) continue;
      this.flags[pg] = 0;
      this.scans[pg] = 0;
      this.policy.addFile(pg);
      this.nonResident[t]!--;
      if (map) this.mapPage(t, pg);
    }
  }

  /** A retried fault: maps the resident, unmapped pages of the readahead window at offset k. */
  private mapWindow(t: number, k: number): void {
    const F = this.pagesPerFile;
    const base = (t - 1) * F;
    const end = Math.min(F, k + this.p.readaheadPages);
    const ep = this.epoch[t]!;
    for (let i = k; i < end; i++) {
      const pg = base + i;
      if (this.lists.listOf[pg] !== 0 && this.pageEpoch[pg] !== ep) this.mapPage(t, pg);
    }
  }

  /** Minor fault: maps the resident, unmapped pages of the aligned fault-around block around offset k. */
  private faultAround(t: number, k: number): void {
    const F = this.pagesPerFile;
    const base = (t - 1) * F;
    const n = this.p.faultAroundPages;
    const from = k - (k % n);
    const to = Math.min(F, from + n);
    const ep = this.epoch[t]!;
    for (let i = from; i < to; i++) {
      const pg = base + i;
      if (this.lists.listOf[pg] !== 0 && this.pageEpoch[pg] !== ep) this.mapPage(t, pg);
    }
  }

  /** Frees a memory thread's anonymous pages (MADV_DONTNEED). */
  private dropAnon(t: number): void {
    const base = this.anonBase + (t - 1 - this.p.fileThreads) * this.anonPerThread;
    const f = this.faulted[t]!;
    for (let i = 0; i < f; i++) this.lists.remove(base + i);
    this.usage -= f;
    this.faulted[t] = 0;
  }

  // ---- the loop ----
  run(): EngineResult {
    this.state[0] = S_QUEUED;
    this.sched.enqueue(0, 0);
    for (;;) {
      const tc = this.sched.nextCpuTime();
      const tt = this.sched.timers.peekTime();
      const t = Math.min(tc, tt);
      while (this.nextSecond <= Math.min(t, this.endUs)) this.tickSecond();
      if (t >= this.endUs || this.oomAtUs !== undefined) break;
      if (tt <= tc) {
        const tid = this.sched.timers.pop();
        this.nowUs = tt;
        this.state[tid] = S_QUEUED;
        this.sched.enqueue(tid, tt);
        continue;
      }
      const cpu = this.sched.popCpu();
      const tid = this.sched.dequeue();
      if (tid === NO_THREAD) {
        this.sched.park(cpu);
        continue;
      }
      const start = Math.max(tc, this.sched.readyAt[tid]!);
      this.nowUs = start;
      this.cpu = cpu;
      const end = this.runSlice(tid, start);
      this.sched.occupy(cpu, end);
    }
    const end = this.oomAtUs ?? this.endUs;
    while (this.nextSecond <= end && this.nextSecond <= this.endUs) this.tickSecond();
    for (const t of [...this.holders]) this.endHold(t, end, true);
    for (let t = 0; t < this.nThreads; t++) if (this.state[t] === S_LOCKWAIT) this.maxLockWaitUs = Math.max(this.maxLockWaitUs, end - this.waitStart[t]!);
    if (this.blockedSince >= 0) this.closeBlocked(this.blockedSince, end);
    return this.result(end);
  }

  private tickSecond(): void {
    const k = this.nextSecond / 1_000_000 - 1;
    if (k < this.nSec) {
      this.sec.usagePages[k] = this.usage;
      let open = 0;
      for (const t of this.holders) open = Math.max(open, this.nextSecond - this.holdStart[t]!);
      if (open > this.sec.maxHoldUs[k]!) this.sec.maxHoldUs[k] = open;
      this.sec.runnable[k] = this.sched.queued + this.sched.cpus; // approximately: the queue plus the CPUs running
      this.sec.lockWaiters[k] = this.lock.waiters;
      let inReclaim = 0;
      for (let t = 0; t < this.nThreads; t++) if (this.mode[t] === M_RECLAIM) inReclaim++;
      this.sec.reclaimers[k] = inReclaim;
    }
    this.nextSecond += 1_000_000;
  }

  /** Runs thread t from `start` for at most one slice; returns when its CPU is free again. */
  private runSlice(t: number, start: number): number {
    const limit = start + this.sched.sliceUs;
    const p = this.p;
    const sec = this.secOf(start);
    const windowUs = p.windowMs * 1000;
    let at = start;
    for (;;) {
      const mode = this.mode[t]!;
      if (mode === M_USER) {
        const budget = limit - at;
        const kind = this.kind[t]!;
        if (kind === KIND_FILE) {
          const F = this.pagesPerFile;
          const pos = this.pos[t]!;
          const elapsed = at - this.cycleStart[t]!;
          // open_pages grows with time; a pass may read pages 0..open_pages, then starts again from the front
          const allowed = windowUs === 0 || elapsed >= windowUs ? F : Math.min(F, 1 + Math.floor((F * elapsed) / windowUs));
          if (pos >= allowed) {
            if (pos >= F && windowUs > 0) {
              // a whole pass: munmap and mmap the file again (mmap_lock for writing)
              this.mode[t] = M_REMAP;
              this.workLeft[t] = 2 * p.mmapUs + this.mappedCount[t]! * p.zapUs;
              if (!this.requestWrite(t, at)) return at;
              continue;
            }
            this.prevStart[t] = this.passStart[t]!;
            this.prevLen[t] = pos;
            this.passStart[t] = this.prog[t]!;
            this.pos[t] = 0;
            continue;
          }
          const n = Math.floor(budget / p.fileTouchUs);
          if (n < 1) break;
          let go = Math.min(n, allowed - pos);
          let faultK = -1;
          if (this.mappedCount[t]! < F) {
            faultK = this.nextUnmapped(t, pos, pos + go);
            if (faultK >= 0) go = faultK - pos;
          }
          this.prog[t]! += go;
          this.pos[t] = pos + go;
          this.sec.filePages[sec]! += go;
          at += go * p.fileTouchUs;
          this.sec.userUs[sec]! += go * p.fileTouchUs;
          if (faultK < 0) {
            if (this.pos[t] >= allowed && at < limit) continue;
            break;
          }
          this.faultAt[t] = faultK;
          const major = this.lists.listOf[(t - 1) * F + faultK] === 0;
          this.faultMajor[t] = major ? 1 : 0;
          this.mode[t] = major ? M_FAULT : M_MINOR;
          this.workLeft[t] = major ? p.fileFaultUs : p.minorFaultUs;
          if (!this.requestRead(t, at)) return at;
          continue;
        }
        if (kind === KIND_MEMORY) {
          const elapsed = at - this.cycleStart[t]!;
          if (this.cycleStart[t]! < 0) {
            // the thread's one mmap of its share
            this.mode[t] = M_MMAP;
            this.workLeft[t] = p.mmapUs;
            if (!this.requestWrite(t, at)) return at;
            continue;
          }
          if (windowUs > 0 && elapsed >= 2 * windowUs) {
            this.mode[t] = M_DONTNEED;
            this.workLeft[t] = p.mmapUs + this.faulted[t]! * p.zapUs;
            if (!this.requestRead(t, at)) return at;
            continue;
          }
          const n = Math.floor(budget / p.memoryTouchUs);
          if (n < 1) break;
          const N = this.anonPerThread;
          const used = windowUs === 0 || elapsed >= windowUs ? N : 1 + Math.floor(((N - 1) * elapsed) / windowUs);
          const f = this.faulted[t]!;
          let go = n;
          if (f < used) {
            const q = (used - f) / used; // chance a random write hits a page not yet faulted
            go = q >= 1 ? 0 : Math.min(n, Math.floor(Math.log(1 - this.rng.next()) / Math.log(1 - q)));
          }
          this.prog[t]! += go;
          this.sec.memoryPages[sec]! += go;
          at += go * p.memoryTouchUs;
          this.sec.userUs[sec]! += go * p.memoryTouchUs;
          if (go === n) break;
          this.mode[t] = M_FAULT;
          this.workLeft[t] = p.anonFaultUs;
          if (!this.requestRead(t, at)) return at;
          continue;
        }
        // the main thread: start the file threads, sleep until delayMs, start the memory threads
        const total = p.fileThreads + p.memoryThreads;
        if (this.spawned >= total) {
          this.state[t] = S_DONE;
          return at;
        }
        if (this.spawned === p.fileThreads && at < p.delayMs * 1000) {
          this.state[t] = S_SLEEP;
          this.sched.timers.push(p.delayMs * 1000, t);
          return at;
        }
        this.mode[t] = M_SPAWN;
        this.workLeft[t] = p.spawnUs;
        if (!this.requestWrite(t, at)) return at;
        continue;
      }
      if (mode !== M_CHARGE && mode !== M_RECLAIM) {
        // Kernel work without a cond_resched() (a fault, mmap, munmap, a thread's start): under CONFIG_PREEMPT
        // (kernelPreempt 1) the tick preempts it at the end of the slice, lock held, and it waits for its next
        // turn; under CONFIG_PREEMPT_VOLUNTARY (0: "The thread was never preempted involuntarily", "number of
        // preemptions: 0" in the reference's hold table) it runs to its end and yields on the way out.
        const w = p.kernelPreempt ? Math.min(this.workLeft[t]!, limit - at) : this.workLeft[t]!;
        at += w;
        this.workLeft[t]! -= w;
        this.sec.sysUs[sec]! += w;
        if (this.holding[t]) this.counters[t]!.runtimeUs += w;
        if (this.workLeft[t]! > 1e-9) break;
        if (mode === M_FAULT) {
          this.mode[t] = M_CHARGE;
          this.retries[t] = p.reclaimRetries;
          continue;
        }
        this.mode[t] = M_USER;
        if (mode === M_MINOR) {
          this.sec.fileFaults[this.secOf(at)]!++;
          this.faultAround(t, this.faultAt[t]!);
          this.releaseRead(t, at);
        } else if (mode === M_RETRY) {
          if (this.kind[t] === KIND_FILE) {
            this.mapWindow(t, this.faultAt[t]!);
            this.sec.fileFaults[this.secOf(at)]!++;
          } else this.sec.memoryFaults[this.secOf(at)]!++;
          this.releaseRead(t, at);
        } else if (mode === M_DONTNEED) {
          this.dropAnon(t);
          this.cycleStart[t] = at;
          this.releaseRead(t, at);
        } else {
          this.releaseWrite(at);
          if (mode === M_REMAP) {
            this.epoch[t]!++;
            this.mappedCount[t] = 0;
            this.cycleStart[t] = at;
            this.prevLen[t] = 0;
            this.passStart[t] = this.prog[t]!;
            this.pos[t] = 0;
          } else if (mode === M_MMAP) this.cycleStart[t] = at;
          else this.startThread(1 + this.spawned++, at);
        }
        continue;
      }
      if (mode === M_CHARGE) {
        const file = this.kind[t] === KIND_FILE;
        const n = file ? this.readaheadCount(t, this.faultAt[t]!) : 1;
        this.chargeN[t] = n;
        if (this.usage + n <= this.limitPages) {
          this.usage += n;
          if (this.usage > this.maxUsage) this.maxUsage = this.usage;
          const locked = this.holding[t] === 1;
          if (file) {
            this.mapFilePages(t, this.faultAt[t]!, locked);
            if (locked) this.sec.fileFaults[this.secOf(at)]!++;
          } else {
            if (locked) this.sec.memoryFaults[this.secOf(at)]!++;
            const pg = this.anonBase + (t - 1 - p.fileThreads) * this.anonPerThread + this.faulted[t]!;
            this.faulted[t]!++;
            this.policy.addAnon(pg);
          }
          if (locked) {
            this.mode[t] = M_USER;
            this.releaseRead(t, at);
            continue;
          }
          // charged after reclaim without mmap_lock: retry the fault (VM_FAULT_RETRY), the lock taken again
          this.mode[t] = M_RETRY;
          this.workLeft[t] = p.minorFaultUs;
          if (!this.requestRead(t, at)) return at;
          continue;
        }
        // the fix of the reference's first difference: "mmap_lock is released before the new kernel starts
        // reclaiming pages"
        if (!this.reclaimHeld && this.holding[t]) this.releaseRead(t, at);
        this.jobs[t] = this.newJob(t);
        this.reclaimStart[t] = at;
        this.mode[t] = M_RECLAIM;
        continue;
      }
      // M_RECLAIM
      const job = this.jobs[t]!;
      const c = job.counters;
      const s0 = c.nrScanned;
      const spin0 = c.spinUs;
      this.nowUs = at;
      this.sliceLockHoldUs = 0;
      const used = this.policy.step(job, limit - at, at);
      if (used > 0) {
        this.lockShare[this.cpu] = Math.min(1, this.sliceLockHoldUs / used);
        this.lockUntil[this.cpu] = at + used;
      }
      this.sec.scanned[sec]! += c.nrScanned - s0;
      this.pagesScanned += c.nrScanned - s0;
      this.sec.spinUs[sec]! += c.spinUs - spin0;
      at += used;
      this.sec.sysUs[sec]! += used;
      c.runtimeUs += used;
      if (this.mglru) this.wakeAging(at);
      if (job.waitAging) {
        this.state[t] = S_AGINGWAIT;
        return at;
      }
      if (!job.done) break;
      const took = at - this.reclaimStart[t]!;
      this.reclaimUs += took;
      if (took > this.reclaimMaxUs) this.reclaimMaxUs = took;
      if (this.usage + this.chargeN[t]! <= this.limitPages || job.reclaimed > 0) {
        this.mode[t] = M_CHARGE;
        continue;
      }
      if (--this.retries[t]! < 0) {
        this.oomAtUs = at;
        return at;
      }
      this.jobs[t] = this.newJob(t);
      this.reclaimStart[t] = at;
    }
    // the slice is used up: yield (in reclaim, at __cond_resched) and go to the tail of the run queue
    if (this.holding[t]) this.counters[t]!.contextSwitches++;
    this.state[t] = S_QUEUED;
    this.sched.enqueue(t, at);
    return at;
  }

  private wakeAging(at: number): void {
    for (const w of this.mglru!.takeWoken()) {
      if (this.state[w] !== S_AGINGWAIT) continue;
      this.state[w] = S_QUEUED;
      this.sched.enqueueWoken(w, at);
    }
  }

  private result(end: number): EngineResult {
    const problems: string[] = [];
    const listProblem = this.lists.check();
    if (listProblem) problems.push(listProblem);
    let resident = 0;
    for (let l = 1; l < LIST_COUNT; l++) resident += this.lists.sizes[l]!;
    const other = Math.ceil(this.p.otherBytes / PAGE_BYTES);
    if (resident + other !== this.usage) problems.push(`usage ${this.usage} pages but ${resident} resident + ${other} other`);
    if (this.maxUsage > this.limitPages) problems.push(`usage reached ${this.maxUsage} pages, over the limit of ${this.limitPages}`);
    let nonRes = 0;
    for (let t = 1; t <= this.p.fileThreads; t++) nonRes += this.nonResident[t]!;
    let fileResident = 0;
    for (let pg = 0; pg < this.threadFilePages; pg++) if (this.lists.listOf[pg] !== 0) fileResident++;
    if (fileResident + nonRes !== this.threadFilePages) problems.push(`file pages not conserved: ${fileResident} resident + ${nonRes} not resident != ${this.threadFilePages}`);
    if (this.reclaimedBeforeTwoScans > 0) problems.push(`${this.reclaimedBeforeTwoScans} pages reclaimed before their second scan`);
    void S_NEW;
    return {
      endUs: end, seconds: this.sec, longest: this.longest, holds: this.holds, holdsOver1s: this.holdsOver1s, holdHistogram: this.holdHistogram,
      tidsOver1s: [...this.tidsOver1s].sort((a, b) => a - b), maxLockWaitUs: this.maxLockWaitUs, reclaimCalls: this.reclaimCalls, reclaimUs: this.reclaimUs,
      reclaimMaxUs: this.reclaimMaxUs, pagesScanned: this.pagesScanned, pagesReclaimed: this.pagesReclaimed, oomAtUs: this.oomAtUs,
      memoryThreadsStarted: this.memoryStarted, fileThreadsStarted: this.fileStarted, problems, maxUsagePages: this.maxUsage, limitPages: this.limitPages,
      filePagesTotal: this.filePages, anonPagesTotal: this.anonPerThread * this.p.memoryThreads, residentAtEnd: resident, reclaimedBeforeTwoScans: this.reclaimedBeforeTwoScans,
    };
  }
}
