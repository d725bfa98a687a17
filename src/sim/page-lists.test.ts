import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NIL, PageLists } from './page-lists.js';

void test('PageLists keeps every page on exactly one list under any sequence of adds, moves and removes', () => {
  const op = fc.record({ kind: fc.constantFrom('add', 'move', 'remove'), page: fc.nat(49), list: fc.integer({ min: 1, max: 4 }) });
  fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
    const l = new PageLists(50, 5);
    const model = new Map<number, number>();
    for (const o of ops) {
      if (o.kind === 'add') {
        if (l.listOf[o.page] !== 0) continue;
        l.addHead(o.list, o.page);
        model.set(o.page, o.list);
      } else if (o.kind === 'move') {
        l.moveHead(o.list, o.page);
        model.set(o.page, o.list);
      } else {
        l.remove(o.page);
        model.delete(o.page);
      }
    }
    assert.equal(l.check(), undefined);
    for (let p = 0; p < 50; p++) assert.equal(l.listOf[p], model.get(p) ?? 0);
    let total = 0;
    for (let i = 1; i < 5; i++) total += l.sizes[i]!;
    assert.equal(total, model.size);
  }));
});

void test('PageLists adds at the head and scans from the tail', () => {
  const l = new PageLists(4, 2);
  l.addHead(1, 0);
  l.addHead(1, 1);
  l.addHead(1, 2);
  assert.equal(l.tail(1), 0);
  assert.equal(l.head(1), 2);
  l.moveHead(1, 0);
  assert.equal(l.tail(1), 1);
  assert.equal(l.older(2), 1);
  assert.equal(l.older(1), NIL);
});
