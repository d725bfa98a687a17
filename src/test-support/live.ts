// Helpers for live tests: real cgroups, real processes. In CI (`RECLAIMWATCH_REQUIRE_LIVE=1`, set by .ci/run)
// "cannot run here" is a failure, never a skip.
import type { TestContext } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { LIVE_HOST } from '../host/host-paths.js';
import { readPidCgroup } from '../kernel/proc/pid-cgroup.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';

/** True when live tests must run (CI). */
export const LIVE_REQUIRED = process.env['RECLAIMWATCH_REQUIRE_LIVE'] === '1';

/** Skips the test with a reason, or fails it when live tests are required. Returns true when the caller should return. */
export function cannotRunHere(t: TestContext, reason: string): true {
  if (LIVE_REQUIRED) throw new Error(`live test cannot run here, and RECLAIMWATCH_REQUIRE_LIVE=1: ${reason}`);
  t.skip(reason);
  return true;
}

/** Why live cgroup tests cannot run here, or undefined when they can. */
export function liveCgroupBlocker(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create cgroups';
  const layout = detectCgroupLayout(LIVE_HOST);
  if (!layout.v1Memory && !(layout.unified && layout.unifiedControllers.includes('memory'))) return 'no memory cgroup controller mounted';
  return undefined;
}

/** True (the test skipped, or failed where live tests are required) when live cgroup tests cannot run here. */
export function cannotUseCgroups(t: TestContext): boolean {
  const why = liveCgroupBlocker();
  return why !== undefined && cannotRunHere(t, why);
}

/** A child cgroup made for one test: memory (v1 or v2) plus, on hybrid hosts, a v2 twin for PSI. */
export interface TestCgroup {
  /** Path relative to the hierarchy roots, as `doctor --cgroup` takes it. */
  path: string;
  memoryDir: string;
  /** v2 directory (PSI, cpu.stat) where there is one. */
  unifiedDir: string | undefined;
  /** Puts a process into the cgroup (every hierarchy made). */
  add(pid: number): void;
  /** Sets the hard memory limit in bytes. */
  setLimit(bytes: number): void;
  /** Kills every member and removes the directories. Safe to call twice. */
  remove(): Promise<void>;
}

let seq = 0;

/** Creates a child cgroup under this process's own memory cgroup (and under its v2 cgroup on hybrid hosts). */
export function makeTestCgroup(name = 'rwtest'): TestCgroup {
  const layout = detectCgroupLayout(LIVE_HOST);
  const mine = readPidCgroup(LIVE_HOST, process.pid);
  const v2Path = mine.find((l) => l.hierarchyId === 0)?.path ?? '/';
  const memPath = layout.v1Memory ? (mine.find((l) => l.controllers.includes('memory'))?.path ?? '/') : v2Path;
  const leaf = `${name}-${process.pid}-${Date.now()}-${seq++}`;
  const rel = `${memPath === '/' ? '' : memPath}/${leaf}`;
  const dirs: string[] = [];
  let memoryDir: string;
  let unifiedDir: string | undefined;
  if (layout.v1Memory) {
    memoryDir = `${layout.v1Memory}${rel}`;
    fs.mkdirSync(memoryDir);
    dirs.push(memoryDir);
    if (layout.unified) {
      // Same relative path in the v2 tree so `doctor --cgroup PATH` finds both halves.
      unifiedDir = `${layout.unified}${rel}`;
      fs.mkdirSync(unifiedDir, { recursive: true });
      dirs.push(unifiedDir);
    }
  } else {
    memoryDir = `${layout.unified}${rel}`;
    fs.mkdirSync(memoryDir);
    unifiedDir = memoryDir;
    dirs.push(memoryDir);
  }
  const v1 = Boolean(layout.v1Memory);
  return {
    path: rel,
    memoryDir,
    unifiedDir,
    add(pid) {
      for (const d of dirs) fs.writeFileSync(`${d}/cgroup.procs`, String(pid));
    },
    setLimit(bytes) {
      fs.writeFileSync(v1 ? `${memoryDir}/memory.limit_in_bytes` : `${memoryDir}/memory.max`, String(bytes));
      if (!v1) {
        try {
          fs.writeFileSync(`${memoryDir}/memory.swap.max`, '0');
        } catch {
          /* no swap controller */
        }
      }
    },
    async remove() {
      for (const d of [...dirs].reverse()) {
        for (let i = 0; i < 300 && fs.existsSync(d); i++) {
          try {
            for (const p of fs.readFileSync(`${d}/cgroup.procs`, 'utf8').split('\n').filter(Boolean)) {
              try {
                process.kill(Number(p), 'SIGKILL');
              } catch {
                /* already gone */
              }
            }
            fs.rmdirSync(d);
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        if (fs.existsSync(d)) throw new Error(`could not remove test cgroup ${d}`);
      }
    },
  };
}

/** Spawns a shell command inside a cgroup (joins before exec), returning the child. */
export function spawnInCgroup(cg: TestCgroup, command: string, args: string[] = []): ChildProcess {
  const procsFiles = [cg.memoryDir, ...(cg.unifiedDir && cg.unifiedDir !== cg.memoryDir ? [cg.unifiedDir] : [])].map((d) => `${d}/cgroup.procs`);
  const join = procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ');
  return spawn('/bin/sh', ['-c', `${join} && exec "$0" "$@"`, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
}

/** Waits until `cond` holds, polling every `stepMs`, up to `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

/**
 * Compiles test/workloads/thrash.c, makes a memory cgroup with `limitBytes` and starts the thrash in it with
 * `args` after its data directory (on /var/tmp: a block device, so the page cache is reclaimable). Every
 * cleanup (cgroup, data, binary) is pushed onto `cleanups`.
 */
export function startThrash(name: string, limitBytes: number, args: string[], cleanups: Array<() => Promise<void> | void>): { cg: TestCgroup; child: ChildProcess } {
  const dir = fs.mkdtempSync(`${os.tmpdir()}/${name}-`);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = `${dir}/thrash`;
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, 'test/workloads/thrash.c']);
  const data = fs.mkdtempSync(`/var/tmp/${name}-`);
  cleanups.push(() => fs.rmSync(data, { recursive: true, force: true }));
  const cg = makeTestCgroup(name);
  cleanups.push(() => cg.remove());
  cg.setLimit(limitBytes);
  return { cg, child: spawnInCgroup(cg, bin, [data, ...args]) };
}
