// /proc/PID/cgroup: "hierarchy-ID:controller-list:cgroup-path". https://man7.org/linux/man-pages/man7/cgroups.7.html
// Example (hybrid): "4:memory:/process_api/b8f3", "0::/"
import type { HostPaths } from '../../host/host-paths.js';
import { ParseError } from '../errors.js';
import { readKernelFile } from '../read.js';

/** One line of `/proc/PID/cgroup`. `controllers` is empty for the v2 line (`0::/path`). */
export interface CgroupMembership {
  hierarchyId: number;
  controllers: string[];
  path: string;
}

/** Parses `/proc/PID/cgroup`. A line without two colons is a parse error; empty lines are skipped. */
export function parsePidCgroup(text: string, path?: string): CgroupMembership[] {
  const out: CgroupMembership[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    const id = line.slice(0, a);
    if (a <= 0 || b < 0 || !/^\d+$/.test(id)) throw new ParseError({ field: 'cgroup line', message: JSON.stringify(line), line: i + 1, ...(path ? { path } : {}) });
    const ctl = line.slice(a + 1, b);
    out.push({ hierarchyId: Number(id), controllers: ctl === '' ? [] : ctl.split(','), path: line.slice(b + 1) });
  });
  return out;
}

/** Reads `/proc/PID/cgroup`. */
export function readPidCgroup(host: HostPaths, pid: number): CgroupMembership[] {
  const file = `${host.proc}/${pid}/cgroup`;
  return parsePidCgroup(readKernelFile(file, 16384), file);
}
