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
import { parseSizeBytes } from '../lab/size-bytes.js';

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
    cgroup: o.cgroup, cpus, memoryBytes: parseSizeBytes(o.memory, '--memory'), timeoutMs: parseDurationMs(o.timeout, '--timeout'),
    scratchBytes: parseSizeBytes(o.scratch, '--scratch'), accel: o.accel, cacheDir: o.cacheDir, signal,
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
  const lab = addGuestOptions(program.command('lab')
    .description('Runs a reclaimwatch command inside another kernel (a vmlinuz or a Debian kernel package) under qemu: cgroup v1/v2, MGLRU on/off, the host root shared read-only')
    .argument('[command...]', 'the reclaimwatch command and its arguments, after --')
    .option('--kernel <vmlinuz|package>', 'kernel image path, or Debian package such as linux-image-6.1.0-50-amd64 (fetched with apt into the cache)')
    .addOption(new Option('--mglru <mode>', 'set /sys/kernel/mm/lru_gen/enabled in the guest (default: as the kernel boots)').choices(['on', 'off'])))
    .action(async (command: string[], o: GuestCliOptions & { kernel?: string; mglru?: 'on' | 'off' }) => {
      process.exitCode = await withInterrupt(async (signal) => {
        if (!o.kernel) throw new UsageError('give --kernel: a vmlinuz path or a Debian kernel package name (apt-cache search linux-image-6.1)');
        if (command.length === 0) throw new UsageError('give the command to run after --, e.g. reclaimwatch lab --kernel linux-image-6.1.0-50-amd64 -- host --json');
        const argv = o.exec ? command : reclaimwatchArgv(command);
        const r = await runInGuest({
          ...commonRunOptions(o, signal), kernel: o.kernel, argv, ...(o.mglru ? { mglru: o.mglru } : {}),
          onStdout: (c) => process.stdout.write(c), onStderr: (c) => process.stderr.write(c),
        });
        if (!o.quiet) {
          process.stderr.write(`lab: ${r.kernel.release ?? r.kernel.spec} under ${accelText(r.accel)}; boot ${(r.bootMs / 1000).toFixed(1)} s, command ${(r.commandMs / 1000).toFixed(1)} s; cgroup ${o.cgroup}; MGLRU ${r.mglru ?? 'absent'}; exit ${r.exitCode}\n`);
        }
        return r.exitCode;
      });
    });

  addGuestOptions(lab.command('matrix')
    .description('Runs a reclaimwatch command (normally repro) with --json on every kernel × MGLRU setting and tabulates the verdicts')
    .argument('[command...]', 'the reclaimwatch command and its arguments, after -- (e.g. -- repro --preset small)')
    .option('--kernel <vmlinuz|package>', 'a kernel; repeat for each', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addOption(new Option('--mglru <mode>', 'MGLRU in each guest: keep (as booted), on, off, or both (a row each)').choices(['keep', 'on', 'off', 'both']).default('keep'))
    .option('--json', 'print the cells as JSON'))
    .action(async (command: string[], o: GuestCliOptions & { kernel: string[]; mglru: MatrixMglru; json?: boolean }) => {
      process.exitCode = await withInterrupt(async (signal) => {
        if (o.kernel.length === 0) throw new UsageError('give --kernel at least once (a vmlinuz path or a Debian kernel package name)');
        if (command.length === 0) throw new UsageError('give the command after --, e.g. reclaimwatch lab matrix --kernel A --kernel B -- repro');
        const argv = o.exec ? command : reclaimwatchArgv(withJson(command));
        const cells = await runMatrix({
          ...commonRunOptions(o, signal), kernels: o.kernel, mglru: o.mglru, argv,
          ...(o.quiet ? {} : { onCell: (ev, c) => process.stderr.write(ev === 'start' ? `lab: ${c.kernel}, MGLRU ${c.mglru}: running\n` : `lab: ${c.kernel}, MGLRU ${c.mglru}: ${c.verdict ?? 'no verdict'}${c.accel ? ` (${c.accel})` : ''}\n`) }),
        });
        process.stdout.write(o.json ? `${JSON.stringify({ cells }, null, 2)}\n` : renderMatrixTable(cells));
        if (cells.some((c) => c.verdict === undefined)) return EXIT.cannotInspect;
        return cells.some((c) => c.verdict === 'affected') ? EXIT.problem : EXIT.ok;
      });
    });
}
