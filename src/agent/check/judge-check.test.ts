import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VERDICTS } from '../../detect/verdict.js';
import type { AgentTarget } from './agent-responses.js';
import { judgeCheck, sinceText, type CheckRequest } from './judge-check.js';
import type { AgentAnswer } from './query-agent.js';

const NOW = Date.UTC(2026, 11, 1, 14, 40, 0);
const at = (h: number, m: number, s: number): number => new Date(2026, 11, 1, h, m, s).getTime();

function target(over: Partial<AgentTarget> = {}): AgentTarget {
  return { id: 'cg:/kubepods/x', cgroup: '/kubepods/x', verdict: 'healthy', severity: 0, sinceWallMs: NOW - 60_000, findings: [], ...over };
}
function answer(targets: AgentTarget[], health: AgentAnswer extends infer A ? A extends { kind: 'answered'; health: infer H } ? H : never : never = { status: 'ok' }): AgentAnswer {
  return { kind: 'answered', targets: { generatedAt: new Date(NOW).toISOString(), targets }, health };
}
const req = (over: Partial<CheckRequest> = {}): CheckRequest => ({ agentLabel: '127.0.0.1:9847', selector: {}, on: ['reclaim-livelock'], nowMs: NOW, ...over });

test('judgeCheck() says ok with the number of targets when none is livelocked', () => {
  const r = judgeCheck(answer([target(), target({ id: 'b', verdict: 'thrashing' }), target({ id: 'c', verdict: 'cpu-bound' })]), req());
  assert.deepEqual(r, { status: 'ok', exit: 0, line: 'ok: 3 targets watched, none livelocked' });
});

test('judgeCheck() names a livelocked pod, its namespace, since when and the variant, exit 1', () => {
  const r = judgeCheck(answer([
    target(),
    target({ id: 'db', pod: 'db-0', namespace: 'prod', verdict: 'reclaim-livelock', severity: 90, variant: 'mmap-lock', sinceWallMs: at(14, 35, 24) }),
  ]), req());
  assert.equal(r.status, 'problem');
  assert.equal(r.exit, 1);
  assert.equal(r.line, 'reclaim-livelock: pod db-0 (ns prod) since 14:35:24, mmap-lock');
});

test('judgeCheck() reports the most severe of several problems and counts the others', () => {
  const r = judgeCheck(answer([
    target({ id: 'a', container: 'a'.repeat(64), verdict: 'reclaim-livelock', severity: 60, variant: 'unknown' }),
    target({ id: 'b', pod: 'web-1', namespace: 'shop', verdict: 'reclaim-livelock', severity: 95, variant: 'lru-lock', sinceWallMs: at(9, 1, 2) }),
    target({ id: 'c', verdict: 'reclaim-livelock', severity: 10 }),
  ]), req());
  assert.equal(r.line, 'reclaim-livelock: pod web-1 (ns shop) since 09:01:02, lru-lock; +2 more');
});

test('judgeCheck() with --on counts other verdicts as problems, and a container is named by its short ID', () => {
  const r = judgeCheck(answer([target({ container: 'abcdef0123456789'.repeat(4), verdict: 'thrashing', severity: 50, sinceWallMs: at(14, 0, 0) })]), req({ on: ['thrashing', 'oom-loop'] }));
  assert.equal(r.line, 'thrashing: container abcdef012345 since 14:00:00');
  assert.equal(judgeCheck(answer([target()]), req({ on: ['thrashing', 'oom-loop'] })).line, 'ok: 1 target watched, none in thrashing/oom-loop');
});

test('judgeCheck() keeps the innermost part of a long cgroup path and stays within 80 characters', () => {
  const cgroup = `/system.slice/${'very-long-unit-name-'.repeat(6)}inner.scope`;
  const r = judgeCheck(answer([target({ cgroup, verdict: 'reclaim-livelock', severity: 80, variant: 'mmap-lock', sinceWallMs: at(1, 2, 3) })]), req());
  assert.ok(r.line.length <= 80, r.line);
  assert.match(r.line, /^reclaim-livelock: cgroup \.\.\..*inner\.scope since 01:02:03, mmap-lock$/);
});

