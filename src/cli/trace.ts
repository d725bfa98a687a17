import type { Command } from 'commander';

/** Registers `reclaimwatch trace` (not built yet: see its issue). */
export function registerTrace(program: Command): void {
  program.command('trace').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: trace is not built yet\n');
    process.exitCode = 2;
  });
}
