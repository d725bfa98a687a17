// Live: boots a Debian 6.1 kernel (package pinned below, or RECLAIMWATCH_LAB_KERNEL) under qemu. The first
// run downloads it into /var/cache/reclaimwatch (about 70 MB); later runs use the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cannotRunHere } from '../test-support/live.js';
import { hasCode } from '../kernel/errors.js';
import { GuestFailedError } from './guest-failed-error.js';
import { type GuestKernel, resolveGuestKernel } from './guest-kernel.js';
import { runMatrix } from './matrix.js';
import { DEFAULT_LAB_CACHE, runInGuest } from './run-in-guest.js';

const KERNEL = process.env['RECLAIMWATCH_LAB_KERNEL'] ?? 'linux-image-6.1.0-50-amd64';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const small = { cpus: 1, memoryBytes: 768 << 20, accel: 'auto', cacheDir: DEFAULT_LAB_CACHE } as const;

function blocker(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (9p export of /, cgroups in the guest)';
  if (spawnSync('qemu-system-x86_64', ['--version']).error) return 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';
  if (!fs.existsSync(path.join(root, 'dist/kernel/cgroup/v2/memory.js'))) return 'dist/ is not built (npm run build)';
  return undefined;
}

/**
 * Runs in the guest (cgroup v2): makes a child cgroup with a 256 MiB limit, joins it, touches 48 MiB, reads it
 * back through reclaimwatch's own v2 reader from dist/, prints one JSON document, removes the cgroup.
 */
const V2_CHECK = `
import fs from 'node:fs';
const { readV2Memory } = await import(${JSON.stringify(path.join(root, 'dist/kernel/cgroup/v2/memory.js'))});
const cg = '/sys/fs/cgroup/rwlab-check';
fs.mkdirSync(cg);
try {
  fs.writeFileSync(cg + '/memory.max', String(256 << 20));
  fs.writeFileSync(cg + '/cgroup.procs', String(process.pid));
  const buf = Buffer.alloc(48 << 20, 1);
  const mem = readV2Memory(cg);
  console.log(JSON.stringify({
    controllers: fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim(),
    subtreeControl: fs.readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').trim(),
    touchedBytes: buf.length,
    memory: mem,
  }));
  fs.writeFileSync('/sys/fs/cgroup/cgroup.procs', String(process.pid));
} finally {
  fs.rmdirSync(cg);
}`;

let kernel: GuestKernel | undefined;
async function guestKernel(): Promise<GuestKernel | string> {
  if (kernel) return kernel;
  try {
    kernel = await resolveGuestKernel(KERNEL, { cacheDir: DEFAULT_LAB_CACHE });
    return kernel;
  } catch (err) {
    return `cannot fetch ${KERNEL}: ${(err as Error).message}`;
  }
}

/** qemu processes lab started (their command line names a rwlab- run directory). */
function labQemus(): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes('/rwlab-')) out.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return out;
}

test('runInGuest() boots Debian 6.1 with the cgroup v2 memory controller live and readV2Memory reads a child cgroup', { timeout: 180_000 }, async (t) => {
  const why = blocker();
  if (why) { cannotRunHere(t, why); return; }
  const k = await guestKernel();
  if (typeof k === 'string') { cannotRunHere(t, k); return; }
  const r = await runInGuest({ ...small, kernel: k, cgroup: 'v2', timeoutMs: 150_000, argv: [process.execPath, '--input-type=module', '-e', V2_CHECK] });
  t.diagnostic(`accel ${r.accel}, boot ${r.bootMs} ms, command ${r.commandMs} ms`);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.kernel.release?.startsWith('6.1.'), true);
  const doc = JSON.parse(r.stdout) as { controllers: string; subtreeControl: string; memory: { version: string; usageBytes: number; limitBytes: number; stat: Record<string, number>; missing: string[] } };
  assert.match(doc.controllers, /\bmemory\b/);
  assert.match(doc.subtreeControl, /\bmemory\b/);
  assert.equal(doc.memory.version, 'v2');
  assert.equal(doc.memory.limitBytes, 256 << 20);
  assert.ok(doc.memory.usageBytes >= 48 << 20, `memory.current ${doc.memory.usageBytes} should hold the 48 MiB touched`);
  assert.deepEqual(doc.memory.missing, []);
  for (const k2 of ['pgscan', 'pgsteal', 'workingset_refault_file', 'anon']) assert.equal(typeof doc.memory.stat[k2], 'number', k2);
});