test('judgeCheck() about one selected target says its verdict; a selector that matches nothing is unknown', () => {
  const ts = [target({ id: 'db', pod: 'db-0', namespace: 'prod', verdict: 'thrashing' }), target({ id: 'w', pod: 'web-0', namespace: 'prod' })];
  assert.equal(judgeCheck(answer(ts), req({ selector: { pod: 'db-0' } })).line, 'ok: pod db-0 (ns prod) is thrashing');
  assert.equal(judgeCheck(answer(ts), req({ selector: { namespace: 'prod' } })).line, 'ok: none livelocked among 2 targets of ns prod');
  const none = judgeCheck(answer(ts), req({ selector: { pod: 'db-1' } }));
  assert.deepEqual(none, { status: 'unknown', exit: 2, line: 'unknown: no target of pod db-1 among 2 watched' });
});

test('judgeCheck() selects by container ID prefix and by cgroup subtree', () => {
  const ts = [
    target({ id: 'a', cgroup: '/kubepods/burstable/podA/c1', container: 'c1'.padEnd(64, '0'), verdict: 'reclaim-livelock', severity: 70 }),
    target({ id: 'b', cgroup: '/kubepods/burstable/podAB', verdict: 'reclaim-livelock', severity: 90 }),
  ];
  assert.match(judgeCheck(answer(ts), req({ selector: { container: 'C1000' } })).line, /^reclaim-livelock: container c10000000000 since/);
  const sub = judgeCheck(answer(ts), req({ selector: { cgroup: '/kubepods/burstable/podA/' } }));
  assert.match(sub.line, /container c1/, 'podAB is not under podA');
  assert.doesNotMatch(sub.line, /more/);
});

test('judgeCheck() will not say ok for a late agent, but a full store only adds a note, and a problem stands', () => {
  const late = judgeCheck(answer([target()], { status: 'late', reason: 'last tick 12 s ago' }), req());
  assert.deepEqual(late, { status: 'unknown', exit: 2, line: 'unknown: agent at 127.0.0.1:9847 is late: last tick 12 s ago' });
  assert.equal(judgeCheck(answer([target()], { status: 'store-unwritable', reason: 'ENOSPC' }), req()).line, 'ok: 1 target watched, none livelocked (store unwritable)');
  assert.equal(judgeCheck(answer([target({ verdict: 'reclaim-livelock', severity: 80 })], { status: 'late' }), req()).status, 'problem');
});

test('judgeCheck() turns a failed query into unknown, naming the agent', () => {
  assert.deepEqual(judgeCheck({ kind: 'failed', reason: 'not reachable (ECONNREFUSED)' }, req()),
    { status: 'unknown', exit: 2, line: 'unknown: agent at 127.0.0.1:9847 not reachable (ECONNREFUSED)' });
});

test('sinceText() adds the date when the verdict is more than a day old', () => {
  assert.equal(sinceText(at(14, 35, 24), at(15, 0, 0)), '14:35:24');
  assert.match(sinceText(at(14, 35, 24) - 3 * 86_400_000, at(15, 0, 0)), /^Nov 28 14:35:24$/);
});

test('judgeCheck() always gives one printable ASCII line of at most 80 characters and the exit that matches its status', () => {
  const text = fc.string({ unit: 'binary', maxLength: 200 });
  const arbTarget = fc.record({
    id: text, cgroup: text, pod: fc.option(text, { nil: undefined }), namespace: fc.option(text, { nil: undefined }),
    container: fc.option(text, { nil: undefined }), verdict: fc.constantFrom(...VERDICTS), severity: fc.integer({ min: 0, max: 100 }),
    variant: fc.option(fc.constantFrom('mmap-lock' as const, 'lru-lock' as const, 'unknown' as const), { nil: undefined }),
    sinceWallMs: fc.oneof(fc.integer({ min: 0, max: NOW }), fc.constant(Number.NaN)), findings: fc.constant([]),
  });
  fc.assert(fc.property(
    fc.array(arbTarget, { maxLength: 5 }), fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }),
    fc.subarray([...VERDICTS], { minLength: 1 }),
    (targets, pod, cgroup, status, on) => {
      const cleaned = targets.map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as AgentTarget);
      const r = judgeCheck(answer(cleaned, status === undefined ? undefined : { status }), req({ selector: { pod, cgroup }, on }));
      assert.ok(Buffer.byteLength(r.line) <= 80, r.line);
      assert.match(r.line, /^[\x20-\x7e]+$/);
      assert.equal(r.exit, { ok: 0, problem: 1, unknown: 2 }[r.status]);
      const head = r.line.slice(0, r.line.indexOf(':'));
      if (r.status === 'problem') assert.ok((on as string[]).includes(head) && cleaned.some((t) => t.verdict === head), r.line);
      else assert.equal(head, r.status);
    },
  ), { numRuns: 500 });
});
