// Edge cases of the small /proc parsers, as inline strings copied from real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePidStatus } from './pid-status.js';
import { parsePidIo } from './pid-io.js';
import { parsePressure } from './pressure.js';
import { parseProcStat } from './stat.js';
import { parseMeminfo } from './meminfo.js';
import { parsePidCgroup } from './pid-cgroup.js';
import { parseKernelStack } from './pid-kstack.js';
import { parseVmstat } from './vmstat.js';
import { ParseError } from '../errors.js';

test('parsePidStatus() converts kB to bytes and keeps unknown keys raw', () => {
  const s = parsePidStatus('Name:\tpostgres\nState:\tD (disk sleep)\nTgid:\t77\nUid:\t999\t999\t999\t999\nVmRSS:\t   2048 kB\nThreads:\t12\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\nFuture:\tx\n');
  assert.deepEqual([s.name, s.state, s.tgid, s.uid, s.vmRssBytes, s.threads, s.voluntaryCtxtSwitches, s.nonvoluntaryCtxtSwitches], ['postgres', 'D', 77, 999, 2097152, 12, 5, 6]);
  assert.equal(s.raw['Future'], 'x');
  assert.equal(parsePidStatus('').threads, undefined);
});

test('parsePidIo() reads every counter and leaves missing ones at 0', () => {
  const io = parsePidIo('rchar: 323934931\nwchar: 323929600\nsyscr: 632687\nsyscw: 632675\nread_bytes: 4096\nwrite_bytes: 323932160\ncancelled_write_bytes: 0\n');
  assert.equal(io.rcharBytes, 323934931);
  assert.equal(io.syscw, 632675);
  assert.equal(io.readBytes, 4096);
  assert.equal(parsePidIo('rchar: 5\n').writeBytes, 0);
});

test('parsePressure() reads some and full, and full is optional', () => {
  const p = parsePressure('some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\nfull avg10=0.10 avg60=0.00 avg300=0.00 total=789\n');
  assert.equal(p.some.avg10, 1.5);
  assert.equal(p.some.totalUs, 123456);
  assert.equal(p.full?.totalUs, 789);
  assert.equal(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n').full, undefined);
});

test('parsePressure() throws ParseError without a some line or with a bad number', () => {
  assert.throws(() => parsePressure(''), ParseError);
  assert.throws(() => parsePressure('some avg10=x avg60=0 avg300=0 total=0'), (e: unknown) => e instanceof ParseError && e.field === 'some avg10');
});

test('parseProcStat() sums CPUs and reads scheduler counters', () => {
  const s = parseProcStat('cpu  10 2 30 400 5 6 7 8 0 0\ncpu0 5 1 15 200 2 3 3 4 0 0\ncpu1 5 1 15 200 3 3 4 4 0 0\nctxt 999\nbtime 1700000000\nprocs_running 3\nprocs_blocked 1\n');
  assert.equal(s.cpus, 2);
  assert.equal(s.cpu.system, 30);
  assert.equal(s.cpu.steal, 8);
  assert.deepEqual([s.ctxt, s.procsRunning, s.procsBlocked, s.btimeSeconds], [999, 3, 1, 1700000000]);
});

test('parseMeminfo() makes bytes of kB and keeps page counts', () => {
  const m = parseMeminfo('MemTotal:       24634452 kB\nHugePages_Total:       4\nSwapTotal:             0 kB\n');
  assert.equal(m['MemTotal'], 24634452 * 1024);
  assert.equal(m['HugePages_Total'], 4);
  assert.equal(m['SwapTotal'], 0);
});

test('parsePidCgroup() splits hybrid lines and the v2 line', () => {
  const c = parsePidCgroup('4:memory:/process_api/b8f3\n2:cpu,cpuacct:/\n1:name=systemd:/user.slice\n0::/kubepods/x\n');
  assert.deepEqual(c[0], { hierarchyId: 4, controllers: ['memory'], path: '/process_api/b8f3' });
  assert.deepEqual(c[1]!.controllers, ['cpu', 'cpuacct']);
  assert.deepEqual(c[3], { hierarchyId: 0, controllers: [], path: '/kubepods/x' });
  assert.throws(() => parsePidCgroup('garbage\n'), ParseError);
});

test('parseKernelStack() keeps function names, innermost first', () => {
  const f = parseKernelStack('[<0>] shrink_lruvec+0x5c1/0xb70\n[<0>] shrink_node+0x2e5/0x7a0\n[<ffffffff8a2b1c3d>] do_try_to_free_pages+0xd6/0x570 [some_module]\n\n');
  assert.deepEqual(f, ['shrink_lruvec', 'shrink_node', 'do_try_to_free_pages']);
});

test('parseVmstat() keeps every integer counter and skips junk', () => {
  const v = parseVmstat('pgscan_file 45536505\npgsteal_file 2779706\nnonsense\nweird x\n');
  assert.deepEqual(v, { pgscan_file: 45536505, pgsteal_file: 2779706 });
});
