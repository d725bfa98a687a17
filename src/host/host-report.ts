// What this kernel and machine offer reclaimwatch: the report behind `reclaimwatch host`.
import fs from 'node:fs';
import type { HostPaths } from './host-paths.js';
import { detectCgroupLayout, type CgroupMode } from '../kernel/cgroup/layout.js';
import { readLruGen, type LruGen } from '../kernel/sys/lru-gen.js';
import { TRACEPOINTS_USED, findTracefs, hasKprobes, hasTracepoint } from '../kernel/sys/tracing.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readMeminfo } from '../kernel/proc/meminfo.js';
import { readProcStat } from '../kernel/proc/stat.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';

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
  tracefs: { path: string | undefined; tracepoints: Record<string, boolean>; kprobes: boolean };
  tools: ToolInfo[];
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
  const tracefs = findTracefs(host);
  const mem = readMeminfo(host);
  const tracepoints: Record<string, boolean> = {};
  for (const tp of TRACEPOINTS_USED) tracepoints[tp] = tracefs !== undefined && hasTracepoint(tracefs, tp);
  const tools = opts.tools === false ? [] : await Promise.all(['bpftrace', 'perf', 'gdb', 'eu-stack', 'qemu-system-x86_64'].map((n) => probeTool(n, host.rootfs)));
  const unifiedPsi = layout.unified !== undefined && fs.existsSync(`${layout.unified}/memory.pressure`) || (layout.unified !== undefined && fs.readdirSync(layout.unified).some((d) => fs.existsSync(`${layout.unified}/${d}/memory.pressure`)));
  return {
    kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim(),
    cpus: readProcStat(host).cpus,
    memoryBytes: mem['MemTotal'] ?? 0,
    swapBytes: mem['SwapTotal'] ?? 0,
    root: process.getuid?.() === 0,
    cgroup: { mode: layout.mode, memory: layout.v1Memory ? 'v1' : layout.unifiedControllers.includes('memory') ? 'v2' : undefined, v1Memory: layout.v1Memory, unified: layout.unified, unifiedControllers: layout.unifiedControllers },
    psi: { host: fs.existsSync(`${host.proc}/pressure/memory`), cgroup: unifiedPsi },
    mglru: readLruGen(host),
    tracefs: { path: tracefs, tracepoints, kprobes: hasKprobes(tracefs) },
    tools,
  };
}
