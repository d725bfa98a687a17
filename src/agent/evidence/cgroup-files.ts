// The reference's `(cd /sys/fs/cgroup/memory/$CG; tail -n 100 *)`: every regular file of a cgroup directory,
// its last 100 lines, each read with a byte cap. Cgroup files never take a target's mmap_lock, so they are
// read in-process; write-only files (cgroup.kill, memory.force_empty) fail to open and are listed as such.
import fs from 'node:fs';
import { readKernelFile } from '../../kernel/read.js';

/** One cgroup directory in `tail -n 100 *` form, and how much was left out. */
export interface CgroupTail {
  text: string;
  files: number;
  unreadable: string[];
  /** Files whose last 100 lines were cut at the per-file byte cap. */
  capped: string[];
}

/** Reads every file of `dir` (not subdirectories), `tail -n LINES` style, at most `capBytes` per file and `totalCapBytes` in all. */
export async function tailCgroupDir(dir: string, opts: { lines?: number; capBytes?: number; totalCapBytes?: number } = {}): Promise<CgroupTail> {
  const lines = opts.lines ?? 100;
  const cap = opts.capBytes ?? 64 << 10;
  const totalCap = opts.totalCapBytes ?? 1 << 20;
  const names = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
  const parts: string[] = [];
  const unreadable: string[] = [];
  const capped: string[] = [];
  let total = 0;
  let i = 0;
  for (const name of names) {
    // Let the event loop run between files: the agent's ticks are never held up by a long listing.
    if (++i % 16 === 0) await new Promise((r) => setImmediate(r));
    let body: string;
    try {
      body = readKernelFile(`${dir}/${name}`, cap + 1);
    } catch (err) {
      unreadable.push(name);
      parts.push(`==> ${name} <==\n(unreadable: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})\n`);
      continue;
    }
    if (body.length > cap) {
      capped.push(name);
      body = body.slice(0, cap);
    }
    const ls = body.replace(/\n$/, '').split('\n');
    const tail = ls.length > lines ? ls.slice(-lines) : ls;
    const chunk = `==> ${name} <==\n${tail.join('\n')}\n`;
    if (total + chunk.length > totalCap) {
      parts.push(`==> … <==\n(${names.length - parts.length} more file(s) left out: ${totalCap} bytes reached)\n`);
      break;
    }
    parts.push(chunk);
    total += chunk.length;
  }
  return { text: parts.join('\n'), files: names.length, unreadable, capped };
}
