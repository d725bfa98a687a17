// Builds the guest's initramfs: static busybox, the modules that carry the host's files and the scratch disk
// (with their dependencies, from modules.dep), and the generated /init.
import fs from 'node:fs';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { KernelLacksError, ToolMissingError } from '../kernel/errors.js';
import { buildCpioNewc, type CpioEntry } from './cpio-newc.js';
import { type ModulePlan, parseModulesBuiltin, parseModulesDep, resolveModuleLoadOrder } from './modules-dep.js';
import type { GuestKernel } from './guest-kernel.js';

/** Modules the guest cannot start without: PCI virtio, the console ports, virtio disks with ext4, overlay. */
export const REQUIRED_MODULES = ['virtio_pci', 'virtio_console', 'overlay', 'virtio_blk', 'ext4', 'crc32c_generic'] as const;
/** Modules that share the host's root over 9p; kernels without them (Debian's -cloud-amd64) get a disk image of it instead. */
export const NINEP_MODULES = ['9pnet_virtio', '9p'] as const;
/** Loaded when present (faster crc32c for ext4). */
export const OPTIONAL_MODULES = ['crc32c_intel'] as const;

/**
 * How the guest sees the host's files: `9p` shares the whole root read-only; `disk` attaches a read-only ext4
 * image of what the command needs (Node and its libraries, the checkout, the paths kept) on virtio-blk.
 */
export type GuestShare = '9p' | 'disk';

/** The modules plan and the share it allows. */
export interface GuestModulePlan extends ModulePlan {
  share: GuestShare;
}

/**
 * The modules `kernel` needs loaded, and how it can see the host's files: 9p where the kernel has it (unless
 * `want` is `disk`), else a disk image. An empty plan when it has no module tree (everything built in, or it fails).
 */
export function planGuestModules(kernel: GuestKernel, want: 'auto' | GuestShare = 'auto'): GuestModulePlan {
  if (kernel.modulesDir === undefined) return { load: [], builtin: [], missing: [], share: want === 'disk' ? 'disk' : '9p' };
  const dep = parseModulesDep(fs.readFileSync(path.join(kernel.modulesDir, 'modules.dep'), 'utf8'));
  const builtinFile = path.join(kernel.modulesDir, 'modules.builtin');
  const builtin = parseModulesBuiltin(fs.existsSync(builtinFile) ? fs.readFileSync(builtinFile, 'utf8') : '');
  const with9p = resolveModuleLoadOrder(dep, builtin, [...REQUIRED_MODULES, ...NINEP_MODULES], OPTIONAL_MODULES);
  const ninepMissing = with9p.missing.filter((m) => (NINEP_MODULES as readonly string[]).includes(m));
  const share: GuestShare = want === 'disk' || (want === 'auto' && ninepMissing.length > 0) ? 'disk' : '9p';
  const plan = share === '9p' ? with9p : resolveModuleLoadOrder(dep, builtin, REQUIRED_MODULES, OPTIONAL_MODULES);
  if (plan.missing.length > 0) {
    const need = share === '9p' ? 'virtio, 9p, overlay and ext4 (or, with --share disk, virtio, overlay and ext4)' : 'virtio (pci, console, blk), overlay and ext4';
    throw new KernelLacksError('lab-modules', `kernel ${kernel.release ?? kernel.spec} has neither built in nor as modules: ${plan.missing.join(', ')}; lab needs ${need}`);
  }
  return { ...plan, share };
}

async function moduleBytes(file: string): Promise<Buffer> {
  const tool = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : file.endsWith('.gz') ? 'gzip' : undefined;
  if (tool === undefined) return fs.readFileSync(file);
  const parts: Buffer[] = [];
  const r = await runWithDeadline(tool, ['-dc', file], { deadlineMs: 60_000, maxStdoutBytes: 0, onStdout: (c) => parts.push(c) });
  if (r.spawnError) throw new ToolMissingError(tool, `cannot decompress ${file}: ${tool} is not installed`);
  if (r.code !== 0) throw new ToolMissingError(tool, `${tool} cannot decompress ${file}: ${r.stderr.trim()}`);
  return Buffer.concat(parts);
}

/** Paths inside the initramfs of the modules in `plan.load` (compressed ones are stored decompressed). */
export function initramfsModulePaths(plan: ModulePlan): string[] {
  return plan.load.map((f) => `lib/modules/${f.replace(/\.ko\.(xz|zst|gz)$/, '.ko')}`);
}

/** Builds the archive: directories, busybox, modules, /init. */
export async function buildInitramfs(opts: { busybox: string; kernel: GuestKernel; plan: ModulePlan; init: string }): Promise<Buffer> {
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (d: string): void => {
    if (d === '.' || d === '' || dirs.has(d)) return;
    addDir(path.posix.dirname(d));
    dirs.add(d);
    entries.push({ kind: 'dir', path: d });
  };
  for (const d of ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'newroot', 'host', 'rw']) addDir(d);
  entries.push({ kind: 'char', path: 'dev/console', major: 5, minor: 1 }, { kind: 'char', path: 'dev/null', major: 1, minor: 3, mode: 0o666 });
  entries.push({ kind: 'file', path: 'bin/busybox', data: fs.readFileSync(opts.busybox), mode: 0o755 }, { kind: 'symlink', path: 'bin/sh', target: 'busybox' });
  const inside = initramfsModulePaths(opts.plan);
  for (let i = 0; i < opts.plan.load.length; i++) {
    const dest = inside[i] as string;
    addDir(path.posix.dirname(dest));
    entries.push({ kind: 'file', path: dest, data: await moduleBytes(path.join(opts.kernel.modulesDir ?? '', opts.plan.load[i] as string)) });
  }
  entries.push({ kind: 'file', path: 'init', data: opts.init, mode: 0o755 });
  return buildCpioNewc(entries);
}
