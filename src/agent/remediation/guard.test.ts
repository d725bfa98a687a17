import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VERDICTS, type VerdictClass } from '../../detect/verdict.js';
import { type GuardInput, type MatchRule, decideRemediation, globToRegExp, matchingRule, protectedReason } from './guard.js';

const HOUR = 3_600_000;
const POD_CG = '/kubepods/burstable/pod0b6f2c1e-1d2e-4c5a-9b8f-0123456789ab/3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100';

function base(over: Partial<GuardInput> = {}): GuardInput {
  return {
    nowWallMs: 10 * HOUR, mode: 'restart', hook: false,
    target: { cgroupPath: POD_CG, pod: 'web-0', namespace: 'prod', container: 'server' },
    match: [[{ field: 'namespace', glob: 'prod' }]], remediateOn: ['reclaim-livelock'], afterMs: 60_000,
    verdict: 'reclaim-livelock', sinceWallMs: 10 * HOUR - 120_000, evidenceComplete: true,
    cooldownMs: 600_000, lastActionWallMs: undefined, budgetPerHour: 3, recentActionsWallMs: [], selfCgroups: ['/system.slice/reclaimwatch.service'],
    ...over,
  };
}

const PROTECTED = [
  '/', '', '/system.slice', '/system.slice/kubelet.service', '/system.slice/containerd.service', '/system.slice/crio.service',
  '/system.slice/docker.service', '/system.slice/podman.service', '/init.scope', '/user.slice', '/user.slice/user-1000.slice',
  '/kubepods', '/kubepods.slice', '/kubepods/burstable', '/kubepods/besteffort', '/kubepods.slice/kubepods-burstable.slice',
  '/libpod_parent', '/libpod_parent/conmon', '/machine.slice', '/system.slice/kubelet.service/child',
  '/system.slice/reclaimwatch.service', '/system.slice/crio-conmon-abc.scope',
];

test('decideRemediation() restarts a matched, held, evidenced livelock', () => {
  const d = decideRemediation(base());
  assert.deepEqual([d.act, d.action], [true, 'restart']);
  assert.match(d.reasons[0]!, /matched namespace=prod/);
});

test('decideRemediation() refuses every protected cgroup, and says why', () => {
  for (const p of PROTECTED) {
    const d = decideRemediation(base({ target: { cgroupPath: p }, match: [[{ field: 'cgroup', glob: '**' }]] }));
    assert.equal(d.act, false, p);
    assert.ok(d.reasons.some((r) => r.startsWith('protected:')), `${p}: ${d.reasons.join('; ')}`);
  }
  // An ancestor of the agent's own cgroup, and the agent's own.
  assert.ok(protectedReason('/process_api', ['/process_api/abc']));
  assert.ok(protectedReason('/process_api/abc', ['/process_api/abc']));
  // Containers are not protected: docker's systemd scope, podman's, rootless podman under a user manager.
  for (const p of ['/system.slice/docker-0123.scope', '/machine.slice/libpod-0123.scope', '/libpod_parent/libpod-0123', POD_CG,
    '/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-0123.scope', '/process_api/abc/rwtest-1']) {
    assert.equal(protectedReason(p, ['/process_api/abc']), undefined, p);
  }
});

test('restart without --remediate-match acts on nothing; dry-run without it still says what it would do', () => {
  assert.equal(decideRemediation(base({ match: [] })).act, false);
  const dry = decideRemediation(base({ match: [], mode: 'dry-run' }));
  assert.deepEqual([dry.act, dry.action], [true, 'dry-run']);
  assert.match(dry.reasons[0]!, /would also need --remediate-match/);
});

test('globs: * stops at /, ** does not, ? is one character; terms of a rule are ANDed, rules ORed', () => {
  assert.ok(globToRegExp('web-*').test('web-0'));
  assert.ok(!globToRegExp('/kubepods/*').test('/kubepods/a/b'));
  assert.ok(globToRegExp('/kubepods/**').test('/kubepods/a/b'));
  assert.ok(globToRegExp('a?c').test('abc') && !globToRegExp('a?c').test('a/c'));
  assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
  const id = { cgroupPath: '/x', pod: 'web-0', namespace: 'dev' };
  assert.equal(matchingRule([[{ field: 'pod', glob: 'web-*' }, { field: 'namespace', glob: 'prod' }]], id), undefined);
  assert.equal(matchingRule([[{ field: 'pod', glob: 'db-*' }], [{ field: 'namespace', glob: 'd*' }]], id), 'namespace=d*');
  assert.equal(matchingRule([[]], id), undefined, 'an empty rule matches nothing');
  assert.equal(matchingRule([[{ field: 'container', glob: '3f4e*' }]], { cgroupPath: '/', containerId: '3f4e5d' }), 'container=3f4e*');
});

// ---- properties ----

