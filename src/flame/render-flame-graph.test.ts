import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { FlameTree } from './flame-tree.js';
import { readFoldedStream } from './folded-stream.js';
import { renderFlameGraph } from './render-flame-graph.js';
import { dumpFlameTree as dump } from '../test-support/flame-dump.js';
import { expectGolden } from '../test-support/golden.js';

const fixtures = new URL('../../test/fixtures/flame/', import.meta.url);

async function treeOf(chunks: (string | Buffer)[], reverse = false): Promise<{ tree: FlameTree; summary: Awaited<ReturnType<typeof readFoldedStream>> }> {
  const tree = new FlameTree();
  const summary = await readFoldedStream(Readable.from(chunks), tree, { reverse });
  return { tree, summary };
}

void test('readFoldedStream() merges stacks into a prefix tree with kernel frames classified', async () => {
  const { tree, summary } = await treeOf(['a;b;c 3\na;b;d 2\n', 'a;write;entry_SYSCALL_64;vfs_write 1\nq;w_[k] 4\nq;w 1']);
  assert.equal(summary.stacks, 5);
  assert.equal(tree.total, 11);
  assert.deepEqual(dump(tree), [
    ';a 6', ';a;b 5', ';a;b;c 3', ';a;b;d 2', ';a;write 1', ';a;write;k:entry_SYSCALL_64 1', ';a;write;k:entry_SYSCALL_64;k:vfs_write 1',
    ';q 5', ';q;w 1', ';q;k:w 4',
  ]);
});

void test('readFoldedStream() reports malformed lines with their numbers and keeps going', async () => {
  const { tree, summary } = await treeOf(['a;b 1\nno count here\n\na;b 2 3\n', `${'x'.repeat(50)}`, '\na;c 1\n']);
  assert.deepEqual(summary.problems.map((p) => p.line), [2, 4, 5]);
  assert.match(summary.problems[0]!.message, /bad sample count "here"/);
  assert.match(summary.problems[1]!.message, /differential/);
  assert.equal(summary.problemCount, 3);
  assert.equal(tree.total, 2);
});

void test('readFoldedStream() skips an overlong line without holding it', async () => {
  const tree = new FlameTree();
  const s = await readFoldedStream(Readable.from(['a 1\n', 'y'.repeat(700), 'y'.repeat(700), ' 5\nb 2\n']), tree, { maxLineBytes: 1000 });
  assert.equal(s.problemCount, 1);
  assert.match(s.problems[0]!.message, /longer than 1000 bytes/);
  assert.equal(s.problems[0]!.line, 2);
  assert.equal(tree.total, 3);
});

void test('readFoldedStream() gives the same tree however the input is cut into chunks (UTF-8 included)', async () => {
  const text = 'a;b;ünïcødé 3\na;b;c 2\r\nk;entry_SYSCALL_64;x 1\n\nbad\na;b 1.5\nz;y_[k] 2\n';
  const whole = dump((await treeOf([text])).tree);
  const bytes = Buffer.from(text);
  await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }), async (cuts) => {
    const sorted = [0, ...cuts.sort((x, y) => x - y), bytes.length];
    const chunks = sorted.slice(1).map((end, i) => bytes.subarray(sorted[i], end));
    const { tree, summary } = await treeOf(chunks);
    assert.deepEqual(dump(tree), whole);
    assert.deepEqual(summary.problems.map((p) => p.line), [5]);
  }), { numRuns: 60 });
});

void test('--reverse merges leaf frames at the root', async () => {
  const { tree } = await treeOf(['main;f;shrink_lruvec_[k] 3\nmain;g;shrink_lruvec_[k] 2\nmain;g 1\n'], true);
  assert.deepEqual(dump(tree), [';g 1', ';g;main 1', ';k:shrink_lruvec 5', ';k:shrink_lruvec;f 3', ';k:shrink_lruvec;f;main 3', ';k:shrink_lruvec;g 2', ';k:shrink_lruvec;g;main 2']);
});

for (const [name, reverse] of [['small.svg', false], ['small-reversed.svg', true]] as const) {
  void test(`renderFlameGraph() output matches the golden ${name} (RECLAIMWATCH_UPDATE_GOLDEN=1 rewrites it)`, async () => {
    const r = await renderFlameGraph(fs.createReadStream(new URL('small.folded', fixtures)), { title: 'small', reverse });
    const golden = new URL(name, fixtures);
    expectGolden(golden, r.svg);
    assert.equal(r.input.stacks, 6);
    assert.match(r.svg, /data-name="a &lt;weird&gt; &amp; &quot;quoted&quot; &apos;name&apos;"/);
    assert.match(r.svg, /<g class="f k" data-k="1" data-name="shrink_lruvec">/);
  });
}

void test('renderFlameGraph() draws an empty input as a valid SVG that says so', async () => {
  const r = await renderFlameGraph(Readable.from(['\n']));
  assert.match(r.svg, /no stacks in the input/);
  assert.match(r.svg, /<\/svg>\n$/);
});
