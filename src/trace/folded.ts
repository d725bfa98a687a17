// Kernel stacks as bpftrace prints them (leaf first, one `symbol+offset` per line) → folded lines
// (`root;...;leaf count`) that flame graph tools read.

/** Splits a bpftrace `kstack` string into frames, leaf first, offsets removed. */
export function parseKstack(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.replace(/\+\d+$/, '').replace(/;/g, ':'));
}

/** One folded line: frames root first, separated by `;`, then a space and the count. */
export function foldedLine(framesLeafFirst: readonly string[], count: number, prefix: readonly string[] = []): string {
  return `${[...prefix, ...[...framesLeafFirst].reverse()].join(';') || '[unknown]'} ${count}`;
}
