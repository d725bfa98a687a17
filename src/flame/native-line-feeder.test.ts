// The native builder against the pure-JS parser: same nodes, same counts, same problems, same SVG, on
// hand-picked edge cases, on random inputs cut into random chunks, and on an input large enough to grow
// every table. In CI (RECLAIMWATCH_REQUIRE_LIVE=1) a missing native build is a failure.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { cannotRunHere } from '../test-support/live.js';
import { dumpFlameTree as dump } from '../test-support/flame-dump.js';
import { FlameTree } from './flame-tree.js';
import { type FlameEngine, readFoldedStream } from './folded-stream.js';
import { loadNativeFlame } from './native-flame.js';
import { renderFlameGraph } from './render-flame-graph.js';

const fixtures = new URL('../../test/fixtures/flame/', import.meta.url);

function nativeMissing(t: TestContext): boolean {
  if (loadNativeFlame() !== undefined) return false;
  cannotRunHere(t, 'the native flame builder is not built (npm run build) or RECLAIMWATCH_NO_NATIVE=1 is set');
  return true;
}

async function both(chunks: Buffer[], reverse: boolean): Promise<Record<FlameEngine, { tree: FlameTree; summary: Awaited<ReturnType<typeof readFoldedStream>> }>> {
  const out = {} as Record<FlameEngine, { tree: FlameTree; summary: Awaited<ReturnType<typeof readFoldedStream>> }>;
  for (const engine of ['native', 'js'] as const) {
    const tree = new FlameTree();
    const summary = await readFoldedStream(Readable.from(chunks), tree, { reverse, engine, maxLineBytes: 4096 });
    assert.equal(summary.engine, engine);
    out[engine] = { tree, summary };
  }
  return out;
}

const EDGE = [
  'a;b;c 3', 'a;b;d 2', '', '   ', 'x;y 1\r', 'a;;b;;;c 4', ';;a 1', 'a; b ;c 2', 'tab;sep\t7', 'a;b   5',
  'k;entry_SYSCALL_64_after_hwframe;do_syscall_64;vfs_read 9', 'q;w_[k];e 4', '_[k] 1', 'x_[k];x 2',
  `${'L'.repeat(63)};${'M'.repeat(64)};${'N'.repeat(65)};${'O'.repeat(200)} 3`, 's;t;u 1.25', 'big 123456789012345678901',
  'ünïcødé;名前 2', Buffer.from([0x61, 0x3b, 0xff, 0xfe, 0x20, 0x31]).toString('latin1'),
  // rejected by the fast path, reported or accepted by the slow one
  'no count here', 'a;b 2 3', 'a;b 1.', 'a;b 1.2.3', 'a;b -4', ';;; 5', '7', 'a 1e3',
  `${'z;'.repeat(3000)}z 1`, 'last;line;without;newline 6',
];

void test('native and pure-JS parsers build the same tree and report the same problems (edge cases, both directions)', async (t) => {
  if (nativeMissing(t)) return;
  const bytes = Buffer.from(EDGE.join('\n'), 'latin1');
  for (const reverse of [false, true]) {
    const r = await both([bytes], reverse);
    assert.deepEqual(r.native.summary, { ...r.js.summary, engine: 'native' });
    assert.deepEqual(dump(r.native.tree), dump(r.js.tree));
    assert.equal(r.native.tree.nodeCount, r.js.tree.nodeCount);
    assert.ok(r.native.summary.problemCount >= 7, `problems: ${JSON.stringify(r.native.summary.problems)}`);
  }
});

