/**
 * The project's small error family. Callers branch on `code` or `instanceof`, never on message text.
 * Every message says what failed and what to do about it.
 */

/** Codes carried by every reclaimwatch error. */
export type ErrorCode = 'read' | 'gone' | 'parse' | 'kernel-lacks' | 'usage' | 'permission' | 'tool-missing' | 'timeout';

/** Base class: an error with a stable `code`. */
export class ReclaimwatchError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A kernel file could not be read (other than because its owner vanished). */
export class KernelReadError extends ReclaimwatchError {
  readonly path: string;
  constructor(path: string, cause: unknown, hint = '') {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    const perm = errno === 'EACCES' || errno === 'EPERM';
    // Advice fits who runs: root is refused too by the kernel's ptrace rules (e.g. /proc/1/io across a user namespace).
    const advice = process.geteuid?.() === 0 ? ': the kernel refuses it even to root (ptrace access rules: another user namespace, Yama, a missing capability)' : ': run as root to read it';
    super(perm ? 'permission' : 'read', `cannot read ${path} (${errno})${hint ? `: ${hint}` : perm ? advice : ''}`, { cause });
    this.path = path;
  }
}

/** The process, thread or cgroup behind a path vanished (ENOENT, ESRCH, ENODEV): "gone", not a failure. */
export class GoneError extends ReclaimwatchError {
  readonly path: string;
  constructor(path: string, cause?: unknown) {
    super('gone', `${path} is gone (its process or cgroup exited or was removed)`, { cause });
    this.path = path;
  }
}

/** Text from the kernel did not have the expected shape. */
export class ParseError extends SyntaxError {
  readonly code = 'parse' as const;
  readonly path: string;
  readonly line: number;
  readonly field: string;
  constructor(what: { path?: string; line?: number; field: string; message: string }, options?: { cause?: unknown }) {
    const path = what.path ?? '<text>';
    const line = what.line ?? 0;
    super(`${path}${line ? `:${line}` : ''}: cannot parse ${what.field}: ${what.message}`, options);
    this.name = 'ParseError';
    this.path = path;
    this.line = line;
    this.field = what.field;
  }
}

/** The running kernel does not offer a feature (a file, a tracepoint, a controller). */
export class KernelLacksError extends ReclaimwatchError {
  readonly feature: string;
  constructor(feature: string, message: string, options?: { cause?: unknown }) {
    super('kernel-lacks', message, options);
    this.feature = feature;
  }
}

/** The user asked for something that cannot be done as asked (exit status 2). */
export class UsageError extends ReclaimwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/** An external tool (bpftrace, perf, gdb, qemu, a compiler) is not installed or not runnable. */
export class ToolMissingError extends ReclaimwatchError {
  readonly tool: string;
  constructor(tool: string, message: string, options?: { cause?: unknown }) {
    super('tool-missing', message, options);
    this.tool = tool;
  }
}

/** True for errno codes that mean the object behind a /proc or cgroup path vanished. */
export function isGoneErrno(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'ENODEV';
}

/** True when `err` is a reclaimwatch error of the given code. */
export function hasCode(err: unknown, code: ErrorCode | 'parse'): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code &&
    (err instanceof ReclaimwatchError || err instanceof ParseError);
}
