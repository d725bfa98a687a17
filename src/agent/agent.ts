// The always-on agent: the watch (the sampler's loop, judged every tick), the store, the metrics and the HTTP
// listener, composed. The loop is the sampler's; storing, maintenance, HTTP and incident response run beside it
// and never delay a tick beyond their own bounded work.
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import type { Thresholds } from '../detect/thresholds.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { UsageError } from '../kernel/errors.js';
import { raiseSchedulingPriority, type SchedulingPriority } from '../sample/priority.js';
import { dashboardAssets } from './http/dashboard/dashboard-routes.js';
import { listIncidents, listTargets, targetSeries } from './http/api.js';
import { AgentMetrics } from './http/metrics.js';
import { SparkCache } from './http/dashboard/spark-cache.js';
import { isLoopback, startServer } from './http/server.js';
import { Store } from './store/store.js';
import { Watch } from './watch/watch.js';
import { IncidentResponder } from './remediation/responder.js';
import { type RemediationOptions, parseRemediationOptions } from './remediation/options.js';
import { storeAudit } from './remediation/store-audit.js';
import { targetReport } from '../doctor/run-doctor.js';
import type { TargetReport } from '../doctor/report.js';
import type { Target } from '../targets/target.js';

/** Options of `reclaimwatch agent`. */
export interface AgentOptions {
  host: HostPaths;
  listen: { host: string; port: number } | undefined;
  /** Store directory; undefined: no store (metrics and live API only). */
  storeDir: string | undefined;
  retentionMs: number;
  storeMaxBytes: number;
  intervalMs: number;
  /** A calm cgroup's full sample this often (its pulse every tick); default 5 × the interval. */
  calmIntervalMs?: number;
  windowMs: number;
  holdTicks: number;
  match: string[];
  thresholds?: Thresholds;
  /** Evidence capture and remediation (needs a store); undefined: the defaults (capture, dry-run). */
  remediation?: RemediationOptions;
  /** One line per event (verdict changes, store trouble). */
  log: (line: string) => void;
}

/** A running agent. */
export interface RunningAgent {
  watch: Watch;
  store: Store | undefined;
  metrics: AgentMetrics;
  /** Where it listens (port 0 asks for a free one). */
  url: string | undefined;
  priority: SchedulingPriority;
  /** Stops the loop, the listener and the store (in that order); resolves when all are closed. */
  stop(): Promise<void>;
  /** Resolves when the loop ends. */
  done: Promise<void>;
}

