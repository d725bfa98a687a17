import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonStreamParser, parseBpftraceJson } from './json-stream.js';

const REAL = [
  '{"type": "attached_probes", "data": {"probes": 4}}',
  '{"type": "printf", "data": "H\\t812\\t815\\t0\\t52000\\t1000\\tr_file\\n"}',
  '',
  '{"type": "map", "data": {"@c": {"1,sleep": 1, "0,ls": 914}}}',
  '{"type": "hist", "data": {"@h": [{"min": 0, "max": 0, "count": 287}, {"min": 2, "max": 3, "count": 2261}]}}',
  '{"type": "stats", "data": {"@st": {"count": 2183, "average": 17, "total": 38009}}}',
  '',
].join('\n');

void test('parseBpftraceJson() reads attached probes, printf records and maps of every kind', () => {
  const s = parseBpftraceJson(REAL);
  assert.equal(s.attachedProbes, 4);
  assert.deepEqual(s.printfs, ['H\t812\t815\t0\t52000\t1000\tr_file\n']);
  assert.deepEqual(s.maps.get('@c'), { '1,sleep': 1, '0,ls': 914 });
  assert.deepEqual(s.maps.get('@h'), [{ min: 0, max: 0, count: 287 }, { min: 2, max: 3, count: 2261 }]);
  assert.equal(s.truncated, false);
});

void test('createJsonStreamParser() joins records split across chunks', () => {
  const p = createJsonStreamParser();
  let n = 0;
  for (let i = 0; i < REAL.length; i += 7) n += p.push(REAL.slice(i, i + 7));
  const s = p.end();
  assert.equal(n, 5);
  assert.equal(s.records, 5);
  assert.equal(s.maps.size, 3);
});

void test('a later print of a map replaces the earlier one (progress prints, then the final maps)', () => {
  const s = parseBpftraceJson('{"type": "map", "data": {"@rw_events": 5}}\n{"type": "map", "data": {"@rw_events": 9}}\n');
  assert.equal(s.maps.get('@rw_events'), 9);
});

void test('output cut inside a record is marked truncated and the cut record dropped', () => {
  const s = parseBpftraceJson(`${REAL}{"type": "printf", "data": "H\\t1`);
  assert.equal(s.truncated, true);
  assert.equal(s.printfs.length, 1);
});

void test('lost events are summed, unknown record types and non-JSON lines do not break the stream', () => {
  const s = parseBpftraceJson('{"type": "lost_events", "data": {"events": 3}}\n{"type": "lost_events", "data": {"events": 4}}\n{"type": "something_new", "data": 1}\nAttaching 2 probes...\n');
  assert.equal(s.lostEvents, 7);
  assert.equal(s.records, 3);
  assert.deepEqual(s.badLines, ['Attaching 2 probes...']);
});

void test('printf records beyond the cap are counted, not kept', () => {
  const line = '{"type": "printf", "data": "x\\n"}\n';
  const s = parseBpftraceJson(line.repeat(5), 2);
  assert.equal(s.printfs.length, 2);
  assert.equal(s.printfsDropped, 3);
});
