// Imported first by main.ts, before commander and the command modules load: the long-running sampling commands
// take their scheduling priority before spending CPU on start-up, which beside a CPU-saturating cgroup took
// seconds at nice 0. Other commands (and `repro`, whose workload must run at the priority it was given) are
// left as they are.
import { raiseSchedulingPriority } from '../sample/priority.js';

if (['doctor', 'agent', 'check'].includes(process.argv[2] ?? '')) raiseSchedulingPriority();
