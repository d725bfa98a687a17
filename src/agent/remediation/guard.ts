// The remediation guard: a pure function of the verdict history, the match rules, the budget and the
// protected set. Nothing here reads the kernel or the clock; the responder passes everything in.
// Order of the checks (the first refusal is the main reason; later ones are still listed):
//   mode off → protected target → unmatched → verdict not in --remediate-on → held < --remediate-after →
//   evidence incomplete → per-target cooldown → node-wide budget.
import type { VerdictClass } from '../../detect/verdict.js';

/** `--remediate`: what the agent may do. */
export type RemediationMode = 'off' | 'dry-run' | 'restart';

/** What the guard decided to do. `dry-run` records what restart (or the hook) would have done. */
export type RemediationAction = 'none' | 'dry-run' | 'restart' | 'hook';

/** Who a target is, for matching and for the protected set. */
export interface TargetIdentity {
  /** The memory cgroup's path relative to its hierarchy root, e.g. `/kubepods/burstable/pod…/abc`. */
  cgroupPath: string;
  pod?: string | undefined;
  namespace?: string | undefined;
  /** Container name, where known (Kubernetes or podman name). */
  container?: string | undefined;
  /** Container ID (64 hex), where the cgroup path names one. */
  containerId?: string | undefined;
}

/** One term of a `--remediate-match` rule: a glob on one field. */
export interface MatchTerm {
  field: 'pod' | 'namespace' | 'container' | 'cgroup';
  glob: string;
}

/** One `--remediate-match` value: every term must hold (AND). Several rules: any one may hold (OR). */
export type MatchRule = MatchTerm[];

/** Everything `decideRemediation` weighs. */
export interface GuardInput {
  nowWallMs: number;
  mode: RemediationMode;
  /** `--on-incident CMD` is set: the action is the hook instead of a cgroup kill. */
  hook: boolean;
  target: TargetIdentity;
  match: readonly MatchRule[];
  /** `--remediate-on`. */
  remediateOn: readonly VerdictClass[];
  /** `--remediate-after`, milliseconds. */
  afterMs: number;
  verdict: VerdictClass;
  /** Wall time the current verdict began. */
  sinceWallMs: number;
  /** The incident's evidence bundle is written and complete. */
  evidenceComplete: boolean;
  /** `--remediate-cooldown`, milliseconds. */
  cooldownMs: number;
  /** Wall time of the last acted decision (dry-run included) for this target. */
  lastActionWallMs: number | undefined;
  /** `--remediate-budget`: acted decisions per hour, node-wide. */
  budgetPerHour: number;
  /** Wall times of the node's acted decisions of this mode (any target). */
  recentActionsWallMs: readonly number[];
  /** The agent's own cgroup paths (one per hierarchy): never a target, nor any ancestor of them. */
  selfCgroups: readonly string[];
}

/** The guard's answer. `act` is true exactly when `action` is not `none`. */
export interface RemediationDecision {
  act: boolean;
  action: RemediationAction;
  /** Why: every refusal, or what the action will do. */
  reasons: string[];
}

const HOUR_MS = 3_600_000;

/** Normalises a cgroup path: leading slash, no trailing or doubled slashes. */
export function normaliseCgroupPath(p: string): string {
  const n = `/${p}`.replace(/\/+/g, '/').replace(/\/$/, '');
  return n === '' ? '/' : n;
}

/**
 * Why a cgroup is protected (never restarted, whatever the verdict), or undefined. Protected: the root; the
 * agent's own cgroups and their ancestors; systemd slices (grouping nodes, never one container: kubepods.slice,
 * kubepods-burstable.slice, user.slice, machine.slice…); the cgroupfs drivers' grouping roots (/kubepods, its
 * QoS classes, /libpod_parent, /docker, /machine); init.scope; every systemd service (kubelet, containerd,
 * crio, docker, podman, systemd-* — and everything below one) except a user manager (`user@N.service`) with
 * rootless containers below it; the runtimes' monitor processes (conmon, crio-conmon-*).
 */
