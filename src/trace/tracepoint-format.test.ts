import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTracepointFormat } from './tracepoint-format.js';

// Real formats: mmap_lock_acquire_returned on 6.18 (memcg_id) and on 5.15 (memcg_path as a __data_loc string).
const V618 = `name: mmap_lock_acquire_returned
ID: 512
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:struct mm_struct * mm;	offset:8;	size:8;	signed:0;
	field:u64 memcg_id;	offset:16;	size:8;	signed:0;
	field:bool write;	offset:24;	size:1;	signed:0;
	field:bool success;	offset:25;	size:1;	signed:0;

print fmt: "mm=%p memcg_id=%llu write=%s success=%s", REC->mm, REC->memcg_id, REC->write ? "true" : "false", REC->success ? "true" : "false"
`;
const V515 = `format:
	field:struct mm_struct * mm;	offset:8;	size:8;	signed:0;
	field:__data_loc char[] memcg_path;	offset:16;	size:4;	signed:1;
	field:bool write;	offset:20;	size:1;	signed:0;
	field:char prev_comm[16];	offset:24;	size:16;	signed:0;
`;

void test('parseTracepointFormat() lists the non-common fields with their types', () => {
  assert.deepEqual(parseTracepointFormat(V618), [
    { name: 'mm', type: 'struct mm_struct *' }, { name: 'memcg_id', type: 'u64' }, { name: 'write', type: 'bool' }, { name: 'success', type: 'bool' },
  ]);
});

void test('parseTracepointFormat() handles __data_loc strings and arrays of older kernels', () => {
  const f = parseTracepointFormat(V515);
  assert.deepEqual(f.map((x) => x.name), ['mm', 'memcg_path', 'write', 'prev_comm']);
  assert.equal(f[3]?.type, 'char[16]');
});
