import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsAccessFor, parseBpftraceVersion, probeBpftrace } from './bpftrace-version.js';
import { hasCode } from '../kernel/errors.js';

void test('parseBpftraceVersion() reads Debian and upstream version strings', () => {
  assert.deepEqual(parseBpftraceVersion('bpftrace v0.17.0\n'), { major: 0, minor: 17, patch: 0 });
  assert.deepEqual(parseBpftraceVersion('bpftrace v0.21.2-1-gabc'), { major: 0, minor: 21, patch: 2 });
  assert.equal(parseBpftraceVersion('no version here'), undefined);
});

void test('argsAccessFor() uses args-> up to 0.19 and args. from 0.20', () => {
  assert.equal(argsAccessFor({ major: 0, minor: 17, patch: 0 }), '->');
  assert.equal(argsAccessFor({ major: 0, minor: 19, patch: 1 }), '->');
  assert.equal(argsAccessFor({ major: 0, minor: 20, patch: 0 }), '.');
  assert.equal(argsAccessFor({ major: 1, minor: 0, patch: 0 }), '.');
});

void test('probeBpftrace() names the Debian package when the binary does not exist', async () => {
  await assert.rejects(probeBpftrace('/nonexistent/bpftrace'), (err: unknown) => {
    assert.ok(hasCode(err, 'tool-missing'));
    assert.match((err as Error).message, /apt-get install bpftrace/);
    return true;
  });
});
