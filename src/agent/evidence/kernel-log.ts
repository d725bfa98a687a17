// The kernel log's OOM and hung-task lines, from /dev/kmsg read non-blocking (it can never wait for new
// records), else `dmesg` in a child with a deadline. https://docs.kernel.org/admin-guide/abi-testing.html#abi-dev-kmsg
// Example record: "3,1042,5123456789,-;Memory cgroup out of memory: Killed process 4242 (thrash) ..."
import fs from 'node:fs';
import { runWithDeadline } from '../../probe/run-with-deadline.js';

/** Lines worth keeping: OOM kills and their reports, hung tasks, soft lockups, RCU stalls. */
export const KERNEL_LOG_PATTERN = /out of memory|oom-kill|oom_reaper|invoked oom-killer|Killed process|memory: usage|memory\+swap: usage|Memory cgroup stats|blocked for more than|hung_task|soft lockup|rcu.*stall|Freezing/i;

/** One kept record. */
export interface KernelLogLine {
  /** Seconds since boot (the record's timestamp). */
  bootSeconds: number;
  level: number;
  text: string;
}

/** What was read, and how. */
export interface KernelLog {
  source: '/dev/kmsg' | 'dmesg';
  /** Records read in all. */
  scanned: number;
  lines: KernelLogLine[];
  /** Matching lines left out beyond `maxLines` (the oldest). */
  dropped: number;
}

/** Parses one /dev/kmsg record ("pri,seq,usec,flags;text"); undefined for anything else. */
export function parseKmsgRecord(rec: string): KernelLogLine | undefined {
  const semi = rec.indexOf(';');
  if (semi < 0) return undefined;
  const [pri, , usec] = rec.slice(0, semi).split(',');
  if (pri === undefined || usec === undefined || !/^\d+$/.test(pri) || !/^\d+$/.test(usec)) return undefined;
  const text = rec.slice(semi + 1).split('\n')[0] ?? '';
  return { bootSeconds: Number(usec) / 1e6, level: Number(pri) & 7, text };
}

function keep(lines: KernelLogLine[], maxLines: number): { lines: KernelLogLine[]; dropped: number } {
  return lines.length <= maxLines ? { lines, dropped: 0 } : { lines: lines.slice(-maxLines), dropped: lines.length - maxLines };
}

/** Reads the kernel log's matching lines (the newest `maxLines`). Throws only when neither source works. */
export async function readKernelLog(opts: { kmsg?: string; maxLines?: number; deadlineMs?: number } = {}): Promise<KernelLog> {
  const maxLines = opts.maxLines ?? 500;
  const matched: KernelLogLine[] = [];
  let scanned = 0;
  let fd: number | undefined;
  try {
    fd = fs.openSync(opts.kmsg ?? '/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    fd = undefined;
  }
  if (fd !== undefined) {
    const buf = Buffer.alloc(16384);
    const end = Date.now() + (opts.deadlineMs ?? 2000);
    try {
      while (Date.now() < end) {
        let n: number;
        try {
          n = fs.readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') continue; // records overwritten while reading: go on with the next
          if (code === 'EAGAIN') break; // no more records
          throw err;
        }
        if (n === 0) break;
        scanned++;
        const rec = parseKmsgRecord(buf.subarray(0, n).toString('utf8'));
        if (rec && KERNEL_LOG_PATTERN.test(rec.text)) matched.push(rec);
      }
    } finally {
      fs.closeSync(fd);
    }
    return { source: '/dev/kmsg', scanned, ...keep(matched, maxLines) };
  }
  const r = await runWithDeadline('dmesg', ['--kernel', '--raw', '--nopager'], { deadlineMs: opts.deadlineMs ?? 2000, maxStdoutBytes: 8 << 20 });
  if (r.spawnError || r.code !== 0) throw new Error(`cannot read /dev/kmsg, and dmesg ${r.spawnError ? 'is not installed' : r.timedOut ? 'timed out' : `failed: ${r.stderr.trim()}`}`);
  for (const line of r.stdout.split('\n')) {
    const m = /^<(\d+)>\[\s*(\d+\.\d+)\]\s?(.*)$/.exec(line);
    if (!m) continue;
    scanned++;
    if (KERNEL_LOG_PATTERN.test(m[3]!)) matched.push({ level: Number(m[1]) & 7, bootSeconds: Number(m[2]), text: m[3]! });
  }
  return { source: 'dmesg', scanned, ...keep(matched, maxLines) };
}

/** Text form: "[  123.456789] text". */
export function formatKernelLog(log: KernelLog): string {
  const head = `# ${log.lines.length} OOM / hung-task / lockup line(s) of ${log.scanned} kernel log record(s), from ${log.source}${log.dropped ? `; ${log.dropped} older matching line(s) left out` : ''}\n`;
  return head + log.lines.map((l) => `[${l.bootSeconds.toFixed(6).padStart(13)}] ${l.text}\n`).join('');
}
