// queryAgent() against a real HTTP server on loopback speaking the agent's contract (and breaking it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { queryAgent } from './query-agent.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function withServer(handler: Handler, body: (base: URL) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const json = (res: http.ServerResponse, status: number, value: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
};

const TARGETS = { generatedAt: '2026-12-01T14:40:00.000Z', targets: [{ id: 't1', cgroup: '/a', verdict: 'healthy', severity: 0, sinceWallMs: 1, findings: [], extra: 'kept' }] };

test('queryAgent() reads targets and health from the agent, keeping fields it does not know', async () => {
  const seen: string[] = [];
  await withServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/healthz') json(res, 503, { status: 'late', reason: 'tick 3 s late' });
    else json(res, 200, TARGETS);
  }, async (base) => {
    const a = await queryAgent(base, 2000);
    assert.equal(a.kind, 'answered');
    if (a.kind !== 'answered') return;
    assert.equal(a.targets.targets[0]!.id, 't1');
    assert.equal((a.targets.targets[0] as Record<string, unknown>)['extra'], 'kept');
    assert.deepEqual(a.health, { status: 'late', reason: 'tick 3 s late' });
  });
  assert.deepEqual(seen.sort(), ['/api/v1/targets', '/healthz']);
});

test('queryAgent() gives the agent\'s own error message for a 4xx/5xx answer', async () => {
  await withServer((_req, res) => json(res, 500, { error: { code: 'store', message: 'database is locked' } }), async (base) => {
    assert.deepEqual(await queryAgent(base, 2000), { kind: 'failed', reason: 'answered 500: database is locked' });
  });
});

test('queryAgent() says when the answer is not JSON or not the contract\'s shape', async () => {
  await withServer((_req, res) => res.writeHead(200).end('<html>proxy</html>'), async (base) => {
    assert.deepEqual(await queryAgent(base, 2000), { kind: 'failed', reason: 'answered 200 without JSON' });
  });
  await withServer((_req, res) => json(res, 200, { generatedAt: 'x', targets: [{ id: 't', cgroup: '/', verdict: 'fine' }] }), async (base) => {
    const a = await queryAgent(base, 2000);
    assert.equal(a.kind, 'failed');
    assert.match(a.kind === 'failed' ? a.reason : '', /^answer not understood \(targets\.0\.verdict: /);
  });
});

test('queryAgent() gives up at its deadline on an agent that accepts and never answers, or stops mid-body', async () => {
  await withServer(() => undefined, async (base) => {
    const t0 = performance.now();
    assert.deepEqual(await queryAgent(base, 300), { kind: 'failed', reason: 'did not answer within 300ms' });
    const took = performance.now() - t0;
    assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
  });
  await withServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"generatedAt":'); }, async (base) => {
    assert.deepEqual(await queryAgent(base, 300), { kind: 'failed', reason: 'did not answer within 300ms' });
  });
});

test('queryAgent() names the socket error when nothing listens', async () => {
  // A port that was just free: bind, read it, close.
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  assert.deepEqual(await queryAgent(new URL(`http://127.0.0.1:${port}`), 2000), { kind: 'failed', reason: 'not reachable (ECONNREFUSED)' });
});
