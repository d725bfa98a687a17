import { type StackTags, tagKernelStack } from '../probe/reclaim-frames.js';
import type { StackSample } from '../sample/sample.js';

/** Kernel stacks with identical frames, counted over every sample of a window. */
export interface KernelStackGroup {
  count: number;
  /** Distinct threads seen with this stack. */
  threads: number;
  states: string[];
  frames: string[];
  tags: StackTags;
}

/** Groups stack samples by their frames, largest group first; tags come from today's tagger, not the recording. */
export function groupStacks(samples: StackSample[], limit = 10): KernelStackGroup[] {
  const groups = new Map<string, { count: number; tids: Set<number>; states: Set<string>; frames: string[]; tags: StackTags }>();
  for (const s of samples) {
    const key = s.frames.join(';');
    let g = groups.get(key);
    if (!g) {
      g = { count: 0, tids: new Set(), states: new Set(), frames: s.frames, tags: tagKernelStack(s.frames) };
      groups.set(key, g);
    }
    g.count++;
    g.tids.add(s.tid);
    g.states.add(s.state);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, limit)
    .map((g) => ({ count: g.count, threads: g.tids.size, states: [...g.states].sort(), frames: g.frames, tags: g.tags }));
}
