// The multi-gen LRU as docs.kernel.org/mm/multigen_lru.html describes it (file pages only: without swap the
// aging skips anonymous VMAs, should_skip_vma(), and the eviction never picks the anon type). One rule a sentence:
// - Generations: "A page is added to the youngest generation on faulting. The aging needs to check the accessed
//   bit at least twice before handing this page over to the eviction." Sequence numbers min_seq..max_seq, at most
//   MAX_NR_GENS = 4 at once; "This protocol, AKA second chance, requires a minimum of two generations, hence
//   MIN_NR_GENS" (= 2): the eviction never takes from the last two.
// - Aging: "it increments max_seq when max_seq-min_seq+1 approaches MIN_NR_GENS ... The aging uses page table
//   walks ... on finding a young PTE, the aging clears the accessed bit and updates the gen counter of the page
//   mapped by this PTE to (max_seq%MAX_NR_GENS)+1." The page is not moved: the eviction sorts it later. One
//   reclaimer walks (the mm_state walker); in Linux 6.1 (the reference's cure, COS 109) the others wait for max_seq
//   to move at priority <= DEF_PRIORITY - 2 and give the priority up above it; none ages at DEF_PRIORITY ("skip
//   the aging path at the default priority"). walk_mm() takes mmap_lock with mmap_read_trylock() ("the caller
//   might be holding the lock for write") and gives the mm up when that fails, as it does while a writer waits
//   behind a long read hold: max_seq still moves, nothing is cleared. Cost: ptWalkUs per resident PTE.
// - Eviction: "The eviction consumes old generations ... it increments min_seq when lrugen->folios[] indexed by
//   min_seq%MAX_NR_GENS becomes empty ... The eviction sorts a page according to its gen counter if the aging has
//   found this page accessed through page tables and updated its gen counter." A page not sorted is isolated and
//   its rmap walked (scanUs, as on the two-list LRU): "when the eviction walks the rmap and finds a young PTE,
//   the aging scans the adjacent PTEs" (lru_gen_look_around, lookAroundPages around it, ptWalkUs each) and the
//   page goes to the youngest generation; a page found old is reclaimed. The look-around also covers pages of
//   the same batch, already off the lists: it clears their young PTEs and sets PG_referenced ("if (old_gen < 0)
//   folio_set_referenced(folio)"), and shrink_folio_list keeps them without an rmap walk of their own ("folio_
//   update_gen() tried to promote this page?"). That is what makes MGLRU's eviction of mapped pages cheap: one
//   rmap walk per block of young neighbours instead of one per page.
// - evict_folios() takes lru_lock (a spinlock) to sort and isolate a batch (scan_folios: up to MAX_LRU_BATCH = 4096
//   pages looked at, up to MIN_LRU_BATCH = 64 isolated) and again to put the survivors back; sorting is done
//   entirely under it (lruLockUs per page), which is where the reference's second bug spins when many threads
//   reclaim at once.
// - Scan budget: lru_gen_shrink_lruvec at each priority scans up to (pages in the lruvec) >> priority; memcg
//   reclaim is not cut short within a priority (should_abort_scan: "if (cgroup_reclaim(sc)) return false"), only
//   by "age each memcg at most once to ensure fairness" (max_seq - seq > 1); do_try_to_free_pages stops after the
//   priority that brought nr_reclaimed to nr_to_reclaim.
// - Working set protection: "If lru_gen_min_ttl is set, an lruvec is protected from the eviction when its oldest
//   generation was born within lru_gen_min_ttl milliseconds ... The OOM killer is triggered if this working set
//   cannot be kept in memory." A protected reclaim call frees nothing (and try_charge's retries end in OOM).
import { NIL } from '../page-lists.js';
import type { PageWorld, ReclaimJob, ReclaimPolicy } from '../reclaim-policy.js';
import { DEF_PRIORITY as DEF_PRIORITY_, FILE_GEN_BASE as FILE_GEN_BASE_, MAX_NR_GENS as MAX_NR_GENS_, MGLRU_ANON as MGLRU_ANON_ } from '../lru/lru-lists.js';

// local copies: read in the hottest loops, where an imported binding costs a lookup under some loaders
const DEF_PRIORITY = DEF_PRIORITY_;
const FILE_GEN_BASE = FILE_GEN_BASE_;
const MAX_NR_GENS = MAX_NR_GENS_;
const MGLRU_ANON = MGLRU_ANON_;

const MIN_NR_GENS = 2;
/** scan_folios(): sorts up to MAX_LRU_BATCH = MIN_LRU_BATCH * 64 pages and isolates up to MIN_LRU_BATCH = BITS_PER_LONG. */
const MIN_LRU_BATCH = 64;
const MAX_LRU_BATCH = MIN_LRU_BATCH * 64;
/** inBatch marks: isolated by the current evict_folios batch; and found young by a look-around meanwhile. */
const ISOLATED = 1;
const REFERENCED_IN_BATCH = 2;

