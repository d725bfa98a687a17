// /proc/PID/status: "Key:\tvalue" lines. https://docs.kernel.org/filesystems/proc.html (Table 1-2)
// Example: "VmRSS:\t  123456 kB", "Threads:\t42", "voluntary_ctxt_switches:\t150"
import type { HostPaths } from '../../host/host-paths.js';
import { readKernelFile } from '../read.js';

/** The parts of `status` that reclaimwatch uses. Absent keys are `undefined`. */
export interface PidStatus {
  name: string | undefined;
  state: string | undefined;
  tgid: number | undefined;
  uid: number | undefined;
  threads: number | undefined;
  vmRssBytes: number | undefined;
  voluntaryCtxtSwitches: number | undefined;
  nonvoluntaryCtxtSwitches: number | undefined;
  /** Every key, raw. */
  raw: Record<string, string>;
}

/** Parses `status` text. Unknown keys are kept in `raw`; malformed lines are skipped. */
export function parsePidStatus(text: string): PidStatus {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    raw[line.slice(0, c)] = line.slice(c + 1).trim();
  }
  const int = (k: string): number | undefined => {
    const m = /^(\d+)/.exec(raw[k] ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const kb = (k: string): number | undefined => {
    const v = int(k);
    return v === undefined ? undefined : v * 1024;
  };
  return {
    name: raw['Name'],
    state: raw['State']?.charAt(0),
    tgid: int('Tgid'),
    uid: int('Uid'),
    threads: int('Threads'),
    vmRssBytes: kb('VmRSS'),
    voluntaryCtxtSwitches: int('voluntary_ctxt_switches'),
    nonvoluntaryCtxtSwitches: int('nonvoluntary_ctxt_switches'),
    raw,
  };
}

/** Reads `/proc/PID/status`. */
export function readPidStatus(host: HostPaths, pid: number): PidStatus {
  return parsePidStatus(readKernelFile(`${host.proc}/${pid}/status`, 16384));
}
