// What a repro run does: the reference's parameters (`seed`), a scaled-down preset for tests (`small`),
// and the scaling applied where the host is smaller than the preset.
import { UsageError } from '../kernel/errors.js';
import { formatBytes } from '../units/bytes.js';

/** The workload and container of one run. Sizes in bytes, times in milliseconds. */
export interface ReproParams {
  /** Threads that each write, mmap and read one file. */
  fileThreads: number;
  /** Size of each file thread's file. */
  fileSizeBytes: number;
  /** Threads that build and touch anonymous memory, from `delayMs` on. */
  memoryThreads: number;
  /** Anonymous memory of all memory threads together. */
  memorySizeBytes: number;
  /** Hard memory limit of the child cgroup (swap is off). */
  limitBytes: number;
  /** CPU quota of the child cgroup, in CPUs. */
  cpus: number;
  /** When the memory threads start, from the workload's start. */
  delayMs: number;
  /** Length of the whole run. */
  durationMs: number;
  /** How long a file thread's read window and a memory thread's working set take to grow to full size. */
  windowMs: number;
}

/** Preset names. */
export type PresetName = 'seed' | 'small';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** The presets: `seed` is the reference incident's reproducer, `small` a few seconds and tens of MiB for tests. */
export const PRESETS: Readonly<Record<PresetName, Readonly<ReproParams>>> = Object.freeze({
  seed: Object.freeze({ fileThreads: 1000, fileSizeBytes: 4 * MiB, memoryThreads: 1000, memorySizeBytes: 3 * GiB, limitBytes: 4 * GiB, cpus: 4, delayMs: 30_000, durationMs: 120_000, windowMs: 10_000 }),
  small: Object.freeze({ fileThreads: 8, fileSizeBytes: 4 * MiB, memoryThreads: 8, memorySizeBytes: 24 * MiB, limitBytes: 40 * MiB, cpus: 1, delayMs: 3_000, durationMs: 8_000, windowMs: 2_000 }),
});

/** Memory a run needs before it does any work: 16 MiB for the program and libc, plus 64 KiB per thread. */
export function minStartBytes(p: Pick<ReproParams, 'fileThreads' | 'memoryThreads'>): number {
  return 16 * MiB + (p.fileThreads + p.memoryThreads) * 64 * 1024;
}

/** One adjustment made to fit the host, said to the user. */
export interface ScaleNote {
  what: string;
  from: string;
  to: string;
  why: string;
}

/** The host facts scaling looks at. */
export interface HostSize {
  cpus: number;
  memTotalBytes: number;
}

/**
 * Scales a preset to the host. Only values the user did not give (`explicit`) change:
 * - more CPUs asked than the host has: the quota becomes the host's CPUs, and the thread counts, the memory
 *   limit and the anonymous memory shrink by the same factor, keeping the reference's threads per CPU and
 *   its file:anon:limit ratios (each file keeps its size);
 * - a limit above half the host's memory: the limit, the anonymous memory and the file threads shrink so
 *   the run cannot push the host itself into reclaim.
 */
export function scaleForHost(preset: ReproParams, host: HostSize, explicit: ReadonlySet<keyof ReproParams> = new Set()): { params: ReproParams; notes: ScaleNote[] } {
  const p = { ...preset };
  const notes: ScaleNote[] = [];
  const scale = (f: number, why: string): void => {
    const set = <K extends keyof ReproParams>(k: K, v: number, fmt: (n: number) => string): void => {
      if (explicit.has(k) || p[k] === v) return;
      notes.push({ what: k, from: fmt(p[k]), to: fmt(v), why });
      p[k] = v;
    };
    set('fileThreads', Math.max(1, Math.round(p.fileThreads * f)), String);
    set('memoryThreads', Math.max(1, Math.round(p.memoryThreads * f)), String);
    set('limitBytes', Math.round((p.limitBytes * f) / MiB) * MiB, formatBytes);
    set('memorySizeBytes', Math.round((p.memorySizeBytes * f) / MiB) * MiB, formatBytes);
  };
  if (p.cpus > host.cpus) {
    if (explicit.has('cpus')) {
      notes.push({ what: 'cpus', from: String(p.cpus), to: String(p.cpus), why: `kept as asked, but the host has only ${host.cpus}: the quota will not bind` });
    } else {
      const f = host.cpus / p.cpus;
      notes.push({ what: 'cpus', from: String(p.cpus), to: String(host.cpus), why: `the host has ${host.cpus} CPUs` });
      p.cpus = host.cpus;
      scale(f, `keeps the reference's threads per CPU and memory ratios at ${host.cpus}/${preset.cpus} of its size`);
    }
  }
  if (p.limitBytes > host.memTotalBytes / 2 && !explicit.has('limitBytes')) {
    const f = host.memTotalBytes / 2 / p.limitBytes;
    scale(f, `the host has ${formatBytes(host.memTotalBytes)}; a limit above half of it could push the host itself into reclaim`);
  }
  return { params: p, notes };
}

/** Checks a run's parameters; throws UsageError with what to change. */
export function validateParams(p: ReproParams): void {
  const bad = (m: string): never => {
    throw new UsageError(m);
  };
  for (const k of ['fileThreads', 'memoryThreads'] as const) if (!Number.isInteger(p[k]) || p[k] < 1 || p[k] > 10000) bad(`--${k === 'fileThreads' ? 'file-threads' : 'memory-threads'} must be a whole number from 1 to 10000`);
  if (p.fileSizeBytes < 4096) bad('--file-size must be at least 4096 bytes (one page)');
  if (p.memorySizeBytes < 4096 * p.memoryThreads) bad('--memory-size must give each memory thread at least one page (4096 bytes)');
  if (!(p.cpus > 0) || p.cpus > 1024) bad('--cpus must be more than 0');
  if (p.durationMs <= p.delayMs) bad(`--duration (${p.durationMs / 1000}s) must be longer than --delay (${p.delayMs / 1000}s), or the second phase never starts`);
  const need = minStartBytes(p);
  if (p.limitBytes < need) {
    bad(`--limit ${formatBytes(p.limitBytes)} is below the ${formatBytes(need)} the workload needs to start (16 MiB + 64 KiB per thread for ${p.fileThreads + p.memoryThreads} threads): raise --limit or use fewer threads`);
  }
}