const verdict = fc.constantFrom<VerdictClass>(...VERDICTS);
const segment = fc.oneof(fc.constantFrom('kubepods', 'burstable', 'system.slice', 'kubelet.service', 'init.scope', 'user.slice', 'libpod_parent', 'conmon', 'pod1', 'abc', 'docker-1.scope', 'user@0.service'), fc.stringMatching(/^[a-z0-9_.@-]{1,8}$/));
const cgPath = fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`);
const glob = fc.oneof(fc.constantFrom('*', '**', 'web-*', 'prod', '/kubepods/**', '/**', 'a?c'), fc.stringMatching(/^[a-z*?/-]{1,6}$/));
const term = fc.record({ field: fc.constantFrom<'pod' | 'namespace' | 'container' | 'cgroup'>('pod', 'namespace', 'container', 'cgroup'), glob });
const rules: fc.Arbitrary<MatchRule[]> = fc.array(fc.array(term, { maxLength: 3 }), { maxLength: 3 });
const input: fc.Arbitrary<GuardInput> = fc.record({
  nowWallMs: fc.integer({ min: 0, max: 100 * HOUR }),
  mode: fc.constantFrom<GuardInput['mode']>('off', 'dry-run', 'restart'),
  hook: fc.boolean(),
  target: fc.record({ cgroupPath: cgPath, pod: fc.option(fc.constantFrom('web-0', 'db-1', 'abc'), { nil: undefined }), namespace: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }), container: fc.option(fc.constantFrom('server', 'sidecar'), { nil: undefined }) }),
  match: rules,
  remediateOn: fc.subarray([...VERDICTS]),
  afterMs: fc.integer({ min: 0, max: 600_000 }),
  verdict,
  sinceWallMs: fc.integer({ min: 0, max: 100 * HOUR }),
  evidenceComplete: fc.boolean(),
  cooldownMs: fc.integer({ min: 0, max: HOUR }),
  lastActionWallMs: fc.option(fc.integer({ min: 0, max: 100 * HOUR }), { nil: undefined }),
  budgetPerHour: fc.integer({ min: 0, max: 5 }),
  recentActionsWallMs: fc.array(fc.integer({ min: 0, max: 100 * HOUR }), { maxLength: 8 }),
  selfCgroups: fc.array(cgPath, { maxLength: 2 }),
});

test('property: never acts on a protected or an unmatched target', () => {
  fc.assert(fc.property(input, (i) => {
    const d = decideRemediation(i);
    if (protectedReason(i.target.cgroupPath, i.selfCgroups) !== undefined) assert.equal(d.act, false);
    if (i.match.length > 0 && matchingRule(i.match, i.target) === undefined) assert.equal(d.act, false);
    if (d.action === 'restart' || d.action === 'hook') assert.ok(matchingRule(i.match, i.target) !== undefined, 'a real action always has a matching rule');
  }), { numRuns: 3000 });
});

test('property: never before the verdict has held --remediate-after, never on a verdict outside --remediate-on, never without complete evidence', () => {
  fc.assert(fc.property(input, (i) => {
    const d = decideRemediation(i);
    if (d.act) {
      assert.ok(i.nowWallMs - i.sinceWallMs >= i.afterMs);
      assert.ok(i.remediateOn.includes(i.verdict));
      assert.ok(i.evidenceComplete);
      assert.ok(i.mode !== 'off');
    }
    assert.equal(d.act, d.action !== 'none');
    assert.ok(d.reasons.length > 0, 'every decision says why');
  }), { numRuns: 3000 });
});

test('property: dry-run never returns restart or hook; off never acts', () => {
  fc.assert(fc.property(input, (i) => {
    assert.ok(['none', 'dry-run'].includes(decideRemediation({ ...i, mode: 'dry-run' }).action));
    assert.equal(decideRemediation({ ...i, mode: 'off' }).act, false);
    assert.notEqual(decideRemediation({ ...i, mode: 'restart' }).action, 'dry-run');
  }), { numRuns: 2000 });
});

test('property: over any sequence of ticks, never more than the budget per hour, and never twice within the cooldown', () => {
  const step = fc.record({ dt: fc.integer({ min: 0, max: 20 * 60_000 }), target: fc.integer({ min: 0, max: 4 }), verdict, evidence: fc.boolean() });
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 30 * 60_000 }), (steps, budget, cooldown) => {
    let now = 0;
    const actions: number[] = [];
    const last = new Map<number, number>();
    const since = new Map<number, { v: VerdictClass; at: number }>();
    for (const s of steps) {
      now += s.dt;
      const prev = since.get(s.target);
      if (!prev || prev.v !== s.verdict) since.set(s.target, { v: s.verdict, at: now });
      const d = decideRemediation(base({
        nowWallMs: now, target: { cgroupPath: `/kubepods/burstable/pod1/c${s.target}`, namespace: 'prod' }, verdict: s.verdict,
        sinceWallMs: since.get(s.target)!.at, afterMs: 0, evidenceComplete: s.evidence, budgetPerHour: budget, cooldownMs: cooldown,
        lastActionWallMs: last.get(s.target), recentActionsWallMs: actions,
      }));
      if (d.act) {
        const l = last.get(s.target);
        if (l !== undefined) assert.ok(now - l >= cooldown, 'cooldown held');
        actions.push(now);
        last.set(s.target, now);
      }
      // Any window of one hour ending now holds at most `budget` actions.
      assert.ok(actions.filter((t) => t > now - HOUR).length <= budget);
    }
  }), { numRuns: 500 });
});
