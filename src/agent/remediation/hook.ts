// `--on-incident CMD`: a user's command (evict or delete the pod through the API, page someone) run by
// /bin/sh with the target's identity and verdict in the environment, in its own process group that is
// SIGKILLed at the deadline.
import { runWithDeadline } from '../../probe/run-with-deadline.js';

/** What the hook is told, as RECLAIMWATCH_* variables. */
export interface HookContext {
  /** The agent's target id. */
  target: string;
  cgroup: string;
  pod?: string | undefined;
  namespace?: string | undefined;
  container?: string | undefined;
  verdict: string;
  incident?: string | undefined;
  /** The evidence bundle's directory. */
  evidence?: string | undefined;
  /** What the guard decided: `hook` (act) or `dry-run` (the hook is told it should only report). */
  action: 'hook' | 'dry-run';
}

/** How the hook ended: `ok` (exit 0), `failed` (other exit or signal), `timeout`, `cannot-start`. */
export interface HookResult {
  result: 'ok' | 'failed' | 'timeout' | 'cannot-start';
  code: number | null;
  signal: NodeJS.Signals | null;
  elapsedMs: number;
  /** The first 4 KiB of its output, for the audit record. */
  stdout: string;
  stderr: string;
}

/** The environment the hook runs with: the agent's own plus RECLAIMWATCH_*. */
export function hookEnvironment(c: HookContext, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const set = (k: string, v: string | undefined): void => {
    if (v === undefined) delete env[k];
    else env[k] = v;
  };
  set('RECLAIMWATCH_TARGET', c.target);
  set('RECLAIMWATCH_CGROUP', c.cgroup);
  set('RECLAIMWATCH_POD', c.pod);
  set('RECLAIMWATCH_NAMESPACE', c.namespace);
  set('RECLAIMWATCH_CONTAINER', c.container);
  set('RECLAIMWATCH_VERDICT', c.verdict);
  set('RECLAIMWATCH_INCIDENT', c.incident);
  set('RECLAIMWATCH_EVIDENCE', c.evidence);
  set('RECLAIMWATCH_ACTION', c.action);
  return env;
}

/** Runs `command` with `/bin/sh -c` and a deadline. Never throws. */
export async function runIncidentHook(command: string, c: HookContext, timeoutMs: number, shell = '/bin/sh'): Promise<HookResult> {
  const r = await runWithDeadline(shell, ['-c', command], { deadlineMs: timeoutMs, env: hookEnvironment(c), maxStdoutBytes: 4096 });
  const result: HookResult['result'] = r.spawnError ? 'cannot-start' : r.timedOut ? 'timeout' : r.code === 0 ? 'ok' : 'failed';
  return { result, code: r.code, signal: r.signal, elapsedMs: Math.round(r.elapsedMs), stdout: r.stdout.slice(0, 4096), stderr: r.stderr.slice(0, 4096) };
}
