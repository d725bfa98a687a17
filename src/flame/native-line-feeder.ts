// The native line parser (native/flame_tree.c): builds the tree in C, then hands its node arrays to the
// FlameTree. Frame names met for the first time are classified by the tree's NameTable, so both parsers
// share one set of naming rules and produce the same nodes in the same order.
import type { FlameTree } from './flame-tree.js';
import type { FeedCounts, LineFeeder } from './line-feeder.js';
import type { NativeFlame } from './native-flame.js';

/** A LineFeeder backed by the native builder; `tree` must be empty (only its root). */
export function nativeLineFeeder(native: NativeFlame, tree: FlameTree, reverse: boolean, maxLine: number, counts: FeedCounts): LineFeeder {
  if (tree.nodeCount !== 1) throw new Error('the native flame tree builder starts from an empty tree');
  const names = tree.nameTable;
  const builder = native.create((name) => names.infoOf(names.internBytes(name)), reverse, maxLine);
  return {
    feed(b: Buffer, from: number, to: number): number {
      const [stop, lines, stacks] = native.feed(builder, b, from, to);
      counts.lines += lines;
      counts.stacks += stacks;
      return stop;
    },
    addStack(frames: readonly string[], kernel: readonly boolean[], count: number): void {
      const keys = tree.keysOf(frames, kernel);
      counts.stacks++;
      native.addKeys(builder, keys, keys.length, count);
    },
    finish(): void {
      const [parent, key, self, totals, childStart, childList] = native.finish(builder);
      tree.adoptNodes(parent, key, self, { totals, childStart, childList });
    },
  };
}
