// What this kernel and machine offer reclaimwatch: the report behind `reclaimwatch host`.
import fs from 'node:fs';
import type { HostPaths } from './host-paths.js';
import { detectCgroupLayout, type CgroupMode } from '../kernel/cgroup/layout.js';
import { readLruGen, type LruGen } from '../kernel/sys/lru-gen.js';
import { TRACEPOINTS_USED, hasKprobes, hasTracepoint } from '../kernel/sys/tracing.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readMeminfo } from '../kernel/proc/meminfo.js';
import { readProcStat } from '../kernel/proc/stat.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { type Exposure, readExposure } from './exposure.js';

/** An external tool reclaimwatch can use. */
export interface ToolInfo {
  name: string;
  path: string | undefined;
  version: string | undefined;
}

/** The host report. */
export interface HostReport {
  kernelRelease: string;
  cpus: number;
  memoryBytes: number;
  swapBytes: number;
  root: boolean;
  cgroup: { mode: CgroupMode; memory: 'v1' | 'v2' | undefined; v1Memory: string | undefined; unified: string | undefined; unifiedControllers: string[] };
  psi: { host: boolean; cgroup: boolean };
  mglru: LruGen;
  /**
   * `state`: `readable`, `unreadable` (mounted, but not readable by this user: tracefs is mode 0700, root only),
   * or `absent` (not mounted). Tracepoints are `null` ("cannot tell") when tracefs is unreadable, never "missing".
   */
  tracefs: { path: string | undefined; state: TracefsState; tracepoints: Record<string, boolean | null>; kprobes: boolean | null };
  tools: ToolInfo[];
  /** Which of the two reclaim livelocks this node is exposed to, and why (src/host/exposure.ts). */
  exposure: Exposure;
}

/** Whether tracefs is there for this user. */
export type TracefsState = 'readable' | 'unreadable' | 'absent';

/**
 * What a stat of `<tracefs>/events` says, for this user: it exists (readable), EACCES/EPERM (mounted but
 * mode 0700, root only: "not readable by you"), or ENOENT (absent, unless /proc/self/mounts lists a tracefs
 * there anyway). Pure.
 */
export function tracefsStateOf(o: { eventsErrno: string | undefined; listedInMounts: boolean }): TracefsState {
  if (o.eventsErrno === undefined) return 'readable';
  if (o.eventsErrno === 'EACCES' || o.eventsErrno === 'EPERM' || o.listedInMounts) return 'unreadable';
  return 'absent';
}

/** Finds tracefs and tells "absent" from "not readable by you". */
export function locateTracefs(host: HostPaths): { path: string | undefined; state: TracefsState } {
  let mounts = '';
  try {
    mounts = fs.readFileSync(`${host.proc}/self/mounts`, 'utf8');
  } catch {
    /* fixture trees may lack it */
  }
  let unreadable: string | undefined;
  for (const d of [`${host.sys}/kernel/tracing`, `${host.sys}/kernel/debug/tracing`]) {
    let errno: string | undefined;
    try {
      fs.statSync(`${d}/events`);
    } catch (err) {
      errno = (err as NodeJS.ErrnoException).code ?? 'EIO';
    }
    const listed = mounts.split('\n').some((l) => l.split(' ')[1] === d.replace(host.sys, '/sys') && l.split(' ')[2] === 'tracefs');
    const state = tracefsStateOf({ eventsErrno: errno, listedInMounts: listed });
    if (state === 'readable') return { path: d, state };
    if (state === 'unreadable') unreadable ??= d;
  }
  return unreadable ? { path: unreadable, state: 'unreadable' } : { path: undefined, state: 'absent' };
}

function which(name: string, rootfs: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = `${dir}/${name}`;
    try {
      fs.accessSync(`${rootfs === '/' ? '' : rootfs}${p}`, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const TOOL_VERSION_ARGS: Record<string, string[]> = { bpftrace: ['--version'], perf: ['--version'], gdb: ['--version'], 'eu-stack': ['--version'], 'qemu-system-x86_64': ['--version'] };

/** Finds a tool and its version (first line of `--version`, under a 2 s deadline). */
export async function probeTool(name: string, rootfs = '/'): Promise<ToolInfo> {
  const path = which(name, rootfs);
  if (!path) return { name, path: undefined, version: undefined };
  const r = await runWithDeadline(path, TOOL_VERSION_ARGS[name] ?? ['--version'], { deadlineMs: 2000, maxStdoutBytes: 4096 });
  const line = (r.stdout || r.stderr).split('\n').find((l) => l.trim() !== '');
  return { name, path, version: line?.trim() };
}

/** Builds the host report; tools are probed only when `tools` is true and the host is live. */
export async function buildHostReport(host: HostPaths, opts: { tools?: boolean } = {}): Promise<HostReport> {
  const layout = detectCgroupLayout(host);
  const tf = locateTracefs(host);
  const tracefs = tf.state === 'readable' ? tf.path : undefined;
  const mem = readMeminfo(host);
  const tracepoints: Record<string, boolean | null> = {};
  for (const tp of TRACEPOINTS_USED) tracepoints[tp] = tf.state === 'unreadable' ? null : tracefs !== undefined && hasTracepoint(tracefs, tp);
  const tools = opts.tools === false ? [] : await Promise.all(['bpftrace', 'perf', 'gdb', 'eu-stack', 'qemu-system-x86_64'].map((n) => probeTool(n, host.rootfs)));
  const unifiedPsi = layout.unified !== undefined && fs.existsSync(`${layout.unified}/memory.pressure`) || (layout.unified !== undefined && fs.readdirSync(layout.unified).some((d) => fs.existsSync(`${layout.unified}/${d}/memory.pressure`)));
  const kernelRelease = (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim();
  const mglru = readLruGen(host);
  return {
    kernelRelease,
    cpus: readProcStat(host).cpus,
    memoryBytes: mem['MemTotal'] ?? 0,
    swapBytes: mem['SwapTotal'] ?? 0,
    root: process.getuid?.() === 0,
    cgroup: { mode: layout.mode, memory: layout.v1Memory ? 'v1' : layout.unifiedControllers.includes('memory') ? 'v2' : undefined, v1Memory: layout.v1Memory, unified: layout.unified, unifiedControllers: layout.unifiedControllers },
    psi: { host: fs.existsSync(`${host.proc}/pressure/memory`), cgroup: unifiedPsi },
    mglru,
    tracefs: { path: tf.path, state: tf.state, tracepoints, kprobes: tf.state === 'unreadable' ? null : hasKprobes(tracefs) },
    tools,
    exposure: readExposure(host, kernelRelease, mglru),
  };
}
