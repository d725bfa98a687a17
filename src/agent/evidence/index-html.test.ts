import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEvidenceIndex } from './index-html.js';
import { EVIDENCE_SCHEMA, evidenceManifestSchema, type EvidenceManifest } from './manifest.js';

function manifest(withProfile: boolean): EvidenceManifest {
  return evidenceManifestSchema.parse({
    schema: EVIDENCE_SCHEMA, incidentId: 'i1', target: { id: 't', label: 'web' }, verdict: 'reclaim-livelock',
    startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:03Z', captureMs: 3000, complete: true, bytes: 10, maxBytes: 100,
    parts: [withProfile
      ? { name: 'kernel-profile', title: 'kernel CPU profile: top functions by share', file: 'kernel-profile.json', status: 'present', bytes: 5, ms: 2600 }
      : { name: 'kernel-profile', title: 'kernel CPU profile: top functions by share', status: 'absent', bytes: 0, reason: 'no profiling method could run: x', ms: 1 }],
    ...(withProfile ? {
      kernelProfile: {
        method: 'bpftrace', hz: 99, durationMs: 2500, samples: 480, kernelSamples: 470, filter: 'cgroup v2 id 7 (/a)',
        top: [{ name: '_raw_spin_unlock_irq', samples: 264, share: 0.55 }, { name: '<b>', samples: 1, share: 0.002 }],
        shares: { evictFolios: 0.84, spinLockInReclaim: 0.67 }, fallbacks: [], notes: [],
      },
    } : {}),
  });
}

test('renderEvidenceIndex() shows the kernel profile as its top functions by share, with the method and sample count', () => {
  const html = renderEvidenceIndex(manifest(true), new Map());
  assert.match(html, /method <b>bpftrace<\/b> at 99 Hz over 2\.5 s: <b>480<\/b> on-CPU samples, 470 in the kernel/);
  assert.match(html, /<td class="n">55\.0 %<\/td><td class="n">264<\/td><td><code>_raw_spin_unlock_irq<\/code>/);
  assert.match(html, /evictFolios 84\.0 % · spinLockInReclaim 67\.0 %/);
  assert.ok(html.includes('<code>&lt;b&gt;</code>'), 'function names are escaped');
  assert.ok(html.indexOf('_raw_spin_unlock_irq') < html.indexOf('&lt;b&gt;'), 'most samples first');
});

test('renderEvidenceIndex() gives an absent profile a row with its reason and no section', () => {
  const html = renderEvidenceIndex(manifest(false), new Map());
  assert.match(html, /no profiling method could run: x/);
  assert.doesNotMatch(html, /<section id="kernel-profile"/);
});
