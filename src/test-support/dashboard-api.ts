// A small node:http server for the dashboard's browser tests and bench: the dashboard's assets (the real
// dashboardAssets()) and the agent's read-only JSON contract, built from a real `doctor --record` recording.
// Each target's per-second points (derived from the recording's samples exactly as the classifier sees them)
// repeat along the wall clock, so any range back from "now" has one real point per second; `tick` events go
// out every second over /api/v1/events. Stands in until the agent (src/agent/) serves the same contract.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dashboardAssets } from '../agent/http/dashboard/dashboard-routes.js';
import { assessRecording, type DoctorRecording } from '../doctor/run-doctor.js';
import type { DoctorReport } from '../doctor/report.js';
import type { ChartPoint } from '../render/html/chart-point.js';
import { recordingPoints } from '../render/html/recording-points.js';

/** One incident served, with its bundle directory. */
export interface FakeIncident {
  id: string;
  targetIndex: number;
  bundleDir: string | undefined;
  parts: unknown[];
}

/** Options of `startDashboardApi`. */
export interface DashboardApiOptions {
  recording: DoctorRecording;
  incidents?: FakeIncident[];
  /** Serve this many copies of the recording's targets (the bench's 100 targets). */
  copies?: number;
  /** Serve at most this many targets (with `copies`). */
  maxTargets?: number;
  /** Seconds of history in each target's sparklines (default 300; the bench asks for 3600). */
  sparkSeconds?: number;
  /** Seconds per sparkline value (default 1: every second; 15 makes an hour 240 means, one per 2 px of a sparkline). */
  sparkStepSeconds?: number;
  /** Send `tick` events (default true); false makes the page fall back to polling. */
  events?: boolean;
}

