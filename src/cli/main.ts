#!/usr/bin/env node
// reclaimwatch's entry point: takes the sampling commands' scheduling priority first (early-priority.ts imports
// nothing but node's own modules), then loads the command line. ES modules link their whole static import graph
// before any of it runs, so anything heavier imported here would load before the priority is taken.
import './early-priority.js';

await import('./program.js');
