import type { Command } from 'commander';

/** Registers `reclaimwatch lab` (not built yet: see its issue). */
export function registerLab(program: Command): void {
  program.command('lab').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: lab is not built yet\n');
    process.exitCode = 2;
  });
}
