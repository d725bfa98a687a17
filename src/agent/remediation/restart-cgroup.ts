// Restarts a container by killing its cgroup, so that its runtime (podman's conmon, the kubelet) restarts it as
// after a failed liveness probe; then verifies that the cgroup emptied and that the container came back.
//   v2: cgroup.freeze=1 (nothing forks away), cgroup.kill=1, wait for empty, cgroup.freeze=0.
//   v1: freezer.state=FROZEN where the freezer hierarchy has the same cgroup, SIGKILL every task, THAWED (a frozen
//       v1 task dies only once thawed), then SIGKILL whatever is left until none is, or the deadline.
// The action is recorded `planned`, with what it will freeze, before anything is written to the kernel; a crash
// in between is repaired by repairInterruptedActions() at the next start.
import fs from 'node:fs';
import type { HostPaths } from '../../host/host-paths.js';
import { type CgroupRef, cgroupOfPath } from '../../kernel/cgroup/cgroup-ref.js';
import { detectCgroupLayout } from '../../kernel/cgroup/layout.js';
import { isGoneErrno } from '../../kernel/errors.js';
import { readKernelStack } from '../../kernel/proc/pid-kstack.js';
import { readPidStat } from '../../kernel/proc/pid-stat.js';
import { listTids } from '../../kernel/proc/task.js';
import { readKernelFileIfExists } from '../../kernel/read.js';
import { sleep } from '../../units/sleep.js';
import type { ActionOutcome, ActionRecord, FreezeDir, RemediationAudit } from './audit.js';
import { freezeCgroup, thawCgroup } from './cgroup-freezer.js';
import { normaliseCgroupPath } from './guard.js';

/** Steps of the action, reported through `onPhase` (tests stop the agent in between). */
export type RestartPhase = 'planned' | 'frozen' | 'killed' | 'thawed' | 'empty' | 'back';

/** A task that outlived SIGKILL and the deadline: threads spinning in the kernel can. */
export interface UnkillableTask {
  pid: number;
  tid: number;
  comm: string;
  state: string;
  /** Kernel stack, innermost first (empty when unreadable). */
  stack: string[];
}

/** The result word (also the counter's `result` label). */
export type RestartResult = 'restarted' | 'killed' | 'not-back' | 'unkillable' | 'gone' | 'failed';

/** What the action did and saw. */
export interface RestartOutcome {
  result: RestartResult;
  mechanism: 'v2-freeze-kill' | 'v1-freezer-kill' | 'v1-kill';
  message: string;
  killedPids: number[];
  /** Milliseconds from the decision to an empty cgroup. */
  emptiedMs: number | undefined;
  /** Milliseconds from the decision to the container's return. */
  backMs: number | undefined;
  back: { cgroupPath: string; pids: number[] } | undefined;
  unkillable: UnkillableTask[];
  /** The v1 freezer (or v2 freeze) reached FROZEN before the kill. */
  frozeCleanly: boolean | undefined;
  /** Milliseconds from the decision to each step. */
  phaseMs: Partial<Record<RestartPhase, number>>;
}

/** Options of `restartCgroup`. */
export interface RestartOptions {
  host: HostPaths;
  cgroupPath: string;
  audit: Pick<RemediationAudit, 'recordAction' | 'finishAction'>;
  /** The record's identity; the rest (state, freezeDirs, time) is filled in. */
  record: Pick<ActionRecord, 'id' | 'incidentId' | 'targetId' | 'reasons'>;
  /** Wait for FROZEN at most this long, then kill anyway: tasks busy in reclaim never freeze on v1, and the ones that did cannot fork. Default 500 ms. */
  freezeDeadlineMs?: number;
  /** The cgroup must be empty within this. Default 10 s. */
  killDeadlineMs?: number;
  /** The container must be back within this; 0 = do not wait (a plain cgroup nobody restarts). Default 60 s. */
  backDeadlineMs?: number;
  /**
   * Finds the container again: its cgroup path and PIDs, or undefined while it is not back. Default: the same
   * cgroup path holds PIDs that were not there before (podman and the kubelet reuse the container's cgroup).
   */
  findBack?: (oldPids: ReadonlySet<number>) => { cgroupPath: string; pids: number[] } | undefined;
  onPhase?: (phase: RestartPhase) => void | Promise<void>;
  signal?: AbortSignal;
  /**
   * On a hybrid host (v1 memory, a v2 tree beside it), freeze and kill through the cgroup's v2 twin
   * (`cgroup.freeze`, `cgroup.kill`) instead of the v1 freezer: atomic, and it works on tasks that never freeze.
   * Only when the twin holds the same processes. Default false.
   */
  useUnifiedTwin?: boolean;
}

