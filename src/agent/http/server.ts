// The agent's HTTP listener: /metrics, /healthz, the JSON API, server-sent tick events and the dashboard.
// Loopback by default; GET and HEAD only (nothing here acts); bounded connections and request time; no handler
// reads the kernel (they read the last tick or the store).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_CSP, type DashboardAsset } from './dashboard/dashboard-routes.js';
import { spawn } from 'node:child_process';
import { type ApiAnswer, apiError } from './api.js';

/** What the server serves, supplied by the agent. */
export interface ServerRoutes {
  metrics: () => Promise<{ contentType: string; body: string }>;
  health: () => ApiAnswer;
  node: () => ApiAnswer;
  targets: (q: URLSearchParams) => ApiAnswer;
  series: (id: string, q: URLSearchParams) => ApiAnswer;
  incidents: (q: URLSearchParams) => ApiAnswer;
  /** Directory of evidence bundles (`<id>/<file>`), when there is a store. */
  evidenceDir: string | undefined;
  assets: ReadonlyMap<string, DashboardAsset>;
  /** Subscribes to ticks for /api/v1/events. */
  onTick: (fn: (wallMs: number) => void) => () => void;
}

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new RangeError(`bad --listen ${JSON.stringify(text)}: give HOST:PORT, e.g. 127.0.0.1:9847`);
  return { host: m[1] ?? m[2]!, port };
}

/** True for loopback addresses. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const MAX_SSE = 32;

/** Starts the server; resolves once it listens. */
export async function startServer(listen: { host: string; port: number }, routes: ServerRoutes): Promise<{ server: http.Server; address: AddressInfo; close: () => Promise<void> }> {
  let sse = 0;
  const server = http.createServer((req, res) => {
    const send = (a: ApiAnswer): void => {
      const body = JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        send(apiError(405, 'method-not-allowed', 'this server is read-only: GET and HEAD only'));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://agent');
      const p = url.pathname;
      if (p === '/metrics') {
        void routes.metrics().then((m) => {
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
        }, (err: unknown) => send(apiError(500, 'metrics', String((err as Error)?.message ?? err))));
        return;
      }
      if (p === '/healthz') return send(routes.health());
      if (p === '/api/v1/node') return send(routes.node());
      if (p === '/api/v1/targets') return send(routes.targets(url.searchParams));
      const series = /^\/api\/v1\/targets\/(.+)\/series$/.exec(p);
      if (series) return send(routes.series(decodeURIComponent(series[1]!), url.searchParams));
      if (p === '/api/v1/incidents') return send(routes.incidents(url.searchParams));
      if (p === '/api/v1/events') {
        if (sse >= MAX_SSE) return send(apiError(503, 'busy', `at most ${MAX_SSE} event streams at once`));
        sse++;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': reclaimwatch tick events\n\n');
        const off = routes.onTick((wallMs) => res.write(`event: tick\ndata: ${JSON.stringify({ wallMs })}\n\n`));
        req.on('close', () => {
          off();
          sse--;
        });
        return;
      }
      const tgz = /^\/evidence\/(\d+)\.tar\.gz$/.exec(p);
      if (tgz && routes.evidenceDir) {
        const dir = path.join(routes.evidenceDir, tgz[1]!);
        if (!fs.existsSync(path.join(dir, 'manifest.json'))) return send(apiError(404, 'not-found', `no evidence bundle ${tgz[1]}`));
        // tar in a child with a deadline: a bundle is bounded in size, and a stuck child is killed.
        const tar = spawn('tar', ['-C', dir, '-cz', '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
        const kill = setTimeout(() => tar.kill('SIGKILL'), 30_000);
        tar.on('close', () => clearTimeout(kill));
        res.writeHead(200, { 'content-type': 'application/gzip', 'content-disposition': `attachment; filename="reclaimwatch-evidence-${tgz[1]}.tar.gz"` });
        tar.stdout.pipe(res);
        req.on('close', () => tar.kill('SIGKILL'));
        return;
      }
      const ev = /^\/evidence\/(\d+)\/([A-Za-z0-9._-]+)$/.exec(p);
      if (ev && routes.evidenceDir) {
        const file = path.join(routes.evidenceDir, ev[1]!, ev[2]!);
        fs.readFile(file, (err, data) => {
          if (err) return send(apiError(404, 'not-found', `no evidence file ${ev[1]}/${ev[2]}`));
          const type = file.endsWith('.svg') ? 'image/svg+xml' : file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8';
          res.writeHead(200, { 'content-type': type, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:" });
          res.end(data);
        });
        return;
      }
      const asset = routes.assets.get(p === '/index.html' ? '/' : p);
      if (asset) {
        res.writeHead(200, { 'content-type': asset.contentType, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'content-security-policy': `${DASHBOARD_CSP}; frame-ancestors 'none'` });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
        return;
      }
      send(apiError(404, 'not-found', `no route ${p}: try /metrics, /healthz, /api/v1/targets, /api/v1/incidents or /`));
    } catch (err) {
      send(apiError(500, 'internal', String((err as Error)?.message ?? err)));
    }
  });
  server.maxConnections = 256;
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
