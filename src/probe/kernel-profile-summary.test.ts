import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelProfile } from './kernel-profile.js';
import { describeKernelProfile, formatKernelProfileText, summarizeKernelProfile } from './kernel-profile-summary.js';

const profile = buildKernelProfile({
  method: 'bpftrace', hz: 99, durationMs: 2500, filter: 'cgroup v2 id 7 (/a)',
  stacks: [
    { frames: ['_raw_spin_unlock_irq', 'evict_folios', 'try_to_shrink_lruvec', 'shrink_node', 'try_to_free_mem_cgroup_pages', 'try_charge_memcg'], count: 55 },
    ...Array.from({ length: 14 }, (_, i) => ({ frames: [`f${i}`], count: 1 })),
    { frames: [], count: 31 },
  ],
});

test('summarizeKernelProfile() keeps the top N functions and copies, never shares, what it keeps', () => {
  const s = summarizeKernelProfile(profile, 3);
  assert.equal(s.top.length, 3);
  assert.equal(s.top[0]?.name, '_raw_spin_unlock_irq');
  assert.equal(s.samples, 100);
  assert.equal(s.kernelSamples, 69);
  assert.equal(s.shares.evictFolios, 0.55);
  s.top[0].samples = 0;
  assert.equal(profile.top[0]?.samples, 55);
  assert.equal('stacks' in s, false);
});

test('formatKernelProfileText() names the method, the sample count and the shares', () => {
  const text = formatKernelProfileText(summarizeKernelProfile({ ...profile, fallbacks: [{ method: 'perf', reason: 'not installed' }] }));
  assert.match(text, /^bpftrace at 99 Hz over 2\.5 s, 100 sample\(s\) \(69\.0 % in the kernel\); cgroup v2 id 7/);
  assert.match(text, /not perf: not installed/);
  assert.match(text, /55\.0 %\s+55\s+_raw_spin_unlock_irq/);
  assert.match(text, /evict_folios 55\.0 % · spin lock in reclaim 55\.0 %/);
  assert.equal(describeKernelProfile({ ...profile, samples: 0, kernelSamples: 0 }).includes('in the kernel'), false);
});
