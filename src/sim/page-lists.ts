// The LRU lists of the model: intrusive doubly-linked lists threaded through typed arrays by page index, so a
// million pages cost a few megabytes and every list operation is O(1). List 0 means "on no list": the page
// is not resident (a file page not in the page cache, an anonymous page not yet faulted).
//
// As in the kernel (include/linux/mm_inline.h, lruvec_add_folio: list_add to the head), pages are added at
// the head and scanned from the tail, so the tail holds the pages that have gone longest without being put back.

/** Index meaning "no page". */
export const NIL = -1;

/** Intrusive lists of pages: `next`/`prev` per page, a head, a tail and a size per list. */
export class PageLists {
  /** Which list each page is on (0: none). */
  readonly listOf: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  /** Pages on each list. */
  readonly sizes: Int32Array;

  constructor(pages: number, lists: number) {
    this.listOf = new Uint8Array(pages);
    this.next = new Int32Array(pages).fill(NIL);
    this.prev = new Int32Array(pages).fill(NIL);
    this.heads = new Int32Array(lists).fill(NIL);
    this.tails = new Int32Array(lists).fill(NIL);
    this.sizes = new Int32Array(lists);
  }

  /** Adds a page that is on no list at the head of `list` (list ≥ 1). */
  addHead(list: number, page: number): void {
    const h = this.heads[list]!;
    this.next[page] = h;
    this.prev[page] = NIL;
    if (h === NIL) this.tails[list] = page;
    else this.prev[h] = page;
    this.heads[list] = page;
    this.listOf[page] = list;
    this.sizes[list]!++;
  }

  /** Takes a page off whatever list it is on. */
  remove(page: number): void {
    const list = this.listOf[page]!;
    if (list === 0) return;
    const n = this.next[page]!;
    const p = this.prev[page]!;
    if (p === NIL) this.heads[list] = n;
    else this.next[p] = n;
    if (n === NIL) this.tails[list] = p;
    else this.prev[n] = p;
    this.next[page] = NIL;
    this.prev[page] = NIL;
    this.listOf[page] = 0;
    this.sizes[list]!--;
  }

  /** Moves a page to the head of `list` (from any list, or from none). */
  moveHead(list: number, page: number): void {
    this.remove(page);
    this.addHead(list, page);
  }

  /** The page at the tail (the oldest) of `list`, or NIL. */
  tail(list: number): number {
    return this.tails[list]!;
  }

  /** The page at the head (the newest) of `list`, or NIL. */
  head(list: number): number {
    return this.heads[list]!;
  }

  /** The page after `page` towards the tail, or NIL. */
  older(page: number): number {
    return this.next[page]!;
  }

  /** The page before `page` towards the head, or NIL (what a scan from the tail takes next). */
  newer(page: number): number {
    return this.prev[page]!;
  }

  /**
   * Checks the lists against `listOf`: every page reached by walking list L says it is on L, is reached once,
   * and each list's size is its walked length. Returns the first problem found, or undefined. O(pages); for tests.
   */
  check(): string | undefined {
    const seen = new Uint8Array(this.listOf.length);
    for (let l = 1; l < this.heads.length; l++) {
      let n = 0;
      let last = NIL;
      for (let p = this.heads[l]!; p !== NIL; p = this.next[p]!) {
        if (seen[p]) return `page ${p} reached twice`;
        seen[p] = 1;
        if (this.listOf[p] !== l) return `page ${p} walked on list ${l} but listOf says ${this.listOf[p]}`;
        if (this.prev[p] !== last) return `page ${p} has a broken prev link`;
        last = p;
        n++;
      }
      if (last !== this.tails[l]) return `list ${l} tail is ${this.tails[l]} but the walk ended at ${last}`;
      if (n !== this.sizes[l]) return `list ${l} size ${this.sizes[l]} but ${n} pages walked`;
    }
    for (let p = 0; p < this.listOf.length; p++) if (this.listOf[p] !== 0 && !seen[p]) return `page ${p} says list ${this.listOf[p]} but is not on it`;
    return undefined;
  }
}
