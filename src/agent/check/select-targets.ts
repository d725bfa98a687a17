// Which of the agent's targets a `check` asks about: `--pod`, `--namespace`, `--container`, `--cgroup`, all given
// ones must hold (so `--pod db-0 --namespace prod` names one pod); none given means every target.
import type { AgentTarget } from './agent-responses.js';

/** The targets one `check` is about. */
export interface CheckSelector {
  /** Pod name, exactly. */
  pod?: string | undefined;
  /** Namespace, exactly. */
  namespace?: string | undefined;
  /** Container ID or a prefix of it (as `docker ps` and `crictl ps` print them), or the agent's target id. */
  container?: string | undefined;
  /** A cgroup path: that cgroup and everything below it. */
  cgroup?: string | undefined;
}

function underCgroup(path: string, wanted: string): boolean {
  const w = wanted.length > 1 ? wanted.replace(/\/+$/, '') : wanted;
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return w === '/' || p === w || p.startsWith(`${w}/`);
}

/** True when the selector names nothing, so every target counts. */
export function selectsAll(sel: CheckSelector): boolean {
  return sel.pod === undefined && sel.namespace === undefined && sel.container === undefined && sel.cgroup === undefined;
}

/** The targets the selector names. */
export function selectTargets(targets: readonly AgentTarget[], sel: CheckSelector): AgentTarget[] {
  const container = sel.container?.toLowerCase();
  return targets.filter((t) =>
    (sel.pod === undefined || t.pod === sel.pod)
    && (sel.namespace === undefined || t.namespace === sel.namespace)
    && (container === undefined || t.id === sel.container || (t.container !== undefined && t.container !== '' && t.container.toLowerCase().startsWith(container)))
    && (sel.cgroup === undefined || underCgroup(t.cgroup, sel.cgroup)));
}

/** The selector in words: "pod db-0, ns prod". */
export function describeSelector(sel: CheckSelector): string {
  const parts: string[] = [];
  if (sel.pod !== undefined) parts.push(`pod ${sel.pod}`);
  if (sel.namespace !== undefined) parts.push(`ns ${sel.namespace}`);
  if (sel.container !== undefined) parts.push(`container ${sel.container.slice(0, 12)}`);
  if (sel.cgroup !== undefined) parts.push(`cgroup ${sel.cgroup}`);
  return parts.join(', ');
}
