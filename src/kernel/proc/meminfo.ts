// /proc/meminfo: "Key:   value kB". https://docs.kernel.org/filesystems/proc.html#meminfo
// Example: "MemTotal:       24634452 kB", "HugePages_Total:       0"
import type { HostPaths } from '../../host/host-paths.js';
import { readKernelFile } from '../read.js';

/** Parses `/proc/meminfo`: values with a `kB` unit become bytes, others stay counts. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(\s+kB)?\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  return out;
}

/** Reads `/proc/meminfo`. */
export function readMeminfo(host: HostPaths): Record<string, number> {
  return parseMeminfo(readKernelFile(`${host.proc}/meminfo`));
}
