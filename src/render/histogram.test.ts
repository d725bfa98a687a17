import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketLabel, formatLog2Bound, histPercentile, renderLog2Histogram } from './histogram.js';

void test('formatLog2Bound() uses bpftrace suffixes for powers of 1024', () => {
  assert.equal(formatLog2Bound(0), '0');
  assert.equal(formatLog2Bound(4), '4');
  assert.equal(formatLog2Bound(1024), '1K');
  assert.equal(formatLog2Bound(128 << 20), '128M');
  assert.equal(formatLog2Bound(8 * 1024 ** 3), '8G');
});

void test('bucketLabel() draws single values and half-open ranges', () => {
  assert.equal(bucketLabel({ min: 0, max: 0 }), '[0]');
  assert.equal(bucketLabel({ min: 1, max: 1 }), '[1]');
  assert.equal(bucketLabel({ min: 2, max: 3 }), '[2, 4)');
  assert.equal(bucketLabel({ min: 131072, max: 262143 }), '[128K, 256K)');
});

void test('renderLog2Histogram() lays rows out exactly like bpftrace (reference incident output)', () => {
  const text = renderLog2Histogram([
    { min: 0, max: 0, count: 10402 }, { min: 1, max: 1, count: 1452 }, { min: 2, max: 3, count: 113 },
  ], { title: 'mincore latency', unit: 'µs' });
  const lines = text.split('\n');
  assert.equal(lines[0], 'mincore latency (µs):');
  assert.equal(lines[1], '[0]                10402 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|');
  assert.equal(lines[2], '[1]                 1452 |@@@@@@@                                             |');
  assert.equal(lines[3], '[2, 4)               113 |                                                    |');
});

void test('renderLog2Histogram() says when there were no events', () => {
  assert.match(renderLog2Histogram([], { title: 'x' }), /no events/);
});

void test('histPercentile() returns the upper bound of the bucket holding the percentile', () => {
  const h = [{ min: 0, max: 0, count: 50 }, { min: 2, max: 3, count: 49 }, { min: 1024, max: 2047, count: 1 }];
  assert.equal(histPercentile(h, 50), 0);
  assert.equal(histPercentile(h, 99), 3);
  assert.equal(histPercentile(h, 100), 2047);
  assert.equal(histPercentile([], 50), undefined);
});
