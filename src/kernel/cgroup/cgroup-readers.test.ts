// cgroup readers against fixture trees: hybrid (captured on this machine) and v2 (hand-built from the kernel docs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { hostPaths } from '../../host/host-paths.js';
import { detectCgroupLayout } from './layout.js';
import { cgroupOfPath, cgroupOfPid, cgroupPids } from './cgroup-ref.js';
import { readV1Memory, parseOomControl } from './v1/memory.js';
import { readV2Memory, parseMemoryEvents } from './v2/memory.js';
import { parseCpuMax, readV1Cpu, readV2Cpu } from './cpu.js';
import { readLruGen, parseLruGenEnabled } from '../sys/lru-gen.js';
import { GoneError, UsageError } from '../errors.js';

const HYB = hostPaths({ proc: 'test/fixtures/hybrid-6.18/proc', sys: 'test/fixtures/hybrid-6.18/sys' });
const HYB_PID = Number(fs.readFileSync('test/fixtures/hybrid-6.18/PID', 'utf8'));
const V2 = hostPaths({ proc: 'test/fixtures/v2-kernel-docs/proc', sys: 'test/fixtures/v2-kernel-docs/sys' });

test('detectCgroupLayout() sees hybrid on the captured machine and v2 on the docs tree', () => {
  const h = detectCgroupLayout(HYB);
  assert.equal(h.mode, 'hybrid');
  assert.ok(h.v1Memory?.endsWith('/sys/fs/cgroup/memory'));
  assert.ok(h.unified?.endsWith('/sys/fs/cgroup/unified'));
  const v = detectCgroupLayout(V2);
  assert.equal(v.mode, 'v2');
  assert.ok(v.unifiedControllers.includes('memory'));
  assert.equal(detectCgroupLayout(hostPaths({ sys: '/nonexistent' })).mode, 'none');
});

test('cgroupOfPid() joins a hybrid process to its v1 memory cgroup and v2 twin, dropping root-level cpu', () => {
  const ref = cgroupOfPid(HYB, HYB_PID);
  assert.equal(ref.memoryVersion, 'v1');
  assert.ok(ref.path.endsWith('/fixture'));
  assert.ok(ref.memoryDir?.endsWith(`/memory${ref.path}`));
  assert.ok(ref.unifiedDir?.endsWith(`/unified${ref.path}`));
  // the process sits in the cpu hierarchy's root: host-wide numbers are not passed off as its own
  assert.equal(ref.cpuDir, undefined);
  assert.equal(ref.cpuacctDir, undefined);
  assert.deepEqual(cgroupPids(ref), [HYB_PID]);
});

test('cgroupOfPid() on v2 puts memory, cpu and PSI in one directory', () => {
  const ref = cgroupOfPid(V2, 4242);
  assert.equal(ref.memoryVersion, 'v2');
  assert.equal(ref.memoryDir, ref.unifiedDir);
  assert.equal(ref.cpuDir, ref.unifiedDir);
  assert.match(ref.path, /cri-containerd-3f1e.*\.scope$/);
});

test('cgroupOfPath() accepts relative and absolute paths and refuses unknown ones with advice', () => {
  const ref = cgroupOfPid(HYB, HYB_PID);
  assert.equal(cgroupOfPath(HYB, ref.path).memoryDir, ref.memoryDir);
  assert.equal(cgroupOfPath(HYB, `${ref.memoryDir!}/`).path, ref.path);
  assert.throws(() => cgroupOfPath(HYB, '/no/such/cgroup'), (e: unknown) => e instanceof UsageError && /as shown in \/proc\/PID\/cgroup/.test(e.message));
});

test('readV1Memory() reads limit, failcnt, oom_control and names what v1 lacks', () => {
  const m = readV1Memory(cgroupOfPid(HYB, HYB_PID).memoryDir!);
  assert.equal(m.version, 'v1');
  assert.equal(m.limitBytes, 256 * 2 ** 20);
  assert.ok(m.usageBytes > 0);
  assert.equal(m.oomKills, 0);
  assert.ok('workingset_refault_file' in m.stat);
  assert.ok(m.missing.includes('pgscan'));
  assert.equal(readV1Memory(detectCgroupLayout(HYB).v1Memory!).limitBytes, Infinity);
});