/** Starts the agent. Throws UsageError when the store cannot be opened or the address is taken. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const priority = raiseSchedulingPriority();
  let store: Store | undefined;
  if (o.storeDir !== undefined) {
    try {
      fs.mkdirSync(o.storeDir, { recursive: true, mode: 0o750 });
    } catch (err) {
      throw new UsageError(`cannot create the store directory ${o.storeDir} (${(err as NodeJS.ErrnoException).code}): give a writable --store DIR`, { cause: err });
    }
    store = Store.open({ dir: o.storeDir, maxBytes: o.storeMaxBytes, retentionMs: o.retentionMs });
    store.markRun('start', Date.now());
  }
  const watch = new Watch(o.host, store, { intervalMs: o.intervalMs, ...(o.calmIntervalMs !== undefined ? { calmIntervalMs: o.calmIntervalMs } : {}), windowMs: o.windowMs, holdTicks: o.holdTicks, match: o.match, ...(o.thresholds ? { thresholds: o.thresholds } : {}) });
  const metrics = new AgentMetrics({ watch, storeStatus: () => store?.status(), exposed: () => undefined });
  const startedWallMs = Date.now();
  let cpuPrev = process.cpuUsage();
  let cpuPrevAt = performance.now();
  let cpuShare = 0;
  const tickListeners = new Set<(wallMs: number) => void>();
  let lastMaintain = 0;
  let wasWritable = true;
  watch.onJudged((tick) => {
    metrics.observeTick(tick);
    for (const fn of tickListeners) fn(tick.wallMs);
    const now = performance.now();
    if (now - cpuPrevAt >= 10_000) {
      const c = process.cpuUsage(cpuPrev);
      cpuShare = (c.user + c.system) / 1000 / (now - cpuPrevAt);
      cpuPrev = process.cpuUsage();
      cpuPrevAt = now;
    }
    if (store && now - lastMaintain >= 5000) {
      lastMaintain = now;
      try {
        store.maintain(tick.wallMs, 50);
      } catch (err) {
        o.log(`store maintenance failed: ${(err as Error).message}`);
      }
      const st = store.status();
      if (st.writable !== wasWritable) o.log(st.writable ? 'store writable again: backlog written' : `store not writable (${st.lastError?.code ?? 'error'}: ${st.lastError?.message ?? ''}): keeping up to ${st.pendingTicks} ticks in memory`);
      wasWritable = st.writable;
    }
  });
  // One log line per verdict change.
  const seen = new Map<string, string>();
  watch.onJudged((_tick, states) => {
    for (const s of states.values()) {
      const v = s.tracked?.current;
      if (!v || seen.get(s.id) === v) continue;
      const from = seen.get(s.id);
      seen.set(s.id, v);
      if (from === undefined && (v === 'healthy' || v === 'cpu-bound')) continue;
      o.log(`${new Date(s.tracked!.sinceWallMs).toISOString()} ${v} ${s.id}${from ? ` (was ${from})` : ''}${s.assessment ? `: ${s.assessment.findings.filter((f) => f.severity !== 'info').map((f) => f.code).join(', ')}` : ''}`);
    }
  });
  const layout = detectCgroupLayout(o.host);
  const ac = new AbortController();
  const health = () => {
    const st = watch.sampler.stats();
    const last = st.lastTick;
    const ageMs = last ? Date.now() - last.wallMs : Infinity;
    const late = !last || ageMs > 2.5 * o.intervalMs + 1000;
    const s = store?.status();
    const body = { status: late ? 'late' : s && !s.writable ? 'degraded' : 'ok', reason: late ? (last ? `last tick ${Math.round(ageMs)} ms ago (interval ${o.intervalMs} ms)` : 'no tick yet') : s && !s.writable ? `store not writable: ${s.lastError?.message ?? ''}; ticks kept in memory: ${s.pendingTicks}` : undefined, ticks: st.ticks, lateTicks: st.lateTicks, lastTickWallMs: last?.wallMs, targets: st.targets, probes: st.probes, store: s };
    return { status: late ? 503 : 200, body };
  };
  const evidenceDir = o.storeDir ? path.join(o.storeDir, 'evidence') : undefined;
  // Sparklines of history: each target's hour read from the store once (at most 50 ms of reads per request, so a
  // first visit never holds the tick back long), then extended from the Sampler's ring.
  const sparks = store ? new SparkCache(store, 50) : undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  if (o.listen) {
    if (!isLoopback(o.listen.host)) o.log(`listening on ${o.listen.host}, not loopback, as asked: the API and dashboard are read-only but show every cgroup of this node`);
    try {
      server = await startServer(o.listen, {
        metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
        health,
        node: () => ({ status: 200, body: {
          kernelRelease: watch.facts.kernelRelease, cgroupMode: layout.mode, cpus: watch.sampler.hostRing().at(-1)?.cpus ?? 0,
          mglru: { present: watch.facts.mglruPresent, enabled: watch.facts.mglruEnabled },
          advice: watch.facts.mglruPresent && !watch.facts.mglruEnabled ? ['MGLRU is built but off: echo y > /sys/kernel/mm/lru_gen/enabled cured the reference\'s first livelock (classic LRU under mmap_lock)'] : [],
          agent: { startedWallMs, ticks: watch.sampler.stats().ticks, lateTicks: watch.sampler.stats().lateTicks, lastTickWallMs: watch.sampler.stats().lastTick?.wallMs, tickDurationMs: watch.sampler.stats().lastTick?.durationMs, cpuCoreShare: cpuShare, rssBytes: process.memoryUsage.rss(), priority, store: store ? { sizeBytes: store.status().sizeBytes, writable: store.status().writable } : null },
        } }),
        targets: (q) => listTargets(watch, sparks, q),
        series: (id, q) => targetSeries(store, id, q),
        incidents: (q) => listIncidents(store, q, (id) => (evidenceDir && fs.existsSync(path.join(evidenceDir, String(id), 'manifest.json')) ? { id, parts: safeManifestParts(path.join(evidenceDir, String(id), 'manifest.json')) } : null)),
        evidenceDir,
        assets: dashboardAssets(),
        onTick: (fn) => {
          tickListeners.add(fn);
          return () => tickListeners.delete(fn);
        },
      });
    } catch (err) {
      store?.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot listen on ${o.listen.host}:${o.listen.port} (${code ?? (err as Error).message}): ${code === 'EADDRINUSE' ? 'another process has that port; is an agent already running? give another --listen' : 'give another --listen HOST:PORT'}`, { cause: err });
    }
  }
  // Evidence and remediation beside the loop: observe() never awaits; the work has its own deadlines.
  let responder: IncidentResponder | undefined;
  if (store && o.storeDir !== undefined) {
    const st = store;
    responder = new IncidentResponder({
      host: o.host, storeDir: o.storeDir, options: o.remediation ?? parseRemediationOptions({}), audit: storeAudit(st),
      logger: { info: (m) => o.log(m), warn: (m) => o.log(m) },
      countRemediation: (action, result) => metrics.countRemediation(action, result),
      // Restarts of the last hour count against the node's budget after a restart of the agent too.
      pastActions: st.listActions({ sinceWallMs: Date.now() - 3_600_000 }).filter((a) => a.mode === 'restart'),
    });
    await responder.start();
    watch.onJudged((tick, states) => {
      responder!.observe(tick.wallMs, [...states.values()].filter((s) => s.tracked && s.assessment && !s.gone).map((s) => ({
        target: s.target, id: s.id, verdict: s.tracked!.current, sinceWallMs: s.tracked!.sinceWallMs,
        ...(s.incidentId !== undefined && s.incidentId > 0 ? { incidentId: String(s.incidentId) } : {}),
        report: () => targetReport(describe(s.target), s.assessment!, true),
        names: { pod: s.target.pod?.name, namespace: s.target.pod?.namespace, container: s.target.container },
      })));
    });
  } else {
    o.log('no store: evidence capture and remediation are off');
  }
  const done = watch.run(ac.signal);
  return {
    watch, store, metrics, priority,
    url: server ? `http://${server.address.family === 'IPv6' ? `[${server.address.address}]` : server.address.address}:${server.address.port}` : undefined,
    done,
    async stop() {
      ac.abort();
      await done;
      await responder?.close(10_000);
      await watch.sampler.settleProbes(1500);
      watch.sampler.close();
      await server?.close();
      if (store) {
        try {
          store.markRun('stop', Date.now());
        } catch {
          /* a full disk: the start marker and the gap say it */
        }
        store.close();
      }
    },
  };
}

/** A target as a report names it. */
function describe(t: Target): TargetReport['target'] {
  return {
    kind: t.kind, label: t.label, ...(t.pid !== undefined ? { pid: t.pid } : {}), ...(t.cgroup ? { cgroup: t.cgroup.path } : {}),
    ...(t.container ? { container: t.container } : {}), ...(t.pod ? { pod: t.pod } : {}), ...(t.comm ? { comm: t.comm } : {}), pids: 0, threads: 0,
  };
}

function safeManifestParts(file: string): unknown {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { parts?: unknown }).parts ?? [];
  } catch {
    return [];
  }
}