export function protectedReason(cgroupPath: string, selfCgroups: readonly string[]): string | undefined {
  const p = normaliseCgroupPath(cgroupPath);
  if (p === '/') return 'the root cgroup';
  for (const s of selfCgroups.map(normaliseCgroupPath)) {
    if (p === s) return `the agent's own cgroup (${s})`;
    if (s.startsWith(`${p}/`)) return `an ancestor of the agent's own cgroup (${s})`;
  }
  const segs = p.split('/').filter(Boolean);
  const last = segs[segs.length - 1] ?? '';
  if (last.endsWith('.slice')) return `a systemd slice (${last}): a grouping of units, not one container`;
  const groupingRoots = ['/kubepods', '/kubepods/burstable', '/kubepods/besteffort', '/kubepods/guaranteed', '/libpod_parent', '/docker', '/machine', '/system', '/user', '/lxc'];
  if (groupingRoots.includes(p)) return `a runtime's grouping root (${p}), not one container`;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === 'init.scope') return 'init.scope (PID 1)';
    if (s.endsWith('.service') && !(/^user@\d+\.service$/.test(s) && i < segs.length - 1)) return `a systemd service (${s}): system, kubelet or runtime`;
    if (s === 'conmon' || s.startsWith('crio-conmon-')) return `a container monitor (${s})`;
  }
  return undefined;
}

/** Compiles a glob: `*` any run of characters but `/`, `**` any run, `?` one character but `/`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function termHolds(t: MatchTerm, id: TargetIdentity): boolean {
  const re = globToRegExp(t.glob);
  switch (t.field) {
    case 'pod': return id.pod !== undefined && re.test(id.pod);
    case 'namespace': return id.namespace !== undefined && re.test(id.namespace);
    case 'container': return (id.container !== undefined && re.test(id.container)) || (id.containerId !== undefined && re.test(id.containerId));
    case 'cgroup': return re.test(normaliseCgroupPath(id.cgroupPath));
  }
}

/** The first rule the target matches, as text, or undefined. An empty rule matches nothing. */
export function matchingRule(rules: readonly MatchRule[], id: TargetIdentity): string | undefined {
  for (const r of rules) {
    if (r.length > 0 && r.every((t) => termHolds(t, id))) return r.map((t) => `${t.field}=${t.glob}`).join(',');
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Decides what to do about one target now. Pure: same input, same answer. */
export function decideRemediation(input: GuardInput): RemediationDecision {
  const refusals: string[] = [];
  if (input.mode === 'off') return { act: false, action: 'none', reasons: ['remediation is off (--remediate off)'] };
  const prot = protectedReason(input.target.cgroupPath, input.selfCgroups);
  if (prot !== undefined) refusals.push(`protected: ${prot}`);
  const rule = matchingRule(input.match, input.target);
  if (input.match.length === 0) {
    if (input.mode === 'restart') refusals.push('restart needs --remediate-match (pod, namespace, container or cgroup globs); nothing matches without one');
  } else if (rule === undefined) refusals.push('outside --remediate-match');
  if (!input.remediateOn.includes(input.verdict)) refusals.push(`verdict ${input.verdict} is not in --remediate-on (${input.remediateOn.join(',') || 'none'})`);
  const heldMs = input.nowWallMs - input.sinceWallMs;
  if (!(heldMs >= input.afterMs)) refusals.push(`verdict held ${seconds(Math.max(0, heldMs))} of the ${seconds(input.afterMs)} --remediate-after asks`);
  if (!input.evidenceComplete) refusals.push('evidence bundle not complete yet');
  if (input.lastActionWallMs !== undefined && input.nowWallMs - input.lastActionWallMs < input.cooldownMs) {
    refusals.push(`cooldown: last action ${seconds(input.nowWallMs - input.lastActionWallMs)} ago, --remediate-cooldown is ${seconds(input.cooldownMs)}`);
  }
  const inHour = input.recentActionsWallMs.filter((t) => t > input.nowWallMs - HOUR_MS && t <= input.nowWallMs).length;
  if (inHour >= input.budgetPerHour) refusals.push(`node budget spent: ${inHour} action(s) in the last hour, --remediate-budget is ${input.budgetPerHour}`);
  if (refusals.length > 0) return { act: false, action: 'none', reasons: refusals };
  const what = input.hook ? 'run the --on-incident hook' : 'kill the cgroup so its runtime restarts the container';
  const why = `${input.verdict} held ${seconds(heldMs)}${rule ? `, matched ${rule}` : ''}`;
  if (input.mode === 'dry-run') return { act: true, action: 'dry-run', reasons: [`dry-run: would ${what} (${why})${input.match.length === 0 ? '; restart mode would also need --remediate-match' : ''}`] };
  return { act: true, action: input.hook ? 'hook' : 'restart', reasons: [`${what} (${why})`] };
}
