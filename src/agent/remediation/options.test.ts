import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../kernel/errors.js';
import { parseMatchRule, parseRemediationOptions } from './options.js';

test('parseRemediationOptions() defaults to dry-run on reclaim-livelock held 60 s', () => {
  const o = parseRemediationOptions({});
  assert.equal(o.mode, 'dry-run');
  assert.deepEqual(o.remediateOn, ['reclaim-livelock']);
  assert.deepEqual(o.captureOn, ['reclaim-livelock', 'oom-loop', 'thrashing']);
  assert.equal(o.afterMs, 60_000);
  assert.equal(o.cooldownMs, 600_000);
  assert.equal(o.budgetPerHour, 3);
  assert.equal(o.onIncident, undefined);
  assert.equal(o.hookTimeoutMs, 30_000);
});

test('parseRemediationOptions() reads every flag', () => {
  const o = parseRemediationOptions({ remediate: 'restart', remediateMatch: ['namespace=prod,pod=web-*', '/kubepods/**'], remediateOn: 'reclaim-livelock,thrashing', remediateAfter: '90s', remediateCooldown: '1m', remediateBudget: '1', captureOn: 'thrashing', onIncident: 'kubectl delete pod "$RECLAIMWATCH_POD"', onIncidentTimeout: '5s' });
  assert.deepEqual(o.match, [[{ field: 'namespace', glob: 'prod' }, { field: 'pod', glob: 'web-*' }], [{ field: 'cgroup', glob: '/kubepods/**' }]]);
  assert.deepEqual([o.mode, o.afterMs, o.cooldownMs, o.budgetPerHour, o.hookTimeoutMs], ['restart', 90_000, 60_000, 1, 5000]);
  assert.deepEqual(o.remediateOn, ['reclaim-livelock', 'thrashing']);
});

test('bad remediation flags are UsageErrors that name the flag', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ remediate: 'restart' }, /needs --remediate-match/],
    [{ remediate: 'kill' }, /--remediate/],
    [{ remediateMatch: 'node=x' }, /"node" is not one of/],
    [{ remediateOn: 'livelock' }, /bad --remediate-on "livelock"/],
    [{ remediateOn: 'healthy' }, /never acted on/],
    [{ remediateAfter: 'soon' }, /bad --remediate-after/],
    [{ remediateBudget: '-1' }, /bad --remediate-budget/],
  ];
  for (const [flags, re] of bad) assert.throws(() => parseRemediationOptions(flags), (e: unknown) => e instanceof UsageError && re.test(e.message), JSON.stringify(flags));
  assert.throws(() => parseMatchRule(' , '), UsageError);
});
