// `reclaimwatch lab`: runs a reclaimwatch command (or any program, with --exec) inside another kernel under
// qemu, and `lab matrix` runs one on every kernel × MGLRU setting. Thin: options → src/lab → output.
import { type Command, Option } from 'commander';
import { EXIT, parseDurationMs, reportError } from './common.js';
import { withInterrupt } from './interrupt.js';
import { parseInteger } from './options.js';
import { signalExitStatus } from '../detect/exit-status.js';
import { UsageError } from '../kernel/errors.js';
import { GuestFailedError } from '../lab/guest-failed-error.js';
import { type MatrixMglru, runMatrix, withJson } from '../lab/matrix.js';
import { renderMatrixTable } from '../lab/matrix-table.js';
import { reclaimwatchArgv } from '../lab/reclaimwatch-argv.js';
import { DEFAULT_LAB_CACHE, type RunInGuestOptions, runInGuest } from '../lab/run-in-guest.js';
import { parseBytes } from '../units/bytes.js';
import path from 'node:path';
import { LIVE_HOST } from '../host/host-paths.js';
import { runVariantCell } from '../lab/variant-cell.js';
import { PROFILE_METHODS, type ProfileMethod } from '../probe/kernel-profile.js';

interface GuestCliOptions {
  cgroup: 'v1' | 'v2';
  cpus: string;
  memory: string;
  timeout: string;
  scratch: string;
  accel: 'auto' | 'kvm' | 'tcg';
  cacheDir: string;
  exec?: boolean;
  quiet?: boolean;
  share: 'auto' | '9p' | 'disk';
  keep: string[];
}

function addGuestOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--cgroup <version>', 'cgroup hierarchy in the guest (v2: memory controller enabled at the root)').choices(['v1', 'v2']).default('v2'))
    .option('--cpus <n>', 'guest CPUs', '2')
    .option('--memory <bytes>', 'guest memory, e.g. 1G', '1G')
    .option('--timeout <duration>', 'the whole run, boot included; the VM is killed then', '10m')
    .option('--scratch <bytes>', 'sparse ext4 scratch disk mounted at /var/tmp and /tmp (0: none, tmpfs /tmp)', '2G')
    .addOption(new Option('--accel <accel>', 'kvm, tcg (software emulation) or auto (KVM where it boots guests, else TCG)').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--cache-dir <dir>', 'where downloaded kernels are kept', DEFAULT_LAB_CACHE)
    .addOption(new Option('--share <how>', 'how the guest sees the host\'s files: 9p (the whole root), disk (an ext4 image of Node, the checkout and --keep paths, for kernels without 9p such as -cloud-amd64) or auto (9p where the kernel has it)').choices(['auto', '9p', 'disk']).default('auto'))
    .option('--keep <path>', 'a host path the command needs (put in the disk image; kept visible over the scratch disk); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--exec', 'run the command as a program with its arguments, not as a reclaimwatch command')
    .option('--quiet', 'no progress lines on stderr');
}

function commonRunOptions(o: GuestCliOptions, signal: AbortSignal): Omit<RunInGuestOptions, 'kernel' | 'argv' | 'mglru'> {
  const cpus = parseInteger(o.cpus, '--cpus');
  return {
    cgroup: o.cgroup, cpus, memoryBytes: parseBytes(o.memory, '--memory'), timeoutMs: parseDurationMs(o.timeout, '--timeout'),
    scratchBytes: parseBytes(o.scratch, '--scratch', { allowZero: true }), accel: o.accel, cacheDir: o.cacheDir, signal, share: o.share,
    ...(o.keep.length ? { keep: o.keep.map((k) => path.resolve(k)) } : {}),
    ...(o.quiet ? {} : { onProgress: (l: string) => process.stderr.write(`lab: ${l}\n`) }),
  };
}

