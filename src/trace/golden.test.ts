// Golden tests: REAL bpftrace -f json output captured on a live machine (test/fixtures/bpftrace/capture.ts)
// is parsed and interpreted, and the typed result and its terminal rendering are compared to reviewed files.
// Regenerate with RECLAIMWATCH_UPDATE_GOLDEN=1 (the one switch of every golden test) and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseBpftraceJson } from './json-stream.js';
import { findProgram } from './programs/all-programs.js';
import type { ProgramContext } from './program.js';
import { expectGolden } from '../test-support/golden.js';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../test/fixtures/bpftrace');

interface Meta {
  program: string;
  how: 'complete' | 'sigint' | 'sigkill';
  options: { durationMs: number; thresholdUs?: number; stackThresholdUs?: number; syscall?: string; hz?: number };
  argsAccess: '->' | '.';
  kprobes: boolean;
  fields: Record<string, string[]>;
}

/** Rebuilds the context the capture ran with (fields of the kernel it ran on, no live machine needed). */
function contextOf(meta: Meta, defaultsThresholdUs: number): ProgramContext {
  const ctx: ProgramContext = {
    argsAccess: meta.argsAccess, predicate: 'cgroup == 1',
    fields: (tp) => (meta.fields[tp] ? new Set(meta.fields[tp]) : undefined),
    kprobes: meta.kprobes, traceableFunction: () => true,
    durationMs: meta.options.durationMs,
    thresholdUs: meta.options.thresholdUs ?? defaultsThresholdUs,
    stackThresholdUs: meta.options.stackThresholdUs ?? 1_000_000,
    hz: meta.options.hz ?? 99,
  };
  if (meta.options.syscall) ctx.syscall = meta.options.syscall;
  return ctx;
}

function checkGolden(file: string, actual: string): void {
  expectGolden(path.join(dir, file), actual);
}

const names = fs.readdirSync(dir).filter((f) => f.endsWith('.meta.json')).map((f) => f.slice(0, -'.meta.json'.length)).sort();

void test('there are captured bpftrace outputs for every program, and interrupted ones', () => {
  const programs = new Set(names.map((n) => (JSON.parse(fs.readFileSync(path.join(dir, `${n}.meta.json`), 'utf8')) as Meta).program));
  for (const p of ['syscall-latency', 'memcg-reclaim', 'direct-reclaim', 'mmap-lock', 'profile-under-lock', 'hold-stats']) assert.ok(programs.has(p), p);
  assert.ok(names.some((n) => n.endsWith('-sigint')) && names.some((n) => n.endsWith('-sigkill')));
});

for (const name of names) {
  void test(`golden: ${name} parses and interprets to the reviewed result`, () => {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.meta.json`), 'utf8')) as Meta;
    const program = findProgram(meta.program);
    assert.ok(program, meta.program);
    const stream = parseBpftraceJson(fs.readFileSync(path.join(dir, `${name}.stdout.jsonl`), 'utf8'));
    assert.ok(stream.attachedProbes !== undefined && stream.attachedProbes > 0, 'bpftrace attached probes');
    assert.equal(stream.badLines.length, 0);
    const result = program.interpret(stream, contextOf(meta, program.defaults.thresholdUs));
    checkGolden(`${name}.golden.json`, `${JSON.stringify(result, null, 2)}\n`);
    checkGolden(`${name}.golden.txt`, program.renderText(result) + (program.folded ? `\n--- folded ---\n${program.folded(result)}` : ''));
  });
}

void test('an interrupted (SIGINT) run still has its maps: totals and histograms are there', () => {
  const stream = parseBpftraceJson(fs.readFileSync(path.join(dir, 'memcg-reclaim-sigint.stdout.jsonl'), 'utf8'));
  const r = findProgram('memcg-reclaim')?.interpret(stream, contextOf(JSON.parse(fs.readFileSync(path.join(dir, 'memcg-reclaim-sigint.meta.json'), 'utf8')) as Meta, 0)) as { calls: number; durationUs: unknown[] };
  assert.ok(r.calls > 0);
  assert.ok(r.durationUs.length > 0);
});

void test('a killed (SIGKILL) run keeps its listed events but has no maps, and a cut last line is reported as truncated', () => {
  const text = fs.readFileSync(path.join(dir, 'memcg-reclaim-sigkill.stdout.jsonl'), 'utf8');
  const stream = parseBpftraceJson(text);
  assert.ok(stream.printfs.length > 0);
  assert.equal(stream.maps.has('@calls'), false);
  const r = findProgram('memcg-reclaim')?.interpret(stream, contextOf(JSON.parse(fs.readFileSync(path.join(dir, 'memcg-reclaim-sigkill.meta.json'), 'utf8')) as Meta, 0)) as { calls: number; listedCalls: number; slowestThreads: unknown[] };
  assert.equal(r.calls, 0);
  assert.equal(r.listedCalls, stream.printfs.filter((l) => l.startsWith('R\t')).length);
  assert.ok(r.slowestThreads.length > 0);
  // Cut the real output in the middle of its last record.
  const cut = parseBpftraceJson(text.slice(0, text.trimEnd().length - 10));
  assert.equal(cut.truncated, true);
  assert.equal(cut.printfs.length, stream.printfs.length - 1);
});
