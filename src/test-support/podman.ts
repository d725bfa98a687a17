// Real containers for live tests, with Debian's podman and nothing pulled: the root file system is built from
// busybox-static (plus any static binaries a test adds) and run with `podman run --rootfs DIR`. This host
// refuses podman's default rlimits, so every container gets `--ulimit nofile=1024:1024 --ulimit nproc=4096:4096`,
// and runc as its runtime. Containers are found by their `libpod-<id>` cgroup and removed with `podman rm -f`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { LIVE_HOST } from '../host/host-paths.js';
import { readPidCgroup } from '../kernel/proc/pid-cgroup.js';

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
const APPLETS = ['sh', 'sleep', 'cat', 'echo', 'true', 'ls', 'dd', 'yes', 'head'];

async function podman(args: string[], deadlineMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runWithDeadline('podman', args, { deadlineMs });
  if (r.spawnError) return { code: null, stdout: '', stderr: `podman not found (${r.spawnError.code ?? 'spawn error'}): apt-get install podman` };
  if (r.timedOut) return { code: null, stdout: r.stdout, stderr: `podman ${args.join(' ')} did not finish within ${deadlineMs} ms` };
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Why podman containers cannot run here (exactly what failed), or undefined when they can. */
export async function podmanBlocker(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'podman tests need root (rootful podman, cgroups written by the agent)';
  const bb = BUSYBOX_CANDIDATES.find((b) => fs.existsSync(b));
  if (!bb) return 'busybox-static is not installed (no /bin/busybox): apt-get install busybox-static';
  const info = await podman(['info', '--format', '{{.Host.CgroupsVersion}} {{.Host.OCIRuntime.Name}}'], 60_000);
  if (info.code !== 0) return `podman info failed: ${info.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return undefined;
}

/** A root file system: busybox with its applets as links, plus `extra` static binaries copied in as /bin/NAME. */
export function buildRootfs(extra: Record<string, string> = {}): { dir: string; remove: () => void } {
  const bb = BUSYBOX_CANDIDATES.find((b) => fs.existsSync(b));
  if (!bb) throw new Error('busybox-static is not installed: apt-get install busybox-static');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwrootfs-'));
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'data']) fs.mkdirSync(path.join(dir, d));
  fs.copyFileSync(bb, path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
  for (const [name, src] of Object.entries(extra)) {
    fs.copyFileSync(src, path.join(dir, 'bin', name));
    fs.chmodSync(path.join(dir, 'bin', name), 0o755);
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Options of `runContainer`. */
export interface ContainerOptions {
  rootfs: string;
  command: string[];
  /** `--memory`, e.g. `64m` (swap is set equal: no swap). */
  memory?: string;
  /** `--restart`; default `always` (podman brings a killed container back). */
  restart?: 'always' | 'no';
  /** `-v HOST:CONTAINER` bind mounts. */
  volumes?: string[];
  name?: string;
}

/** A running test container. */
export interface TestContainer {
  id: string;
  name: string;
  /** The main process's PID, re-read from podman (it changes when podman restarts the container). */
  pid(): Promise<number | undefined>;
  /** The memory cgroup path (as in /proc/PID/cgroup) of the container's current main process. */
  cgroupPath(): Promise<string | undefined>;
  /** PIDs now in the container's memory cgroup. */
  pids(): Promise<number[]>;
  /** Podman's restart count. */
  restarts(): Promise<number>;
  /** Waits until the container runs with PIDs none of which are in `old`. */
  waitBack(old: ReadonlySet<number>, timeoutMs: number): Promise<boolean>;
  /** `podman rm -f`; safe to call twice. */
  remove(): Promise<void>;
}

let seq = 0;

/** The memory cgroup path of a process (the v1 memory line, else the v2 line). */
export function memoryCgroupOfPid(pid: number): string | undefined {
  try {
    const lines = readPidCgroup(LIVE_HOST, pid);
    return (lines.find((l) => l.controllers.includes('memory')) ?? lines.find((l) => l.hierarchyId === 0))?.path;
  } catch {
    return undefined;
  }
}

/** Starts a container (`podman run -d`); throws with podman's message when it cannot. */
export async function runContainer(o: ContainerOptions): Promise<TestContainer> {
  const name = o.name ?? `rwtest-${process.pid}-${Date.now()}-${seq++}`;
  const args = ['run', '-d', '--name', name, '--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096',
    `--restart=${o.restart ?? 'always'}`, '--network', 'none', '--log-driver', 'none'];
  if (o.memory) args.push('--memory', o.memory, '--memory-swap', o.memory);
  for (const v of o.volumes ?? []) args.push('-v', v);
  args.push('--rootfs', o.rootfs, ...o.command);
  const r = await podman(args);
  if (r.code !== 0) {
    await podman(['rm', '-f', name]);
    throw new Error(`podman run failed: ${r.stderr.trim()}`);
  }
  const id = r.stdout.trim().split('\n').pop()!;
  const inspect = async (fmt: string): Promise<string> => (await podman(['inspect', '--format', fmt, id], 20_000)).stdout.trim();
  const c: TestContainer = {
    id, name,
    async pid() {
      const p = Number(await inspect('{{.State.Pid}}'));
      return Number.isInteger(p) && p > 0 ? p : undefined;
    },
    async cgroupPath() {
      const p = await c.pid();
      return p === undefined ? undefined : memoryCgroupOfPid(p);
    },
    async pids() {
      const cg = await c.cgroupPath();
      if (!cg) return [];
      const dir = fs.existsSync('/sys/fs/cgroup/memory') ? `/sys/fs/cgroup/memory${cg}` : `/sys/fs/cgroup${cg}`;
      try {
        return fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    },
    async restarts() {
      return Number(await inspect('{{.RestartCount}}')) || 0;
    },
    async waitBack(old, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const p = await c.pid();
        if (p !== undefined && !old.has(p) && (await inspect('{{.State.Status}}')) === 'running') return true;
        await new Promise((res) => setTimeout(res, 100));
      }
      return false;
    },
    async remove() {
      // A container podman is restarting (--restart=always after an OOM kill) can refuse one `rm`: retry until gone.
      let last = '';
      for (let i = 0; i < 10; i++) {
        const r = await podman(['rm', '-f', '-t', '0', id], 60_000);
        last = r.stderr.trim();
        if ((await podman(['container', 'exists', id], 20_000)).code === 1) return;
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error(`could not remove test container ${name}: ${last}`);
    },
  };
  if ((await c.pid()) === undefined) {
    await c.remove();
    throw new Error(`container ${name} did not start`);
  }
  return c;
}
