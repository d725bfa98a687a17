// Test support (not exported): compiles and starts test/programs/parked-threads.c, a process whose threads
// are parked in known places, in a temporary directory that `stop()` removes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/programs/parked-threads.c');

/** A running parked-threads process. */
export interface ParkedProcess {
  pid: number;
  child: ChildProcess;
  /** Reads the busy thread's progress counter. */
  progress(): bigint;
  /** Kills the process and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Why the program cannot be built here, or undefined. */
export function parkedBuildBlocker(): string | undefined {
  const r = spawnSync('cc', ['--version'], { stdio: 'ignore' });
  return r.status === 0 ? undefined : 'no C compiler (cc): apt-get install build-essential';
}

/** Compiles (into a temp dir) and starts the program; resolves once every thread is parked. */
export async function startParked(): Promise<ParkedProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-parked-'));
  const bin = path.join(dir, 'parked-threads');
  const cc = spawnSync('cc', ['-O1', '-g', '-fno-omit-frame-pointer', '-pthread', '-o', bin, SOURCE], { encoding: 'utf8' });
  if (cc.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`cc failed: ${cc.stderr}`);
  }
  const progressFile = path.join(dir, 'progress');
  const child = spawn(bin, [progressFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`parked-threads exited ${String(c)}`)));
  });
  // Give the threads a moment to reach their futex/read waits.
  await new Promise((r) => setTimeout(r, 200));
  const fd = fs.openSync(progressFile, 'r');
  const buf = Buffer.alloc(8);
  return {
    pid: child.pid!,
    child,
    progress() {
      fs.readSync(fd, buf, 0, 8, 0);
      return buf.readBigUInt64LE(0);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
        await gone;
      }
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
