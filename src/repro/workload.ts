// Starts the native workload (native/repro_workload.c, built by `npm install` through node-gyp) and
// streams its progress lines. It joins the run's cgroups itself before doing anything, dies with
// reclaimwatch (PR_SET_PDEATHSIG), and stops on its own after --duration-ms.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ToolMissingError } from '../kernel/errors.js';
import { NATIVE_BUILD_DIR } from '../native/native-parts.js';
import { type ProgressLine, parseProgressLine } from './progress-line.js';
import type { ReproParams } from './params.js';

/** Where `npm install` puts the workload (node-gyp's output directory of this package). */
export function defaultWorkloadPath(): string {
  return path.join(NATIVE_BUILD_DIR, 'repro_workload');
}

/** Checks that the workload exists and is executable; throws ToolMissingError saying how to build it. */
export function findWorkload(given?: string): string {
  const file = given ?? defaultWorkloadPath();
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch (err) {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    throw new ToolMissingError('repro_workload', `the repro workload ${file} is not built: it is compiled at install time and needs a C compiler and make (Debian: apt-get install -y build-essential python3); then run \`npm run build\` in ${root}`, { cause: err });
  }
}

/** How the workload ended. */
export interface WorkloadExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Its last words on stderr (at most 4 KiB). */
  stderr: string;
}

/** A running workload. */
export interface WorkloadHandle {
  pid: number;
  /** The latest progress line (undefined before the first). */
  latest(): ProgressLine | undefined;
  exited: Promise<WorkloadExit>;
  kill(signal: NodeJS.Signals): void;
}

/** The workload's arguments for a run. */
export function workloadArgs(p: ReproParams, dir: string, procsFiles: readonly string[]): string[] {
  return [
    '--dir', dir,
    '--file-threads', String(p.fileThreads), '--file-size', String(p.fileSizeBytes),
    '--memory-threads', String(p.memoryThreads), '--memory-size', String(p.memorySizeBytes),
    '--delay-ms', String(Math.round(p.delayMs)), '--duration-ms', String(Math.round(p.durationMs)), '--window-ms', String(Math.round(p.windowMs)),
    ...procsFiles.flatMap((f) => ['--join', f]),
  ];
}

/** Spawns the workload in its own process group (a terminal's Ctrl-C reaches reclaimwatch, which stops it). */
export function startWorkload(bin: string, args: string[], onLine?: (line: ProgressLine) => void): Promise<WorkloadHandle> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let latest: ProgressLine | undefined;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4096);
    });
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      const p = parseProgressLine(l);
      if (p) {
        latest = p;
        onLine?.(p);
      }
    });
    const exited = new Promise<WorkloadExit>((res) => {
      child.on('close', (code, signal) => res({ code, signal, stderr: stderr.trim() }));
    });
    child.once('error', (err) => reject(new ToolMissingError('repro_workload', `cannot start the repro workload ${bin}: ${err.message}`, { cause: err })));
    child.once('spawn', () => {
      resolve({
        pid: child.pid!,
        latest: () => latest,
        exited,
        kill(signal) {
          try {
            process.kill(child.pid!, signal);
          } catch {
            /* already gone */
          }
        },
      });
    });
  });
}
