// Runs one command inside a guest kernel under qemu and returns its exit status and output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { ToolMissingError, UsageError } from '../kernel/errors.js';
import { type AccelChoice, decideAccel, recordKvmOutcome } from './accel.js';
import { findStaticBusybox } from './busybox.js';
import { GuestFailedError } from './guest-failed-error.js';
import { openGuestChannels, type StatusEvent } from './guest-channels.js';
import { renderGuestInit } from './guest-init.js';
import { type GuestKernel, resolveGuestKernel } from './guest-kernel.js';
import { type GuestShare, buildInitramfs, initramfsModulePaths, planGuestModules } from './initramfs.js';
import { buildQemuArgs } from './qemu-args.js';
import { buildRootImage } from './root-image.js';

/** Where lab keeps downloaded kernels and its KVM record. */

/** Default size of the guest's sparse ext4 scratch disk (/var/tmp, /tmp): 2 GiB. (`2 << 30` would overflow to a negative int32.) */
export const DEFAULT_SCRATCH_BYTES = 2 * 1024 ** 3;
export const DEFAULT_LAB_CACHE = '/var/cache/reclaimwatch';

/** Options of `runInGuest`. */
export interface RunInGuestOptions {
  /** A vmlinuz path or a Debian kernel package name (fetched into the cache), or an already resolved kernel. */
  kernel: string | GuestKernel;
  cgroup: 'v1' | 'v2';
  /** Sets /sys/kernel/mm/lru_gen/enabled; left as booted when undefined. Fails when the kernel has no MGLRU. */
  mglru?: 'on' | 'off';
  cpus: number;
  memoryBytes: number;
  /** The whole run, boot included; qemu gets SIGKILL when it passes. */
  timeoutMs: number;
  /** Program and arguments, run in the host's root file system (shared read-only, writes go to a tmpfs overlay). */
  argv: string[];
  /** More host paths to keep visible in the guest when they live under /tmp or /var/tmp. */
  keep?: string[];
  /** Working directory in the guest; defaults to this process's. */
  cwd?: string;
  /** Environment of the command (PATH, HOME, TERM and RECLAIMWATCH_IN_LAB=1 are always set). */
  env?: Record<string, string>;
  accel?: AccelChoice;
  /**
   * How the guest sees the host's files: `9p` (the whole root, read-only), `disk` (a read-only ext4 image of
   * Node, the checkout, the working directory and `keep` paths, for kernels without 9p such as Debian's cloud
   * flavours), or `auto` (default): 9p where the kernel has it, else disk.
   */
  share?: 'auto' | GuestShare;
  /** Size of the sparse ext4 scratch disk mounted at /var/tmp (and /tmp); 0 for none. Default 2 GiB. */
  scratchBytes?: number;
  cacheDir?: string;
  qemu?: string;
  busybox?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Progress lines (downloads, boot, accelerator chosen). */
  onProgress?: (line: string) => void;
  /** Aborting kills the VM (Ctrl-C). */
  signal?: AbortSignal;
  /** Under "auto", how long a first KVM boot may take before lab gives up on KVM. Default 20 s. */
  kvmProbeMs?: number;
  /** Keeps the run directory (initrd, console.log) for debugging instead of removing it; its path goes to onProgress. */
  keepRunDir?: boolean;
}

/** What a finished guest run gives back. */
export interface GuestRun {
  /** The command's exit status (128+N when killed by signal N). */
  exitCode: number;
  stdout: string;
  stderr: string;
  accel: 'kvm' | 'tcg';
  /** From qemu's start until the guest was ready to run the command. */
  bootMs: number;
  /** From ready until the command ended. */
  commandMs: number;
  /** /sys/kernel/mm/lru_gen/enabled as the guest read it before the command ("0x0007"), when present. */
  mglru: string | undefined;
  /** How the host's files reached the guest. */
  share: GuestShare;
  kernel: { spec: string; release: string | undefined; vmlinuz: string; package: { name: string; version: string } | undefined };
}

interface Attempt {
  outcome: 'exit' | 'timeout' | 'interrupted' | 'probe-failed' | 'setup' | 'crashed';
  exitCode: number;
  failMessage: string;
  readyAtMs: number | undefined;
  exitAtMs: number | undefined;
  startMs: number;
  mglru: string | undefined;
  stdout: Buffer[];
  stderr: Buffer[];
  consoleTail: string;
}

const GRACE_AFTER_EXIT_MS = 10_000;
const KEEP_BYTES = 16 << 20;

function tail(file: string, lines = 25): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trim();
  } catch {
    return '';
  }
}

