// /proc/PID/io: "key: value" lines. https://docs.kernel.org/filesystems/proc.html#proc-pid-io-display-the-io-accounting-fields
// Example: "rchar: 323934931", "read_bytes: 4096". Readable by the owner or root (ptrace access).
import type { HostPaths } from '../../host/host-paths.js';
import { DIRECT_READER, type KernelReader } from '../read.js';

/** I/O counters of a process, bytes and syscall counts. */
export interface PidIo {
  rcharBytes: number;
  wcharBytes: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
}

/** Parses `io` text; missing keys are 0 and unknown lines are skipped. */
export function parsePidIo(text: string): PidIo {
  const v: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)$/.exec(line.trim());
    if (m) v[m[1]!] = Number(m[2]);
  }
  return {
    rcharBytes: v['rchar'] ?? 0,
    wcharBytes: v['wchar'] ?? 0,
    syscr: v['syscr'] ?? 0,
    syscw: v['syscw'] ?? 0,
    readBytes: v['read_bytes'] ?? 0,
    writeBytes: v['write_bytes'] ?? 0,
  };
}

/** Reads `/proc/PID/io`. */
export function readPidIo(host: HostPaths, pid: number, reader: KernelReader = DIRECT_READER): PidIo {
  return parsePidIo(reader.read(`${host.proc}/${pid}/io`, 4096));
}