/** A running server. */
export interface DashboardApi {
  url: string;
  report: DoctorReport;
  /** Ids of the served targets, in the recording's order (copies follow). */
  ids: string[];
  /** Every /series request's URL, in order. */
  seriesRequests: URL[];
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

interface Served { id: string; index: number; cgroup: string; pod?: string; namespace?: string; container?: string; base: ChartPoint[]; verdict: string; severity: number; findings: DoctorReport['targets'][number]['findings'] }

/** The point at wall time `t` (whole seconds): the recording's points, repeated. */
function pointAt(s: Served, t: number): ChartPoint {
  const n = s.base.length;
  const p = s.base[((Math.floor(t / 1000) % n) + n) % n]!;
  return { ...p, t, verdict: s.verdict };
}

/** Starts the server on a loopback port. */
export async function startDashboardApi(o: DashboardApiOptions): Promise<DashboardApi> {
  const rec = o.recording;
  const report = assessRecording(rec);
  const byLabel = new Map(report.targets.map((t) => [t.target.label, t] as const));
  const pts = recordingPoints(rec);
  const served: Served[] = [];
  const copies = o.copies ?? 1;
  for (let c = 0; c < copies; c++) {
    rec.targets.forEach((rt, i) => {
      const tr = byLabel.get(rt.target.label)!;
      const base = pts[i]!.length ? pts[i]! : [];
      if (base.length === 0 || served.length >= (o.maxTargets ?? Infinity)) return;
      const ns = `team-${c % 7}`;
      served.push({
        id: `t${served.length}`, index: i, cgroup: `${rt.target.cgroup ?? rt.target.label}${c ? `-copy${c}` : ''}`,
        // Copies (the bench's) get pod names; the recording's own targets keep what this host has (no pods).
        ...(c === 0 || i % 3 === 0 ? {} : { pod: `${(rt.target.cgroup ?? 'host').split('/').at(-1)!.slice(0, 18)}-${c}`, namespace: ns, container: 'main' }),
        base, verdict: tr.verdict, severity: tr.severity, findings: tr.findings,
      });
    });
  }
  const assets = dashboardAssets();
  const started = Date.now();
  const seriesRequests: URL[] = [];
  const requests: string[] = [];
  const streams = new Set<http.ServerResponse>();
  const lastTick = (): number => Math.floor(Date.now() / 1000) * 1000;
  let ticks = 0;
  const sparkN = o.sparkSeconds ?? 300;
  // Sparkline values of one field over the last sparkN seconds, straight from the repeated base points.
  const sparkStep = o.sparkStepSeconds ?? 1;
  const sparkLen = Math.ceil(sparkN / sparkStep);
  const spark = (s: Served, end: number, value: (p: ChartPoint) => number | null): Array<number | null> => {
    const n = s.base.length;
    // Three significant digits: what a 24-px sparkline can show, and a third of the JSON.
    const vals = s.base.map((p) => value(p));
    const out = new Array<number | null>(sparkLen);
    const first = Math.floor(end / 1000) - sparkN + 1;
    for (let k = 0; k < sparkLen; k++) {
      let sum = 0;
      let m = 0;
      for (let j = 0; j < sparkStep; j++) {
        const v = vals[(((first + k * sparkStep + j) % n) + n) % n]!;
        if (v !== null) { sum += v; m++; }
      }
      out[k] = m === 0 ? null : sum === 0 ? 0 : Number((sum / m).toPrecision(3));
    }
    return out;
  };
  // The same for every request within a second: computed once per second.
  let sparkCache: { at: number; body: string } | undefined;
  const targetsBody = (): string => {
    const at = lastTick();
    if (sparkCache?.at === at) return sparkCache.body;
    const t0 = Array.from({ length: sparkLen }, (_, k) => at - (sparkN - 1) * 1000 + k * sparkStep * 1000);
    const body = JSON.stringify({
      generatedAt: at,
      targets: served.map((s) => ({
        id: s.id, cgroup: s.cgroup, ...(s.pod ? { pod: s.pod, namespace: s.namespace, container: s.container } : {}),
        verdict: s.verdict, severity: s.severity, sinceWallMs: started - 600_000, findings: s.findings,
        spark: {
          t: t0,
          cpuCores: spark(s, at, (p) => (p.cpuUserCores ?? 0) + (p.cpuSystemCores ?? 0)),
          memoryRatio: spark(s, at, (p) => (p.memoryUsageBytes !== null && p.memoryLimitBytes ? p.memoryUsageBytes / p.memoryLimitBytes : null)),
          progress: spark(s, at, (p) => p.progressPerKernelCpuSecond),
        },
      })),
    });
    sparkCache = { at, body };
    return body;
  };
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(u.pathname + u.search);
    const asset = assets.get(u.pathname);
    if (asset) {
      res.writeHead(200, { 'content-type': asset.contentType });
      res.end(asset.body);
      return;
    }
    if (u.pathname === '/api/v1/node') {
      const h = rec.hostSamples[0];
      json(res, 200, {
        kernelRelease: rec.facts.kernelRelease, cgroupMode: rec.layoutMode, cpus: h?.cpus ?? 1,
        mglru: { present: rec.facts.mglruPresent, enabled: rec.facts.mglruEnabled }, advice: report.targets.flatMap((t) => t.advice).filter((a, i, all) => all.indexOf(a) === i).slice(0, 3),
        agent: { startedWallMs: started, ticks, lateTicks: 0, lastTickWallMs: lastTick(), tickDurationMs: 3.2, cpuCoreShare: process.cpuUsage().user / 1e6 / Math.max(1, (Date.now() - started) / 1000),
          rssBytes: process.memoryUsage().rss, store: { sizeBytes: 0, writable: true } },
      });
      return;
    }
    if (u.pathname === '/api/v1/targets') {
      json(res, 200, targetsBody());
      return;
    }
    const m = /^\/api\/v1\/targets\/([^/]+)\/series$/.exec(u.pathname);
    if (m) {
      seriesRequests.push(u);
      const s = served.find((x) => x.id === decodeURIComponent(m[1]!));
      if (!s) return json(res, 404, { error: { code: 'not-found', message: `no target ${m[1]}` } });
      const from = Number(u.searchParams.get('from')), to = Number(u.searchParams.get('to')), step = Number(u.searchParams.get('step') ?? 1000);
      if (!(from >= 0) || !(to >= from) || !(step >= 1000)) return json(res, 400, { error: { code: 'bad-request', message: 'from, to and step (>= 1000) are wall-clock milliseconds' } });
      const points: ChartPoint[] = [];
      const end = Math.min(to, lastTick());
      for (let t = Math.ceil(from / step) * step; t <= end && points.length < 20000; t += step) points.push(pointAt(s, t));
      return json(res, 200, { id: s.id, from, to, stepMs: step, points });
    }
    if (u.pathname === '/api/v1/incidents') {
      json(res, 200, {
        incidents: (o.incidents ?? []).map((i) => {
          const s = served.find((x) => x.index === i.targetIndex) ?? served[0]!;
          return { id: i.id, targetId: s.id, verdict: s.verdict, startWallMs: started - 300_000, endWallMs: started - 120_000, peakSeverity: s.severity, findings: s.findings,
            evidence: i.bundleDir ? { id: i.id, parts: i.parts } : null };
        }),
      });
      return;
    }
    if (u.pathname === '/api/v1/events' && o.events !== false) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': reclaimwatch ticks\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const ev = /^\/evidence\/([^/]+?)(\.tar\.gz|\/([^/]+))$/.exec(u.pathname);
    const inc = ev ? (o.incidents ?? []).find((i) => i.id === decodeURIComponent(ev[1]!)) : undefined;
    if (ev && inc?.bundleDir) {
      if (ev[2] === '.tar.gz') {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        spawn('tar', ['-C', inc.bundleDir, '-cz', '.'], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout.pipe(res);
        return;
      }
      const file = path.join(inc.bundleDir, path.basename(decodeURIComponent(ev[3]!)));
      if (fs.existsSync(file)) {
        res.writeHead(200, { 'content-type': file.endsWith('.svg') ? 'image/svg+xml' : file.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8' });
        res.end(fs.readFileSync(file));
        return;
      }
    }
    json(res, 404, { error: { code: 'not-found', message: `no ${u.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Ticks on the second, as the agent's sampler does.
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => {
      ticks++;
      const data = `event: tick\ndata: ${JSON.stringify({ wallMs: lastTick() })}\n\n`;
      for (const s of streams) s.write(data);
      schedule();
    }, 1000 - (Date.now() % 1000) + 5);
  };
  schedule();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, report, ids: served.map((s) => s.id), seriesRequests, requests,
    close: async () => {
      clearTimeout(timer);
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