function pidsIn(dir: string | undefined): number[] {
  if (!dir) return [];
  const text = readKernelFileIfExists(`${dir}/cgroup.procs`);
  return text === undefined ? [] : text.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

function killAll(pids: readonly number[]): number[] {
  const hit: number[] = [];
  for (const p of pids) {
    if (p === process.pid) continue;
    try {
      process.kill(p, 'SIGKILL');
      hit.push(p);
    } catch {
      /* already gone */
    }
  }
  return hit;
}

/** Where the v1 freezer keeps the same cgroup, when that hierarchy is mounted and has it (never its root). */
function v1FreezerDir(host: HostPaths, path: string): string | undefined {
  if (normaliseCgroupPath(path) === '/') return undefined;
  const d = `${host.sys}/fs/cgroup/freezer${normaliseCgroupPath(path)}`;
  return fs.existsSync(`${d}/freezer.state`) ? d : undefined;
}

/** Tasks still in the cgroup, with their kernel stacks. */
export function describeTasks(host: HostPaths, pids: readonly number[]): UnkillableTask[] {
  const out: UnkillableTask[] = [];
  for (const pid of pids) {
    let tids: number[];
    try {
      tids = listTids(host, pid);
    } catch {
      continue;
    }
    for (const tid of tids.slice(0, 64)) {
      try {
        const st = readPidStat(host, pid, tid);
        let stack: string[] = [];
        try {
          stack = readKernelStack(host, pid, tid);
        } catch {
          /* unreadable (not root) or gone */
        }
        out.push({ pid, tid, comm: st.comm, state: st.state, stack });
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

function defaultFindBack(dir: string | undefined, path: string): (old: ReadonlySet<number>) => { cgroupPath: string; pids: number[] } | undefined {
  return (old) => {
    const now = pidsIn(dir);
    return now.length > 0 && now.some((p) => !old.has(p)) ? { cgroupPath: path, pids: now } : undefined;
  };
}

/** Kills the cgroup and verifies; never throws for the kernel's answers (they land in the outcome). */
export async function restartCgroup(o: RestartOptions): Promise<RestartOutcome> {
  const t0 = Date.now();
  const since = (): number => Date.now() - t0;
  const layout = detectCgroupLayout(o.host);
  let ref: CgroupRef | undefined;
  try {
    ref = cgroupOfPath(o.host, o.cgroupPath, layout);
  } catch {
    ref = undefined;
  }
  const memDir = ref?.memoryDir;
  // v2: the memory cgroup itself, or (hybrid hosts, when asked) its v2 twin, whose core files freeze and kill too.
  const sameTasks = (a: string, b: string): boolean => {
    const x = pidsIn(a).sort();
    const y = pidsIn(b).sort();
    return x.length === y.length && x.every((p, i) => p === y[i]);
  };
  const v2Dir = ref?.memoryVersion === 'v2' ? memDir
    : o.useUnifiedTwin && ref?.unifiedDir && memDir && normaliseCgroupPath(ref.path) !== '/' && sameTasks(ref.unifiedDir, memDir) ? ref.unifiedDir : undefined;
  const v2 = v2Dir !== undefined;
  const freezer: FreezeDir | undefined = !ref ? undefined : v2Dir ? { kind: 'v2', dir: v2Dir } : (() => {
    const d = v1FreezerDir(o.host, o.cgroupPath);
    return d ? { kind: 'v1' as const, dir: d } : undefined;
  })();
  const mechanism: RestartOutcome['mechanism'] = v2 ? 'v2-freeze-kill' : freezer ? 'v1-freezer-kill' : 'v1-kill';
  const outcome: RestartOutcome = { result: 'failed', mechanism, message: '', killedPids: [], emptiedMs: undefined, backMs: undefined, back: undefined, unkillable: [], frozeCleanly: undefined, phaseMs: {} };
  const record: ActionRecord = { ...o.record, cgroupPath: o.cgroupPath, action: 'restart', state: 'planned', plannedAtWallMs: Date.now(), freezeDirs: freezer ? [freezer] : [] };
  // Record first: a crash after this line leaves a row that says what to thaw.
  await o.audit.recordAction(record);
  const phase = async (p: RestartPhase): Promise<void> => {
    outcome.phaseMs[p] = since();
    await o.onPhase?.(p);
  };
  await phase('planned');
  const finish = async (result: RestartResult, message: string, state: ActionOutcome['state'] = result === 'restarted' || result === 'killed' ? 'done' : 'failed'): Promise<RestartOutcome> => {
    outcome.result = result;
    outcome.message = message;
    await o.audit.finishAction(record.id, { state, result, finishedAtWallMs: Date.now(), detail: { ...outcome } });
    return outcome;
  };
  const dirs = [...new Set([memDir, freezer?.dir].filter((d): d is string => d !== undefined))];
  const members = (): number[] => [...new Set(dirs.flatMap(pidsIn))];
  if (!ref || !memDir) return finish('gone', `cgroup ${o.cgroupPath} is gone`);
  const before = members();
  if (before.includes(process.pid)) return finish('failed', `refused: the agent itself (pid ${process.pid}) is in ${o.cgroupPath}`);
  if (before.length === 0) return finish('gone', `cgroup ${o.cgroupPath} has no processes left to kill`);
  const oldPids = new Set(before);
  let frozen = false;
  try {
    if (freezer) {
      outcome.frozeCleanly = await freezeCgroup(freezer, o.freezeDeadlineMs ?? 500);
      frozen = true;
      await phase('frozen');
    }
    if (v2Dir && fs.existsSync(`${v2Dir}/cgroup.kill`)) {
      // cgroup.kill (5.14+) kills every task of the subtree, frozen or not, and anything forked meanwhile.
      fs.writeFileSync(`${v2Dir}/cgroup.kill`, '1');
      outcome.killedPids = before;
    } else {
      outcome.killedPids = killAll(members());
    }
    await phase('killed');
  } catch (err) {
    if (!isGoneErrno(err)) {
      if (frozen && freezer) thawCgroup(freezer);
      return finish('failed', `could not kill ${o.cgroupPath}: ${(err as Error).message}`);
    }
  } finally {
    // v1: a frozen task handles its SIGKILL only once thawed. v2: thaw so a runtime reusing the cgroup starts unfrozen.
    if (frozen && freezer && !v2) {
      thawCgroup(freezer);
      frozen = false;
      await phase('thawed');
    }
  }
  const killEnd = t0 + (o.killDeadlineMs ?? 10_000);
  let left = members();
  while (left.length > 0 && Date.now() < killEnd && !o.signal?.aborted) {
    killAll(left);
    await sleep(20, o.signal);
    left = members();
  }
  if (frozen && freezer) {
    thawCgroup(freezer);
    await phase('thawed');
  }
  if (left.length > 0) {
    outcome.unkillable = describeTasks(o.host, left);
    return finish('unkillable', `${left.length} process(es) of ${o.cgroupPath} outlived SIGKILL for ${o.killDeadlineMs ?? 10_000} ms: see their kernel stacks`);
  }
  outcome.emptiedMs = since();
  await phase('empty');
  const backDeadline = o.backDeadlineMs ?? 60_000;
  if (backDeadline <= 0) return finish('killed', `${o.cgroupPath} emptied in ${outcome.emptiedMs} ms (nothing waited for its return)`);
  const findBack = o.findBack ?? defaultFindBack(memDir, o.cgroupPath);
  const backEnd = Date.now() + backDeadline;
  while (Date.now() < backEnd && !o.signal?.aborted) {
    const b = findBack(oldPids);
    if (b) {
      outcome.back = b;
      outcome.backMs = since();
      await phase('back');
      return finish('restarted', `${o.cgroupPath} ${outcome.frozeCleanly === false ? 'froze only partly (tasks busy in the kernel), ' : ''}emptied in ${outcome.emptiedMs} ms and came back with new PIDs ${b.pids.slice(0, 5).join(',')} in ${outcome.backMs} ms`);
    }
    await sleep(50, o.signal);
  }
  return finish('not-back', `${o.cgroupPath} emptied in ${outcome.emptiedMs} ms but the container did not come back within ${backDeadline} ms: check its restart policy`);
}
