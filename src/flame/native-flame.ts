// The native flame tree builder (native/flame_tree.c) when it was built, else undefined and the pure-JS
// parser serves. RECLAIMWATCH_NO_NATIVE=1 forces the JS path.
import { loadNativeAddon } from '../native/native-parts.js';

/** An opaque builder handle (a native External). */
export type NativeBuilder = object;

/** The native module's functions; see native/flame_tree.c for their contracts. */
export interface NativeFlame {
  /** `classify(nameBytes)` returns a new name's packed facts (`NameTable.infoOf`). */
  create(classify: (name: Buffer) => number, reverse: boolean, maxLineBytes: number): NativeBuilder;
  /** Adds the lines of `buf[from, to)` until one needs the JS parser: `[stop, linesRead, stacksAdded]`. */
  feed(b: NativeBuilder, buf: Buffer, from: number, to: number): [number, number, number];
  /** Adds one stack of node keys, root first. */
  addKeys(b: NativeBuilder, keys: Int32Array, n: number, count: number): void;
  /**
   * The node arrays (parent, key, self, one entry per node) and what is derived from them (totals, child
   * lists as in `FlameTree`); the builder cannot be used after.
   */
  finish(b: NativeBuilder): [
    Int32Array<ArrayBuffer>, Int32Array<ArrayBuffer>, Float64Array<ArrayBuffer>,
    Float64Array<ArrayBuffer>, Int32Array<ArrayBuffer>, Int32Array<ArrayBuffer>,
  ];
}

/** Loads build/Release/flame_tree.node; undefined when absent, unloadable or disabled by the environment. */
export function loadNativeFlame(): NativeFlame | undefined {
  return loadNativeAddon<NativeFlame>('flame_tree');
}
