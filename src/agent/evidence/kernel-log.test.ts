import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KERNEL_LOG_PATTERN, formatKernelLog, parseKmsgRecord, readKernelLog } from './kernel-log.js';

test('parseKmsgRecord() reads level, timestamp and text; other text is not a record', () => {
  assert.deepEqual(parseKmsgRecord('3,1042,5123456789,-;Memory cgroup out of memory: Killed process 4242 (thrash)\n SUBSYSTEM=memory\n'), { level: 3, bootSeconds: 5123.456789, text: 'Memory cgroup out of memory: Killed process 4242 (thrash)' });
  assert.equal(parseKmsgRecord('no semicolon'), undefined);
  assert.equal(parseKmsgRecord('x,1,2,-;text'), undefined);
});

test('KERNEL_LOG_PATTERN keeps OOM and hung-task lines and not the rest', () => {
  for (const l of ['thrash invoked oom-killer: gfp_mask=0xcc0', 'Memory cgroup out of memory: Killed process 1 (x)', 'INFO: task kworker/0:1:42 blocked for more than 120 seconds.', 'oom_reaper: reaped process 7'])
    assert.ok(KERNEL_LOG_PATTERN.test(l), l);
  for (const l of ['eth0: link up', 'EXT4-fs (vda1): mounted filesystem']) assert.ok(!KERNEL_LOG_PATTERN.test(l), l);
});

test('readKernelLog() reads the live kernel log without blocking, or says why it cannot', async (t) => {
  let log;
  try {
    log = await readKernelLog({ deadlineMs: 2000 });
  } catch (err) {
    if (process.getuid?.() !== 0) return void t.skip(`not root: ${(err as Error).message}`);
    throw err;
  }
  assert.ok(log.scanned > 0, 'read some records');
  assert.ok(log.lines.every((l) => KERNEL_LOG_PATTERN.test(l.text)));
  assert.match(formatKernelLog(log), /^# \d+ OOM \/ hung-task \/ lockup line\(s\) of \d+ kernel log record\(s\), from (\/dev\/kmsg|dmesg)/);
});
