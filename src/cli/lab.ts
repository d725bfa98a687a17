// `reclaimwatch lab`: runs a reclaimwatch command (or any program, with --exec) inside another kernel under
// qemu, and `lab matrix` runs one on every kernel × MGLRU setting. Thin: options → src/lab → output.
import { type Command, Option } from 'commander';
import { EXIT, parseDurationMs, reportError } from './common.js';
import { UsageError } from '../kernel/errors.js';
import { GuestFailedError } from '../lab/guest-failed-error.js';
import { type MatrixMglru, runMatrix, withJson } from '../lab/matrix.js';
import { renderMatrixTable } from '../lab/matrix-table.js';
import { reclaimwatchArgv } from '../lab/reclaimwatch-argv.js';
import { DEFAULT_LAB_CACHE, type RunInGuestOptions, runInGuest } from '../lab/run-in-guest.js';
import { parseBytes } from '../units/bytes.js';

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
    .option('--exec', 'run the command as a program with its arguments, not as a reclaimwatch command')
    .option('--quiet', 'no progress lines on stderr');
}

function commonRunOptions(o: GuestCliOptions, signal: AbortSignal): Omit<RunInGuestOptions, 'kernel' | 'argv' | 'mglru'> {
  const cpus = Number(o.cpus);
  if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`bad --cpus ${JSON.stringify(o.cpus)}: give a whole number of at least 1`);
  return {
    cgroup: o.cgroup, cpus, memoryBytes: parseBytes(o.memory, '--memory'), timeoutMs: parseDurationMs(o.timeout, '--timeout'),
    scratchBytes: parseBytes(o.scratch, '--scratch', { allowZero: true }), accel: o.accel, cacheDir: o.cacheDir, signal,
    ...(o.quiet ? {} : { onProgress: (l: string) => process.stderr.write(`lab: ${l}\n`) }),
  };
}

/** Runs `fn` with an AbortSignal that Ctrl-C (SIGINT) and SIGTERM fire, so the VM is killed, never left behind. */
async function withInterrupt(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    return await fn(ac.signal);
  } catch (err) {
    if (err instanceof GuestFailedError) {
      if (err.reason === 'interrupted') {
        process.stderr.write('reclaimwatch: lab interrupted: the guest was killed\n');
        return 130;
      }
      process.stderr.write(`reclaimwatch: lab: ${err.message}\n`);
      if (err.reason === 'crashed' && err.consoleTail) process.stderr.write(`guest console (last lines):\n${err.consoleTail}\n`);
      return EXIT.cannotInspect;
    }
    return reportError(err);
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
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
      process.exitCode = await withInterrupt(async (signal) => {
        if (o.kernel.length !== 1) throw new UsageError(o.kernel.length === 0 ? 'give --kernel: a vmlinuz path or a Debian kernel package name (apt-cache search linux-image-6.1)' : 'give --kernel once (use lab matrix for several kernels)');
        if (o.mglru !== undefined && o.mglru !== 'on' && o.mglru !== 'off') throw new UsageError(`bad --mglru ${JSON.stringify(o.mglru)}: give on or off`);
        if (command.length === 0) throw new UsageError('give the command to run after --, e.g. reclaimwatch lab --kernel linux-image-6.1.0-50-amd64 -- host --json');
        const argv = o.exec ? command : reclaimwatchArgv(command);
        const r = await runInGuest({
          ...commonRunOptions(o, signal), kernel: o.kernel[0] as string, argv, ...(o.mglru ? { mglru: o.mglru } : {}),
          onStdout: (c) => process.stdout.write(c), onStderr: (c) => process.stderr.write(c),
        });
        if (!o.quiet) {
          process.stderr.write(`lab: ${r.kernel.release ?? r.kernel.spec} under ${accelText(r.accel)}; boot ${(r.bootMs / 1000).toFixed(1)} s, command ${(r.commandMs / 1000).toFixed(1)} s; cgroup ${o.cgroup}; MGLRU ${r.mglru ?? 'absent'}; exit ${r.exitCode}\n`);
        }
        return r.exitCode;
      });
    });

  lab.command('matrix')
    .description('Runs a reclaimwatch command (normally repro) with --json on every kernel × MGLRU setting (lab\'s options: --kernel A --kernel B --mglru both ...) and tabulates the verdicts')
    .argument('[command...]', 'the reclaimwatch command and its arguments, after -- (e.g. -- repro --preset small)')
    .option('--json', 'print the cells as JSON')
    .action(async (command: string[], _o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<GuestCliOptions & { kernel: string[]; mglru?: string; json?: boolean }>();
      process.exitCode = await withInterrupt(async (signal) => {
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
