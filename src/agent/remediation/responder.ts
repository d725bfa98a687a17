// The piece the agent calls after each tick: on entering a verdict in --capture-on it starts an evidence
// bundle; for verdicts in --remediate-on it asks the guard, and runs what the guard allows (a dry-run record,
// a cgroup restart, the --on-incident hook). Everything runs in the background: observe() never awaits,
// so a tick is never late because of a bundle or a restart. Every acted decision is audited three ways: a log
// line, an audit record (recordAction/finishAction), and reclaimwatch_remediations_total{action,result}.
import { randomUUID } from 'node:crypto';
import type { TargetReport } from '../../doctor/report.js';
import type { VerdictClass } from '../../detect/verdict.js';
import type { HostPaths } from '../../host/host-paths.js';
import { detectCgroupLayout } from '../../kernel/cgroup/layout.js';
import { readPidCgroup } from '../../kernel/proc/pid-cgroup.js';
import { findCgroupOfMember } from '../../targets/cgroup-walk.js';
import type { Target } from '../../targets/target.js';
import { sleep } from '../../units/sleep.js';
import { removePartialBundles } from '../evidence/bundle-store.js';
import { type CaptureOptions, type CaptureResult, captureEvidence } from '../evidence/capture-evidence.js';
import type { RemediationAudit } from './audit.js';
import { type RemediationDecision, type TargetIdentity, decideRemediation } from './guard.js';
import { runIncidentHook } from './hook.js';
import type { RemediationOptions } from './options.js';
import { type RepairedAction, repairInterruptedActions } from './repair-interrupted.js';
import { type RestartOptions, restartCgroup } from './restart-cgroup.js';

/** One target's state after a tick, as the agent knows it. */
export interface ResponderTargetState {
  target: Target;
  /** The agent's target id. */
  id: string;
  verdict: VerdictClass;
  /** Wall time the current verdict began (after the agent's hysteresis). */
  sinceWallMs: number;
  /** The store's incident, when one is open. */
  incidentId?: string | undefined;
  /** The doctor report of this moment, built only when a bundle is written. */
  report: () => TargetReport;
  /** Names the agent resolved (Kubernetes namespace, pod and container names). */
  names?: { pod?: string | undefined; namespace?: string | undefined; container?: string | undefined };
}

/** Where log lines go. */
export interface ResponderLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Options of `IncidentResponder`. */
export interface ResponderOptions {
  host: HostPaths;
  /** The agent's store directory (bundles under `<store>/evidence/`). */
  storeDir: string;
  options: RemediationOptions;
  audit: RemediationAudit;
  logger: ResponderLogger;
  /** Increments reclaimwatch_remediations_total{action,result}. */
  countRemediation: (action: string, result: string) => void;
  /** The agent's own cgroup paths; default: every path in /proc/self/cgroup. */
  selfCgroups?: string[];
  evidence?: Pick<CaptureOptions, 'limits' | 'deadlineMs' | 'traceMs' | 'bpftrace' | 'stackPasses' | 'trace' | 'profileMs' | 'profileHz' | 'profile'>;
  restart?: Pick<RestartOptions, 'freezeDeadlineMs' | 'killDeadlineMs' | 'backDeadlineMs' | 'findBack' | 'useUnifiedTwin'>;
  /** Captures waiting behind the running one, at most (more are dropped with a log line). Default 4. */
  maxQueuedCaptures?: number;
  /**
   * Acted decisions of the last hour from the store (`store.listActions({ sinceWallMs: now - 1 h })`), so a
   * restarted agent keeps the node budget and each target's cooldown instead of starting from zero.
   */
  pastActions?: ReadonlyArray<{ targetId: string; startedWallMs: number }>;
}

interface Capture {
  promise: Promise<void>;
  result: CaptureResult | undefined;
}

interface Memory {
  verdict: VerdictClass;
  sinceWallMs: number;
  lastActionWallMs: number | undefined;
  lastDecisionKey: string | undefined;
  acting: boolean;
  seenWallMs: number;
}

/** One identity for guard, log and hook. */
function identityOf(s: ResponderTargetState): TargetIdentity {
  return {
    cgroupPath: s.target.cgroup?.path ?? '/',
    pod: s.names?.pod ?? s.target.pod?.name,
    namespace: s.names?.namespace,
    container: s.names?.container,
    containerId: s.target.container,
  };
}

