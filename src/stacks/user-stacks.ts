// User-space stacks of every thread, from a debugger in batch mode (eu-stack or gdb), safely: the mmap_lock
// probe runs first (a debugger reads /proc/PID/maps, which blocks while mmap_lock is held), the debugger
// runs in a killable child with a deadline, behind a guard that resumes the target if it is left stopped.
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { GoneError } from '../kernel/errors.js';
import { readPidStat } from '../kernel/proc/pid-stat.js';
import { probeMmapLock } from '../probe/mmap-lock-probe.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { parseEuStack } from './eu-stack-output.js';
import { parseGdbBacktraces } from './gdb-backtrace.js';
import { guardedCommand } from './resume-guard.js';

/** Debuggers that can collect user stacks. */
export type DebuggerName = 'eu-stack' | 'gdb';

/** Options of `collectUserStacks`. */
export interface UserStackOptions {
  /** `auto` (default) takes eu-stack (shorter stop) when installed, else gdb. */
  debugger?: DebuggerName | 'auto';
  /** Deadline for the debugger (default 10 s). */
  deadlineMs?: number;
  /** Deadline of the mmap_lock probe (default 1 s). */
  probeDeadlineMs?: number;
  /** PATH to search for the debuggers (default `process.env.PATH`). */
  searchPath?: string;
}

/** What the debugger gave. `skipped` says why there are no user stacks. */
export interface UserStacks {
  tool: DebuggerName | undefined;
  byTid: Map<number, string[]>;
  skipped: string | undefined;
  elapsedMs: number;
}

/** Finds an executable on a PATH string. */
export function findOnPath(name: string, searchPath = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Command line of each debugger: no init files, no debuginfod (no network), no pager. */
export function debuggerArgs(tool: DebuggerName, pid: number): string[] {
  if (tool === 'eu-stack') return ['-p', String(pid)];
  return ['-nx', '-batch', '-iex', 'set debuginfod enabled off', '-iex', 'set auto-load off',
    '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', 'set print thread-events off',
    '-ex', 'set print frame-arguments none', '-p', String(pid), '-ex', 'thread apply all bt'];
}

const none = (skipped: string, elapsedMs = 0, tool?: DebuggerName): UserStacks => ({ tool, byTid: new Map(), skipped, elapsedMs });

/** Collects user stacks. Throws GoneError when the process is gone; every other failure is a `skipped` reason. */
export async function collectUserStacks(host: HostPaths, pid: number, opts: UserStackOptions = {}): Promise<UserStacks> {
  const probe = await probeMmapLock(host, pid, opts.probeDeadlineMs);
  if (probe.outcome === 'gone') throw new GoneError(`${host.proc}/${pid}`);
  if (probe.outcome === 'timeout') {
    return none(`skipped: the mmap_lock probe timed out (${probe.detail ?? ''}); a debugger would block reading /proc/${pid}/maps the same way. Kernel stacks above are complete.`);
  }
  const want = opts.debugger ?? 'auto';
  const candidates: DebuggerName[] = want === 'auto' ? ['eu-stack', 'gdb'] : [want];
  let tool: DebuggerName | undefined;
  let file: string | undefined;
  for (const c of candidates) {
    file = findOnPath(c, opts.searchPath);
    if (file) {
      tool = c;
      break;
    }
  }
  if (!tool || !file) return none(`skipped: ${candidates.join(' or ')} is not installed (apt-get install ${candidates.map((c) => (c === 'gdb' ? 'gdb' : 'elfutils')).join(' ')})`);
  const deadlineMs = opts.deadlineMs ?? 10_000;
  let wasStopped = false;
  try {
    wasStopped = readPidStat(host, pid).state === 'T';
  } catch (err) {
    if (err instanceof GoneError) throw err;
  }
  const args = debuggerArgs(tool, pid);
  const cmd = wasStopped ? { file, args } : guardedCommand(pid, file, args);
  const env = { ...process.env, DEBUGINFOD_URLS: '', LC_ALL: 'C' };
  const r = await runWithDeadline(cmd.file, cmd.args, { deadlineMs, env, maxStdoutBytes: 64 << 20 });
  const elapsedMs = Math.round(r.elapsedMs);
  if (r.spawnError) return none(`skipped: cannot run ${tool}: ${r.spawnError.message}`, elapsedMs, tool);
  const byTid = tool === 'gdb' ? parseGdbBacktraces(r.stdout) : parseEuStack(r.stdout);
  if (r.timedOut) return { tool, byTid: new Map(), skipped: `skipped: ${tool} did not finish within ${deadlineMs} ms and was killed (the target was resumed)`, elapsedMs };
  if (byTid.size === 0) {
    try {
      readPidStat(host, pid);
    } catch (err) {
      if (err instanceof GoneError) throw err;
    }
    const why = r.stderr.trim().split('\n').filter(Boolean).slice(-2).join('; ') || `exit status ${String(r.code ?? r.signal)}`;
    return none(`skipped: ${tool} gave no stacks (${why})`, elapsedMs, tool);
  }
  return { tool, byTid, skipped: undefined, elapsedMs };
}
