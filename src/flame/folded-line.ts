// The folded stack format: one stack per line, frames root first separated by `;`, then white space and a
// sample count. Produced by FlameGraph's stackcollapse-* scripts, `reclaimwatch trace --folded`,
// `reclaimwatch stacks --folded` and bpftrace post-processors.
// Example: "java;start_thread;run;entry_SYSCALL_64_after_hwframe;do_syscall_64;__x64_sys_futex 27"
// Frame names may contain spaces (C++ signatures), so the count is the last white-space separated field.

/** One parsed folded line. `frames` are root first; empty segments (`a;;b`) are dropped. */
export interface FoldedStack {
  frames: string[];
  count: number;
}

/** Why a line was rejected. */
export interface FoldedProblem {
  line: number;
  message: string;
}

const COUNT = /^\d+(?:\.\d+)?$/;

/**
 * Quotes at most `max` characters of untrusted input for a terminal: printable ASCII as is, everything else
 * (control bytes, invalid UTF-8 turned U+FFFD, any non-ASCII) escaped as \xNN or \u{...}, so a binary file
 * piped in by mistake prints readable messages.
 */
export function printableExcerpt(text: string, max = 12): string {
  const chars = [...text];
  let out = '';
  for (const c of chars.slice(0, max)) {
    const cp = c.codePointAt(0)!;
    if (cp === 0x22 || cp === 0x5c) out += `\\${c}`;
    else if (cp >= 0x20 && cp < 0x7f) out += c;
    else out += cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  }
  return `"${out}"${chars.length > max ? '…' : ''}`;
}

/**
 * Parses one folded line. Returns the stack, `undefined` for a blank line, or a problem message (string)
 * for a malformed one. Trailing `\r` is ignored.
 */
export function parseFoldedLine(text: string): FoldedStack | string | undefined {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  if (end === 0) return undefined;
  let sp = end - 1;
  while (sp >= 0 && text.charCodeAt(sp) !== 32 && text.charCodeAt(sp) !== 9) sp--;
  if (sp < 0) return 'no sample count: expected "frame;frame;... COUNT"';
  const countText = text.slice(sp + 1, end);
  if (!COUNT.test(countText)) return `bad sample count ${printableExcerpt(countText)}: expected a non-negative number at the end of the line`;
  let stackEnd = sp;
  while (stackEnd > 0 && (text.charCodeAt(stackEnd - 1) === 32 || text.charCodeAt(stackEnd - 1) === 9)) stackEnd--;
  const stack = text.slice(0, stackEnd);
  if (/[ \t]\d+(?:\.\d+)?$/.test(stack)) {
    return 'two sample counts (differential folded input) are not supported: give one count per line';
  }
  const frames = stack.split(';');
  let empty = 0;
  for (const f of frames) if (f.length === 0) empty++;
  const kept = empty === 0 ? frames : frames.filter((f) => f.length > 0);
  if (kept.length === 0) return 'empty stack: no frame names before the sample count';
  return { frames: kept, count: Number(countText) };
}
