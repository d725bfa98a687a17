import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withInterrupt } from './interrupt.js';

void test('withInterrupt() aborts on the first signal, forces on the second, and unwires its listeners', async () => {
  const before = process.listenerCount('SIGTERM');
  const counts: number[] = [];
  const keepAlive = setInterval(() => undefined, 1000); // a real signal arrives asynchronously: keep the loop alive
  const r = await withInterrupt(async (i) => {
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    process.kill(process.pid, 'SIGTERM');
    await new Promise((res) => i.signal.addEventListener('abort', res, { once: true }));
    assert.equal(i.force.aborted, false);
    process.kill(process.pid, 'SIGINT');
    await new Promise((res) => i.force.addEventListener('abort', res, { once: true }));
    return { got: i.received(), status: i.exitStatus() };
  }, { onSignal: (_s, n) => counts.push(n) }).finally(() => clearInterval(keepAlive));
  assert.deepEqual(r, { got: 'SIGTERM', status: 143 });
  assert.deepEqual(counts, [1, 2]);
  assert.equal(process.listenerCount('SIGTERM'), before, 'listeners removed');
});

void test('withInterrupt() unwires its listeners when the work throws', async () => {
  const before = process.listenerCount('SIGINT');
  await assert.rejects(withInterrupt(() => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(process.listenerCount('SIGINT'), before);
});
