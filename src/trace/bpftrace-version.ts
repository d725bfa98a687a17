// `bpftrace --version` prints e.g. "bpftrace v0.17.0" (Debian bookworm) or "bpftrace v0.21.2".
import { ToolMissingError } from '../kernel/errors.js';
import { runWithDeadline } from '../probe/run-with-deadline.js';

/** A bpftrace release number. */
export interface BpftraceVersion {
  major: number;
  minor: number;
  patch: number;
}

/** What the installed bpftrace is and which language forms it takes. */
export interface BpftraceInfo {
  path: string;
  version: BpftraceVersion;
  /**
   * Tracepoint argument access: `args->x` up to 0.19; `args.x` from 0.20 (bpftrace PR #2578 made `args` a struct;
   * 0.19.0 builds still rejected `args.x`, bpftrace issue #2771, and later releases deprecate `->`).
   */
  argsAccess: '->' | '.';
}

/** Parses `bpftrace --version` output; undefined when it has no version number. */
export function parseBpftraceVersion(text: string): BpftraceVersion | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** The argument syntax a bpftrace version wants for tracepoint fields. */
export function argsAccessFor(v: BpftraceVersion): '->' | '.' {
  return v.major > 0 || v.minor >= 20 ? '.' : '->';
}

/** The Debian/Ubuntu package and the fix, for messages. */
export const INSTALL_HINT = 'install it with `apt-get install bpftrace` (Debian/Ubuntu package bpftrace; dnf install bpftrace elsewhere) or pass --bpftrace PATH';

/** Runs `bpftrace --version` (deadline 10 s). Throws ToolMissingError when it cannot be run. */
export async function probeBpftrace(path: string): Promise<BpftraceInfo> {
  const r = await runWithDeadline(path, ['--version'], { deadlineMs: 10_000 });
  if (r.spawnError) {
    const why = r.spawnError.code === 'ENOENT' ? 'not found' : r.spawnError.code === 'EACCES' ? 'not executable' : r.spawnError.code ?? 'cannot start';
    throw new ToolMissingError('bpftrace', `bpftrace ${why} at ${path}: ${INSTALL_HINT}`, { cause: r.spawnError });
  }
  const version = parseBpftraceVersion(`${r.stdout}\n${r.stderr}`);
  if (r.code !== 0 || !version) {
    throw new ToolMissingError('bpftrace', `${path} --version did not answer like bpftrace (exit ${String(r.code ?? r.signal)}): ${INSTALL_HINT}`);
  }
  return { path, version, argsAccess: argsAccessFor(version) };
}
