// `reclaimwatch check` decides here, as a pure function of the agent's answer: ok (exit 0), problem (exit 1) or
// unknown (exit 2), with one line of at most 80 characters, node-problem-detector's custom-plugin protocol
// (pkg/custompluginmonitor/plugin/plugin.go: 0 OK, 1 NonOK, any other status Unknown; stdout trimmed and cut).
import type { VerdictClass } from '../../detect/verdict.js';
import type { AgentTarget } from './agent-responses.js';
import { keepEnd, MAX_LINE, oneLine } from './one-line.js';
import type { AgentAnswer } from './query-agent.js';
import { describeSelector, selectsAll, selectTargets, type CheckSelector } from './select-targets.js';

/** What one `check` asks. */
export interface CheckRequest {
  /** How to name the agent in a message: `127.0.0.1:9847`. */
  agentLabel: string;
  selector: CheckSelector;
  /** The verdicts that are a problem (default `reclaim-livelock`). */
  on: readonly VerdictClass[];
  /** Now, for "since" (a date is added when the verdict is older than a day). */
  nowMs: number;
}

/** The outcome: NPD's status, the exit status that carries it, and the line for the node condition's message. */
export interface CheckResult {
  status: 'ok' | 'problem' | 'unknown';
  exit: 0 | 1 | 2;
  line: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `14:35:24` (local time, the node's TZ), with `Nov 30` in front when that is more than a day before now. */
export function sinceText(wallMs: number, nowMs: number): string {
  const d = new Date(wallMs);
  if (!Number.isFinite(d.getTime())) return '?';
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return nowMs - wallMs > 86_400_000 ? `${MONTHS[d.getMonth()]} ${d.getDate()} ${clock}` : clock;
}

/** How a target is named: its pod (and namespace), else its container, else its cgroup. */
function labelOf(t: AgentTarget, room: number): string {
  if (t.pod) {
    const ns = t.namespace ? ` (ns ${t.namespace})` : '';
    const name = `pod ${t.pod}`;
    return name.length + ns.length <= room ? `${name}${ns}` : oneLine(name, Math.max(room, 8));
  }
  if (t.container) return `container ${t.container.slice(0, 12)}`;
  return `cgroup ${keepEnd(t.cgroup, Math.max(room - 7, 8))}`;
}

function onPhrase(on: readonly VerdictClass[]): string {
  return on.length === 1 && on[0] === 'reclaim-livelock' ? 'livelocked' : `in ${on.join('/')}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

const unknown = (text: string): CheckResult => ({ status: 'unknown', exit: 2, line: oneLine(`unknown: ${text}`) });

/** Judges the agent's answer for one `check`. */
export function judgeCheck(answer: AgentAnswer, req: CheckRequest): CheckResult {
  if (answer.kind === 'failed') return unknown(`agent at ${req.agentLabel} ${answer.reason}`);
  const all = answer.targets.targets;
  const chosen = selectTargets(all, req.selector);
  const everything = selectsAll(req.selector);
  if (!everything && chosen.length === 0) return unknown(`no target of ${describeSelector(req.selector)} among ${all.length} watched`);

  const problems = chosen
    .filter((t) => req.on.includes(t.verdict))
    .sort((a, b) => b.severity - a.severity || a.sinceWallMs - b.sinceWallMs || a.id.localeCompare(b.id));
  const worst = problems[0];
  if (worst) {
    // A verdict the agent has seen is reported even when the agent is late now: it was seen, and it is what NPD is for.
    const variant = worst.verdict === 'reclaim-livelock' && worst.variant && worst.variant !== 'unknown' ? `, ${worst.variant}` : '';
    const more = problems.length > 1 ? `; +${problems.length - 1} more` : '';
    const head = `${worst.verdict}: `;
    const tail = ` since ${sinceText(worst.sinceWallMs, req.nowMs)}${variant}${more}`;
    return { status: 'problem', exit: 1, line: oneLine(`${head}${labelOf(worst, MAX_LINE - head.length - tail.length)}${tail}`) };
  }

  // "ok" is a promise about now: a late agent cannot give it. A full store does not make the verdicts stale.
  const health = answer.health;
  let note = '';
  if (health && health.status !== 'ok') {
    if (health.status !== 'store-unwritable') return unknown(`agent at ${req.agentLabel} is ${health.status}${health.reason ? `: ${health.reason}` : ''}`);
    note = ' (store unwritable)';
  }
  if (chosen.length === 1 && !everything) {
    const t = chosen[0]!;
    const head = 'ok: ';
    const tail = ` is ${t.verdict}${note}`;
    return { status: 'ok', exit: 0, line: oneLine(`${head}${labelOf(t, MAX_LINE - head.length - tail.length)}${tail}`) };
  }
  if (everything) return { status: 'ok', exit: 0, line: oneLine(`ok: ${count(chosen.length, 'target')} watched, none ${onPhrase(req.on)}${note}`) };
  // The selector goes last: when the line must be cut, it is what is cut.
  return { status: 'ok', exit: 0, line: oneLine(`ok: none ${onPhrase(req.on)}${note} among ${count(chosen.length, 'target')} of ${describeSelector(req.selector)}`) };
}
