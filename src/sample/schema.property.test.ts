// Samples are a format: arbitrary samples survive encode → JSON → decode unchanged, Infinity included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeHostSample, decodeTargetSample, encodeSampleJson } from './schema.js';
import type { HostSample, TargetSample } from './sample.js';

const n = fc.nat({ max: 2 ** 48 });
const limit = fc.oneof(n, fc.constant(Infinity));
const line = fc.record({ avg10: fc.double({ min: 0, max: 100, noNaN: true }), avg60: fc.double({ min: 0, max: 100, noNaN: true }), avg300: fc.double({ min: 0, max: 100, noNaN: true }), totalUs: n });
const pressure = fc.record({ some: line, full: fc.option(line, { nil: undefined }) });
const psi = fc.record({ memory: fc.option(pressure, { nil: undefined }), cpu: fc.option(pressure, { nil: undefined }), io: fc.option(pressure, { nil: undefined }) });
const failure = fc.record({ source: fc.string(), code: fc.string(), path: fc.string(), message: fc.string() }, { requiredKeys: ['source', 'code', 'message'] });
const counters = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'), n, { maxKeys: 6 });

const targetSample: fc.Arbitrary<TargetSample> = fc.record({
  monoMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
  wallMs: n,
  gone: fc.boolean(),
  memory: fc.option(fc.record({
    version: fc.constantFrom('v1' as const, 'v2' as const), usageBytes: n, limitBytes: limit, highBytes: limit, limitHits: n, oomKills: n,
    ooms: fc.option(n, { nil: undefined }), underOom: fc.boolean(), swapLimitBytes: fc.option(limit, { nil: undefined }), stat: counters, missing: fc.array(fc.string(), { maxLength: 3 }),
  }), { nil: undefined }),
  cpu: fc.option(fc.record({
    usageUs: fc.option(n, { nil: undefined }), userUs: fc.option(n, { nil: undefined }), systemUs: fc.option(n, { nil: undefined }), quotaCores: fc.oneof(fc.double({ min: 0.01, max: 512, noNaN: true }), fc.constant(Infinity)),
    periods: fc.option(n, { nil: undefined }), throttledPeriods: fc.option(n, { nil: undefined }), throttledUs: fc.option(n, { nil: undefined }),
  }), { nil: undefined }),
  psi,
  processes: fc.array(fc.record({
    pid: fc.integer({ min: 1, max: 4194304 }), starttimeTicks: n, minflt: n, majflt: n, utimeTicks: n, stimeTicks: n, threads: n, running: n, uninterruptible: n,
    io: fc.option(fc.record({ rcharBytes: n, wcharBytes: n, syscr: n, syscw: n, readBytes: n, writeBytes: n }), { nil: undefined }),
  }), { maxLength: 3 }),
  stacks: fc.option(fc.array(fc.record({ pid: fc.integer({ min: 1, max: 99999 }), tid: fc.integer({ min: 1, max: 99999 }), state: fc.constantFrom('R', 'D'), frames: fc.array(fc.string(), { maxLength: 4 }) }), { maxLength: 3 }), { nil: undefined }),
  probes: fc.record({
    finished: fc.array(fc.record({ pid: fc.integer({ min: 1, max: 99999 }), outcome: fc.constantFrom('ok' as const, 'timeout' as const, 'gone' as const, 'error' as const), latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }), timing: fc.constantFrom('read' as const, 'wall' as const), deadlineMs: n }), { maxLength: 2 }),
    inFlightMs: fc.array(n, { maxLength: 2 }),
    stuck: fc.nat({ max: 10 }),
  }),
  failures: fc.array(failure, { maxLength: 2 }),
});

const hostSample: fc.Arbitrary<HostSample> = fc.record({
  monoMs: fc.double({ min: 0, max: 1e9, noNaN: true }), wallMs: n, vmstat: counters, psi,
  cpuTicks: fc.record({ user: n, system: n, idle: n, iowait: n, total: n }), cpus: fc.integer({ min: 1, max: 1024 }), failures: fc.array(failure, { maxLength: 2 }),
});

test('arbitrary target samples round-trip through the sample format equal, Infinity included', () => {
  fc.assert(fc.property(targetSample, (s) => {
    assert.deepStrictEqual(decodeTargetSample(JSON.parse(encodeSampleJson(s))), structuredClone(s));
  }), { numRuns: 300 });
});

test('arbitrary host samples round-trip through the sample format equal', () => {
  fc.assert(fc.property(hostSample, (s) => {
    assert.deepStrictEqual(decodeHostSample(JSON.parse(encodeSampleJson(s))), structuredClone(s));
  }), { numRuns: 300 });
});

test('"max" is accepted only where a limit may be unlimited: no guessing from field names', () => {
  const s = JSON.parse(encodeSampleJson({ monoMs: 0, wallMs: 0, gone: false, psi: {}, processes: [{ pid: 1, starttimeTicks: 1, minflt: 'max', majflt: 0, utimeTicks: 0, stimeTicks: 0, threads: 1, running: 0, uninterruptible: 0 }] })) as unknown;
  assert.throws(() => decodeTargetSample(s), /minflt/);
});
