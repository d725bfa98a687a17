// Parses `eu-stack -p PID` (elfutils) output into function names per thread, innermost first.
// PID 10005 - process
// TID 10007:
// #0  0x00007f269045b829 syscall
// #1  0x000055fc241741bb park_in_futex
// #4  0x00007f26904638ec __clone3
// #2  0x00007f2690 - 1 start_thread      (older elfutils mark non-activation frames with "- 1")
import { cleanSymbol } from './gdb-backtrace.js';

/** Function names per thread id, innermost frame first. A frame without a symbol is `[unknown]`. */
export function parseEuStack(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let frames: string[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^TID (\d+):/.exec(line);
    if (h) {
      frames = [];
      out.set(Number(h[1]), frames);
      continue;
    }
    if (!frames) continue;
    const f = /^#\d+\s+0x[0-9a-fA-F]+(?:\s+-\s+1)?(?:\s+(\S.*))?$/.exec(line.trimEnd());
    if (f) frames.push(cleanSymbol(f[1] ?? ''));
  }
  return out;
}
