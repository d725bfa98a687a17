// Groups threads with identical joined stacks, largest group first: the deadlock view of a gdb dump, now
// with the kernel half.
import type { StackFrame } from './stack-frame.js';
import type { ThreadStack } from './thread-snapshot.js';

/** Threads sharing one stack. */
export interface StackGroup {
  count: number;
  tids: number[];
  /** Thread names in the group, distinct, in tid order. */
  comms: string[];
  /** Count of each scheduler state, e.g. `{ S: 3 }`. */
  states: Record<string, number>;
  /** Wait channels in the group, distinct. */
  wchans: string[];
  frames: StackFrame[];
  inReclaim: boolean;
  waitsMmapLock: boolean;
}

/** What makes two stacks the same: frame names with their side. Threads with no frames at all group by state. */
function stackKey(t: ThreadStack): string {
  if (t.frames.length === 0) return `\0empty:${t.state === 'R' ? 'R' : ''}`;
  return t.frames.map((f) => (f.kernel ? `k:${f.name}` : `u:${f.name}`)).join('\n');
}

/** Groups threads by identical stacks; largest group first, ties by lowest tid. */
export function groupThreads(threads: readonly ThreadStack[]): StackGroup[] {
  const groups = new Map<string, StackGroup>();
  for (const t of [...threads].sort((a, b) => a.tid - b.tid)) {
    const key = stackKey(t);
    let g = groups.get(key);
    if (!g) {
      g = { count: 0, tids: [], comms: [], states: {}, wchans: [], frames: t.frames, inReclaim: false, waitsMmapLock: false };
      groups.set(key, g);
    }
    g.count++;
    g.tids.push(t.tid);
    if (!g.comms.includes(t.comm)) g.comms.push(t.comm);
    g.states[t.state] = (g.states[t.state] ?? 0) + 1;
    if (!g.wchans.includes(t.wchan)) g.wchans.push(t.wchan);
    g.inReclaim ||= t.tags.inReclaim;
    g.waitsMmapLock ||= t.tags.waitsMmapLock;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.tids[0]! - b.tids[0]!);
}
