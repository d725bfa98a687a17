import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoneError, KernelReadError, ParseError, UsageError } from '../kernel/errors.js';
import { EXIT, errorExitStatus, reportExitStatus, signalExitStatus } from './exit-status.js';

void test('reportExitStatus(): a problem is 1, anything not inspected is 3, else 0', () => {
  assert.equal(reportExitStatus({ targets: [{ verdict: 'healthy' }, { verdict: 'cpu-bound' }], failures: [] }), EXIT.ok);
  assert.equal(reportExitStatus({ targets: [{ verdict: 'healthy' }, { verdict: 'reclaim-livelock' }], failures: ['x'] }), EXIT.problem);
  assert.equal(reportExitStatus({ targets: [{ verdict: 'healthy' }], failures: ['--pid 9'] }), EXIT.cannotInspect);
  assert.equal(reportExitStatus({ targets: [], failures: ['--pid 9'] }), EXIT.cannotInspect);
  assert.equal(reportExitStatus({ targets: [{ verdict: 'gone' }], failures: [] }), EXIT.cannotInspect);
  assert.equal(reportExitStatus({ targets: [{ verdict: 'gone' }, { verdict: 'healthy' }], failures: [] }), EXIT.ok);
});

void test('errorExitStatus(): usage errors are 2, every other error 3; signals are 128+N', () => {
  assert.equal(errorExitStatus(new UsageError('x')), 2);
  assert.equal(errorExitStatus(new GoneError('/proc/9')), 3);
  assert.equal(errorExitStatus(new KernelReadError('/proc/1/io', Object.assign(new Error('x'), { code: 'EACCES' }))), 3);
  assert.equal(errorExitStatus(new ParseError({ field: 'x', message: 'y' })), 3);
  assert.equal(errorExitStatus(new Error('internal')), 3);
  assert.equal(signalExitStatus('SIGINT'), 130);
  assert.equal(signalExitStatus('SIGTERM'), 143);
});
