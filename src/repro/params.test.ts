import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, minStartBytes, scaleForHost, validateParams } from './params.js';
import { formatBytes, parseBytes } from '../units/bytes.js';

const GiB = 1024 ** 3;

void test('scaleForHost() halves the seed preset on a 2-CPU host and says why', () => {
  const { params, notes } = scaleForHost(PRESETS.seed, { cpus: 2, memTotalBytes: 24 * GiB });
  assert.equal(params.cpus, 2);
  assert.equal(params.fileThreads, 500);
  assert.equal(params.memoryThreads, 500);
  assert.equal(params.limitBytes, 2 * GiB);
  assert.equal(params.memorySizeBytes, 1.5 * GiB);
  assert.equal(params.fileSizeBytes, 4 * 1024 * 1024);
  assert.deepEqual(notes.map((n) => n.what), ['cpus', 'fileThreads', 'memoryThreads', 'limitBytes', 'memorySizeBytes']);
  assert.match(notes[0]!.why, /has 2 CPUs/);
});

void test('scaleForHost() keeps what the user gave, and warns when the quota cannot bind', () => {
  const { params, notes } = scaleForHost({ ...PRESETS.seed, cpus: 4, fileThreads: 1000 }, { cpus: 2, memTotalBytes: 24 * GiB }, new Set(['cpus', 'fileThreads']));
  assert.equal(params.cpus, 4);
  assert.equal(params.fileThreads, 1000);
  assert.match(notes[0]!.why, /will not bind/);
});

void test('scaleForHost() shrinks a limit above half the host memory', () => {
  const { params } = scaleForHost(PRESETS.seed, { cpus: 8, memTotalBytes: 4 * GiB });
  assert.equal(params.limitBytes, 2 * GiB);
  assert.equal(params.fileThreads, 500);
});

void test('scaleForHost() leaves the small preset alone on this kind of host', () => {
  assert.deepEqual(scaleForHost(PRESETS.small, { cpus: 2, memTotalBytes: 24 * GiB }).notes, []);
});

void test('validateParams() refuses a limit below what the workload needs to start', () => {
  assert.throws(() => validateParams({ ...PRESETS.small, limitBytes: 1024 * 1024 }), /below the .* the workload needs to start/);
  assert.equal(minStartBytes({ fileThreads: 8, memoryThreads: 8 }), 16 * 1024 * 1024 + 16 * 65536);
  assert.throws(() => validateParams({ ...PRESETS.small, delayMs: 9000 }), /must be longer than --delay/);
  validateParams(PRESETS.small);
});

void test('parseBytes() reads binary units and refuses junk', () => {
  assert.equal(parseBytes('4G'), 4 * GiB);
  assert.equal(parseBytes('512MiB'), 512 * 1024 * 1024);
  assert.equal(parseBytes('4096'), 4096);
  assert.throws(() => parseBytes('4 parsecs'), /bad size/);
  assert.throws(() => parseBytes('0'), /more than zero/);
  assert.equal(formatBytes(1.5 * GiB), '1.5 GiB');
});
