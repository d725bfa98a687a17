import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tagKernelStack } from '../probe/reclaim-frames.js';
import { toFoldedText } from './folded-stacks.js';
import { groupThreads } from './group-threads.js';
import { joinStack } from './stack-frame.js';
import type { ThreadStack } from './thread-snapshot.js';

function thread(tid: number, comm: string, state: string, user: string[] | undefined, kernel: string[]): ThreadStack {
  return { tid, comm, state, wchan: kernel[0] ?? '0', kernel, user, frames: joinStack(user, kernel), tags: tagKernelStack(kernel) };
}

const futexK = ['futex_do_wait', 'futex_wait', '__x64_sys_futex', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'];
const reclaimK = ['shrink_lruvec', 'try_to_free_mem_cgroup_pages', 'try_charge_memcg', 'handle_mm_fault', 'exc_page_fault', 'asm_exc_page_fault'];

void test('joinStack() puts user frames (outermost first) above kernel frames (entry first)', () => {
  const j = joinStack(['syscall', 'park', 'start_thread'], ['futex_do_wait', 'entry_SYSCALL_64']);
  assert.deepEqual(j.map((f) => `${f.kernel ? 'k' : 'u'}:${f.name}`), ['u:start_thread', 'u:park', 'u:syscall', 'k:entry_SYSCALL_64', 'k:futex_do_wait']);
});

void test('groupThreads() counts identical stacks, largest group first, and carries reclaim tags', () => {
  const groups = groupThreads([
    thread(5, 'w', 'D', ['memcpy', 'worker'], reclaimK),
    thread(3, 'f', 'S', ['syscall', 'park'], futexK),
    thread(2, 'f', 'S', ['syscall', 'park'], futexK),
    thread(4, 'g', 'S', ['syscall', 'park'], futexK),
    thread(6, 'w', 'R', ['memcpy', 'worker'], reclaimK),
  ]);
  assert.equal(groups.length, 2);
  assert.deepEqual(groups[0]!.tids, [2, 3, 4]);
  assert.deepEqual(groups[0]!.comms, ['f', 'g']);
  assert.deepEqual(groups[0]!.states, { S: 3 });
  assert.equal(groups[1]!.count, 2);
  assert.equal(groups[1]!.inReclaim, true);
  assert.equal(groups[0]!.inReclaim, false);
});

void test('groupThreads() keeps a user-only difference apart: the same kernel stack under different callers', () => {
  const groups = groupThreads([thread(1, 'a', 'S', ['x'], futexK), thread(2, 'a', 'S', ['y'], futexK)]);
  assert.equal(groups.length, 2);
});

void test('toFoldedText() marks kernel frames with _[k], aggregates and replaces separators in names', () => {
  const text = toFoldedText([
    thread(1, 'a;b', 'S', ['main'], ['futex_do_wait', 'entry_SYSCALL_64']),
    thread(2, 'a;b', 'S', ['main'], ['futex_do_wait', 'entry_SYSCALL_64']),
    thread(3, 'busy', 'R', undefined, []),
  ]);
  assert.equal(text, 'a_b;main;entry_SYSCALL_64_[k];futex_do_wait_[k] 2\nbusy;[running: no kernel stack] 1\n');
});
