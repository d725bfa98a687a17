// What the engine and the two page-reclaim models share: the page world the models act on, the counters of
// one mmap_lock hold (the reference's per-hold table), and one reclaim call in progress.
import type { PageLists } from './page-lists.js';

/** The counters of the reference's "=== [READ] mmap_lock hold stats ===" table, for one hold. */
export interface HoldCounters {
  contextSwitches: number;
  condResched: number;
  shrinkLruvec: number;
  shrinkList: number;
  nrDeactivated: number;
  nrScanned: number;
  nrReclaimed: number;
  nrActivate0: number;
  nrActivate1: number;
  nrRefKeep: number;
  /** MGLRU: page-table entries the aging walked and walks finished. */
  ptesWalked: number;
  agingWalks: number;
  /** MGLRU: walks that gave the mm up because mmap_read_trylock() failed. */
  walksSkipped: number;
  /** Time spun on lru_lock, µs. */
  spinUs: number;
  runtimeUs: number;
}

/** Zeroed counters. */
export function emptyCounters(): HoldCounters {
  return { contextSwitches: 0, condResched: 0, shrinkLruvec: 0, shrinkList: 0, nrDeactivated: 0, nrScanned: 0, nrReclaimed: 0, nrActivate0: 0, nrActivate1: 0, nrRefKeep: 0, ptesWalked: 0, agingWalks: 0, walksSkipped: 0, spinUs: 0, runtimeUs: 0 };
}

/** One call of try_to_free_mem_cgroup_pages in progress: what it wants, where it is, what it did. */
export interface ReclaimJob {
  tid: number;
  /** nr_to_reclaim: max(pages charged, SWAP_CLUSTER_MAX = 32). */
  target: number;
  reclaimed: number;
  /** sc->priority, DEF_PRIORITY = 12 down to 0. */
  priority: number;
  /** Pages left to scan at this priority: inactive and active file lists (two-list), or all (MGLRU). */
  nrInactive: number;
  nrActive: number;
  mayDeactivate: boolean;
  forceDeactivate: boolean;
  skippedDeactivate: boolean;
  /** MGLRU: this reclaimer is walking the page tables (aging), and where it is. */
  walking: boolean;
  walkCursor: number;
  /** MGLRU: max_seq when this priority began (should_abort_scan's "age each memcg at most once"). */
  seqAtPriority: number;
  done: boolean;
  /** MGLRU: waits for another reclaimer's aging to finish (the engine blocks the thread). */
  waitAging: boolean;
  counters: HoldCounters;
}

/** The pages as the reclaim models see them; the engine implements it. */
export interface PageWorld {
  readonly lists: PageLists;
  /** Bit 0: PG_referenced. */
  readonly flags: Uint8Array;
  /** Times each page was scanned since it was brought in (saturates at 255); the two-scan property checks it. */
  readonly scans: Uint8Array;
  /** File pages are 0..filePages-1, thread by thread, offset by offset. */
  readonly filePages: number;
  readonly pagesPerFile: number;
  /** Reads the page's accessed bit (PTE young) without clearing it. */
  young(page: number): boolean;
  /** Clears the page's accessed bit (what a scan's page_referenced() or a page-table walk does). */
  clearYoung(page: number): void;
  /** Frees a file page: off its list, uncharged, no longer resident. */
  evict(page: number): void;
  /** Takes lru_lock at in-slice time `at` for `holdUs`; returns µs spun waiting for it. */
  lruLock(at: number, holdUs: number): number;
  /** Simulated time now, µs (the start of the current step). */
  now(): number;
  /**
   * mmap_read_trylock() on the process's mmap_lock, dropped again within the step: false while a writer holds
   * it or anyone waits for it (rwsem's RWSEM_READ_FAILED_MASK), true otherwise.
   */
  mmapReadTrylock(): boolean;
  /**
   * The aging's page-table walk over file pages from `from`: checks up to `maxPages` resident pages in page order;
   * each one young has its accessed bit cleared and genOf set to `gen`. Returns where it stopped; `walked` is
   * then the number of resident pages checked. (One loop in the engine: the same as young() and clearYoung()
   * page by page, without a call and a division per page.)
   */
  ageWalk(from: number, maxPages: number, genOf: Int32Array, gen: number): number;
  readonly walked: number;
}

/** A page-reclaim model: where new pages go and how one reclaim call advances. */
export interface ReclaimPolicy {
  /** Puts a freshly faulted file page on its list (its accessed bit is already set). */
  addFile(page: number): void;
  /** Puts a freshly faulted anonymous page on its list. */
  addAnon(page: number): void;
  /** Prepares a reclaim call. */
  start(job: ReclaimJob): void;
  /** Runs the call for about `budgetUs` of CPU from in-slice time `at`; returns the µs used (spinning included). */
  step(job: ReclaimJob, budgetUs: number, at: number): number;
  /** Called when a thread that waited for the aging may go on. */
  readonly agingWaiters?: number[];
}
