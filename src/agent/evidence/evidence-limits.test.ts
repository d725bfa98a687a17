import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_EVIDENCE_LIMITS, bundlesToEvict, refuseCapture } from './evidence-limits.js';

const H = 3_600_000;
const b = (id: string, targetId: string, startedWallMs: number, bytes = 1000): { id: string; targetId: string; startedWallMs: number; bytes: number } => ({ id, targetId, startedWallMs, bytes });

test('refuseCapture(): one bundle per incident, at most N per target per hour', () => {
  const L = { ...DEFAULT_EVIDENCE_LIMITS, perTargetPerHour: 2 };
  const have = [b('1', 'a', 10 * H - 100), b('2', 'a', 10 * H - 50), b('3', 'b', 10 * H)];
  assert.match(refuseCapture(have, { incidentId: '1', targetId: 'z', nowWallMs: 10 * H }, L) ?? '', /already has its bundle/);
  assert.match(refuseCapture(have, { incidentId: '9', targetId: 'a', nowWallMs: 10 * H }, L) ?? '', /2 bundle\(s\) for this target in the last hour/);
  assert.equal(refuseCapture(have, { incidentId: '9', targetId: 'a', nowWallMs: 11 * H }, L), undefined, 'an hour later');
  assert.equal(refuseCapture(have, { incidentId: '9', targetId: 'b', nowWallMs: 10 * H }, L), undefined);
});

test('bundlesToEvict(): oldest first until under the byte and count budgets, never the one just written', () => {
  const L = { ...DEFAULT_EVIDENCE_LIMITS, maxTotalBytes: 2500, maxBundles: 10 };
  assert.deepEqual(bundlesToEvict([b('new', 'a', 1), b('x', 'a', 2), b('y', 'a', 3)], L, 'new'), ['x']);
  fc.assert(fc.property(fc.array(fc.record({ id: fc.uuid(), targetId: fc.constant('t'), startedWallMs: fc.nat(1000), bytes: fc.nat(5000) }), { maxLength: 30 }), fc.nat(20000), fc.integer({ min: 1, max: 10 }), (list, maxTotal, maxCount) => {
    const keep = list[0]?.id;
    const ev = bundlesToEvict(list, { ...DEFAULT_EVIDENCE_LIMITS, maxTotalBytes: maxTotal, maxBundles: maxCount }, keep);
    assert.ok(keep === undefined || !ev.includes(keep));
    const left = list.filter((x) => !ev.includes(x.id));
    const keptBytes = list.find((x) => x.id === keep)?.bytes ?? 0;
    // Either within both budgets, or only the kept bundle is left over them.
    const total = left.reduce((s, x) => s + x.bytes, 0);
    assert.ok((total <= maxTotal && left.length <= maxCount) || left.every((x) => x.id === keep) || (left.length === 1 && keptBytes > maxTotal));
  }), { numRuns: 300 });
});
