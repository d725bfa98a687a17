#!/usr/bin/env node
// reclaimwatch: the CLI is a thin shell; each command lives in its own file beside this one.
import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './common.js';
import { registerDoctor } from './doctor.js';
import { registerHost } from './host.js';
import { registerTrace } from './trace.js';
import { registerStacks } from './stacks.js';
import { registerFlamegraph } from './flamegraph.js';
import { registerRepro } from './repro.js';
import { registerLab } from './lab.js';

const program = new Command('reclaimwatch')
  .description("Finds where a container's CPU went when the Linux kernel eats it: reclaim livelocks, mmap_lock stalls, progress collapse.")
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerDoctor(program);
registerHost(program);
registerTrace(program);
registerStacks(program);
registerFlamegraph(program);
registerRepro(program);
registerLab(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exitCode = EXIT.ok;
    else process.exitCode = EXIT.usage;
  } else {
    process.exitCode = reportError(err);
  }
}
// Every command has awaited its work by now. Exit explicitly so that a child abandoned in the kernel (a probe
// stuck in D state, a bpftrace that ignored SIGINT) can never hold reclaimwatch open; the exit hook in
// src/probe/run-with-deadline.ts SIGKILLs whatever is left. stdout/stderr are synchronous for files and pipes on Linux.
process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