void test('native and pure-JS parsers agree on random folded input cut into random chunks', async (t) => {
  if (nativeMissing(t)) return;
  const frame = fc.oneof(
    fc.constantFrom('main', 'start_thread', 'do_syscall_64', 'entry_SYSCALL_64', 'asm_exc_page_fault', 'shrink_lruvec_[k]', 'a', 'bb', 'x y', 'ü', ''),
    fc.string({ minLength: 1, maxLength: 90 }).map((s) => s.replace(/[;\n]/g, '_')),
  );
  const line = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.array(frame, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom(' ', '\t', '  ', ' \r')).map(([fs_, n, sep]) => `${fs_.join(';')}${sep.trimEnd() === '' ? sep : ' '}${n}${sep.endsWith('\r') ? '\r' : ''}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, ' ')) },
  );
  await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (lines, cutsRaw, reverse) => {
    const bytes = Buffer.from(lines.join('\n'));
    const cuts = [...new Set(cutsRaw.map((c) => (bytes.length > 1 ? 1 + (c % (bytes.length - 1)) : 0)).filter((c) => c > 0))].sort((x, y) => x - y);
    const edges = [0, ...cuts, bytes.length];
    // Copies, so that no chunk has readable bytes past its end.
    const chunks = edges.slice(1).map((end, i) => Buffer.from(bytes.subarray(edges[i], end)));
    const r = await both(chunks, reverse);
    assert.deepEqual(r.native.summary, { ...r.js.summary, engine: 'native' });
    assert.deepEqual(dump(r.native.tree), dump(r.js.tree));
  }), { numRuns: 150 });
});

void test('native and pure-JS SVGs are byte-identical on the golden fixture and on a large input that grows every table', async (t) => {
  if (nativeMissing(t)) return;
  // 12,000 deep stacks from a fixed call graph: over 50,000 nodes, so the child table and node arrays grow.
  const lines: string[] = [];
  let s = 12345;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  for (let i = 0; i < 12_000; i++) {
    const f = [`comm${rnd(4)}`, 'start_thread'];
    for (let d = 0, depth = 4 + rnd(12); d < depth; d++) f.push(`fn_${rnd(40)}${d % 3 === 0 ? '_[k]' : ''}`);
    lines.push(`${f.join(';')} ${1 + rnd(30)}`);
  }
  const big = Buffer.from(`${lines.join('\n')}\n`);
  const small = fs.readFileSync(new URL('small.folded', fixtures));
  for (const [input, reverse] of [[small, false], [small, true], [big, false], [big, true]] as const) {
    const nat = await renderFlameGraph(Readable.from([input]), { title: 't', reverse, engine: 'native' });
    const js = await renderFlameGraph(Readable.from([input]), { title: 't', reverse, engine: 'js' });
    assert.equal(nat.input.engine, 'native');
    assert.equal(js.input.engine, 'js');
    assert.equal(nat.nodes, js.nodes);
    assert.equal(nat.svg, js.svg);
    if (input === big) assert.ok(nat.nodes > 50_000, `nodes ${nat.nodes}`);
  }
  // Beyond the drawn frames: every node, its frame, its total and its children, node by node.
  const trees: FlameTree[] = [];
  for (const engine of ['native', 'js'] as const) {
    const tree = new FlameTree();
    await readFoldedStream(Readable.from([big]), tree, { engine });
    trees.push(tree);
  }
  const [a, b] = trees as [FlameTree, FlameTree];
  assert.equal(a.nodeCount, b.nodeCount);
  let differ = 0;
  for (let n = 0; n < a.nodeCount; n++) {
    if (a.valueOf(n) !== b.valueOf(n) || a.children(n).join() !== b.children(n).join()) differ++;
    else if (n > 0 && (a.frame(n).name !== b.frame(n).name || a.frame(n).kernel !== b.frame(n).kernel)) differ++;
  }
  assert.equal(differ, 0);
  const golden = fs.readFileSync(new URL('small.svg', fixtures), 'utf8');
  assert.equal((await renderFlameGraph(Readable.from([small]), { title: 'small', engine: 'native' })).svg, golden);
});

void test('a tree built natively takes more stacks afterwards', async (t) => {
  if (nativeMissing(t)) return;
  const tree = new FlameTree();
  await readFoldedStream(Readable.from(['a;b 2\na;c 1\n']), tree, { engine: 'native' });
  tree.add(['a', 'b', 'd'], [false, false, true], 4);
  tree.add(['a', 'c'], [false, false], 1);
  assert.deepEqual(dump(tree), [';a 8', ';a;b 6', ';a;b;k:d 4', ';a;c 2']);
});

void test('engine "native" says how to get it when it is missing', async () => {
  const saved = process.env['RECLAIMWATCH_NO_NATIVE'];
  process.env['RECLAIMWATCH_NO_NATIVE'] = '1';
  try {
    await assert.rejects(readFoldedStream(Readable.from(['a 1\n']), new FlameTree(), { engine: 'native' }), /npm run build/);
    const s = await readFoldedStream(Readable.from(['a 1\n']), new FlameTree());
    assert.equal(s.engine, 'js');
  } finally {
    if (saved === undefined) delete process.env['RECLAIMWATCH_NO_NATIVE'];
    else process.env['RECLAIMWATCH_NO_NATIVE'] = saved;
  }
});

void test('a file stream is read into one reused buffer, and lines split across refills come out whole', async () => {
  const file = new URL('small.folded', fixtures);
  const refTree = new FlameTree();
  const ref = await readFoldedStream(Readable.from([fs.readFileSync(file)]), refTree, { engine: 'js' });
  const engines: FlameEngine[] = loadNativeFlame() ? ['js', 'native'] : ['js'];
  for (const engine of engines) {
    for (const chunkBytes of [7, 64, 1 << 20]) {
      const tree = new FlameTree();
      const summary = await readFoldedStream(fs.createReadStream(file), tree, { chunkBytes, engine });
      assert.deepEqual(summary, { ...ref, engine }, `${engine}, chunkBytes ${chunkBytes}`);
      assert.deepEqual(dump(tree), dump(refTree), `${engine}, chunkBytes ${chunkBytes}`);
    }
  }
});
