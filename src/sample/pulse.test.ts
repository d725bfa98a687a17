import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coresBetween, pulseStirred, type Pulse } from './pulse.js';

const p = (monoMs: number, over: Partial<Pulse> = {}): Pulse => ({ monoMs, usageBytes: 100 << 20, limitBytes: 200 << 20, limitHits: 5, cpuUs: 1_000_000, ...over });

test('a pulse stirs at 90 % of the limit, at a new limit hit, at a fifth of a core, and when it cannot be read', () => {
  const limit = 200 << 20;
  assert.equal(pulseStirred(p(0), p(1000)), false, 'half the limit, no hits, no CPU');
  assert.equal(pulseStirred(p(0), p(1000, { usageBytes: 0.9 * limit })), true);
  assert.equal(pulseStirred(p(0), p(1000, { usageBytes: 0.89 * limit })), false);
  assert.equal(pulseStirred(p(0), p(1000, { usageBytes: 10 << 30, limitBytes: Infinity })), false, 'no limit: usage alone never stirs');
  assert.equal(pulseStirred(p(0), p(1000, { limitBytes: 110 << 20 })), true, 'a limit lowered to near the usage');
  assert.equal(pulseStirred(p(0), p(1000, { limitHits: 6 })), true);
  assert.equal(pulseStirred(p(0), p(1000, { cpuUs: 1_000_000 + 200_000 })), true, '0.2 cores over 1 s');
  assert.equal(pulseStirred(p(0), p(1000, { cpuUs: 1_000_000 + 190_000 })), false);
  assert.equal(pulseStirred(p(0), p(5000, { cpuUs: 1_000_000 + 900_000 })), false, '0.18 cores over 5 s');
  assert.equal(pulseStirred(p(0), p(1000, { usageBytes: undefined })), true, 'usage no longer readable');
});

test('cores between pulses: CPU time over wall time, never negative, 0 when unknown', () => {
  assert.equal(coresBetween(p(0), p(2000, { cpuUs: 1_000_000 + 3_000_000 })), 1.5);
  assert.equal(coresBetween(p(0), p(1000, { cpuUs: 0 })), 0);
  assert.equal(coresBetween(p(0, { cpuUs: undefined }), p(1000)), 0);
  assert.equal(coresBetween(p(1000), p(1000)), 0);
});
