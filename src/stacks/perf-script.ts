// Parses `perf script -F comm,tid,period,ip,sym,dso` output (perf record -g) into folded stacks.
// dd 17295     250000
// 	ffffffff816d659d vfs_write ([kernel.kallsyms])
// 	ffffffff81000130 entry_SYSCALL_64_after_hwframe ([kernel.kallsyms])
// 	           f8350 __GI___libc_write (/usr/lib/x86_64-linux-gnu/libc.so.6)
// (a blank line ends a sample; frames are innermost first)
import { toFoldedText } from './folded-stacks.js';
import type { StackFrame } from './stack-frame.js';

/** Samples and their folded text. */
export interface PerfFolded {
  samples: number;
  folded: string;
}

/** Folds perf script output: one count per sample, kernel frames (dso `[kernel.*]`) marked `_[k]`. */
export function parsePerfScript(text: string): PerfFolded {
  const stacks: { comm: string; frames: StackFrame[]; state: string }[] = [];
  let comm: string | undefined;
  let inner: StackFrame[] = [];
  const flush = (): void => {
    if (comm !== undefined) stacks.push({ comm, frames: inner.reverse(), state: 'R' });
    comm = undefined;
    inner = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (!/^\s/.test(line)) {
      flush();
      const h = /^(.*?)\s+(\d+)(?:\/\d+)?\s+\d+\s*$/.exec(line) ?? /^(.*?)\s+\d+(?:\/\d+)?\s/.exec(line);
      if (h) comm = h[1]!.trim();
      continue;
    }
    if (comm === undefined) continue;
    const f = /^\s+([0-9a-fA-F]+)\s+(.*?)\s+\(([^()]*)\)\s*$/.exec(line);
    if (!f) continue;
    const name = f[2]!.replace(/\+0x[0-9a-f]+$/, '') || '[unknown]';
    if (name === '[unknown]' && f[1] === '0') continue;
    inner.push({ name, kernel: f[3]!.startsWith('[kernel') });
  }
  flush();
  return { samples: stacks.length, folded: toFoldedText(stacks) };
}
