// Runs the built CLI (dist/, made by `npm test` before the tests) as a child, as a user would.
import { spawn } from 'node:child_process';
import path from 'node:path';

/** The result of one CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Path of the built CLI entry point. */
export const CLI = path.resolve('dist/cli/main.js');

/** Runs `reclaimwatch ARGS`, optionally through a wrapper (e.g. setpriv to drop root) and from another install (`cli`, see readable-install.ts). */
export function runCli(args: string[], opts: { wrapper?: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv; cli?: string } = {}): Promise<CliRun> {
  const started = performance.now();
  const argv = [...(opts.wrapper ?? []), process.execPath, opts.cli ?? CLI, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}
