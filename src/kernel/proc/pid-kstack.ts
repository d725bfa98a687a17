// /proc/PID/task/TID/stack (root only): the thread's kernel stack, innermost first.
// Example line: "[<0>] shrink_lruvec+0x5c1/0xb70"   (addresses are hidden as <0> unless kptr_restrict allows)
import type { HostPaths } from '../../host/host-paths.js';
import { readKernelFile } from '../read.js';

/** Parses a kernel stack into function names, innermost first (offsets and module tags dropped). */
export function parseKernelStack(text: string): string[] {
  const frames: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[<[0-9a-fx]+>\]\s+([^+\s]+)/.exec(line.trim());
    if (m) frames.push(m[1]!);
  }
  return frames;
}

/** Reads a thread's kernel stack. Needs root (CAP_SYS_ADMIN); throws KernelReadError('permission') otherwise. */
export function readKernelStack(host: HostPaths, pid: number, tid: number): string[] {
  return parseKernelStack(readKernelFile(`${host.proc}/${pid}/task/${tid}/stack`, 16384));
}

/** Reads a thread's wait channel (`0` when running). */
export function readWchan(host: HostPaths, pid: number, tid: number): string {
  return readKernelFile(`${host.proc}/${pid}/task/${tid}/wchan`, 256).trim();
}
