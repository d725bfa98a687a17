// The Sampler never stalls and never piles up: beside targets whose cmdline hangs (a FIFO nobody writes,
// in a fake procfs), every tick stays on time and no more probe children run than the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { hostPaths, LIVE_HOST } from '../host/host-paths.js';
import { assessWindow } from '../detect/assess.js';
import { resolveTargets } from '../targets/resolve-targets.js';
import { Sampler } from './sampler.js';
import { cannotUseCgroups, makeTestCgroup, spawnInCgroup, waitFor } from '../test-support/live.js';
import { targetOfCgroup } from '../targets/resolve-targets.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';

/** Children of this process's main thread (probe readers are spawned from it), less those in `except`. */
function childCount(except: ReadonlySet<number>): number {
  try {
    return fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter((p) => p && !except.has(Number(p))).length;
  } catch {
    return 0;
  }
}

test('beside four FIFO-hung targets for 20 s, every tick is within 100 ms of its time and probes stay under the cap', async () => {
  const sleepers = Array.from({ length: 4 }, () => spawn('sleep', ['120'], { stdio: 'ignore' }));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rwfakeproc-'));
  try {
    for (const f of ['stat', 'vmstat', 'meminfo', 'pressure/memory', 'pressure/cpu', 'pressure/io', 'sys/kernel/osrelease']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), fs.readFileSync(`/proc/${f}`));
    }
    for (const s of sleepers) {
      const pid = s.pid!;
      const pdir = path.join(root, String(pid));
      fs.mkdirSync(path.join(pdir, 'task', String(pid)), { recursive: true });
      for (const f of ['stat', 'status', 'cgroup', 'comm', 'io']) fs.writeFileSync(path.join(pdir, f), fs.readFileSync(`/proc/${pid}/${f}`));
      fs.writeFileSync(path.join(pdir, 'task', String(pid), 'stat'), fs.readFileSync(`/proc/${pid}/stat`));
      execFileSync('mkfifo', [path.join(pdir, 'cmdline')]);
    }
    const host = hostPaths({ proc: root });
    const { targets } = await resolveTargets(host, { pids: sleepers.map((s) => s.pid!) });
    assert.equal(targets.length, 4);
    const cap = 2;
    const sampler = new Sampler(host, targets, { intervalMs: 500, stacks: false, probes: { deadlineMs: 1500, maxPerTarget: 1, everyMs: 0, suspectEveryMs: 0, maxInFlight: cap, maxStuck: 8 } });
    const lateness: number[] = [];
    let maxChildren = 0;
    sampler.subscribe((t) => {
      lateness.push(t.latenessMs);
      maxChildren = Math.max(maxChildren, childCount(new Set(sleepers.map((x) => x.pid!))));
    });
    const ac = new AbortController();
    const t0 = performance.now();
    await sampler.run(ac.signal, t0 + 20_000);
    await sampler.settleProbes(2000);
    sampler.close();
    assert.ok(lateness.length >= 40, `${lateness.length} ticks`);
    assert.ok(Math.max(...lateness) < 100, `worst lateness ${Math.max(...lateness).toFixed(1)} ms`);
    assert.ok(maxChildren <= cap, `${maxChildren} children at once, cap ${cap}`);
    assert.ok(sampler.stats().probes.skipped > 0, 'the cap held probes back');
    // The hung reads are in the samples, and assessment calls them a stall.
    const id = `pid:${sleepers[0]!.pid}`;
    const a = assessWindow({ host: sampler.hostRing(), samples: sampler.ring(id), facts: { mglruPresent: false, mglruEnabled: false, kernelRelease: 'test' } });
    assert.ok(a && a.probe.timeouts > 0, JSON.stringify(a?.probe));
    assert.ok(a.findings.some((f) => f.code === 'mmap-lock-stall'), JSON.stringify(a.findings));
  } finally {
    for (const s of sleepers) s.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the ring of each target is bounded, and a target whose process exits ends as gone', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const { targets } = await resolveTargets(LIVE_HOST, { pids: [child.pid!] });
    const sampler = new Sampler(LIVE_HOST, targets, { ringSize: 3, probes: false, stacks: false });
    for (let i = 0; i < 5; i++) sampler.tick();
    const id = sampler.targets()[0]!.id;
    assert.equal(sampler.ring(id).length, 3);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const t = sampler.tick();
    assert.deepEqual(t.ended, [id]);
    assert.equal(t.targets[0]!.sample.gone, true);
    assert.equal(sampler.tick().targets.length, 0, 'an ended target is no longer sampled');
    sampler.close();
  } finally {
    child.kill('SIGKILL');
  }
});

