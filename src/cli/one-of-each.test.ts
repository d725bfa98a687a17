// The CLI has one helper per concern (CONVENTIONS 21): signals in interrupt.ts, option values in options.ts,
// paths in output-path.ts, exit statuses in src/detect/exit-status.ts. This test keeps a command from growing
// its own copy, and checks that every command's --help states the one exit-status rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EXIT_STATUS_HELP } from '../detect/exit-status.js';

const dir = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(dir, '../..');
const commands = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !['interrupt.ts', 'options.ts', 'output-path.ts', 'common.ts'].includes(f));

void test('no command handles signals, parses numbers or durations, or writes files on its own', () => {
  const own: string[] = [];
  for (const f of commands) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    if (/process\.(on|once|addListener)\(\s*'SIG/.test(text)) own.push(`${f}: its own signal handler (use withInterrupt)`);
    if (/\/\^\\d\+\$\//.test(text) || /Number\(o(pts)?\.\w+\)/.test(text)) own.push(`${f}: its own number parsing (use options.ts)`);
    if (/fs\.writeFileSync\(/.test(text)) own.push(`${f}: writes a file without the path check (use writeOutputFile)`);
  }
  assert.deepEqual(own, []);
});

void test('doctor, stacks, trace and flamegraph end their --help with the one exit-status rule', () => {
  for (const c of ['doctor', 'stacks', 'trace', 'flamegraph']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', c, '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.replace(/\s+/g, ' ').includes(EXIT_STATUS_HELP), `${c} --help states the exit statuses`);
  }
});
