#!/usr/bin/env node
// Builds the native parts (binding.gyp) with node-gyp, the toolchain npm already uses for native code.
// A missing compiler is not fatal: reclaimwatch still installs and works, with pure-JS fallbacks, and
// `repro` says it needs the workload. Set RECLAIMWATCH_REQUIRE_NATIVE=1 to make a failed build fatal (CI).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!fs.existsSync(path.join(root, 'binding.gyp'))) process.exit(0);
const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  // npm ships its own node-gyp on the PATH of lifecycle scripts.
  gyp = undefined;
}
// Outside npm (which passes its nodedir setting), point node-gyp at the headers installed with this node,
// so that an offline build does not try to download them (and fail after cleaning build/).
const extra = [];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include/node/node_api.h'))) extra.push(`--nodedir=${prefix}`);
const cmd = gyp ? [process.execPath, [gyp, 'rebuild', ...extra]] : ['node-gyp', ['rebuild', ...extra]];
const r = spawnSync(cmd[0], cmd[1], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  const msg = [
    '',
    'reclaimwatch: the native parts did not build (' + (r.error ? r.error.message : `node-gyp exited ${r.status}`) + ').',
    '  reclaimwatch still works: sampling falls back to pure JavaScript (slower on hosts with many threads)',
    '  and `reclaimwatch repro` will say it needs its workload.',
    '  To build them: install a C compiler and make (Debian: apt-get install -y build-essential python3),',
    '  then run `npm run build` in this folder.',
    '',
  ].join('\n');
  console.warn(msg);
  process.exit(process.env.RECLAIMWATCH_REQUIRE_NATIVE === '1' ? 1 : 0);
}
