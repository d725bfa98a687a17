// Shared pieces of every command: host-path options, error printing. The exit statuses live beside the
// classifier (src/detect/exit-status.ts), the option parsers in options.ts, the path checks in output-path.ts,
// the signal handling in interrupt.ts: one of each for every command.
import type { Command } from 'commander';
import { errorExitStatus } from '../detect/exit-status.js';
import { type HostPaths, hostPaths } from '../host/host-paths.js';
import { ParseError, ReclaimwatchError } from '../kernel/errors.js';

export { EXIT, EXIT_STATUS_HELP } from '../detect/exit-status.js';
export { parseDurationMs } from './options.js';

/** Adds `--path.procfs`, `--path.sysfs`, `--path.rootfs` to a command. */
export function addHostPathOptions(cmd: Command): Command {
  return cmd
    .option('--path.procfs <dir>', 'procfs mount point', '/proc')
    .option('--path.sysfs <dir>', 'sysfs mount point', '/sys')
    .option('--path.rootfs <dir>', 'host root file system', '/');
}

/** Reads the host-path options commander parsed (it keeps dotted names as `path.procfs` keys). */
export function hostFromOptions(opts: Record<string, unknown>): HostPaths {
  const s = (k: string): string | undefined => (typeof opts[k] === 'string' ? (opts[k]) : undefined);
  return hostPaths({ proc: s('path.procfs') ?? s('pathProcfs'), sys: s('path.sysfs') ?? s('pathSysfs'), rootfs: s('path.rootfs') ?? s('pathRootfs') });
}

/** The line printed for an error: its own message, or an internal error to report. */
export function errorLine(err: unknown): string {
  if (err instanceof ReclaimwatchError || err instanceof ParseError) return err.message;
  const e = err as Error;
  return `internal error: ${e?.message ?? String(err)}\n  please report it with the command you ran; set RECLAIMWATCH_DEBUG=1 for details`;
}

/** Prints one clear line for an error (no stack traces of our own code) and returns its exit status. */
export function reportError(err: unknown): number {
  process.stderr.write(`reclaimwatch: ${errorLine(err)}\n`);
  if (!(err instanceof ReclaimwatchError || err instanceof ParseError) && process.env['RECLAIMWATCH_DEBUG'] === '1') process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return errorExitStatus(err);
}

/** Colour only on a TTY (and never with NO_COLOR). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && process.env['NO_COLOR'] === undefined;
}

/** The width tables fit: the terminal's columns, or COLUMNS, or none (a pipe or file: nothing is wrapped). */
export function outputWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  if (stream.isTTY && stream.columns > 0) return stream.columns;
  const env = Number(process.env['COLUMNS']);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}