/**
 * The agent's own cgroup paths, from /proc/self/cgroup. In a private cgroup namespace that says only "/": then the
 * cgroup whose cgroup.procs lists the agent, found by one walk of the mounted tree (so a DaemonSet's agent never
 * restarts its own pod).
 */
export function ownCgroups(host: HostPaths): string[] {
  let paths: string[];
  try {
    paths = [...new Set(readPidCgroup(host, process.pid).map((l) => l.path))];
  } catch {
    paths = ['/'];
  }
  if (paths.every((p) => p === '/')) {
    const layout = detectCgroupLayout(host);
    const root = layout.v1Memory ?? layout.unified;
    const found = root ? findCgroupOfMember(root, process.pid) : undefined;
    if (found) paths = [found];
  }
  return paths;
}

/** Turns evidence and remediation on for the agent's targets. */
export class IncidentResponder {
  private readonly o: ResponderOptions;
  private readonly self: string[];
  private readonly memory = new Map<string, Memory>();
  private readonly captures = new Map<string, Capture>();
  private readonly running = new Set<Promise<void>>();
  private readonly actionTimes: number[] = [];
  private readonly abort = new AbortController();
  private captureChain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(o: ResponderOptions) {
    this.o = o;
    this.self = o.selfCgroups ?? ownCgroups(o.host);
    for (const a of [...(o.pastActions ?? [])].sort((x, y) => x.startedWallMs - y.startedWallMs)) {
      this.actionTimes.push(a.startedWallMs);
      const m = this.memory.get(a.targetId);
      if (m) m.lastActionWallMs = a.startedWallMs;
      else this.memory.set(a.targetId, { verdict: 'healthy', sinceWallMs: 0, lastActionWallMs: a.startedWallMs, lastDecisionKey: undefined, acting: false, seenWallMs: a.startedWallMs });
    }
  }

  /** Call once at start, before the first tick: thaws what a crash mid-action left frozen, drops half-written bundles. */
  async start(): Promise<RepairedAction[]> {
    const repaired = await repairInterruptedActions(this.o.audit);
    for (const r of repaired) {
      this.o.logger.warn(`remediation: an action on ${r.cgroupPath} was interrupted by the agent's exit; ${r.thawed.length ? `thawed ${r.thawed.join(', ')}` : 'nothing was left frozen'}`, { action: r.id, thawed: r.thawed, errors: r.errors });
      this.o.countRemediation('restart', 'interrupted');
    }
    removePartialBundles(this.o.storeDir);
    return repaired;
  }

  /** Called after each tick. Returns at once; the work runs in the background. */
  observe(nowWallMs: number, states: readonly ResponderTargetState[]): void {
    if (this.closed) return;
    const opts = this.o.options;
    const captureOn = new Set<VerdictClass>([...opts.captureOn, ...(opts.mode === 'off' ? [] : opts.remediateOn)]);
    for (const s of states) {
      const prev = this.memory.get(s.id);
      const entered = !prev || prev.verdict !== s.verdict || prev.sinceWallMs !== s.sinceWallMs;
      const m: Memory = prev ?? { verdict: s.verdict, sinceWallMs: s.sinceWallMs, lastActionWallMs: undefined, lastDecisionKey: undefined, acting: false, seenWallMs: nowWallMs };
      m.verdict = s.verdict;
      m.sinceWallMs = s.sinceWallMs;
      m.seenWallMs = nowWallMs;
      if (entered) m.lastDecisionKey = undefined;
      this.memory.set(s.id, m);
      const incident = this.incidentOf(s);
      if (entered && captureOn.has(s.verdict) && !this.captures.has(incident)) this.startCapture(s, incident);
      if (opts.mode !== 'off' && opts.remediateOn.includes(s.verdict)) this.consider(nowWallMs, s, m, incident);
    }
    // Forget targets unseen for two hours (cooldowns are far shorter); keep the hour of node-wide actions.
    for (const [id, m] of this.memory) if (nowWallMs - m.seenWallMs > 7_200_000 && !m.acting) this.memory.delete(id);
    while (this.actionTimes.length && this.actionTimes[0]! <= nowWallMs - 3_600_000) this.actionTimes.shift();
  }

  /** The evidence capture for an incident, when one was started (tests and the API). */
  capture(incidentId: string): Promise<CaptureResult | undefined> | undefined {
    const c = this.captures.get(incidentId);
    return c?.promise.then(() => c.result);
  }

