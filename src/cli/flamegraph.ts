import type { Command } from 'commander';

/** Registers `reclaimwatch flamegraph` (not built yet: see its issue). */
export function registerFlamegraph(program: Command): void {
  program.command('flamegraph').description('(not built yet)').allowUnknownOption().action(() => {
    process.stderr.write('reclaimwatch: flamegraph is not built yet\n');
    process.exitCode = 2;
  });
}
