import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitKey } from './profile-under-lock.js';

test('splitKey() separates comm and kernel stack, also when the sample hit user space (empty stack)', () => {
  assert.deepEqual(splitKey('w,\n        shrink_lruvec+12\n        shrink_node+88\n'), { comm: 'w', stack: '\n        shrink_lruvec+12\n        shrink_node+88\n' });
  assert.deepEqual(splitKey('w,'), { comm: 'w', stack: '' });
  assert.deepEqual(splitKey('w, '), { comm: 'w', stack: ' ' });
  assert.deepEqual(splitKey('a,b, '), { comm: 'a,b', stack: ' ' });
  assert.deepEqual(splitKey('plain'), { comm: 'plain', stack: '' });
});
