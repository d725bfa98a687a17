// Terminal text for a grouped snapshot: largest group first, user frames above kernel frames, marked.
import type { StackGroup } from './group-threads.js';
import type { ThreadSnapshot } from './thread-snapshot.js';

function tidList(tids: readonly number[]): string {
  return tids.length <= 8 ? tids.join(',') : `${tids.slice(0, 8).join(',')},… (${tids.length})`;
}

/** Renders a snapshot's groups as plain text (one block per group, frames root first). */
export function formatGroups(snap: ThreadSnapshot, groups: readonly StackGroup[]): string {
  const lines: string[] = [];
  const userNote = snap.user.collected ? `user stacks by ${snap.user.tool ?? '?'} (${snap.user.elapsedMs} ms)` : `user stacks ${snap.user.skipped ?? 'not collected'}`;
  lines.push(`pid ${snap.pid} (${snap.comm}): ${snap.threads.length} threads in ${groups.length} groups; ${userNote}`);
  for (const g of groups) {
    const states = Object.entries(g.states).map(([s, n]) => `${s}×${n}`).join(' ');
    const tags = [g.inReclaim ? 'IN RECLAIM' : '', g.waitsMmapLock ? 'WAITS FOR mmap_lock' : ''].filter(Boolean).join(', ');
    lines.push('');
    lines.push(`${g.count} thread${g.count === 1 ? '' : 's'}  ${g.comms.join(',')}  state ${states}  wchan ${g.wchans.join(',')}  tids ${tidList(g.tids)}${tags ? `  [${tags}]` : ''}`);
    if (g.frames.length === 0) lines.push('    (no stack: running in user space or on a CPU, and no user stack collected)');
    for (const f of g.frames) lines.push(`    ${f.kernel ? 'kernel' : 'user  '}  ${f.name}`);
  }
  return `${lines.join('\n')}\n`;
}
