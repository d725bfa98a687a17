// reclaimwatch's command line: a thin shell; each command lives in its own file beside this one. Loaded by
// main.ts after the scheduling priority is taken.
import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './common.js';

// Each command's module (and the capability behind it) is loaded only when that command runs: loading all of
// them costs ~0.15 s of CPU at every start, which matters to `doctor`'s "window plus one second".
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  host: async () => (await import('./host.js')).registerHost,
  trace: async () => (await import('./trace.js')).registerTrace,
  stacks: async () => (await import('./stacks.js')).registerStacks,
  flamegraph: async () => (await import('./flamegraph.js')).registerFlamegraph,
  repro: async () => (await import('./repro.js')).registerRepro,
  lab: async () => (await import('./lab.js')).registerLab,
  sim: async () => (await import('./sim.js')).registerSim,
  check: async () => (await import('./check.js')).registerCheck,
  agent: async () => (await import('./agent.js')).registerAgent,
  history: async () => (await import('./history.js')).registerHistory,
  evidence: async () => (await import('./evidence.js')).registerEvidence,
};

const program = new Command('reclaimwatch')
  .description("Finds where a container's CPU went when the Linux kernel eats it: reclaim livelocks, mmap_lock stalls, progress collapse.")
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const asked = process.argv[2];
const wanted = asked !== undefined && asked in COMMANDS ? [asked] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]!())(program);

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
