// Turns what the user typed (--pid, --cgroup, --container, --pod, --all) into targets: cgroups plus processes.
import fs from 'node:fs';
import type { HostPaths } from '../host/host-paths.js';
import { type CgroupLayout, detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { type CgroupRef, cgroupOfPath, cgroupOfPid } from '../kernel/cgroup/cgroup-ref.js';
import { GoneError, ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { readComm } from '../kernel/proc/task.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { containerIdOfPath, podCgroupPath, podUidOfPath } from './container-naming.js';
import { procsOf, walkCgroups } from './cgroup-walk.js';
import type { Target } from './target.js';

/** The target options of `doctor`. */
export interface TargetSpec {
  pids?: number[];
  cgroup?: string;
  container?: string;
  pod?: string;
  all?: boolean;
}

/** A target that could not be resolved (no such PID): reported, not fatal for the others. */
export class NoSuchTargetError extends ReclaimwatchError {
  /** What was asked for, e.g. "--pid 1234" (set by resolveTargets). */
  asked = '';
  constructor(message: string) {
    super('gone', message);
  }
}

function commOf(host: HostPaths, pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  try {
    return readComm(host, pid);
  } catch {
    return undefined;
  }
}

function decorate(t: Target): Target {
  const path = t.cgroup?.path ?? '';
  const container = containerIdOfPath(path);
  const uid = podUidOfPath(path);
  if (container) t.container = container;
  if (uid && !t.pod) t.pod = { uid };
  return t;
}

/** The hierarchy root that carries memory (v1 memory or the v2 tree), for walking. */
function memoryRoot(layout: CgroupLayout): string | undefined {
  return layout.v1Memory ?? layout.unified;
}

/** Resolves one PID: its memory cgroup and (when that is not the root) every process in it. */
export function targetOfPid(host: HostPaths, pid: number, layout: CgroupLayout): Target {
  if (!Number.isInteger(pid) || pid <= 0) throw new UsageError(`bad PID ${pid}: give a positive process ID`);
  if (!fs.existsSync(`${host.proc}/${pid}`)) throw new NoSuchTargetError(`no process ${pid} in ${host.proc}: check the PID (it may have exited)`);
  let cg: CgroupRef | undefined;
  try {
    cg = cgroupOfPid(host, pid, layout);
  } catch (err) {
    if (err instanceof GoneError) throw new NoSuchTargetError(`process ${pid} exited before it could be examined`);
    throw err;
  }
  const inRoot = cg.path === '/';
  const comm = commOf(host, pid);
  // The whole memory cgroup is examined (its limit is shared by every member), unless it is the root.
  const members = inRoot ? [pid] : allPidsUnder(cg);
  return decorate({
    kind: 'pid',
    label: `pid ${pid}${comm ? ` (${comm})` : ''}`,
    cgroup: inRoot ? undefined : cg,
    pids: members.includes(pid) ? members : [pid, ...members],
    followCgroup: !inRoot,
    pid,
    ...(comm ? { comm } : {}),
  });
}

/** Resolves a cgroup path. */
export function targetOfCgroup(host: HostPaths, path: string, layout: CgroupLayout, kind: Target['kind'] = 'cgroup', label?: string): Target {
  const cg = cgroupOfPath(host, path, layout);
  const pids = allPidsUnder(cg);
  const comm = commOf(host, pids[0]);
  return decorate({
    kind,
    label: label ?? `cgroup ${cg.path}`,
    cgroup: cg,
    pids,
    followCgroup: true,
    ...(comm ? { comm } : {}),
  });
}

/** Every PID in a cgroup and its descendants (a pod's processes sit in container children). */
export function allPidsUnder(cg: CgroupRef): number[] {
  const dir = cg.memoryDir ?? cg.unifiedDir ?? cg.cpuDir;
  if (!dir) return [];
  const pids = new Set<number>();
  for (const d of walkCgroups(dir, 5000)) for (const p of procsOf(d.dir)) pids.add(p);
  return [...pids].sort((a, b) => a - b);
}

/** Finds the cgroup of a container by ID prefix (at least 4 hex digits). */
export function targetOfContainer(host: HostPaths, prefix: string, layout: CgroupLayout): Target {
  const want = prefix.toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(want)) throw new UsageError(`bad container ID ${JSON.stringify(prefix)}: give at least 4 hex digits of the ID (docker ps / crictl ps show it)`);
  const root = memoryRoot(layout);
  if (!root) throw new UsageError('no cgroup hierarchy with the memory controller is mounted, so containers cannot be found');
  const hits = new Map<string, string>();
  for (const d of walkCgroups(root)) {
    const id = containerIdOfPath(d.path);
    if (id?.startsWith(want) && containerIdOfPath(d.path.slice(0, d.path.lastIndexOf('/'))) !== id) hits.set(id, d.path);
  }
  if (hits.size === 0) throw new NoSuchTargetError(`no container whose ID starts with ${want} has a cgroup on this host: check the ID with docker ps or crictl ps`);
  if (hits.size > 1) throw new UsageError(`container ID prefix ${want} is ambiguous: ${[...hits.keys()].map((k) => k.slice(0, 12)).join(', ')}; give more digits`);
  const [id, path] = [...hits.entries()][0]!;
  const t = targetOfCgroup(host, path, layout, 'container', `container ${id.slice(0, 12)}`);
  t.container = id;
  return t;
}

/** The UTS hostname of a process (what `nsenter -t PID -u hostname` prints), under a deadline. */
async function utsHostname(host: HostPaths, pid: number): Promise<string | undefined> {
  const r = await runWithDeadline('nsenter', ['-t', String(pid), '-u', 'hostname'], { deadlineMs: 1000, maxStdoutBytes: 256 });
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  try {
    return fs.readFileSync(`${host.proc}/${pid}/root/etc/hostname`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Finds a pod by name (the hostname in a member's UTS namespace, as the reference's pod-pids) or by UID. */
export async function targetOfPod(host: HostPaths, name: string, layout: CgroupLayout): Promise<Target> {
  const root = memoryRoot(layout);
  if (!root) throw new UsageError('no cgroup hierarchy with the memory controller is mounted, so pods cannot be found');
  const pods = new Map<string, string>();
  for (const d of walkCgroups(root)) {
    const uid = podUidOfPath(d.path);
    const podPath = podCgroupPath(d.path);
    if (uid && podPath && !pods.has(uid)) pods.set(uid, podPath);
  }
  if (pods.size === 0) throw new NoSuchTargetError(`no Kubernetes pod cgroups (kubepods) on this host, so no pod ${name}`);
  const byUid = [...pods.entries()].filter(([uid]) => uid.startsWith(name.toLowerCase()));
  if (byUid.length === 1) {
    const [uid, path] = byUid[0]!;
    const t = targetOfCgroup(host, path, layout, 'pod', `pod ${uid}`);
    t.pod = { uid };
    return t;
  }
  const matches: Array<{ uid: string; path: string; hostname: string }> = [];
  await Promise.all([...pods.entries()].map(async ([uid, path]) => {
    const cg = cgroupOfPath(host, path, layout);
    const pid = allPidsUnder(cg).find((p) => p !== 1);
    if (pid === undefined) return;
    const hn = await utsHostname(host, pid);
    if (hn === name) matches.push({ uid, path, hostname: hn });
  }));
  if (matches.length === 0) throw new NoSuchTargetError(`no pod named ${name} on this node (looked at ${pods.size} pod cgroups): check kubectl get pod -o wide for its node`);
  const m = matches[0]!;
  const t = targetOfCgroup(host, m.path, layout, 'pod', `pod ${name}`);
  t.pod = { uid: m.uid, name };
  return t;
}

/** Every non-empty cgroup on the host (leaves that hold processes), for `--all`. */
export function allTargets(host: HostPaths, layout: CgroupLayout, opts: { skip?: (cgroupPath: string) => boolean } = {}): Target[] {
  const root = memoryRoot(layout);
  if (!root) return [{ kind: 'host', label: 'host', cgroup: undefined, pids: [], followCgroup: false }];
  const out: Target[] = [];
  for (const d of walkCgroups(root)) {
    if (d.path === '/') continue;
    // A caller that already watches a cgroup needs no new Target of it (resolving one walks its subtree and
    // reads its processes' names).
    if (opts.skip?.(d.path)) continue;
    if (procsOf(d.dir).length === 0) continue;
    try {
      out.push({ ...targetOfCgroup(host, d.path, layout), members: 'own' });
    } catch {
      /* vanished during the walk */
    }
  }
  // Processes in the root cgroup are examined as the host itself.
  out.push({ kind: 'host', label: 'host (root cgroup)', cgroup: undefined, pids: procsOf(root), followCgroup: false });
  return out;
}

/** Resolves every target in a spec. No-such-target errors are collected, so `--pid 1 --pid 999999` still runs. */
export async function resolveTargets(host: HostPaths, spec: TargetSpec): Promise<{ targets: Target[]; failures: NoSuchTargetError[] }> {
  const layout = detectCgroupLayout(host);
  const targets: Target[] = [];
  const failures: NoSuchTargetError[] = [];
  const attempt = async (asked: string, f: () => Target | Promise<Target>): Promise<void> => {
    try {
      targets.push(await f());
    } catch (err) {
      if (!(err instanceof NoSuchTargetError)) throw err;
      err.asked = asked;
      failures.push(err);
    }
  };
  for (const pid of spec.pids ?? []) await attempt(`--pid ${pid}`, () => targetOfPid(host, pid, layout));
  if (spec.cgroup !== undefined) {
    try {
      targets.push(targetOfCgroup(host, spec.cgroup, layout));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      const f = new NoSuchTargetError(err.message);
      f.asked = `--cgroup ${spec.cgroup}`;
      failures.push(f);
    }
  }
  if (spec.container !== undefined) await attempt(`--container ${spec.container}`, () => targetOfContainer(host, spec.container!, layout));
  if (spec.pod !== undefined) await attempt(`--pod ${spec.pod}`, () => targetOfPod(host, spec.pod!, layout));
  if (spec.all) targets.push(...allTargets(host, layout));
  return { targets, failures };
}

/** Re-reads a cgroup target's members (they change during a window). */
export function refreshPids(t: Target): number[] {
  if (!t.followCgroup || !t.cgroup) return t.pids;
  if (t.members === 'own') {
    const dir = t.cgroup.memoryDir ?? t.cgroup.unifiedDir ?? t.cgroup.cpuDir;
    return dir ? procsOf(dir).sort((a, b) => a - b) : [];
  }
  return allPidsUnder(t.cgroup);
}
