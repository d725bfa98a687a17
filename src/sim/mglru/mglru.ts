// The multi-gen LRU as docs.kernel.org/mm/multigen_lru.html describes it (file pages only: without swap the
// aging skips anonymous VMAs, should_skip_vma(), and the eviction never picks the anon type). One rule a sentence:
// - Generations: "A page is added to the youngest generation on faulting. The aging needs to check the accessed
//   bit at least twice before handing this page over to the eviction." Sequence numbers min_seq..max_seq, at most
//   MAX_NR_GENS = 4 at once; "This protocol, AKA second chance, requires a minimum of two generations, hence
//   MIN_NR_GENS" (= 2): the eviction never takes from the last two.
// - Aging: "it increments max_seq when max_seq-min_seq+1 approaches MIN_NR_GENS ... The aging uses page table
//   walks ... on finding a young PTE, the aging clears the accessed bit and updates the gen counter of the page
//   mapped by this PTE to (max_seq%MAX_NR_GENS)+1." The page is not moved: the eviction sorts it later. One
//   reclaimer walks (the mm_state walker); the others wait for max_seq to move (wait_event_killable in
//   try_to_inc_max_seq). Cost: ptWalkUs per resident PTE, sequential and cache friendly.
// - Eviction: "The eviction consumes old generations ... it increments min_seq when lrugen->folios[] indexed by
//   min_seq%MAX_NR_GENS becomes empty ... The eviction sorts a page according to its gen counter if the aging has
//   found this page accessed through page tables and updated its gen counter." A page not sorted is isolated and
//   its rmap walked (scanUs, as on the two-list LRU): "when the eviction walks the rmap and finds a young PTE,
//   the aging scans the adjacent PTEs" (lru_gen_look_around, lookAroundPages around it, ptWalkUs each) and the
//   page goes to the youngest generation; a page found old is reclaimed.
// - evict_folios() takes lru_lock (a spinlock) to sort and isolate a batch of MAX_LRU_BATCH = 64 and again to put
//   the survivors back; sorting is done entirely under it (lruLockUs per page), which is where the reference's
//   second bug spins when many threads reclaim at once.
// - Scan budget: lru_gen_shrink_lruvec at each priority scans up to (pages in the lruvec) >> priority.
// - Working set protection: "If lru_gen_min_ttl is set, an lruvec is protected from the eviction when its oldest
//   generation was born within lru_gen_min_ttl milliseconds ... The OOM killer is triggered if this working set
//   cannot be kept in memory." A protected reclaim call frees nothing (and try_charge's retries end in OOM).
import { NIL } from '../page-lists.js';
import type { PageWorld, ReclaimJob, ReclaimPolicy } from '../reclaim-policy.js';
import { DEF_PRIORITY, FILE_GEN_BASE, MAX_NR_GENS, MGLRU_ANON } from '../lru/lru-lists.js';

const MIN_NR_GENS = 2;
const MAX_LRU_BATCH = 64;

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
  private readonly batch = new Int32Array(MAX_LRU_BATCH);

  constructor(private readonly w: PageWorld, private readonly costs: MglruCosts) {
    this.genOf = new Int32Array(w.filePages);
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
    job.nrInactive = this.total() >> job.priority;
    job.counters.shrinkLruvec++;
  }

  /** try_to_inc_min_seq: drop empty oldest generations, keeping MIN_NR_GENS. */
  private incMinSeq(): void {
    while (this.nrGens > MIN_NR_GENS && this.w.lists.sizes[this.list(this.minSeq)] === 0) this.minSeq++;
  }

  step(job: ReclaimJob, budgetUs: number, at: number): number {
    let used = 0;
    const c = job.counters;
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
      if (this.nrGens <= MIN_NR_GENS) {
        if (this.walker >= 0 && this.walker !== job.tid) {
          job.waitAging = true;
          this.agingWaiters.push(job.tid);
          break;
        }
        this.walker = job.tid;
        job.walking = true;
        job.walkCursor = 0;
        continue;
      }
      if (job.nrInactive <= 0) {
        if (--job.priority < 0) {
          job.done = true;
          break;
        }
        job.nrInactive = this.total() >> job.priority;
        c.shrinkLruvec++;
        continue;
      }
      used += this.evictBatch(job, at + used);
      c.condResched++;
      if (job.reclaimed >= job.target) job.done = true;
    }
    return used;
  }

  /** One stretch of the aging's page-table walk (walk_mm over the file mappings, in address order). */
  private walk(job: ReclaimJob, budgetUs: number): number {
    const w = this.w;
    const next = this.maxSeq + 1;
    let used = 0;
    let p = job.walkCursor;
    let walked = 0;
    const end = w.filePages;
    const cost = this.costs.ptWalkUs;
    while (p < end && used < budgetUs) {
      if (w.lists.listOf[p] !== 0) {
        walked++;
        used += cost;
        if (w.young(p)) {
          w.clearYoung(p);
          this.genOf[p] = next;
        }
      }
      p++;
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

  /** evict_folios: sort or isolate a batch from the oldest generation, then check and reclaim the isolated. */
  private evictBatch(job: ReclaimJob, at: number): number {
    const w = this.w;
    const c = job.counters;
    const lists = w.lists;
    const oldest = this.list(this.minSeq);
    let scanned = 0;
    let isolated = 0;
    c.shrinkList++;
    while (scanned < MAX_LRU_BATCH) {
      const p = lists.tail(oldest);
      if (p === NIL) break;
      scanned++;
      const g = this.genOf[p]!;
      if (g !== this.minSeq) {
        lists.moveHead(this.list(g), p); // sort_folio: promoted by the aging
        c.nrRefKeep++;
      } else {
        lists.remove(p);
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
      work += this.costs.scanUs;
      if (w.young(p)) {
        w.clearYoung(p);
        work += this.lookAround(p);
        this.genOf[p] = this.maxSeq;
        lists.addHead(this.list(this.maxSeq), p);
        c.nrActivate1++;
        kept++;
      } else {
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
    const to = Math.min(fileStart + per, from + n);
    let checked = 0;
    for (let q = from; q < to; q++) {
      if (q === page || w.lists.listOf[q] === 0) continue;
      checked++;
      if (w.young(q)) {
        w.clearYoung(q);
        this.genOf[q] = this.maxSeq;
      }
    }
    return checked * this.costs.ptWalkUs;
  }
}
