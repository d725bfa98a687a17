// The two-list (active/inactive) LRU of Linux 5.15 as the reference describes it, one rule per sentence:
// - "First, the kernel scans pages in the inactive list. If a page has its accessed bit set, it is marked as
//   referenced ➀ and moved to the head of the same inactive list instead of being immediately promoted."
//   (page_check_references → PAGEREF_KEEP: nr_ref_keep)
// - "On a subsequent scan, if the page is accessed again, it is then moved to the active list ➁"
//   (PG_referenced already set and the PTE young again → PAGEREF_ACTIVATE: nr_activate1)
// - "Pages from the inactive list which are not accessed are reclaimed ➃ during vmscan."
// - "If during the scan there were no inactive pages to reclaim, then vmscan inspects active pages and can
//   deactivate them ➂ regardless of the accessed bit." (shrink_active_list runs when inactive_is_low(), or, after
//   a whole pass that freed nothing, with sc->force_deactivate: do_try_to_free_pages' retry)
// - "Note that every time a page is scanned, the kernel resets its accessed bit regardless of the page state."
// - "there is no way for a page to be reclaimed unless it is scanned at least twice, because the page is
//   brought to the inactive list by the initial pagefault with the set accessed bit."
// - The scan itself (mm/vmscan.c, shrink_lruvec): priorities DEF_PRIORITY = 12 down to 0, each scanning
//   size >> priority pages of each list in batches of SWAP_CLUSTER_MAX = 32 (the reference's 13 shrink_lruvec()
//   calls and 34,172 shrink_list() calls for 1,093,267 pages); cgroup reclaim stops "as soon as it has freed
//   enough" (nr_reclaimed >= nr_to_reclaim ends shrink_lruvec; there is no proportional scan for memcg reclaim).
// - No swap: get_scan_count() picks SCAN_FILE, anonymous lists are never scanned.
// - Cost: scanUs per page scanned (rmap walk of page_referenced() and the list work), lruLockUs per page for
//   isolating and putting back under lru_lock.
import { NIL } from '../page-lists.js';
import type { PageWorld, ReclaimJob, ReclaimPolicy } from '../reclaim-policy.js';
import { ACTIVE_FILE, DEF_PRIORITY, INACTIVE_ANON, INACTIVE_FILE, SWAP_CLUSTER_MAX } from './lru-lists.js';

const REFERENCED = 1;

/** The two-list LRU's reclaim. */
export class TwoListLru implements ReclaimPolicy {
  private readonly batch = new Int32Array(SWAP_CLUSTER_MAX);

  constructor(private readonly w: PageWorld, private readonly costs: { scanUs: number; lruLockUs: number }) {}

  /** "a fault brings a page in on the inactive list with its accessed bit set" (lru_cache_add: inactive head). */
  addFile(page: number): void {
    this.w.lists.addHead(INACTIVE_FILE, page);
  }

  /** New anonymous pages start inactive too (Linux 5.9+, lru_cache_add_inactive_or_unevictable). */
  addAnon(page: number): void {
    this.w.lists.addHead(INACTIVE_ANON, page);
  }

  start(job: ReclaimJob): void {
    job.priority = DEF_PRIORITY;
    this.preparePriority(job);
  }

  /** shrink_node → prepare_scan_count + get_scan_count for one priority. */
  private preparePriority(job: ReclaimJob): void {
    const inactive = this.w.lists.sizes[INACTIVE_FILE]!;
    const active = this.w.lists.sizes[ACTIVE_FILE]!;
    job.nrInactive = inactive >> job.priority;
    job.nrActive = active >> job.priority;
    job.mayDeactivate = job.forceDeactivate || inactiveIsLow(inactive, active);
    job.counters.shrinkLruvec++;
  }

