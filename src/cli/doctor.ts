import type { Command } from 'commander';

/** Registers `reclaimwatch doctor` (being built). */
export function registerDoctor(program: Command): void {
  program.command('doctor').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: doctor is not built yet\n');
    process.exitCode = 2;
  });
}
