import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFoldedLine } from './folded-line.js';
import { classifyFrames } from './frame-kind.js';

void test('parseFoldedLine() takes the count from the last field, so frames may hold spaces', () => {
  assert.deepEqual(parseFoldedLine('java;std::vector<int, std::allocator<int> >::push_back;memcpy 12\r'), {
    frames: ['java', 'std::vector<int, std::allocator<int> >::push_back', 'memcpy'], count: 12,
  });
  assert.deepEqual(parseFoldedLine('a;;b\t2.5'), { frames: ['a', 'b'], count: 2.5 });
  assert.equal(parseFoldedLine('   '), undefined);
});

void test('parseFoldedLine() explains malformed lines', () => {
  assert.match(parseFoldedLine('a;b;c') as string, /no sample count/);
  assert.match(parseFoldedLine('a;b x1') as string, /bad sample count "x1"/);
  assert.match(parseFoldedLine('a;b -3') as string, /bad sample count/);
  assert.match(parseFoldedLine('a;b 3 4') as string, /differential/);
  assert.match(parseFoldedLine(';; 4') as string, /empty stack/);
});

void test('classifyFrames() honours _[k] and treats everything below a kernel entry point as kernel', () => {
  const f = ['java', 'write', 'entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'vfs_write'];
  assert.deepEqual(classifyFrames(f), [false, false, true, true, true]);
  const g = ['x', 'shrink_lruvec_[k]'];
  assert.deepEqual(classifyFrames(g), [false, true]);
  assert.deepEqual(g, ['x', 'shrink_lruvec']);
});