  step(job: ReclaimJob, budgetUs: number, at: number): number {
    let used = 0;
    const c = job.counters;
    while (!job.done && used < budgetUs) {
      if (job.nrInactive > 0 || job.nrActive > 0) {
        // for_each_evictable_lru: the inactive file list, then the active one, a batch each.
        if (job.nrInactive > 0) {
          const n = Math.min(SWAP_CLUSTER_MAX, job.nrInactive);
          job.nrInactive -= n;
          const before = job.counters.nrScanned;
          used += this.shrinkInactive(job, n, at + used);
          if (job.counters.nrScanned === before) job.nrInactive = 0; // the list is empty: nothing left to take
        }
        if (job.nrActive > 0) {
          if (job.mayDeactivate) {
            const n = Math.min(SWAP_CLUSTER_MAX, job.nrActive);
            job.nrActive -= n;
            c.shrinkList++;
            const before = c.nrScanned;
            used += this.shrinkActive(job, n, at + used);
            if (c.nrScanned === before) job.nrActive = 0;
          } else {
            // shrink_list() on the active list without may_deactivate scans nothing; once the inactive list's
            // share is done, the remaining batches are skipped at once (same counters, no per-batch loop).
            const batches = job.nrInactive > 0 ? 1 : Math.ceil(job.nrActive / SWAP_CLUSTER_MAX);
            job.nrActive = Math.max(0, job.nrActive - batches * SWAP_CLUSTER_MAX);
            c.shrinkList += batches;
            c.condResched += batches - 1;
            job.skippedDeactivate = true;
          }
        }
        c.condResched++; // shrink_lruvec's cond_resched() after each round of batches
        if (job.reclaimed >= job.target) job.done = true;
        continue;
      }
      if (job.reclaimed >= job.target) job.done = true;
      else if (--job.priority >= 0) this.preparePriority(job);
      else if (job.reclaimed === 0 && job.skippedDeactivate && !job.forceDeactivate) {
        // do_try_to_free_pages: nothing freed and active pages were left alone: retry, deactivating this time.
        job.forceDeactivate = true;
        job.skippedDeactivate = false;
        job.priority = DEF_PRIORITY;
        this.preparePriority(job);
      } else job.done = true;
    }
    return used;
  }

  /**
   * Takes up to n pages from the tail of a list into the batch (isolate_lru_folios: "folio = lru_to_folio(src)",
   * the list's tail, again and again), so a batch is the n oldest pages, walking from the tail towards the head.
   */
  private isolate(list: number, n: number): number {
    const lists = this.w.lists;
    let k = 0;
    for (let p = lists.tail(list); p !== NIL && k < n; p = lists.newer(p)) this.batch[k++] = p;
    return k;
  }

  /** shrink_inactive_list → shrink_page_list: keep, activate or reclaim each page. */
  private shrinkInactive(job: ReclaimJob, n: number, at: number): number {
    const w = this.w;
    const c = job.counters;
    c.shrinkList++;
    const k = this.isolate(INACTIVE_FILE, n);
    let spin = w.lruLock(at, k * this.costs.lruLockUs);
    for (let i = 0; i < k; i++) {
      const p = this.batch[i]!;
      c.nrScanned++;
      if (w.scans[p]! < 255) w.scans[p]!++;
      const young = w.young(p);
      if (young) w.clearYoung(p);
      const referenced = (w.flags[p]! & REFERENCED) !== 0;
      w.flags[p] = w.flags[p]! & ~REFERENCED;
      if (young) {
        w.flags[p] = w.flags[p] | REFERENCED;
        if (referenced) {
          w.lists.moveHead(ACTIVE_FILE, p);
          c.nrActivate1++;
        } else {
          w.lists.moveHead(INACTIVE_FILE, p);
          c.nrRefKeep++;
        }
      } else {
        w.evict(p);
        c.nrReclaimed++;
        job.reclaimed++;
      }
    }
    c.condResched += 2 * k; // shrink_page_list's cond_resched() per page and the rmap walk's
    const work = k * (this.costs.scanUs + this.costs.lruLockUs);
    spin += w.lruLock(at + work, k * this.costs.lruLockUs);
    c.spinUs += spin;
    return work + k * this.costs.lruLockUs + spin;
  }

  /** shrink_active_list: page_referenced() clears the bit, then the page is deactivated regardless of it. */
  private shrinkActive(job: ReclaimJob, n: number, at: number): number {
    const w = this.w;
    const c = job.counters;
    const k = this.isolate(ACTIVE_FILE, n);
    let spin = w.lruLock(at, k * this.costs.lruLockUs);
    for (let i = 0; i < k; i++) {
      const p = this.batch[i]!;
      c.nrScanned++;
      if (w.scans[p]! < 255) w.scans[p]!++;
      w.clearYoung(p);
      w.lists.moveHead(INACTIVE_FILE, p);
      c.nrDeactivated++;
    }
    c.condResched += k;
    const work = k * (this.costs.scanUs + this.costs.lruLockUs);
    spin += w.lruLock(at + work, k * this.costs.lruLockUs);
    c.spinUs += spin;
    return work + k * this.costs.lruLockUs + spin;
  }
}

/** inactive_is_low(): inactive × int_sqrt(10 × GB) < active (ratio 1 under 1 GB), mm/vmscan.c. */
export function inactiveIsLow(inactive: number, active: number): boolean {
  const gb = (inactive + active) >> 18; // 4 KiB pages → GiB
  const ratio = gb ? Math.floor(Math.sqrt(10 * gb)) : 1;
  return inactive * ratio < active;
}