/** Costs the MGLRU model uses, µs. */
export interface MglruCosts {
  scanUs: number;
  lruLockUs: number;
  ptWalkUs: number;
  lookAroundPages: number;
  minTtlMs: number;
}

/** The multi-gen LRU's state (one lruvec) and reclaim. */
export class Mglru implements ReclaimPolicy {
  /** Gen counter of each file page (a sequence number). */
  readonly genOf: Int32Array;
  maxSeq = MIN_NR_GENS + 1;
  minSeq = 0;
  /** Birth time (µs) of each generation slot. */
  private readonly birthUs = new Float64Array(MAX_NR_GENS);
  /** The reclaimer walking the page tables, or -1. */
  private walker = -1;
  readonly agingWaiters: number[] = [];
  private woken: number[] = [];
  private readonly batch = new Int32Array(MIN_LRU_BATCH);
  /** Per file page: ISOLATED or REFERENCED_IN_BATCH while it is in the batch being evicted, else 0. */
  private readonly inBatch: Uint8Array;

  constructor(private readonly w: PageWorld, private readonly costs: MglruCosts) {
    this.genOf = new Int32Array(w.filePages);
    this.inBatch = new Uint8Array(w.filePages);
  }

  private list(seq: number): number {
    return FILE_GEN_BASE + (seq % MAX_NR_GENS);
  }

  /** Generations that exist now. */
  get nrGens(): number {
    return this.maxSeq - this.minSeq + 1;
  }

  /** Pages in the file generations. */
  private total(): number {
    let n = 0;
    for (let s = this.minSeq; s <= this.maxSeq; s++) n += this.w.lists.sizes[this.list(s)]!;
    return n;
  }

  addFile(page: number): void {
    this.genOf[page] = this.maxSeq;
    this.w.lists.addHead(this.list(this.maxSeq), page);
  }

  addAnon(page: number): void {
    this.w.lists.addHead(MGLRU_ANON, page);
  }

  /** Threads whose wait for the aging is over (taken by the engine). */
  takeWoken(): number[] {
    const out = this.woken;
    this.woken = [];
    return out;
  }

  start(job: ReclaimJob): void {
    job.priority = DEF_PRIORITY;
    this.startPriority(job);
  }

  /** lru_gen_shrink_lruvec() at one priority: scan up to total >> priority; remember max_seq (should_abort_scan). */
  private startPriority(job: ReclaimJob): void {
    job.nrInactive = this.total() >> job.priority;
    job.seqAtPriority = this.maxSeq;
    job.counters.shrinkLruvec++;
  }

  /** The priority is over: do_try_to_free_pages stops once nr_reclaimed >= nr_to_reclaim, else goes one lower. */
  private endPriority(job: ReclaimJob): void {
    if (job.reclaimed >= job.target || --job.priority < 0) job.done = true;
    else this.startPriority(job);
  }

  /** try_to_inc_min_seq: drop empty oldest generations, keeping MIN_NR_GENS. */
  private incMinSeq(): void {
    while (this.nrGens > MIN_NR_GENS && this.w.lists.sizes[this.list(this.minSeq)] === 0) this.minSeq++;
  }

  step(job: ReclaimJob, budgetUs: number, at: number): number {
    let used = 0;
    job.waitAging = false;
    while (!job.done && used < budgetUs) {
      if (job.walking) {
        used += this.walk(job, budgetUs - used);
        continue;
      }
      this.incMinSeq();
      if (this.total() === 0) {
        job.done = true; // no file page left to evict (anonymous ones cannot go without swap)
        break;
      }
      if (this.costs.minTtlMs > 0 && this.w.now() + used - this.birthUs[this.minSeq % MAX_NR_GENS]! < this.costs.minTtlMs * 1000) {
        job.done = true; // the oldest generation is younger than min_ttl: protected from the eviction
        break;
      }
      // "if (scanned >= nr_to_scan) break", and should_abort_scan(): "age each memcg at most once to ensure
      // fairness" (max_seq - seq > 1)
      if (job.nrInactive <= 0 || this.maxSeq - job.seqAtPriority > 1) {
        this.endPriority(job);
        continue;
      }
      if (this.nrGens <= MIN_NR_GENS) {
        // get_nr_to_scan(): the eviction has reached MIN_NR_GENS and needs the aging. "skip the aging path at
        // the default priority". Below it, try_to_inc_max_seq(): the reclaimer that gets the mm walks it, then
        // evicts at this priority; one that finds another walking waits for max_seq to move
        // (wait_event_killable on mm_state.wait) at priority <= DEF_PRIORITY - 2, and gives the priority up above.
        if (job.priority === DEF_PRIORITY) {
          job.nrInactive = 0;
          continue;
        }
        if (this.walker >= 0 && this.walker !== job.tid) {
          if (job.priority <= DEF_PRIORITY - 2) {
            job.waitAging = true;
            this.agingWaiters.push(job.tid);
            break;
          }
          job.nrInactive = 0;
          continue;
        }
        this.walker = job.tid;
        job.walking = true;
        job.walkCursor = 0;
        continue;
      }
      used += this.evictBatch(job, at + used);
      job.counters.condResched++;
    }
    return used;
  }

