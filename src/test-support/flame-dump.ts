// A flame tree flattened for comparison in tests: the native and JS builders, golden trees.
import type { FlameTree } from '../flame/flame-tree.js';

/** Every node as "path value", depth first in child order; kernel frames are written `k:name`. */
export function dumpFlameTree(tree: FlameTree): string[] {
  const out: string[] = [];
  const walk = (n: number, prefix: string): void => {
    for (const c of tree.children(n)) {
      const f = tree.frame(c);
      const p = `${prefix};${f.kernel ? 'k:' : ''}${f.name}`;
      out.push(`${p} ${tree.valueOf(c)}`);
      walk(c, p);
    }
  };
  walk(tree.root, '');
  return out;
}