/** Runs `fn` with the shared interrupt helper: Ctrl-C (SIGINT) and SIGTERM kill the VM, never leave it behind. */
async function withGuestInterrupt(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  try {
    return await withInterrupt((i) => fn(i.signal));
  } catch (err) {
    if (err instanceof GuestFailedError) {
      if (err.reason === 'interrupted') {
        process.stderr.write('reclaimwatch: lab interrupted: the guest was killed\n');
        return signalExitStatus('SIGINT');
      }
      process.stderr.write(`reclaimwatch: lab: ${err.message}\n`);
      if (err.reason === 'crashed' && err.consoleTail) process.stderr.write(`guest console (last lines):\n${err.consoleTail}\n`);
      return EXIT.cannotInspect;
    }
    return reportError(err);
  }
}

function profileMethods(list: string): ProfileMethod[] {
  const ms = list.split(',').map((m) => m.trim()).filter(Boolean);
  const bad = ms.filter((m) => !(PROFILE_METHODS as readonly string[]).includes(m));
  if (ms.length === 0 || bad.length) throw new UsageError(`bad --profile-methods ${JSON.stringify(list)}: give some of ${PROFILE_METHODS.join(', ')}, comma-separated`);
  return ms as ProfileMethod[];
}

const accelText = (a: 'kvm' | 'tcg'): string => (a === 'kvm' ? 'KVM' : 'TCG (software emulation: timings are not comparable to hardware)');