  /** Waits for running captures and actions, at most `deadlineMs`; then aborts what is left (children are killed). */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closed = true;
    const all = Promise.allSettled([...this.running]);
    const stop = new AbortController();
    await Promise.race([all, sleep(deadlineMs, stop.signal)]);
    stop.abort();
    this.abort.abort();
    await Promise.race([all, sleep(2000)]);
  }

  private incidentOf(s: ResponderTargetState): string {
    return s.incidentId ?? `${s.id.replace(/[^A-Za-z0-9._:-]+/g, '_').replace(/^_+/, '').slice(-100)}-${s.sinceWallMs}`;
  }

  private track(p: Promise<void>): void {
    const q = p.catch((err: unknown) => this.o.logger.warn(`responder: internal error: ${(err as Error).message}`)).finally(() => this.running.delete(q));
    this.running.add(q);
  }

  private startCapture(s: ResponderTargetState, incident: string): void {
    const max = this.o.maxQueuedCaptures ?? 4;
    if (this.queued > max) {
      this.o.logger.warn(`evidence: ${s.target.label} entered ${s.verdict}, but ${this.queued} bundles are already waiting: none for incident ${incident}`);
      return;
    }
    this.queued++;
    const c: Capture = { promise: Promise.resolve(), result: undefined };
    const run = async (): Promise<void> => {
      this.queued--;
      if (this.abort.signal.aborted) return;
      const id = identityOf(s);
      const r = await captureEvidence({
        host: this.o.host, storeDir: this.o.storeDir, incidentId: incident, targetId: s.id, target: s.target,
        identity: { pod: id.pod, namespace: id.namespace, container: id.container }, verdict: s.verdict, onsetWallMs: s.sinceWallMs,
        report: s.report, signal: this.abort.signal, ...this.o.evidence,
      });
      c.result = r;
      if (r.refused) {
        this.o.logger.info(`evidence: no bundle for ${s.target.label} (${s.verdict}): ${r.refused}`, { target: s.id, incident });
        return;
      }
      const m = r.manifest!;
      const absent = m.parts.filter((p) => p.status === 'absent');
      this.o.logger.info(`evidence: bundle ${r.id} for ${s.target.label} (${s.verdict}): ${m.parts.length - absent.length}/${m.parts.length} parts, ${m.bytes} bytes in ${m.captureMs} ms${m.complete ? '' : ', INCOMPLETE'}`, { target: s.id, incident, dir: r.dir, absent: absent.map((p) => `${p.name}: ${p.reason ?? ''}`), evicted: r.evicted });
      if (s.incidentId !== undefined) await this.o.audit.updateIncident(s.incidentId, { evidenceDir: r.dir!, evidenceComplete: r.complete, evidenceBytes: m.bytes });
    };
    // One capture at a time: a bundle's stacks and trace are cheap alone, not ten at once on a node in trouble.
    c.promise = this.captureChain.then(run).catch((err: unknown) => this.o.logger.warn(`evidence: capture for ${s.target.label} failed: ${(err as Error).message}`));
    this.captureChain = c.promise;
    this.captures.set(incident, c);
    this.track(c.promise);
  }

  private consider(now: number, s: ResponderTargetState, m: Memory, incident: string): void {
    const opts = this.o.options;
    const cap = this.captures.get(incident);
    const d: RemediationDecision = decideRemediation({
      nowWallMs: now, mode: opts.mode, hook: opts.onIncident !== undefined, target: identityOf(s), match: opts.match,
      remediateOn: opts.remediateOn, afterMs: opts.afterMs, verdict: s.verdict, sinceWallMs: s.sinceWallMs,
      evidenceComplete: cap?.result?.complete === true, cooldownMs: opts.cooldownMs, lastActionWallMs: m.lastActionWallMs,
      budgetPerHour: opts.budgetPerHour, recentActionsWallMs: this.actionTimes, selfCgroups: this.self,
    });
    if (!d.act || m.acting) {
      // A refusal is logged (and counted) when its main reason changes, not at every tick.
      // Numbers (seconds held, cooldown left) change every tick: the key leaves them out.
      const key = m.acting ? 'acting' : d.reasons.map((x) => x.replace(/\d+(\.\d+)?/g, '#')).join('; ');
      if (key !== m.lastDecisionKey && !m.acting) {
        m.lastDecisionKey = key;
        const why = cap?.result?.refused ? [...d.reasons, `evidence refused: ${cap.result.refused}`] : d.reasons;
        this.o.logger.info(`remediation: not acting on ${s.target.label} (${s.verdict}): ${why.join('; ')}`, { target: s.id, incident, reasons: why });
        this.o.countRemediation(opts.mode === 'dry-run' ? 'dry-run' : opts.onIncident !== undefined ? 'hook' : 'restart', 'refused');
      }
      return;
    }
    m.acting = true;
    m.lastActionWallMs = now;
    m.lastDecisionKey = undefined;
    this.actionTimes.push(now);
    this.track(this.act(s, d, incident, cap?.result?.dir).finally(() => {
      m.acting = false;
    }));
  }

  private async act(s: ResponderTargetState, d: RemediationDecision, incident: string, evidenceDir: string | undefined): Promise<void> {
    const id = identityOf(s);
    const audit = this.o.audit;
    const record = { id: randomUUID(), incidentId: s.incidentId ?? incident, targetId: s.id, reasons: d.reasons };
    const fields = { target: s.id, cgroup: id.cgroupPath, pod: id.pod, namespace: id.namespace, container: id.container, incident, action: d.action };
    if (d.action === 'dry-run') {
      await audit.recordAction({ ...record, cgroupPath: id.cgroupPath, action: 'dry-run', state: 'planned', plannedAtWallMs: Date.now(), freezeDirs: [] });
      await audit.finishAction(record.id, { state: 'done', result: 'recorded', finishedAtWallMs: Date.now(), detail: { reasons: d.reasons } });
      this.o.logger.info(`remediation (dry-run): ${s.target.label}: ${d.reasons.join('; ')}`, fields);
      this.o.countRemediation('dry-run', 'recorded');
      if (s.incidentId !== undefined) await audit.updateIncident(s.incidentId, { remediation: `dry-run: ${d.reasons[0] ?? ''}` });
      return;
    }
    if (d.action === 'hook') {
      const cmd = this.o.options.onIncident!;
      await audit.recordAction({ ...record, cgroupPath: id.cgroupPath, action: 'hook', state: 'planned', plannedAtWallMs: Date.now(), freezeDirs: [] });
      this.o.logger.warn(`remediation: running --on-incident for ${s.target.label}: ${d.reasons.join('; ')}`, fields);
      const h = await runIncidentHook(cmd, { target: s.id, cgroup: id.cgroupPath, pod: id.pod, namespace: id.namespace, container: id.container ?? id.containerId, verdict: s.verdict, incident: s.incidentId ?? incident, evidence: evidenceDir, action: 'hook' }, this.o.options.hookTimeoutMs);
      await audit.finishAction(record.id, { state: h.result === 'ok' ? 'done' : 'failed', result: h.result, finishedAtWallMs: Date.now(), detail: { ...h } });
      const hookLine = `remediation: --on-incident for ${s.target.label}: ${h.result}${h.code !== null ? ` (exit ${h.code})` : ''} in ${h.elapsedMs} ms`;
      if (h.result === 'ok') this.o.logger.info(hookLine, { ...fields, result: h.result });
      else this.o.logger.warn(hookLine, { ...fields, result: h.result, stderr: h.stderr.slice(0, 500) });
      this.o.countRemediation('hook', h.result);
      if (s.incidentId !== undefined) await audit.updateIncident(s.incidentId, { remediation: `hook ${h.result}` });
      return;
    }
    this.o.logger.warn(`remediation: restarting ${s.target.label}: ${d.reasons.join('; ')}`, fields);
    const r = await restartCgroup({ host: this.o.host, cgroupPath: id.cgroupPath, audit, record, signal: this.abort.signal, ...this.o.restart });
    const line = `remediation: restart of ${s.target.label}: ${r.result}: ${r.message}`;
    if (r.result === 'restarted') this.o.logger.info(line, { ...fields, result: r.result, mechanism: r.mechanism, frozeCleanly: r.frozeCleanly, phaseMs: r.phaseMs, emptiedMs: r.emptiedMs, backMs: r.backMs });
    else this.o.logger.warn(line, { ...fields, result: r.result, unkillable: r.unkillable.slice(0, 8) });
    this.o.countRemediation('restart', r.result);
    if (s.incidentId !== undefined) await audit.updateIncident(s.incidentId, { remediation: `restart ${r.result}` });
  }
}
