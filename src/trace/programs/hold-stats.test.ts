import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holdCounters, holdStatsProgram } from './hold-stats.js';
import type { ProgramContext } from '../program.js';

const F618: Record<string, string[]> = {
  'vmscan:mm_vmscan_lru_shrink_inactive': ['nid', 'nr_scanned', 'nr_reclaimed', 'nr_dirty', 'nr_writeback', 'nr_congested', 'nr_immediate', 'nr_activate0', 'nr_activate1', 'nr_ref_keep', 'nr_unmap_fail', 'priority', 'reclaim_flags'],
  'vmscan:mm_vmscan_lru_shrink_active': ['nid', 'nr_taken', 'nr_active', 'nr_deactivated', 'nr_referenced', 'priority', 'reclaim_flags'],
  'vmscan:mm_vmscan_throttled': ['nid', 'usec_timeout', 'usec_delayed', 'reason'],
};

function ctx(over: Partial<ProgramContext> & { fieldsMap?: Record<string, string[]> } = {}): ProgramContext {
  const fm = over.fieldsMap ?? F618;
  return {
    argsAccess: '->', predicate: 'pid == 42', fields: (tp) => (fm[tp] ? new Set(fm[tp]) : undefined),
    kprobes: false, traceableFunction: () => true, durationMs: 1000, thresholdUs: 1000, stackThresholdUs: 1_000_000, hz: 99, ...over,
  };
}

void test('holdCounters() lists kprobe-only counters as unavailable when the kernel has no kprobes', () => {
  const { counters, unavailable } = holdCounters(ctx());
  assert.deepEqual(unavailable.map((u) => u.what), ['__cond_resched() calls', 'shrink_lruvec() calls', 'shrink_list() calls']);
  assert.ok(unavailable.every((u) => /no kprobes/.test(u.reason)));
  assert.ok(!counters.some((c) => c.source.startsWith('kprobe:')));
  assert.ok(counters.some((c) => c.key === 'nr_activate1'));
});

void test('holdCounters() adds kprobe counters where kprobes exist and the function is traceable', () => {
  const { counters, unavailable } = holdCounters(ctx({ kprobes: true, traceableFunction: (f) => f !== 'shrink_list' }));
  assert.deepEqual(counters.filter((c) => c.source.startsWith('kprobe:')).map((c) => c.key), ['cond_resched_calls', 'shrink_lruvec_calls']);
  assert.deepEqual(unavailable.map((u) => u.what), ['shrink_list() calls']);
});

void test('hold-stats follows the kernel: an older nr_activate field and no throttled tracepoint', () => {
  const old = { ...F618, 'vmscan:mm_vmscan_lru_shrink_inactive': ['nr_scanned', 'nr_reclaimed', 'nr_activate', 'nr_ref_keep'] };
  delete (old as Record<string, string[] | undefined>)['vmscan:mm_vmscan_throttled'];
  const g = holdStatsProgram.generate(ctx({ fieldsMap: old }));
  assert.match(g.body, /args->nr_activate;/);
  assert.doesNotMatch(g.body, /nr_activate0/);
  assert.ok(g.unavailable.some((u) => /mm_vmscan_throttled absent/.test(u.reason)));
});

void test('generated programs use the tracepoint argument syntax of the bpftrace at hand', () => {
  assert.match(holdStatsProgram.generate(ctx({ argsAccess: '.' })).body, /args\.success/);
  assert.doesNotMatch(holdStatsProgram.generate(ctx({ argsAccess: '.' })).body, /args->/);
  assert.match(holdStatsProgram.generate(ctx()).body, /args->success/);
});

void test('a second acquire before the release starts a fresh hold: the accumulators are cleared, so runtime never exceeds the wall time', () => {
  const body = holdStatsProgram.generate(ctx()).body;
  const acquire = body.slice(body.indexOf('tracepoint:mmap_lock:mmap_lock_acquire_returned'), body.indexOf('}', body.indexOf('tracepoint:mmap_lock:mmap_lock_acquire_returned')));
  for (const m of ['@rw_c_rt', '@rw_c_cs', '@rw_c_pre', '@rw_hs_start']) assert.ok(acquire.includes(`delete(${m}[tid]);`), `acquire clears ${m}`);
  assert.ok(acquire.indexOf('delete(@rw_c_rt[tid])') < acquire.indexOf('@rw_hs_start[tid] = nsecs'));
});

void test('the release reads the clock once, so the runtime and the wall time of a hold end at the same instant', () => {
  const body = holdStatsProgram.generate(ctx()).body;
  const release = body.slice(body.indexOf('tracepoint:mmap_lock:mmap_lock_released'));
  const upToPrint = release.slice(0, release.indexOf('printf'));
  assert.equal(upToPrint.match(/\bnsecs\b/g)?.length, 1, 'one nsecs read in the release probe');
  assert.match(upToPrint, /\$dur = \(\$now - /);
  assert.match(upToPrint, /\$rt = \$rt \+ \(\$now - @rw_hs_on\[tid\]\)/);
});

void test('a switch-out counts the on-CPU stretch once and forgets its start, so a lost switch-in cannot count time off CPU', () => {
  const body = holdStatsProgram.generate(ctx()).body;
  const sw = body.slice(body.indexOf('tracepoint:sched:sched_switch'), body.indexOf('tracepoint:mmap_lock:mmap_lock_released'));
  const out = sw.slice(sw.indexOf('if (@rw_hs_start[$prev])'), sw.indexOf('if (@rw_hs_start[$next])'));
  assert.match(out, /if \(@rw_hs_on\[\$prev\]\) \{\s*@rw_c_rt\[\$prev\] = @rw_c_rt\[\$prev\] \+ \(nsecs - @rw_hs_on\[\$prev\]\);\s*delete\(@rw_hs_on\[\$prev\]\);/);
  const release = body.slice(body.indexOf('tracepoint:mmap_lock:mmap_lock_released'));
  assert.match(release, /if \(@rw_hs_on\[tid\]\) \{ \$rt = /, 'the release adds the last stretch only if the thread is known to be on CPU');
});