test('the sampler follows new cgroups and ends removed ones as gone', async (t) => {
  if (cannotUseCgroups(t)) return;
  const cg = makeTestCgroup('rwsampler');
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    cg.add(child.pid!);
    const layout = detectCgroupLayout(LIVE_HOST);
    const sampler = new Sampler(LIVE_HOST, [], { intervalMs: 200, probes: false, discover: { everyMs: 100, find: () => [targetOfCgroup(LIVE_HOST, cg.path, layout)] } });
    const added: string[] = [];
    const ended: string[] = [];
    sampler.subscribe((tk) => {
      added.push(...tk.added);
      ended.push(...tk.ended);
    });
    const ac = new AbortController();
    const run = sampler.run(ac.signal);
    const until = async (f: () => boolean): Promise<void> => {
      for (let i = 0; i < 50 && !f(); i++) await new Promise((r) => setTimeout(r, 100));
    };
    await until(() => added.includes(cg.path));
    assert.ok(added.includes(cg.path), `added: ${added.join(', ')}`);
    child.kill('SIGKILL');
    await cg.remove();
    await until(() => ended.includes(cg.path));
    ac.abort();
    await run;
    sampler.close();
    assert.ok(ended.includes(cg.path), `ended: ${ended.join(', ')}`);
  } finally {
    child.kill('SIGKILL');
    await cg.remove();
  }
});

test('a calm cgroup is sampled in full every few ticks, a busy one every tick, one nearing its limit at once', async (t) => {
  if (cannotUseCgroups(t)) return;
  const cg = makeTestCgroup('rwcalm');
  // The calm member holds 8 MB of its own (a shell variable), so that the usage the limit is set from below stays
  // put: a cgroup of a bare `sleep` is a few hundred KiB, and the kernel's per-CPU charge batches (64 pages each)
  // moved it by more than the tenth that separates "near the limit" from not (CI saw 100 % of the ticks fail).
  const sleeper = spawnInCgroup(cg, '/bin/sh', ['-c', 'x=$(head -c 8000000 /dev/zero | tr "\\000" a); sleep 60; echo ${#x}']);
  const usageFile = fs.existsSync(`${cg.memoryDir}/memory.usage_in_bytes`) ? `${cg.memoryDir}/memory.usage_in_bytes` : `${cg.memoryDir}/memory.current`;
  const usageNow = (): number => Number(fs.readFileSync(usageFile, 'utf8'));
  let busy: ReturnType<typeof spawnInCgroup> | undefined;
  try {
    assert.ok(await waitFor(() => usageNow() >= 8_000_000, 10_000), `the holder's 8 MB never showed: ${usageNow()} B`);
    const layout = detectCgroupLayout(LIVE_HOST);
    const sampler = new Sampler(LIVE_HOST, [targetOfCgroup(LIVE_HOST, cg.path, layout)], { probes: false, stacks: false, calmEveryTicks: 4 });
    const sampled = async (ticks: number): Promise<boolean[]> => {
      const out: boolean[] = [];
      for (let i = 0; i < ticks; i++) {
        out.push(sampler.tick().targets.some((x) => x.id === cg.path));
        await new Promise((r) => setTimeout(r, 200));
      }
      return out;
    };
    // Calm: the first two samples (the first rates need two), then one full sample in every 4 ticks.
    const calm = await sampled(14);
    assert.deepEqual(calm.slice(0, 2), [true, true], `full samples: ${calm.map(Number).join('')}`);
    assert.equal(calm.slice(2).filter(Boolean).length, 3, `full samples: ${calm.map(Number).join('')}`);
    // Busy: a shell loop in the cgroup stirs the pulse, and it is sampled every tick from then on.
    busy = spawnInCgroup(cg, '/bin/sh', ['-c', 'while :; do :; done']);
    const hot = await sampled(8);
    assert.deepEqual(hot.slice(3), [true, true, true, true, true], `while busy: ${hot.map(Number).join('')}`);
    busy.kill('SIGKILL');
    await new Promise((r) => busy!.once('exit', r));
    const cooled = await sampled(9);
    assert.ok(cooled.slice(2).filter(Boolean).length <= 2, `calm again: ${cooled.map(Number).join('')}`);
    // Near its limit (usage ≥ 90 % of it): the next tick samples it in full, and every tick after.
    cg.setLimit(Math.ceil(usageNow() / 0.97 / 4096) * 4096);
    const near = await sampled(3);
    assert.deepEqual(near, [true, true, true], `near the limit: ${near.map(Number).join('')}`);
    sampler.close();
  } finally {
    busy?.kill('SIGKILL');
    sleeper.kill('SIGKILL');
    await cg.remove();
  }
});
