import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { UsageError } from '../kernel/errors.js';
import { durationOption, formatDurationMs, integerOption, parseDurationMs, parseInteger, parseLetters, parseNonEmpty, parsePositiveNumber, repeatableOption, textOption } from './options.js';

void test('parseDurationMs() reads 5s, 500ms, 2m, 1h and bare seconds the same way in every command', () => {
  assert.equal(parseDurationMs('5s'), 5000);
  assert.equal(parseDurationMs('5'), 5000);
  assert.equal(parseDurationMs('1.5'), 1500);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('7d'), 7 * 86_400_000);
  for (const bad of ['', '0', '0s', '-1', 'soon', '5 s', '5sec']) assert.throws(() => parseDurationMs(bad, '--window'), UsageError, bad);
});

void test('parseDurationMs() refuses values outside the range and names it in the same units', () => {
  assert.throws(() => parseDurationMs('500ms', '--window', { min: 1000, max: 3_600_000 }), /bad --window "500ms": give a value from 1s to 1h/);
  assert.equal(parseDurationMs('2h', 'x', { max: 7_200_000 }), 7_200_000);
  assert.equal(formatDurationMs(1500), '1.5s');
  assert.equal(formatDurationMs(250), '250ms');
});

void test('parseInteger() takes whole numbers in range only', () => {
  assert.equal(parseInteger('42', '--hz'), 42);
  assert.equal(parseInteger(' 7 ', '--hz'), 7);
  for (const bad of ['0', '-3', '1.5', 'abc', '', '1e3', '99999999999999999999']) assert.throws(() => parseInteger(bad, '--hz'), UsageError, bad);
  assert.equal(parseInteger('0', '--n', { min: 0 }), 0);
  assert.throws(() => parseInteger('11', '--n', { min: 1, max: 10 }), /give a whole number from 1 to 10/);
});

void test('parsePositiveNumber(), parseNonEmpty() and parseLetters() refuse what they cannot use', () => {
  assert.equal(parsePositiveNumber('0.5', '--cpus'), 0.5);
  assert.throws(() => parsePositiveNumber('0', '--cpus'), /greater than zero/);
  assert.throws(() => parseNonEmpty('', '--pod', 'a pod name'), /--pod needs a value: give a pod name/);
  assert.throws(() => parseNonEmpty('  ', '--pod', 'a pod name'), UsageError);
  const states = { R: 'running', D: 'uninterruptible' };
  assert.equal(parseLetters('RDR', '--states', states), 'RD');
  assert.throws(() => parseLetters('XYZ', '--states', states), /bad --states "XYZ": give letters from R \(running\), D \(uninterruptible\)/);
  assert.throws(() => parseLetters('', '--states', states), UsageError);
});

void test('options built from the parsers refuse a bad value while commander parses, and parse defaults alike', async () => {
  const seen: Record<string, unknown>[] = [];
  const program = new Command().exitOverride();
  program.command('x')
    .addOption(durationOption('--window <duration>', 'w', '5s', { min: 1000 }))
    .addOption(integerOption('--hz <n>', 'h', '99'))
    .addOption(textOption('--pod <name>', 'p', 'a pod name'))
    .addOption(repeatableOption('--pid <pid>', 'p', (t, w) => parseInteger(t, w)))
    .action((o: Record<string, unknown>) => void seen.push(o));
  await program.parseAsync(['node', 'rw', 'x', '--pid', '3', '--pid', '4']);
  assert.deepEqual(seen[0], { window: 5000, hz: 99, pid: [3, 4] });
  await program.parseAsync(['node', 'rw', 'x', '--window', '2m']);
  assert.equal(seen[1]!['window'], 120_000);
  await assert.rejects(program.parseAsync(['node', 'rw', 'x', '--pod', '']), /--pod needs a value/);
  await assert.rejects(program.parseAsync(['node', 'rw', 'x', '--window', 'soon']), UsageError);
  assert.equal(seen.length, 2, 'the action never ran with a bad value');
});
