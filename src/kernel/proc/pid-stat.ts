// /proc/PID/stat and /proc/PID/task/TID/stat: one line, fields per proc(5).
// https://docs.kernel.org/filesystems/proc.html#id10 (Table 1-4)
// Example: 1234 (my (odd) comm) S 1 1234 1234 0 -1 4194560 12345 0 3 0 120 45 0 0 20 0 8 0 9876 ...
import { ParseError } from '../errors.js';
import type { HostPaths } from '../../host/host-paths.js';
import { DIRECT_READER, type KernelReader } from '../read.js';
import { parseCount } from '../parse-util.js';

/** The fields of `stat` that reclaimwatch uses, in kernel units (clock ticks, pages). */
export interface PidStat {
  pid: number;
  comm: string;
  /** One-letter scheduler state: R, S, D, T, t, Z, X, I, ... */
  state: string;
  ppid: number;
  minflt: number;
  majflt: number;
  utimeTicks: number;
  stimeTicks: number;
  numThreads: number;
  starttimeTicks: number;
  rssPages: number;
  processor: number;
  /** Aggregated block I/O delay (field 42), clock ticks; 0 where delay accounting is off. */
  delayacctBlkioTicks: number;
}

/** Parses the text of a `stat` file. The comm may contain spaces and parentheses: it ends at the last `)`. */
export function parsePidStat(text: string, path?: string): PidStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError({ field: 'comm', message: 'no (comm) in stat line', ...(path ? { path } : {}) });
  const pid = parseCount(text.slice(0, open).trim(), 'pid', path);
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const f = (n: number, name: string): number => parseCount(rest[n - 3], name, path);
  const state = rest[0];
  if (state === undefined || state.length !== 1) throw new ParseError({ field: 'state', message: `bad state ${JSON.stringify(state)}`, ...(path ? { path } : {}) });
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: f(4, 'ppid'),
    minflt: f(10, 'minflt'),
    majflt: f(12, 'majflt'),
    utimeTicks: f(14, 'utime'),
    stimeTicks: f(15, 'stime'),
    numThreads: f(20, 'num_threads'),
    starttimeTicks: f(22, 'starttime'),
    rssPages: f(24, 'rss'),
    processor: rest.length > 36 ? f(39, 'processor') : 0,
    delayacctBlkioTicks: rest.length > 39 ? f(42, 'delayacct_blkio_ticks') : 0,
  };
}

/** Reads `/proc/PID/stat`, or `/proc/PID/task/TID/stat` when `tid` is given. */
export function readPidStat(host: HostPaths, pid: number, tid?: number, reader: KernelReader = DIRECT_READER): PidStat {
  const file = tid === undefined ? `${host.proc}/${pid}/stat` : `${host.proc}/${pid}/task/${tid}/stat`;
  return parsePidStat(reader.read(file, 4096), file);
}
