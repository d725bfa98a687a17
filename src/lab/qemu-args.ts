// The qemu command line of one lab run. Pure: every path is given, nothing is probed here.
import { GUEST_PORTS } from './guest-init.js';

/** Everything qemu needs for one run. */
export interface QemuPlan {
  accel: 'kvm' | 'tcg';
  vmlinuz: string;
  initrd: string;
  /** Extra kernel command-line words (after the lab's own). */
  extraCmdline?: readonly string[];
  cpus: number;
  memoryBytes: number;
  /** Directory shared read-only over 9p as the guest's lower root (normally "/"), when `rootImage` is not given. */
  shareRoot: string;
  /** Read-only ext4 image of the host's files, attached on virtio-blk (serial `rwroot`) instead of the 9p share. */
  rootImage?: string | undefined;
  /** Raw ext4 image attached as /dev/vda, if any. */
  scratchImage: string | undefined;
  /** Unix sockets the host listens on; qemu connects to each as a client. */
  sockets: { status: string; stdout: string; stderr: string };
  /** Kernel console (ttyS0) goes to this file. */
  consoleLog: string;
}

/** The kernel command line: serial console, no reboot loop on panic, no hung-task noise. */
export function guestCmdline(plan: Pick<QemuPlan, 'extraCmdline'>): string {
  return ['console=ttyS0', 'panic=-1', 'oops=panic', 'loglevel=7', 'rdinit=/init', 'random.trust_cpu=on', 'mitigations=off', 'tsc=reliable', ...(plan.extraCmdline ?? [])].join(' ');
}

/** Builds qemu-system-x86_64's arguments for `plan`. */
export function buildQemuArgs(plan: QemuPlan): string[] {
  const memMiB = Math.max(128, Math.floor(plan.memoryBytes / (1 << 20)));
  const args = [
    '-nodefaults', '-no-user-config', '-no-reboot', '-display', 'none', '-monitor', 'none',
    '-machine', 'pc', '-bios', 'qboot.rom', '-accel', plan.accel === 'kvm' ? 'kvm' : 'tcg,thread=multi',
    '-cpu', plan.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(plan.cpus), '-m', `${memMiB}M`,
    '-kernel', plan.vmlinuz, '-initrd', plan.initrd, '-append', guestCmdline(plan),
    '-serial', `file:${plan.consoleLog}`,
    ...(plan.rootImage === undefined
      ? ['-fsdev', `local,id=hostroot,path=${plan.shareRoot},security_model=none,readonly=on,multidevs=remap`, '-device', 'virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot']
      : []),
    '-device', 'virtio-serial-pci,id=vser',
  ];
  for (const [key, name] of Object.entries(GUEST_PORTS) as [keyof typeof GUEST_PORTS, string][]) {
    args.push('-chardev', `socket,id=ch-${key},path=${plan.sockets[key]}`, '-device', `virtserialport,bus=vser.0,chardev=ch-${key},name=${name}`);
  }
  if (plan.scratchImage !== undefined) {
    args.push('-drive', `file=${plan.scratchImage},format=raw,if=none,id=scratch,cache=unsafe`, '-device', 'virtio-blk-pci,drive=scratch,serial=rwscratch');
  }
  if (plan.rootImage !== undefined) {
    args.push('-drive', `file=${plan.rootImage},format=raw,if=none,id=hostroot,readonly=on`, '-device', 'virtio-blk-pci,drive=hostroot,serial=rwroot');
  }
  return args;
}