  /**
   * One stretch of the aging's page-table walk (walk_mm over the file mappings, in address order). walk_mm takes
   * mmap_lock with mmap_read_trylock() for each stretch ("the caller might be holding the lock for write"); when
   * that fails (a writer holds or waits for the lock) it gives the mm up: the walk ends there, max_seq is still
   * incremented, and the pages not walked keep their gen counter, to be checked by the eviction's rmap walk.
   */
  private walk(job: ReclaimJob, budgetUs: number): number {
    const w = this.w;
    const next = this.maxSeq + 1;
    let used = 0;
    let p = job.walkCursor;
    let walked = 0;
    const end = w.filePages;
    const cost = this.costs.ptWalkUs;
    if (w.mmapReadTrylock()) {
      // resident pages until the budget is used: ceil(budget / cost) of them
      p = w.ageWalk(p, cost > 0 ? Math.max(1, Math.ceil(budgetUs / cost)) : Infinity, this.genOf, next);
      walked = w.walked;
      used = walked * cost;
    } else {
      p = end;
      job.counters.walksSkipped++;
    }
    job.walkCursor = p;
    job.counters.ptesWalked += walked;
    job.counters.condResched += Math.ceil(walked / 512); // cond_resched() per PTE table
    if (p >= end) {
      job.walking = false;
      this.walker = -1;
      this.maxSeq = next; // inc_max_seq
      this.birthUs[next % MAX_NR_GENS] = w.now() + used;
      job.counters.agingWalks++;
      this.woken.push(...this.agingWaiters.splice(0));
    }
    return used;
  }

  /**
   * evict_folios: sort or isolate a batch from the oldest generation, then check and reclaim the isolated. A page
   * of the batch that a look-around found young first ("if (old_gen < 0) folio_set_referenced(folio)": it is off
   * the lists) is kept without its own rmap walk: shrink_folio_list's "folio_update_gen() tried to promote this
   * page?" check sends it back to the youngest generation.
   */
  private evictBatch(job: ReclaimJob, at: number): number {
    const w = this.w;
    const c = job.counters;
    const lists = w.lists;
    const oldest = this.list(this.minSeq);
    const mark = this.inBatch;
    let scanned = 0;
    let isolated = 0;
    c.shrinkList++;
    while (scanned < MAX_LRU_BATCH && isolated < MIN_LRU_BATCH) {
      const p = lists.tail(oldest);
      if (p === NIL) break;
      scanned++;
      const g = this.genOf[p]!;
      if (g !== this.minSeq) {
        lists.moveHead(this.list(g), p); // sort_folio: promoted by the aging
        c.nrRefKeep++;
      } else {
        lists.remove(p);
        mark[p] = ISOLATED;
        this.batch[isolated++] = p;
      }
    }
    const lockUs = this.costs.lruLockUs;
    let spin = w.lruLock(at, scanned * lockUs);
    let work = scanned * lockUs;
    let kept = 0;
    for (let i = 0; i < isolated; i++) {
      const p = this.batch[i]!;
      if (w.scans[p]! < 255) w.scans[p]!++;
      const promoted = mark[p] === REFERENCED_IN_BATCH;
      mark[p] = 0;
      if (promoted || w.young(p)) {
        if (!promoted) {
          work += this.costs.scanUs; // the rmap walk (folio_referenced) that found it young
          w.clearYoung(p);
          work += this.lookAround(p);
        }
        this.genOf[p] = this.maxSeq;
        lists.addHead(this.list(this.maxSeq), p);
        c.nrActivate1++;
        kept++;
      } else {
        work += this.costs.scanUs;
        w.evict(p);
        c.nrReclaimed++;
        job.reclaimed++;
      }
    }
    if (kept > 0) {
      spin += w.lruLock(at + work, kept * lockUs);
      work += kept * lockUs;
    }
    c.nrScanned += scanned;
    c.spinUs += spin;
    job.nrInactive -= scanned;
    this.incMinSeq();
    return work + spin;
  }

  /** lru_gen_look_around: the PTEs around a young one, promoted in place (gen counter only). */
  private lookAround(page: number): number {
    const w = this.w;
    const n = this.costs.lookAroundPages;
    if (n <= 0) return 0;
    const per = w.pagesPerFile;
    const fileStart = page - (page % per);
    const from = Math.max(fileStart, page - (page % n));
    const to = Math.min(fileStart + per, from + n, w.filePages);
    let checked = 0;
    for (let q = from; q < to; q++) {
      if (q === page) continue;
      const inBatch = this.inBatch[q] === ISOLATED;
      if (!inBatch && w.lists.listOf[q] === 0) continue;
      checked++;
      if (w.young(q)) {
        w.clearYoung(q);
        if (inBatch) this.inBatch[q] = REFERENCED_IN_BATCH;
        else this.genOf[q] = this.maxSeq;
      }
    }
    return checked * this.costs.ptWalkUs;
  }
}