test('lab matrix sets MGLRU off and on inside the guest and reads the verdict field of each cell', { timeout: 300_000 }, async (t) => {
  const why = blocker();
  if (why) { cannotRunHere(t, why); return; }
  const k = await guestKernel();
  if (typeof k === 'string') { cannotRunHere(t, k); return; }
  // A stand-in for repro --json: prints the MGLRU switch it sees as its "verdict".
  const script = `const fs=require('fs');console.log(JSON.stringify({verdict:fs.readFileSync('/sys/kernel/mm/lru_gen/enabled','utf8').trim(),figures:{oomKills:0}}))`;
  const cells = await runMatrix({ ...small, kernels: [KERNEL], mglru: 'both', cgroup: 'v2', timeoutMs: 120_000, argv: [process.execPath, '-e', script] });
  assert.deepEqual(cells.map((c) => c.mglru), ['off', 'on']);
  assert.deepEqual(cells.map((c) => c.mglruRead), ['0x0000', '0x0007']);
  assert.deepEqual(cells.map((c) => c.verdict), ['0x0000', '0x0007']);
  assert.deepEqual(cells.map((c) => c.figures['oomKills']), [0, 0]);
});

test('a command that never ends is killed at the timeout, with a clear message and no qemu left (cgroup v1 guest)', { timeout: 120_000 }, async (t) => {
  const why = blocker();
  if (why) { cannotRunHere(t, why); return; }
  const k = await guestKernel();
  if (typeof k === 'string') { cannotRunHere(t, k); return; }
  const started = performance.now();
  let out = '';
  await assert.rejects(
    runInGuest({ ...small, kernel: k, cgroup: 'v1', timeoutMs: 60_000, argv: ['/bin/sh', '-c', 'cat /sys/fs/cgroup/memory/memory.usage_in_bytes; echo started; exec sleep 1000'], onStdout: (c) => (out += c.toString()) }),
    (err: unknown) => {
      assert.ok(err instanceof GuestFailedError);
      assert.equal(err.reason, 'timeout');
      assert.equal(err.code, 'timeout');
      assert.match(err.message, /within the 60 s timeout/);
      return true;
    },
  );
  const elapsedS = (performance.now() - started) / 1000;
  assert.ok(elapsedS < 75, `killed after ${elapsedS.toFixed(1)} s`);
  assert.match(out, /^\d+\nstarted\n/, 'the v1 memory controller answered before the command hung');
  assert.deepEqual(labQemus(), []);
});

test('bad input: no such kernel file or package gives a usage error that says what to give', { timeout: 120_000 }, async (t) => {
  await assert.rejects(resolveGuestKernel('/no/such/vmlinuz', { cacheDir: DEFAULT_LAB_CACHE }), (err: unknown) => hasCode(err, 'usage') && /no such kernel file \/no\/such\/vmlinuz/.test((err as Error).message));
  const cli = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'lab', '--kernel', '/no/such/vmlinuz', '--', 'host'], { encoding: 'utf8', timeout: 30_000 });
  if (cli.error || !fs.existsSync(path.join(root, 'dist/cli/main.js'))) { cannotRunHere(t, 'dist/ is not built (npm run build)'); return; }
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /no such kernel file/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /);
  if (spawnSync('apt-get', ['--version']).error) { cannotRunHere(t, 'apt-get is missing'); return; }
  await assert.rejects(resolveGuestKernel('linux-image-0.0.0-nosuch-amd64', { cacheDir: DEFAULT_LAB_CACHE }), (err: unknown) => hasCode(err, 'usage') && /apt cannot download package linux-image-0\.0\.0-nosuch-amd64/.test((err as Error).message));
  assert.equal(fs.existsSync(path.join(DEFAULT_LAB_CACHE, 'packages', 'linux-image-0.0.0-nosuch-amd64')), false);
});
