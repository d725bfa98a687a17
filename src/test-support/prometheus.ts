// A real Prometheus (Debian's /usr/bin/prometheus) for live tests: a free loopback port, a temporary config that
// scrapes one target every second, a temporary TSDB, readiness awaited, PromQL through the HTTP API, and a stop that
// leaves nothing behind (SIGTERM, then SIGKILL; the temporary directory removed).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/** Where Debian installs it. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** One sample of an instant vector. */
export interface PromSample {
  metric: Record<string, string>;
  /** Unix seconds and the value as Prometheus prints it ("1", "NaN", "+Inf"). */
  value: [number, string];
}

/** What `startPrometheus` takes. */
export interface PrometheusOptions {
  /** `HOST:PORT` to scrape, or `self` for Prometheus's own /metrics. */
  target: string;
  metricsPath?: string;
  /** The scrape job's name (the `job` label); default `reclaimwatch`, which the rules' `up` alert expects. */
  job?: string;
  /** Rule files to load (evaluated every second). */
  ruleFiles?: string[];
  binary?: string;
  /** How long to wait for /-/ready. */
  readyTimeoutMs?: number;
}

/** A running Prometheus. */
export interface PrometheusHandle {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  pid: number;
  /** The temporary directory (config and TSDB); gone after `stop()`. */
  dir: string;
  /** Runs an instant query; throws with Prometheus's error text when it fails. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `query` until it returns at least one sample, or throws after `timeoutMs`. */
  waitFor(promql: string, timeoutMs?: number): Promise<PromSample[]>;
  /** GETs any API path (e.g. `/api/v1/rules`) and returns its `data`. */
  api(pathAndQuery: string): Promise<unknown>;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the directory. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** A port the kernel just handed out on loopback (free when this returns; Prometheus binds it next). */
export async function freeLoopbackPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', resolve); });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ApiBody { status: 'success' | 'error'; data?: unknown; error?: string; errorType?: string }

async function apiGet(base: string, pathAndQuery: string): Promise<unknown> {
  const res = await fetch(`${base}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as ApiBody;
  if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.errorType ?? res.status}: ${body.error ?? 'failed'}`);
  return body.data;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts Prometheus on a free loopback port, scraping `target` every second, and waits until it is ready.
 * Throws (having cleaned up) when the binary is missing, exits, or is not ready in time; the message carries the
 * tail of its log.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const binary = opts.binary ?? PROMETHEUS_BIN;
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found (apt-get install prometheus)`);
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwprom-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    ...(opts.ruleFiles?.length ? { rule_files: opts.ruleFiles.map((f) => path.resolve(f)) } : {}),
    scrape_configs: [{
      job_name: opts.job ?? 'reclaimwatch',
      // The agent's own pod, namespace and container labels are the targets', not the scrape's: keep them.
      honor_labels: true,
      metrics_path: opts.metricsPath ?? '/metrics',
      static_configs: [{ targets: [opts.target === 'self' ? `127.0.0.1:${port}` : opts.target] }],
    }],
  };
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  let log = '';
  const child = spawn(binary, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1h',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (c: Buffer) => { log = (log + c.toString()).slice(-4000); });
  // A test that dies without stop() must not leave Prometheus running.
  const onExit = (): void => { if (!exited(child)) child.kill('SIGKILL'); };
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;

  const stop = (graceMs = 5000): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', onExit);
      if (!exited(child)) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await gone;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited(child)) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready at ${url} within ${opts.readyTimeoutMs ?? 30_000} ms:\n${log}`);
    }
    await sleep(100);
  }

  const query = async (promql: string): Promise<PromSample[]> => {
    const data = (await apiGet(url, `/api/v1/query?query=${encodeURIComponent(promql)}`)) as { resultType: string; result: PromSample[] };
    if (data.resultType !== 'vector') throw new Error(`prometheus: ${promql} gave a ${data.resultType}, not an instant vector`);
    return data.result;
  };
  return {
    url, port, pid: child.pid!, dir, query, stop,
    api: (p) => apiGet(url, p),
    async waitFor(promql, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await query(promql);
        if (r.length > 0) return r;
        if (Date.now() > until) throw new Error(`prometheus: no sample for ${promql} within ${timeoutMs} ms`);
        await sleep(250);
      }
    },
  };
}
