import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildQemuArgs } from './qemu-args.js';

const plan = { vmlinuz: '/k/vmlinux', initrd: '/r/initrd.cpio', cpus: 2, memoryBytes: 1 << 30, shareRoot: '/', scratchImage: '/r/scratch.img', sockets: { status: '/r/s', stdout: '/r/o', stderr: '/r/e' }, consoleLog: '/r/console.log' };
const after = (args: string[], flag: string): string[] => args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));

test('buildQemuArgs() shares the root read-only over 9p, gives three serial ports and the scratch disk', () => {
  const args = buildQemuArgs({ ...plan, accel: 'tcg' });
  assert.deepEqual(after(args, '-accel'), ['tcg,thread=multi']);
  assert.deepEqual(after(args, '-m'), ['1024M']);
  assert.deepEqual(after(args, '-smp'), ['2']);
  assert.match(after(args, '-fsdev')[0] ?? '', /^local,id=hostroot,path=\/,security_model=none,readonly=on/);
  assert.deepEqual(after(args, '-chardev'), ['socket,id=ch-status,path=/r/s', 'socket,id=ch-stdout,path=/r/o', 'socket,id=ch-stderr,path=/r/e']);
  assert.ok(after(args, '-device').includes('virtserialport,bus=vser.0,chardev=ch-stdout,name=rw.stdout'));
  assert.ok(after(args, '-device').includes('virtio-blk-pci,drive=scratch,serial=rwscratch'));
  assert.ok(args.includes('-no-reboot'));
  assert.match(after(args, '-append')[0] ?? '', /console=ttyS0 panic=-1/);
});

test('buildQemuArgs() uses the host CPU model under KVM and no disk without a scratch image', () => {
  const args = buildQemuArgs({ ...plan, accel: 'kvm', scratchImage: undefined });
  assert.deepEqual(after(args, '-accel'), ['kvm']);
  assert.deepEqual(after(args, '-cpu'), ['host']);
  assert.equal(args.includes('-drive'), false);
});

test('buildQemuArgs() attaches a read-only root image (serial rwroot) instead of the 9p share when given one', () => {
  const args = buildQemuArgs({ ...plan, accel: 'tcg', rootImage: '/r/root.img' });
  assert.deepEqual(after(args, '-fsdev'), []);
  assert.ok(!after(args, '-device').some((d) => d.startsWith('virtio-9p')));
  assert.ok(after(args, '-drive').includes('file=/r/root.img,format=raw,if=none,id=hostroot,readonly=on'));
  assert.ok(after(args, '-device').includes('virtio-blk-pci,drive=hostroot,serial=rwroot'));
});
