import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_RETENTION_LIMITS, planRetention, type RetentionChunk, type RetentionIncident, type RetentionLimits, type RetentionState } from './retention.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = 1_800_000_000_000;
const limits: RetentionLimits = { ...DEFAULT_RETENTION_LIMITS, maxBytes: 1_000_000, retentionMs: 7 * DAY };

const target = fc.constantFrom('', 'a', 'b', 'c');
const chunkArb = fc.record({
  targetId: target,
  ageMs: fc.integer({ min: 0, max: 10 * DAY }),
  bytes: fc.integer({ min: 1, max: 200_000 }),
  stepMs: fc.constantFrom(0, 0, 0, 10_000, 60_000),
});
const incidentArb = fc.record({
  targetId: fc.constantFrom('a', 'b', 'c'),
  startAgeMs: fc.integer({ min: 0, max: 10 * DAY }),
  lengthMs: fc.option(fc.integer({ min: 0, max: 6 * HOUR }), { nil: null }),
});
const stateArb = fc.record({ chunks: fc.array(chunkArb, { maxLength: 60 }), incidents: fc.array(incidentArb, { maxLength: 4 }), overhead: fc.integer({ min: 0, max: 300_000 }) })
  .map(({ chunks, incidents, overhead }): RetentionState => {
    const cs: RetentionChunk[] = chunks.map((c, id) => ({ id, targetId: c.targetId, fromWallMs: NOW - c.ageMs - 300_000, toWallMs: NOW - c.ageMs, bytes: c.bytes, stepMs: c.stepMs }));
    const is: RetentionIncident[] = incidents.map((i) => ({ targetId: i.targetId, startWallMs: NOW - i.startAgeMs, endWallMs: i.lengthMs === null ? null : Math.min(NOW, NOW - i.startAgeMs + i.lengthMs) }));
    return { chunks: cs, incidents: is, usedBytes: overhead + cs.reduce((a, c) => a + c.bytes, 0) };
  });

function protectedBy(c: RetentionChunk, state: RetentionState): boolean {
  return state.incidents.some((i) => {
    const end = i.endWallMs ?? NOW;
    return (c.targetId === '' || c.targetId === i.targetId) && end >= NOW - limits.retentionMs &&
      c.toWallMs >= i.startWallMs - limits.incidentMarginMs && c.fromWallMs <= end + limits.incidentMarginMs;
  });
}

test('planRetention() never drops or thins samples of an incident within retention', () => {
  fc.assert(fc.property(stateArb, (state) => {
    const plan = planRetention(state, NOW, limits);
    const touched = new Set([...plan.drop.map((d) => d.id), ...plan.thin.map((t) => t.id)]);
    for (const c of state.chunks) if (protectedBy(c, state)) assert.ok(!touched.has(c.id), `chunk ${c.id} holds incident samples`);
  }), { numRuns: 500 });
});

test('planRetention() drops every unprotected chunk past the age limit, and for size only the oldest', () => {
  fc.assert(fc.property(stateArb, (state) => {
    const plan = planRetention(state, NOW, limits);
    const dropped = new Map(plan.drop.map((d) => [d.id, d.reason]));
    for (const c of state.chunks) {
      if (!protectedBy(c, state) && c.toWallMs < NOW - limits.retentionMs) assert.equal(dropped.get(c.id), 'age');
    }
    const kept = state.chunks.filter((c) => !dropped.has(c.id) && !protectedBy(c, state));
    for (const d of plan.drop.filter((x) => x.reason === 'size')) {
      const dc = state.chunks.find((c) => c.id === d.id)!;
      for (const k of kept) assert.ok(dc.fromWallMs <= k.fromWallMs, `dropped ${dc.id} is younger than kept ${k.id}`);
    }
  }), { numRuns: 500 });
});

test('planRetention() ends under the size limit whenever dropping every unprotected chunk would', () => {
  fc.assert(fc.property(stateArb, (state) => {
    const plan = planRetention(state, NOW, limits);
    const floor = state.usedBytes - state.chunks.filter((c) => !protectedBy(c, state)).reduce((a, c) => a + c.bytes, 0);
    if (floor <= limits.maxBytes * limits.lowWater) assert.ok(plan.expectedBytes <= limits.maxBytes, `expected ${plan.expectedBytes} > ${limits.maxBytes}`);
    if (state.usedBytes <= limits.maxBytes * limits.highWater) assert.ok(plan.drop.every((d) => d.reason === 'age') && plan.thin.length === 0, 'no size action under the high-water mark');
  }), { numRuns: 500 });
});

test('planRetention() thins chunks older than a day before it drops any for size', () => {
  const chunks: RetentionChunk[] = Array.from({ length: 6 }, (_, i) => ({ id: i, targetId: 'a', fromWallMs: NOW - (6 - i) * DAY, toWallMs: NOW - (6 - i) * DAY + 300_000, bytes: 100_000, stepMs: 0 }));
  const plan = planRetention({ chunks, incidents: [], usedBytes: 1_100_000 }, NOW, { ...limits, maxBytes: 1_000_000 });
  assert.deepStrictEqual(plan.drop, []);
  assert.deepStrictEqual(plan.thin.map((t) => t.id), [0, 1, 2]); // 85 kB saved each: three reach 850 kB
  assert.ok(plan.thin.every((t) => t.stepMs === 10_000));
  assert.ok(plan.expectedBytes <= 850_000);
});

test('planRetention() does nothing to a young store under its limits', () => {
  const chunks: RetentionChunk[] = [{ id: 1, targetId: 'a', fromWallMs: NOW - HOUR, toWallMs: NOW - HOUR + 300_000, bytes: 10, stepMs: 0 }];
  assert.deepStrictEqual(planRetention({ chunks, incidents: [], usedBytes: 4096 }, NOW, limits), { drop: [], thin: [], expectedBytes: 4096 });
});