async function bootOnce(qemu: string, args: string[], dir: string, consoleLog: string, accel: 'kvm' | 'tcg', opts: RunInGuestOptions, probeMs: number | undefined): Promise<Attempt> {
  const a: Attempt = { outcome: 'crashed', exitCode: -1, failMessage: '', readyAtMs: undefined, exitAtMs: undefined, startMs: performance.now(), mglru: undefined, stdout: [], stderr: [], consoleTail: '' };
  let outLen = 0;
  let errLen = 0;
  const stop = new AbortController();
  let probeTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let probeFailed = false;
  const onUserAbort = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  const channels = await openGuestChannels(dir, {
    status: (ev: StatusEvent) => {
      if (ev.word === 'ready') {
        a.readyAtMs = ev.atMs;
        if (probeTimer) clearTimeout(probeTimer);
      } else if (ev.word === 'mglru') a.mglru = ev.rest;
      else if (ev.word === 'fail') {
        a.outcome = 'setup';
        a.failMessage = ev.rest;
      } else if (ev.word === 'timeout') a.outcome = 'timeout';
      else if (ev.word === 'exit') {
        a.outcome = 'exit';
        a.exitCode = Number.parseInt(ev.rest, 10);
        a.exitAtMs = ev.atMs;
        graceTimer = setTimeout(() => stop.abort(), GRACE_AFTER_EXIT_MS);
      }
    },
    stdout: (c) => {
      opts.onStdout?.(c);
      if (outLen < KEEP_BYTES) a.stdout.push(c);
      outLen += c.length;
    },
    stderr: (c) => {
      opts.onStderr?.(c);
      if (errLen < KEEP_BYTES) a.stderr.push(c);
      errLen += c.length;
    },
  });
  if (probeMs !== undefined) {
    probeTimer = setTimeout(() => {
      probeFailed = true;
      stop.abort();
    }, probeMs);
  }
  try {
    a.startMs = performance.now();
    const r = await runWithDeadline(qemu, args, { deadlineMs: opts.timeoutMs, signal: stop.signal, maxStdoutBytes: 64 << 10 });
    if (r.spawnError) throw new ToolMissingError('qemu', `cannot run ${qemu} (${r.spawnError.code}): install qemu-system-x86`);
    // Let the last socket bytes arrive.
    await new Promise((res) => setTimeout(res, 50));
    a.consoleTail = tail(consoleLog);
    if (a.outcome === 'exit' || a.outcome === 'setup') return a;
    if (probeFailed) a.outcome = 'probe-failed';
    else if (opts.signal?.aborted) a.outcome = 'interrupted';
    else if (r.timedOut || a.outcome === 'timeout') a.outcome = 'timeout';
    else {
      a.outcome = 'crashed';
      a.failMessage = `qemu exited (${r.code ?? r.signal ?? '?'}) before the command finished${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
    }
    return a;
  } finally {
    if (probeTimer) clearTimeout(probeTimer);
    if (graceTimer) clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onUserAbort);
    await channels.close();
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function makeScratch(file: string, bytes: number): Promise<void> {
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, bytes);
  const r = await runWithDeadline('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=1,lazy_journal_init=1', '-L', 'rwscratch', file], { deadlineMs: 60_000 });
  if (r.spawnError) throw new ToolMissingError('mkfs.ext4', 'cannot format the scratch disk: mkfs.ext4 is missing (apt-get install e2fsprogs), or pass scratchBytes 0');
  if (r.code !== 0) throw new ToolMissingError('mkfs.ext4', `mkfs.ext4 failed on the scratch disk: ${r.stderr.trim()}`);
}

/**
 * Boots `opts.kernel` under qemu (KVM where it works, TCG otherwise), runs `opts.argv` in the host's root
 * file system inside it, and resolves with its exit status and output. The VM is killed (SIGKILL to qemu's
 * process group) at `timeoutMs` or on `signal`, and everything made for the run is removed.
 * Throws GuestFailedError when the command did not run to its end, UsageError for bad input.
 */
export async function runInGuest(opts: RunInGuestOptions): Promise<GuestRun> {
  if (opts.argv.length === 0) throw new UsageError('no command to run in the guest: give it after --');
  if (!(opts.cpus >= 1) || !Number.isInteger(opts.cpus)) throw new UsageError(`bad CPU count ${opts.cpus}: give a whole number of at least 1`);
  if (!(opts.memoryBytes >= 256 << 20)) throw new UsageError('guest memory must be at least 256M (Node and the kernel need it)');
  const cacheDir = opts.cacheDir ?? DEFAULT_LAB_CACHE;
  const fetchOpts = { cacheDir, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
  const kernel = typeof opts.kernel === 'string' ? await resolveGuestKernel(opts.kernel, fetchOpts) : opts.kernel;
  const busybox = await findStaticBusybox(opts.busybox, fetchOpts);
  const plan = planGuestModules(kernel, opts.share ?? 'auto');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwlab-'));
  try {
    const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const scratchBytes = opts.scratchBytes ?? DEFAULT_SCRATCH_BYTES;
    const scratchImage = scratchBytes > 0 ? path.join(dir, 'scratch.img') : undefined;
    if (scratchImage !== undefined) await makeScratch(scratchImage, scratchBytes);
    const cwd = opts.cwd ?? process.cwd();
    let rootImage: string | undefined;
    if (plan.share === 'disk') {
      rootImage = path.join(dir, 'root.img');
      const img = await buildRootImage(rootImage, { programs: [process.execPath, '/usr/bin/env', '/bin/sh'], paths: [process.execPath, checkout, cwd, ...(opts.keep ?? [])], busybox });
      opts.onProgress?.(`${kernel.release ?? kernel.spec}: ${opts.share === 'disk' ? 'as asked' : 'no 9p in this kernel'}: the guest gets a read-only ext4 image of Node, the checkout and kept paths (${img.files} files, ${(img.bytes / (1 << 20)).toFixed(0)} MiB, built in ${(img.elapsedMs / 1000).toFixed(1)} s)`);
    }
    const init = renderGuestInit({
      share: plan.share,
      modules: initramfsModulePaths(plan),
      cgroup: opts.cgroup,
      mglru: opts.mglru,
      argv: opts.argv,
      cwd,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', TERM: 'dumb', ...opts.env, RECLAIMWATCH_IN_LAB: '1' },
      watchdogS: opts.timeoutMs / 1000 + 5,
      scratch: scratchImage !== undefined,
      // reclaimwatch's checkout, Node and the working directory must stay visible in the guest.
      // (a kept file is kept through its directory: bind mounts aside need a directory).
      keep: [cwd, checkout, path.dirname(process.execPath), ...(opts.keep ?? []).map((k) => (isDirectory(k) ? k : path.dirname(k)))],
    });
    const initrd = path.join(dir, 'initrd.cpio');
    fs.writeFileSync(initrd, await buildInitramfs({ busybox, kernel, plan, init }));
    const consoleLog = path.join(dir, 'console.log');
    const qemu = opts.qemu ?? 'qemu-system-x86_64';
    const decision = decideAccel(opts.accel ?? 'auto', cacheDir);
    const argsFor = (accel: 'kvm' | 'tcg'): string[] => buildQemuArgs({
      accel, vmlinuz: kernel.pvhVmlinux ?? kernel.vmlinuz, initrd, cpus: opts.cpus, memoryBytes: opts.memoryBytes, shareRoot: '/', rootImage, scratchImage,
      sockets: { status: path.join(dir, 'status.sock'), stdout: path.join(dir, 'stdout.sock'), stderr: path.join(dir, 'stderr.sock') }, consoleLog,
    });
    let accel: 'kvm' | 'tcg' = decision === 'tcg' ? 'tcg' : 'kvm';
    opts.onProgress?.(`booting ${kernel.release ?? kernel.vmlinuz} under ${accel === 'kvm' ? 'KVM' : 'TCG (software emulation)'}${decision === 'kvm-probe' ? ', trying KVM once on this host' : ''}`);
    let a = await bootOnce(qemu, argsFor(accel), dir, consoleLog, accel, opts, decision === 'kvm-probe' ? (opts.kvmProbeMs ?? 20_000) : undefined);
    if (decision === 'kvm-probe') {
      // KVM is broken here when the guest never came up: qemu hung (probe deadline) or aborted (bad MSRs).
      const broken = a.readyAtMs === undefined && (a.outcome === 'probe-failed' || a.outcome === 'crashed');
      if (a.outcome !== 'interrupted') recordKvmOutcome(cacheDir, !broken);
      if (broken) {
        opts.onProgress?.('the guest did not come up under KVM on this host: using TCG (software emulation) from now on');
        accel = 'tcg';
        a = await bootOnce(qemu, argsFor(accel), dir, consoleLog, accel, opts, undefined);
      }
    }
    const stdout = Buffer.concat(a.stdout).toString('utf8');
    const detail = { stdout, consoleTail: a.consoleTail, accel };
    const secs = (opts.timeoutMs / 1000).toFixed(0);
    if (a.outcome === 'timeout') {
      throw new GuestFailedError('timeout', a.readyAtMs === undefined
        ? `the guest did not come up within the ${secs} s timeout (${accel === 'tcg' ? 'TCG is slow: raise --timeout' : 'is the kernel bootable?'}); qemu was killed`
        : `the command did not finish within the ${secs} s timeout (boot included); qemu was killed`, detail);
    }
    if (a.outcome === 'interrupted' || a.outcome === 'probe-failed') throw new GuestFailedError('interrupted', 'interrupted: the guest was killed', detail);
    if (a.outcome === 'setup') throw new GuestFailedError('setup', `the guest could not be set up as asked: ${a.failMessage}`, detail);
    if (a.outcome === 'crashed') throw new GuestFailedError('crashed', `the guest died: ${a.failMessage}`, detail);
    const readyAt = a.readyAtMs ?? a.startMs;
    return {
      exitCode: a.exitCode, stdout, stderr: Buffer.concat(a.stderr).toString('utf8'), accel,
      bootMs: Math.round(readyAt - a.startMs), commandMs: Math.round((a.exitAtMs ?? readyAt) - readyAt), mglru: a.mglru, share: plan.share,
      kernel: { spec: kernel.spec, release: kernel.release, vmlinuz: kernel.vmlinuz, package: kernel.package },
    };
  } finally {
    if (opts.keepRunDir === true) opts.onProgress?.(`run directory kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
