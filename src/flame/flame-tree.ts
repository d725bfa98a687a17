// The merged call tree behind a flame graph, in typed arrays so that memory grows with the number of
// distinct stack prefixes (about 50 bytes each), never with the size of the input. Inserting a stack costs
// one hash probe per frame not shared with the previous stack (sorted folded files share long prefixes);
// totals and child lists are computed once, after the input ends.
import { NameTable } from './name-table.js';

/** A node's frame: name and whether it runs in the kernel. */
export interface FrameName {
  name: string;
  kernel: boolean;
}

const ROOT = 0;

/** What the renderer needs from a complete tree: per-node totals and children (CSR, in node order). */
export interface DerivedTree {
  totals: Float64Array<ArrayBuffer>;
  /** Children of node n are `childList[childStart[n] .. childStart[n + 1])`. */
  childStart: Int32Array<ArrayBuffer>;
  childList: Int32Array<ArrayBuffer>;
}

/**
 * A prefix tree of stacks. Node 0 is the root (all samples). A node's key is `displayId * 2 + kernel`;
 * children are found through an open-addressing table of (parent, key, node) triples.
 */
export class FlameTree {
  /** Interned frame names. */
  readonly nameTable = new NameTable();
  private size = 1;
  private parent = new Int32Array(1 << 16);
  private key = new Int32Array(1 << 16);
  /** Samples whose stack ends at the node. */
  private self = new Float64Array(1 << 16);
  private slots = new Int32Array(3 << 17).fill(-1);
  private mask = (1 << 17) - 1;
  private pathKeys = new Int32Array(256);
  private pathNodes = new Int32Array(256);
  private pathLen = 0;
  private totals: Float64Array | undefined;
  private childStart: Int32Array | undefined;
  private childList: Int32Array | undefined;
  private ranks: Int32Array | undefined;

  /** Number of nodes including the root. */
  get nodeCount(): number {
    return this.size;
  }

  /** Total samples (the root's value). */
  get total(): number {
    return this.valueOf(ROOT);
  }

  /** The root node id. */
  get root(): number {
    return ROOT;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const g32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.parent = g32(this.parent);
    this.key = g32(this.key);
    const v = new Float64Array(cap);
    v.set(this.self);
    this.self = v;
    this.slots = new Int32Array(cap * 2 * 3).fill(-1);
    this.mask = cap * 2 - 1;
    for (let n = 1; n < this.size; n++) {
      let s = this.slotOf(this.parent[n]!, this.key[n]!);
      while (this.slots[s * 3 + 2] !== -1) s = (s + 1) & this.mask;
      this.slots[s * 3] = this.parent[n]!;
      this.slots[s * 3 + 1] = this.key[n]!;
      this.slots[s * 3 + 2] = n;
    }
  }

  private slotOf(parent: number, key: number): number {
    const h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(key + 0x7f4a7c15, 0x85ebca6b);
    return (h ^ (h >>> 15)) & this.mask;
  }

  private child(parent: number, key: number): number {
    const slots = this.slots;
    let s = this.slotOf(parent, key);
    for (;;) {
      const n = slots[s * 3 + 2]!;
      if (n === -1) break;
      if (slots[s * 3] === parent && slots[s * 3 + 1] === key) return n;
      s = (s + 1) & this.mask;
    }
    if (this.size === this.parent.length) {
      this.grow();
      return this.child(parent, key);
    }
    const n = this.size++;
    this.parent[n] = parent;
    this.key[n] = key;
    slots[s * 3] = parent;
    slots[s * 3 + 1] = key;
    slots[s * 3 + 2] = n;
    return n;
  }

  /**
   * Adds one stack given as node keys (`displayId * 2 + kernel`), root first, `n` of them; with `reverse`
   * the leaf becomes the root. Nodes shared with the previous stack's prefix are reused without lookups.
   */
  addKeys(keys: Int32Array, n: number, count: number, reverse = false): void {
    this.totals = undefined;
    if (n > this.pathKeys.length) {
      let cap = this.pathKeys.length;
      while (cap < n) cap *= 2;
      const k = new Int32Array(cap);
      k.set(this.pathKeys);
      const p = new Int32Array(cap);
      p.set(this.pathNodes);
      this.pathKeys = k;
      this.pathNodes = p;
    }
    const pk = this.pathKeys;
    const pn = this.pathNodes;
    let i = 0;
    const shared = Math.min(n, this.pathLen);
    while (i < shared && pk[i] === keys[reverse ? n - 1 - i : i]) i++;
    let node = i === 0 ? ROOT : pn[i - 1]!;
    for (; i < n; i++) {
      const k = keys[reverse ? n - 1 - i : i]!;
      node = this.child(node, k);
      pk[i] = k;
      pn[i] = node;
    }
    this.pathLen = n;
    this.self[node] = this.self[node]! + count;
  }

