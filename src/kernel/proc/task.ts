// /proc/PID/task: one directory per thread of the thread group.
import type { HostPaths } from '../../host/host-paths.js';
import { listKernelDir, readKernelFile } from '../read.js';

/** Lists the thread IDs of a process, ascending. Throws GoneError when the process exited. */
export function listTids(host: HostPaths, pid: number): number[] {
  return listKernelDir(`${host.proc}/${pid}/task`).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Lists every PID in procfs, ascending. */
export function listPids(host: HostPaths): number[] {
  return listKernelDir(host.proc).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** Reads `/proc/PID/comm` (does not take mmap_lock, unlike `cmdline`). */
export function readComm(host: HostPaths, pid: number, tid?: number): string {
  const file = tid === undefined ? `${host.proc}/${pid}/comm` : `${host.proc}/${pid}/task/${tid}/comm`;
  return readKernelFile(file, 256).replace(/\n$/, '');
}
