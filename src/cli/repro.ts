import type { Command } from 'commander';

/** Registers `reclaimwatch repro` (not built yet: see its issue). */
export function registerRepro(program: Command): void {
  program.command('repro').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: repro is not built yet\n');
    process.exitCode = 2;
  });
}