/** Registers `reclaimwatch lab` and `reclaimwatch lab matrix`. */
export function registerLab(program: Command): void {
  // Every guest option lives on `lab` itself: commander gives options written after "matrix" to the parent
  // anyway (the program does not use positional options), and the matrix reads them with optsWithGlobals().
  const lab = addGuestOptions(program.command('lab')
    .description('Runs a reclaimwatch command inside another kernel (a vmlinuz or a Debian kernel package) under qemu: cgroup v1/v2, MGLRU on/off, the host root shared read-only')
    .argument('[command...]', 'the reclaimwatch command and its arguments, after --')
    .option('--kernel <vmlinuz|package>', 'kernel image path, or Debian package such as linux-image-6.1.0-50-amd64 (fetched with apt into the cache); lab matrix: repeat for each kernel', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--mglru <mode>', 'lab: on or off (default: as the kernel boots); lab matrix: keep, on, off, or both (a row each)'))
    .action(async (command: string[], o: GuestCliOptions & { kernel: string[]; mglru?: string }) => {
      process.exitCode = await withGuestInterrupt(async (signal) => {
        if (o.kernel.length !== 1) throw new UsageError(o.kernel.length === 0 ? 'give --kernel: a vmlinuz path or a Debian kernel package name (apt-cache search linux-image-6.1)' : 'give --kernel once (use lab matrix for several kernels)');
        if (o.mglru !== undefined && o.mglru !== 'on' && o.mglru !== 'off') throw new UsageError(`bad --mglru ${JSON.stringify(o.mglru)}: give on or off`);
        if (command.length === 0) throw new UsageError('give the command to run after --, e.g. reclaimwatch lab --kernel linux-image-6.1.0-50-amd64 -- host --json');
        const argv = o.exec ? command : reclaimwatchArgv(command);
        const r = await runInGuest({
          ...commonRunOptions(o, signal), kernel: o.kernel[0] as string, argv, ...(o.mglru ? { mglru: o.mglru } : {}),
          onStdout: (c) => process.stdout.write(c), onStderr: (c) => process.stderr.write(c),
        });
        if (!o.quiet) {
          process.stderr.write(`lab: ${r.kernel.release ?? r.kernel.spec} under ${accelText(r.accel)}; boot ${(r.bootMs / 1000).toFixed(1)} s, command ${(r.commandMs / 1000).toFixed(1)} s; cgroup ${o.cgroup}; MGLRU ${r.mglru ?? 'absent'}; files over ${r.share === 'disk' ? 'a disk image' : '9p'}; exit ${r.exitCode}\n`);
        }
        return r.exitCode;
      });
    });

  lab.command('variant-cell')
    .description('Runs one cell of the variant matrix here (meant for inside a guest: lab matrix ... -- lab variant-cell --thrash PATH): many threads fault file pages in a small memory cgroup, the doctor samples it with the kernel profile beside it, and the verdict and livelock variant are printed as JSON')
    .requiredOption('--thrash <path>', 'the compiled test/workloads/thrash.c (cc -O2 -pthread); give it to lab with --keep too')
    .option('--data-dir <dir>', 'where its files go (a real disk, not tmpfs)', '/var/tmp')
    .option('--threads <n>', 'file-faulting threads', '64')
    .option('--file-mib <n>', 'MiB each file thread maps and re-reads', '8')
    .option('--anon-threads <n>', 'anonymous-memory threads', '2')
    .option('--limit <bytes>', 'the cgroup\'s memory limit', '64M')
    .option('--window <duration>', 'the doctor\'s window and the profile\'s length', '10s')
    .option('--proc-stack-hz <n>', 'stack reads per second when the profile falls back to /proc stacks', '20')
    .option('--json', 'JSON on stdout (always; accepted because lab matrix adds it)')
    .option('--profile-methods <list>', 'kernel profile methods to try, in order: bpftrace,perf,proc-stack', 'bpftrace,perf,proc-stack')
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.opts<{ thrash: string; dataDir: string; threads: string; fileMib: string; anonThreads: string; limit: string; window: string; procStackHz: string; profileMethods: string }>();
      process.exitCode = await withInterrupt(async () => {
        const int = (v: string, name: string): number => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 0) throw new UsageError(`bad ${name} ${JSON.stringify(v)}: give a whole number`);
          return n;
        };
        const report = await runVariantCell(LIVE_HOST, {
          thrash: path.resolve(o.thrash), dataDir: o.dataDir, fileThreads: int(o.threads, '--threads'), fileMiB: int(o.fileMib, '--file-mib'),
          anonThreads: int(o.anonThreads, '--anon-threads'), anonMiB: 4, limitBytes: parseBytes(o.limit, '--limit'), windowMs: parseDurationMs(o.window, '--window'),
          procStackHz: int(o.procStackHz, '--proc-stack-hz'), profileMethods: profileMethods(o.profileMethods),
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return EXIT.ok;
      });
    });

  lab.command('matrix')
    .description('Runs a reclaimwatch command (normally repro) with --json on every kernel × MGLRU setting (lab\'s options: --kernel A --kernel B --mglru both ...) and tabulates the verdicts')
    .argument('[command...]', 'the reclaimwatch command and its arguments, after -- (e.g. -- repro --preset small)')
    .option('--json', 'print the cells as JSON')
    .action(async (command: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GuestCliOptions & { kernel: string[]; mglru?: string; json?: boolean }>();
      process.exitCode = await withGuestInterrupt(async (signal) => {
        if (o.kernel.length === 0) throw new UsageError('give --kernel at least once (a vmlinuz path or a Debian kernel package name)');
        const mglru = (o.mglru ?? 'keep') as MatrixMglru;
        if (!['keep', 'on', 'off', 'both'].includes(mglru)) throw new UsageError(`bad --mglru ${JSON.stringify(o.mglru)}: give keep, on, off or both`);
        if (command.length === 0) throw new UsageError('give the command after --, e.g. reclaimwatch lab matrix --kernel A --kernel B -- repro');
        const argv = o.exec ? command : reclaimwatchArgv(withJson(command));
        const cells = await runMatrix({
          ...commonRunOptions(o, signal), kernels: o.kernel, mglru, argv,
          ...(o.quiet ? {} : { onCell: (ev, c) => process.stderr.write(ev === 'start' ? `lab: ${c.kernel}, MGLRU ${c.mglru}: running\n` : `lab: ${c.kernel}, MGLRU ${c.mglru}: ${c.verdict ?? 'no verdict'}${c.accel ? ` (${c.accel})` : ''}\n`) }),
        });
        process.stdout.write(o.json ? `${JSON.stringify({ cells }, null, 2)}\n` : renderMatrixTable(cells));
        if (cells.some((c) => c.verdict === undefined)) return EXIT.cannotInspect;
        return cells.some((c) => c.verdict === 'affected') ? EXIT.problem : EXIT.ok;
      });
    });
}
