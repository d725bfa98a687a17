import type { Command } from 'commander';

/** Registers `reclaimwatch stacks` (not built yet: see its issue). */
export function registerStacks(program: Command): void {
  program.command('stacks').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: stacks is not built yet\n');
    process.exitCode = 2;
  });
}