  /**
   * Takes over nodes built elsewhere (the native builder), without copying: same layout, node 0 the root,
   * `key` as in `addKeys` with display ids of this tree's `nameTable`, arrays exactly one entry per node.
   * Stacks added afterwards rebuild the child table first (the arrays are full, so the first new node grows them).
   * `derived`, when given, must be what `finish` would compute (the native builder computes it in place).
   */
  adoptNodes(parent: Int32Array<ArrayBuffer>, key: Int32Array<ArrayBuffer>, self: Float64Array<ArrayBuffer>, derived?: DerivedTree): void {
    const size = parent.length;
    if (size < 1 || key.length !== size || self.length !== size) throw new RangeError('adoptNodes: parent, key and self need one entry per node, the root included');
    this.parent = parent;
    this.key = key;
    this.self = self;
    this.size = size;
    this.slots.fill(-1);
    this.pathLen = 0;
    this.totals = derived?.totals;
    this.childStart = derived?.childStart;
    this.childList = derived?.childList;
  }

  /** Adds one stack of named frames (root first) with their kernel flags (`_[k]` suffixes are honoured too). */
  add(frames: readonly string[], kernel: readonly boolean[], count: number, reverse = false): void {
    const keys = this.keysOf(frames, kernel);
    this.addKeys(keys, keys.length, count, reverse);
  }

  /** The node keys of named frames (root first) with their kernel flags, as `add` files them. */
  keysOf(frames: readonly string[], kernel: readonly boolean[]): Int32Array {
    const keys = new Int32Array(frames.length);
    for (let i = 0; i < frames.length; i++) {
      const info = this.nameTable.infoOf(this.nameTable.internString(frames[i]!));
      keys[i] = (info >> 2) * 2 + (kernel[i] || (info & 2) !== 0 ? 1 : 0);
    }
    return keys;
  }

  private finish(): Float64Array {
    if (this.totals) return this.totals;
    const size = this.size;
    const tot = this.self.slice(0, size);
    for (let n = size - 1; n > 0; n--) {
      const p = this.parent[n]!;
      tot[p] = tot[p]! + tot[n]!;
    }
    const start = new Int32Array(size + 1);
    for (let n = 1; n < size; n++) start[this.parent[n]! + 1]!++;
    for (let n = 0; n < size; n++) start[n + 1]! += start[n]!;
    const fill = start.slice(0, size);
    const list = new Int32Array(Math.max(size - 1, 0));
    for (let n = 1; n < size; n++) list[fill[this.parent[n]!]!++] = n;
    this.childStart = start;
    this.childList = list;
    this.totals = tot;
    return tot;
  }

  /** The frame of a node (not the root). */
  frame(node: number): FrameName {
    const k = this.key[node]!;
    return { name: this.nameTable.names[k >> 1]!, kernel: (k & 1) === 1 };
  }

  /** A node's frame as one number, `displayId * 2 + kernel`: equal for equal frames (not the root). */
  frameKey(node: number): number {
    return this.key[node]!;
  }

  /** Samples through a node. */
  valueOf(node: number): number {
    return this.finish()[node] ?? 0;
  }

  /** Children of a node, sorted by frame name (user before kernel on a tie), as flame graphs order them. */
  children(node: number): number[] {
    this.finish();
    const list = this.childList!;
    const from = this.childStart![node]!;
    const out = new Array<number>(this.childStart![node + 1]! - from);
    for (let i = 0; i < out.length; i++) out[i] = list[from + i]!;
    if (out.length < 2) return out;
    const rank = this.nameRanks();
    const key = this.key;
    const order = (n: number): number => rank[key[n]! >> 1]! * 2 + (key[n]! & 1);
    return out.sort((a, b) => order(a) - order(b));
  }

  /** Per display id, the rank of its name in string order (names are distinct), for numeric sorting. */
  private nameRanks(): Int32Array {
    const names = this.nameTable.names;
    if (this.ranks?.length === names.length) return this.ranks;
    const ids = names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    const ranks = new Int32Array(names.length);
    ids.forEach((id, r) => {
      ranks[id] = r;
    });
    this.ranks = ranks;
    return ranks;
  }
}
