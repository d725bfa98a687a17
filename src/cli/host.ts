import type { Command } from 'commander';

/** Registers `reclaimwatch host` (being built). */
export function registerHost(program: Command): void {
  program.command('host').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: host is not built yet\n');
    process.exitCode = 2;
  });
}
