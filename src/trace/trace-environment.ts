// What a trace needs from the machine, checked before bpftrace runs so each gap gets a message that says
// how to fix it: bpftrace installed, root, tracefs mounted, the program's tracepoints present.
import fs from 'node:fs';
import type { HostPaths } from '../host/host-paths.js';
import { isLiveHost } from '../host/host-paths.js';
import { KernelLacksError, ReclaimwatchError } from '../kernel/errors.js';
import { findTracefs, hasKprobes } from '../kernel/sys/tracing.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { type BpftraceInfo, probeBpftrace } from './bpftrace-version.js';
import { readTracepointFields } from './tracepoint-format.js';

/** The machine as a trace program sees it. */
export interface TraceEnvironment {
  bpftrace: BpftraceInfo;
  tracefs: string;
  kprobes: boolean;
  kernelRelease: string;
  /** Field names of a tracepoint, undefined when absent (cached). */
  fields: (tp: string) => Set<string> | undefined;
  /** True when a kernel function can be kprobed (listed in available_filter_functions, or that list is unreadable). */
  traceableFunction: (fn: string) => boolean;
}

/** Which kernel a tracepoint family needs, for "absent" messages. */
export function tracepointNeeds(tp: string): string {
  if (tp.startsWith('mmap_lock:')) return 'Linux 5.10 or newer (mmap_lock tracepoints)';
  if (tp.startsWith('syscalls:')) return 'a kernel built with CONFIG_FTRACE_SYSCALLS, and a syscall of that name on this architecture';
  if (tp === 'vmscan:mm_vmscan_throttled') return 'Linux 5.16 or newer';
  if (tp.startsWith('vmscan:')) return 'a kernel built with CONFIG_TRACEPOINTS (vmscan tracepoints)';
  return 'a kernel that offers it';
}

/** Mounts tracefs (root only, live host only); returns the directory or undefined. */
async function mountTracefs(host: HostPaths): Promise<string | undefined> {
  if (!isLiveHost(host) || process.geteuid?.() !== 0) return undefined;
  const dir = `${host.sys}/kernel/tracing`;
  await runWithDeadline('mount', ['-t', 'tracefs', 'nodev', dir], { deadlineMs: 10_000 });
  return findTracefs(host);
}

/**
 * Checks bpftrace, privileges and tracefs, and returns the environment. Throws ToolMissingError (bpftrace),
 * ReclaimwatchError `permission` (not root) or KernelLacksError (tracefs).
 */
export async function prepareTraceEnvironment(host: HostPaths, bpftracePath: string): Promise<TraceEnvironment> {
  const bpftrace = await probeBpftrace(bpftracePath);
  if (process.geteuid?.() !== 0) {
    throw new ReclaimwatchError('permission', 'bpftrace needs root (CAP_BPF and CAP_PERFMON, CAP_SYS_ADMIN on older kernels): run `sudo reclaimwatch trace ...`');
  }
  let tracefs = findTracefs(host) ?? (await mountTracefs(host));
  if (!tracefs) {
    throw new KernelLacksError('tracefs', `tracefs is not mounted at ${host.sys}/kernel/tracing: mount it with \`mount -t tracefs nodev /sys/kernel/tracing\` (as root)`);
  }
  tracefs = fs.realpathSync(tracefs);
  const cache = new Map<string, Set<string> | undefined>();
  let functions: Set<string> | undefined | null = null;
  let kernelRelease = 'unknown';
  try {
    kernelRelease = fs.readFileSync(`${host.proc}/sys/kernel/osrelease`, 'utf8').trim();
  } catch {
    /* fixture trees may lack it */
  }
  const dir = tracefs;
  return {
    bpftrace, tracefs: dir, kprobes: hasKprobes(dir), kernelRelease,
    fields: (tp) => {
      if (!cache.has(tp)) cache.set(tp, readTracepointFields(dir, tp));
      return cache.get(tp);
    },
    traceableFunction: (fn) => {
      if (functions === null) {
        try {
          functions = new Set(fs.readFileSync(`${dir}/available_filter_functions`, 'utf8').split('\n').map((l) => l.split(/\s/)[0] ?? ''));
        } catch {
          functions = undefined;
        }
      }
      return functions === undefined || functions.has(fn);
    },
  };
}

/** Throws KernelLacksError naming the first absent tracepoint and the kernel it needs. */
export function requireTracepoints(env: Pick<TraceEnvironment, 'fields' | 'kernelRelease'>, tps: readonly string[]): void {
  for (const tp of tps) {
    if (!env.fields(tp)) {
      throw new KernelLacksError(tp, `tracepoint ${tp} is absent on this kernel (${env.kernelRelease}): it needs ${tracepointNeeds(tp)}`);
    }
  }
}
