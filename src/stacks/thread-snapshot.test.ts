// Live: a real process with threads parked in known places (test/programs/parked-threads.c), real
// /proc/PID/task/TID/stack, real eu-stack and gdb. Needs root and a C compiler.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_HOST, hostPaths } from '../host/host-paths.js';
import { cannotRunHere, waitFor } from '../test-support/live.js';
import { groupThreads } from './group-threads.js';
import { startParked, parkedBuildBlocker, type ParkedProcess } from './test-program.js';
import { takeSnapshot } from './thread-snapshot.js';
import { collectUserStacks, findOnPath } from './user-stacks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function blocker(tools: string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to read /proc/PID/task/TID/stack';
  for (const t of tools) if (!findOnPath(t)) return `${t} is not installed`;
  return parkedBuildBlocker();
}

/** Resolves true when the progress counter advances within `ms`. */
async function advances(p: ParkedProcess, ms = 5000): Promise<boolean> {
  const before = p.progress();
  return waitFor(() => p.progress() > before, ms, 20);
}

function state(pid: number): string {
  return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

async function withParked(t: TestContext, tools: string[], fn: (p: ParkedProcess) => Promise<void>): Promise<void> {
  const why = blocker(tools);
  if (why) {
    cannotRunHere(t, why);
    return;
  }
  const p = await startParked();
  try {
    await fn(p);
  } finally {
    await p.stop();
  }
}

for (const tool of ['eu-stack', 'gdb'] as const) {
  void test(`takeSnapshot() with ${tool} groups the parked threads with user and kernel frames, and the target keeps running`, async (t) => {
    await withParked(t, [tool], async (p) => {
      const snap = await takeSnapshot(LIVE_HOST, p.pid, { debugger: tool });
      assert.equal(snap.user.tool, tool);
      assert.equal(snap.user.skipped, undefined);
      const groups = groupThreads(snap.threads);
      const names = (g: (typeof groups)[number], kernel: boolean): string[] => g.frames.filter((f) => f.kernel === kernel).map((f) => f.name);
      assert.equal(groups[0]!.count, 3, JSON.stringify(groups, null, 1));
      assert.deepEqual(groups[0]!.comms, ['rw-futex']);
      assert.ok(names(groups[0]!, false).includes('park_in_futex'));
      assert.ok(names(groups[0]!, true).some((n) => /futex_wait/.test(n)), names(groups[0]!, true).join(' '));
      // User frames come before (above) kernel frames in the joined stack.
      assert.equal(groups[0]!.frames.findIndex((f) => f.kernel), names(groups[0]!, false).length);
      assert.equal(groups[1]!.count, 2);
      assert.deepEqual(groups[1]!.comms, ['rw-pipe']);
      assert.ok(names(groups[1]!, false).includes('park_in_pipe_read'));
      assert.ok(names(groups[1]!, true).some((n) => /pipe_read/.test(n)));
      const busy = snap.threads.find((x) => x.comm === 'rw-busy');
      assert.ok(busy?.user?.includes('spin_forever'), JSON.stringify(busy));
      assert.equal(snap.threads.length, 7);
      assert.ok(await advances(p), 'the target stopped making progress after the snapshot');
      assert.notEqual(state(p.pid), 'T');
    });
  });
}

void test('takeSnapshot({ kernelOnly }) reads kernel stacks and never looks for a debugger', async (t) => {
  await withParked(t, [], async (p) => {
    const snap = await takeSnapshot(LIVE_HOST, p.pid, { kernelOnly: true, searchPath: '/nonexistent' });
    assert.equal(snap.user.collected, false);
    assert.match(snap.user.skipped ?? '', /--kernel-only/);
    assert.ok(snap.threads.every((x) => x.user === undefined));
    const futex = snap.threads.filter((x) => x.comm === 'rw-futex');
    assert.equal(futex.length, 3);
    assert.ok(futex.every((x) => x.kernel.some((n) => /futex_wait/.test(n)) && x.frames.every((f) => f.kernel)));
  });
});

void test('collectUserStacks() skips the debugger with the reason when the mmap_lock probe times out', async (t) => {
  if (process.getuid?.() !== 0) {
    cannotRunHere(t, 'needs root');
    return;
  }
  // A procfs root whose cmdline never answers: a FIFO without a writer blocks `head` exactly like a held mmap_lock.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fakeproc-'));
  try {
    fs.mkdirSync(path.join(dir, '4242'));
    const mk = spawn('mkfifo', [path.join(dir, '4242/cmdline')]);
    await new Promise((r) => mk.once('exit', r));
    const u = await collectUserStacks(hostPaths({ proc: dir }), 4242, { probeDeadlineMs: 300 });
    assert.equal(u.tool, undefined);
    assert.match(u.skipped ?? '', /mmap_lock probe timed out/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

void test('a debugger killed at its deadline leaves the target running', async (t) => {
  await withParked(t, ['gdb'], async (p) => {
    const u = await collectUserStacks(LIVE_HOST, p.pid, { debugger: 'gdb', deadlineMs: 120 });
    assert.match(u.skipped ?? '', /did not finish within 120 ms/);
    assert.ok(await advances(p), `target stuck in state ${state(p.pid)} after the debugger was killed`);
  });
});

void test('SIGKILL of reclaimwatch mid-snapshot leaves the target running', async (t) => {
  await withParked(t, ['gdb'], async (p) => {
    const cli = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'stacks', '--pid', String(p.pid), '--debugger', 'gdb'], { cwd: root, stdio: 'ignore' });
    try {
      const traced = await waitFor(() => /^TracerPid:\s+[1-9]/m.test(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8')), 15000, 5);
      assert.ok(traced, 'the debugger never attached');
      cli.kill('SIGKILL');
      assert.ok(await advances(p, 8000), `target stuck in state ${state(p.pid)} after reclaimwatch was killed`);
      // And the debugger is gone: nothing left attached.
      assert.ok(await waitFor(() => /^TracerPid:\s+0$/m.test(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8')), 8000));
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });
});

void test('the resume guard sends SIGCONT when the debugger exits leaving the target stopped', async (t) => {
  await withParked(t, [], async (p) => {
    // A "debugger" that stops the whole target and dies, as a tracer killed with a SIGSTOP still pending would.
    const { guardedCommand } = await import('./resume-guard.js');
    const cmd = guardedCommand(p.pid, '/bin/sh', ['-c', `kill -STOP ${p.pid}`]);
    const { runWithDeadline } = await import('../probe/run-with-deadline.js');
    const r = await runWithDeadline(cmd.file, cmd.args, { deadlineMs: 5000 });
    assert.equal(r.code, 0);
    assert.ok(await advances(p, 5000), `target left in state ${state(p.pid)}`);
  });
});
