// The one check of the files a command is told to write or read (--record, --output, --folded, --svg,
// --report, --input, --replay): run while the command line is parsed, before any sampling or tracing, so a
// path that cannot work is a usage error (exit 2) that says what is wrong, not an "internal error" after the
// window. The write itself goes through writeOutputFile, which turns a late failure (disk full) into a clear
// message too.
import fs from 'node:fs';
import path from 'node:path';
import { ReclaimwatchError, UsageError } from '../kernel/errors.js';
import { parsedOption } from './options.js';

const errno = (err: unknown): string => (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';

/** Advice for a permission error that fits the user: root is not told to become root. */
export function permissionHint(euid: number | undefined = process.geteuid?.()): string {
  return euid === 0 ? 'even root may not (a read-only file system, or a file the kernel protects)' : 'check its owner and mode, or run as root';
}

/**
 * Checks that `file` can be written: its directory exists and takes new files, and the file, if it exists,
 * is not a directory and is writable. Returns `file`; throws UsageError naming `what` (e.g. `--record`).
 */
export function checkOutputPath(file: string, what: string): string {
  if (file.trim() === '') throw new UsageError(`${what} needs a file name`);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if (errno(err) !== 'ENOENT' && errno(err) !== 'ENOTDIR') throw new UsageError(`cannot write ${what} ${file} (${errno(err)})`, { cause: err });
  }
  if (st?.isDirectory()) throw new UsageError(`cannot write ${what} ${file}: it is a directory; give a file name inside it`);
  if (st) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch (err) {
      throw new UsageError(`cannot write ${what} ${file} (${errno(err)}): ${permissionHint()}`, { cause: err });
    }
    return file;
  }
  const dir = path.dirname(path.resolve(file));
  let dst: fs.Stats;
  try {
    dst = fs.statSync(dir);
  } catch (err) {
    throw new UsageError(`cannot write ${what} ${file}: the directory ${dir} ${errno(err) === 'ENOENT' ? 'does not exist' : `cannot be read (${errno(err)})`}`, { cause: err });
  }
  if (!dst.isDirectory()) throw new UsageError(`cannot write ${what} ${file}: ${dir} is not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new UsageError(`cannot write ${what} ${file}: cannot create files in ${dir} (${errno(err)}): ${permissionHint()}`, { cause: err });
  }
  return file;
}

/**
 * Checks that `file` can be read: it exists, is not a directory, and is readable (a FIFO or /dev/stdin is
 * fine). Returns `file`; throws UsageError naming `what` (e.g. `--input`).
 */
export function checkInputPath(file: string, what: string): string {
  if (file.trim() === '') throw new UsageError(`${what} needs a file name`);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${errno(err) === 'ENOENT' ? 'no such file' : errno(err)}`, { cause: err });
  }
  if (st.isDirectory()) throw new UsageError(`cannot read ${what} ${file}: it is a directory; give a file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file} (${errno(err)}): ${permissionHint()}`, { cause: err });
  }
  return file;
}

/** Writes an output file checked by `checkOutputPath`; a failure now (ENOSPC, a vanished directory) is a clear error (exit 3). */
export function writeOutputFile(file: string, data: string, what: string): void {
  try {
    fs.writeFileSync(file, data);
  } catch (err) {
    throw new ReclaimwatchError(errno(err) === 'EACCES' || errno(err) === 'EPERM' ? 'permission' : 'read', `cannot write ${what} ${file} (${errno(err)}): ${(err as Error).message}`, { cause: err });
  }
}

/** `--x <file>`: a file to write, checked at parse time. */
export const outputPathOption = (flags: string, description: string): ReturnType<typeof parsedOption> =>
  parsedOption(flags, description, checkOutputPath);

/** `--x <file>`: a file to read, checked at parse time. */
export const inputPathOption = (flags: string, description: string): ReturnType<typeof parsedOption> =>
  parsedOption(flags, description, checkInputPath);
