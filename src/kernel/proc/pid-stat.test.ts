import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePidStat, readPidStat } from './pid-stat.js';
import { ParseError } from '../errors.js';
import { hostPaths, LIVE_HOST } from '../../host/host-paths.js';
import fs from 'node:fs';

const LINE = '4243 (r_memory) R 1 4242 4242 0 -1 4194560 12 0 7 0 1 369 0 0 20 0 2 0 9877 8589934592 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 5 0 0';

test('parsePidStat() reads faults, times and state by field number', () => {
  const s = parsePidStat(LINE);
  assert.equal(s.pid, 4243);
  assert.equal(s.comm, 'r_memory');
  assert.equal(s.state, 'R');
  assert.equal(s.minflt, 12);
  assert.equal(s.majflt, 7);
  assert.equal(s.utimeTicks, 1);
  assert.equal(s.stimeTicks, 369);
  assert.equal(s.numThreads, 2);
  assert.equal(s.starttimeTicks, 9877);
  assert.equal(s.processor, 1);
  assert.equal(s.delayacctBlkioTicks, 5);
});

test('parsePidStat() takes a comm with spaces and parentheses up to the last )', () => {
  const s = parsePidStat(LINE.replace('(r_memory)', '(a) b (c)'));
  assert.equal(s.comm, 'a) b (c');
  assert.equal(s.stimeTicks, 369);
});

test('parsePidStat() throws ParseError on a line without a comm or with a short tail', () => {
  assert.throws(() => parsePidStat('123 R 1 2 3'), ParseError);
  assert.throws(() => parsePidStat('123 (x) R 1 2'), ParseError);
});

test('readPidStat() reads this process live and a fixture tree', () => {
  const me = readPidStat(LIVE_HOST, process.pid);
  assert.equal(me.pid, process.pid);
  assert.ok(me.numThreads >= 1);
  const pid = Number(fs.readFileSync('test/fixtures/hybrid-6.18/PID', 'utf8'));
  const fx = readPidStat(hostPaths({ proc: 'test/fixtures/hybrid-6.18/proc' }), pid);
  assert.equal(fx.comm, 'sleep');
});
