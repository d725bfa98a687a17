// Folded lines ("comm;frame;...;frame COUNT") from joined stacks: kernel frames carry the `_[k]` suffix that
// `reclaimwatch flamegraph` (and FlameGraph's --color=java) colours apart.
import type { StackFrame } from './stack-frame.js';

/** Marker frame for a thread whose kernel stack is empty because it runs (in user space or on a CPU). */
export const ON_CPU_FRAME = '[running: no kernel stack]';

/** One folded line's stack part for a thread. Frame names lose `;` (the separator) and line breaks. */
export function foldStack(comm: string, frames: readonly StackFrame[], state: string): string {
  const clean = (s: string): string => s.replace(/[;\r\n]/g, '_');
  const parts = [clean(comm) || '[unknown]'];
  for (const f of frames) parts.push(f.kernel ? `${clean(f.name)}_[k]` : clean(f.name));
  if (frames.length === 0) parts.push(state === 'R' ? ON_CPU_FRAME : '[no stack]');
  return parts.join(';');
}

/** Aggregates stacks into folded text (sorted, one line per distinct stack, trailing newline). */
export function toFoldedText(stacks: Iterable<{ comm: string; frames: readonly StackFrame[]; state: string; count?: number }>): string {
  const counts = new Map<string, number>();
  for (const s of stacks) {
    const k = foldStack(s.comm, s.frames, s.state);
    counts.set(k, (counts.get(k) ?? 0) + (s.count ?? 1));
  }
  return [...counts.keys()].sort().map((k) => `${k} ${counts.get(k)!}\n`).join('');
}