test('readV2Memory() reads current, max, high=max, events and the reclaim counters', () => {
  const m = readV2Memory(cgroupOfPid(V2, 4242).memoryDir!);
  assert.equal(m.usageBytes, 4130521088);
  assert.equal(m.limitBytes, 4294967296);
  assert.equal(m.highBytes, Infinity);
  assert.equal(m.limitHits, 183212);
  assert.equal(m.swapLimitBytes, 0);
  assert.equal(m.stat['pgscan'], 1093267);
  assert.deepEqual(m.missing, []);
});

test('readers throw GoneError for a removed cgroup', () => {
  assert.throws(() => readV2Memory('/sys/fs/cgroup/definitely-gone'), GoneError);
  assert.throws(() => readV1Memory('/sys/fs/cgroup/memory/definitely-gone'), GoneError);
});

test('parseOomControl() and parseMemoryEvents() read their flat keys', () => {
  assert.deepEqual(parseOomControl('oom_kill_disable 1\nunder_oom 1\noom_kill 3\n'), { oomKillDisable: true, underOom: true, oomKill: 3 });
  assert.equal(parseMemoryEvents('low 0\nhigh 2\nmax 9\noom 1\noom_kill 1\n').max, 9);
});

test('CPU: v2 cpu.stat and cpu.max, v1 quota -1 is no quota', () => {
  const c = readV2Cpu(cgroupOfPid(V2, 4242).unifiedDir!);
  assert.equal(c.quotaCores, 4);
  assert.equal(c.systemUs, 303441233);
  assert.equal(c.throttledPeriods, 99000);
  assert.equal(parseCpuMax('max 100000'), Infinity);
  assert.equal(parseCpuMax('50000 100000\n'), 0.5);
  const v1 = readV1Cpu(detectCgroupLayout(HYB).v1Cpu, detectCgroupLayout(HYB).v1Cpuacct);
  assert.equal(v1.quotaCores, Infinity);
  assert.ok((v1.usageUs ?? 0) > 0);
});

test('readLruGen() reports MGLRU on the docs tree and absent on the captured machine', () => {
  assert.deepEqual(readLruGen(V2), { present: true, enabledMask: 7, enabled: true, minTtlMs: 0 });
  assert.equal(readLruGen(HYB).present, false);
  assert.equal(parseLruGenEnabled('0x0006'), 6);
  assert.equal(parseLruGenEnabled('n'), 0);
});

const DEB = hostPaths({ proc: 'test/fixtures/debian-6.1-v2/proc', sys: 'test/fixtures/debian-6.1-v2/sys' });
const DEB_PID = Number(fs.readFileSync('test/fixtures/debian-6.1-v2/PID', 'utf8'));

test('a real cgroup v2 + MGLRU capture (Debian 6.1 guest) reads as v2 memory, cpu.max and MGLRU on', () => {
  assert.equal(detectCgroupLayout(DEB).mode, 'v2');
  const ref = cgroupOfPid(DEB, DEB_PID);
  assert.equal(ref.path, '/fixture');
  const m = readV2Memory(ref.memoryDir!);
  assert.equal(m.limitBytes, 256 << 20);
  assert.ok(m.usageBytes > 0);
  assert.deepEqual(m.missing, []);
  for (const k of ['pgscan', 'pgsteal', 'workingset_refault_file', 'pgfault', 'pgmajfault']) assert.equal(typeof m.stat[k], 'number', k);
  assert.equal(readV2Cpu(ref.unifiedDir!).quotaCores, 2);
  const lru = readLruGen(DEB);
  assert.deepEqual([lru.present, lru.enabled, lru.enabledMask], [true, true, 7]);
});
