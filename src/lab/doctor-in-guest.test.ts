// Live, in a Debian 6.1 guest with the cgroup v2 memory controller and MGLRU on: the doctor's live scenarios
// (idle, busy loop, page-cache thrash, OOM loop) run there through the project's own test runner, so the v2
// readers (memory.current/max/events/stat, per-cgroup memory.pressure, cpu.stat) are exercised live, and
// `host --json` must report the v2 memory controller and MGLRU on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKOUT_ROOT, guestKernelForTest } from '../test-support/guest-test.js';
import { DEFAULT_LAB_CACHE, runInGuest } from './run-in-guest.js';

const KERNEL = process.env['RECLAIMWATCH_LAB_KERNEL'] ?? 'linux-image-6.1.0-50-amd64';
const root = CHECKOUT_ROOT;

test('doctor live scenarios pass in a cgroup v2 + MGLRU guest, and host --json sees both', { timeout: 900_000 }, async (t) => {
  // The guest runs the tests as compiled by `npm run typecheck` (dist-tests/), not through tsx: tsx lexes ES
  // modules with a WebAssembly parser, which crashed under the guest's software CPU emulation (a wasm
  // "memory access out of bounds" in es-module-lexer, once in six full CI runs), while plain JS runs the same code.
  const compiled = 'dist-tests/doctor/doctor.live.test.js';
  const kernel = await guestKernelForTest(t, KERNEL, [{ file: compiled, hint: `${compiled} is not built (npm run typecheck; npm test does it)` }]);
  if (!kernel) return;
  const script = [
    `cd ${root}`,
    `${process.execPath} dist/cli/main.js host --json > /tmp/host.json || exit 90`,
    `RECLAIMWATCH_REQUIRE_LIVE=1 RECLAIMWATCH_DOCTOR_LIVE_TRACE=0 ${process.execPath} --test --test-reporter=spec ${compiled}; rc=$?`,
    'echo "@@HOST@@"; cat /tmp/host.json; exit $rc',
  ].join('\n');
  const r = await runInGuest({ kernel, cgroup: 'v2', mglru: 'on', cpus: 2, memoryBytes: 1536 << 20, accel: 'auto', cacheDir: DEFAULT_LAB_CACHE, timeoutMs: 840_000, argv: ['/bin/sh', '-c', script] });
  t.diagnostic(`accel ${r.accel}, boot ${r.bootMs} ms, command ${r.commandMs} ms`);
  const [tests = '', hostJson = '{}'] = r.stdout.split('@@HOST@@');
  assert.equal(r.exitCode, 0, `${tests.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  assert.match(tests, /ℹ pass 4\b/);
  assert.match(tests, /ℹ fail 0\b/);
  const host = JSON.parse(hostJson) as { kernelRelease: string; cgroup: { mode: string; memory: string }; mglru: { present: boolean; enabled: boolean; enabledMask: number } };
  assert.match(host.kernelRelease, /^6\.1\./);
  assert.equal(host.cgroup.mode, 'v2');
  assert.equal(host.cgroup.memory, 'v2');
  assert.deepEqual([host.mglru.present, host.mglru.enabled, host.mglru.enabledMask], [true, true, 7]);
});
