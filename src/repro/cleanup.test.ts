import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIVE_HOST, hostPaths } from '../host/host-paths.js';
import { readPidStat } from '../kernel/proc/pid-stat.js';
import { cleanupRun, cleanupStaleRuns } from './cleanup.js';
import { MARKER_FILE, RUN_PREFIX, type RunRecord, isRunId, listRunRecords, newRunId, parseRunRecord, saveRunRecord } from './run-registry.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cleanup-'));
}

function record(runId: string, over: Partial<RunRecord> = {}): RunRecord {
  return { version: 1, runId, ownerPid: 999_999_999, ownerStartTicks: 1, createdAt: '', workDirs: [], cgroupDirs: [], workloads: [], mglruRestore: undefined, ...over };
}

void test('newRunId() makes ids that isRunId() accepts, and parseRunRecord() refuses foreign JSON', () => {
  const id = newRunId(new Date('2025-01-02T03:04:05.678Z'), 42);
  assert.match(id, /^20250102T030405Z-42-[a-z0-9]+$/);
  assert.ok(isRunId(id));
  assert.ok(!isRunId('../../etc'));
  assert.equal(parseRunRecord('{"version":1,"runId":"../x","ownerPid":1,"ownerStartTicks":1,"workDirs":[],"cgroupDirs":[],"workloads":[]}'), undefined);
  assert.equal(parseRunRecord('not json'), undefined);
});

void test('cleanupStaleRuns() removes a dead run\'s marked directory and restores MGLRU, nothing else', async () => {
  const state = tmp();
  const work = tmp();
  const sys = tmp();
  try {
    const id = newRunId();
    const ours = path.join(work, `${RUN_PREFIX}${id}`);
    fs.mkdirSync(ours);
    fs.writeFileSync(path.join(ours, MARKER_FILE), id);
    fs.writeFileSync(path.join(ours, 'file.0'), 'x');
    const unmarked = path.join(work, `${RUN_PREFIX}${id}-other`);
    fs.mkdirSync(unmarked);
    const lru = path.join(sys, 'kernel/mm/lru_gen/enabled');
    fs.mkdirSync(path.dirname(lru), { recursive: true });
    fs.writeFileSync(lru, 'n');
    saveRunRecord(state, record(id, { workDirs: [ours, unmarked], cgroupDirs: ['/sys/fs/cgroup/memory/not-ours'], mglruRestore: { file: lru, value: '0x0007' } }));
    const [r] = await cleanupStaleRuns(hostPaths({ sys }), state);
    assert.ok(r);
    assert.deepEqual(r.removedDirs, [ours]);
    assert.ok(!fs.existsSync(ours));
    assert.ok(fs.existsSync(unmarked), 'a directory without the marker is never removed');
    assert.match(r.left.join(' '), /lacks the run's marker/);
    assert.equal(fs.readFileSync(lru, 'utf8'), '0x0007');
    assert.equal(listRunRecords(state).length, 1, 'the record stays while something is left');
  } finally {
    for (const d of [state, work, sys]) fs.rmSync(d, { recursive: true, force: true });
  }
});

void test('cleanupStaleRuns() leaves a run whose reclaimwatch is alive', async () => {
  const state = tmp();
  const work = tmp();
  try {
    const id = newRunId();
    const ours = path.join(work, `${RUN_PREFIX}${id}`);
    fs.mkdirSync(ours);
    fs.writeFileSync(path.join(ours, MARKER_FILE), id);
    saveRunRecord(state, record(id, { ownerPid: process.pid, ownerStartTicks: readPidStat(LIVE_HOST, process.pid).starttimeTicks, workDirs: [ours] }));
    const [r] = await cleanupStaleRuns(LIVE_HOST, state);
    assert.match(r!.skipped!, /still running/);
    assert.ok(fs.existsSync(ours));
    const forced = await cleanupRun(LIVE_HOST, state, listRunRecords(state)[0]!, true);
    assert.deepEqual(forced.left, []);
    assert.ok(!fs.existsSync(ours));
    assert.equal(listRunRecords(state).length, 0);
  } finally {
    for (const d of [state, work]) fs.rmSync(d, { recursive: true, force: true });
  }
});
