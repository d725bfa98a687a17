// Shared pieces of every command: host-path options, exit statuses, error printing.
import type { Command } from 'commander';
import { type HostPaths, hostPaths } from '../host/host-paths.js';
import { ParseError, ReclaimwatchError, UsageError } from '../kernel/errors.js';

/**
 * Exit statuses, following node-problem-detector's custom-plugin protocol so `doctor` can be an NPD plugin:
 * 0 OK, 1 problem found, 2 usage error (NPD: unknown), 3 could not inspect.
 */
export const EXIT = { ok: 0, problem: 1, usage: 2, cannotInspect: 3 } as const;

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

/** Maps an error to its exit status and prints one clear line (no stack traces of our own code). */
export function reportError(err: unknown): number {
  if (err instanceof ReclaimwatchError) {
    process.stderr.write(`reclaimwatch: ${err.message}\n`);
    return err.code === 'usage' ? EXIT.usage : EXIT.cannotInspect;
  }
  if (err instanceof ParseError) {
    process.stderr.write(`reclaimwatch: ${err.message}\n`);
    return EXIT.cannotInspect;
  }
  const e = err as Error;
  process.stderr.write(`reclaimwatch: internal error: ${e?.message ?? String(err)}\n  please report it with the command you ran; set RECLAIMWATCH_DEBUG=1 for details\n`);
  if (process.env['RECLAIMWATCH_DEBUG'] === '1') process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.cannotInspect;
}

/** Parses a duration such as `30s`, `500ms`, `2m` or a bare number of seconds; throws UsageError. */
export function parseDurationMs(text: string, what = 'duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a number of seconds or a value such as 500ms, 30s, 2m`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : n * 3600000;
  if (!(ms > 0)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: it must be more than zero`);
  return ms;
}

/** Colour only on a TTY (and never with NO_COLOR). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && process.env['NO_COLOR'] === undefined;
}
