// Samples are a format: arbitrary samples survive encode → JSON → decode unchanged, Infinity included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeHostSample, decodeTargetSample, encodeSampleJson } from './schema.js';
import { sampleArbitraries } from '../test-support/sample-arbitraries.js';

const { targetSample, hostSample } = sampleArbitraries();

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
