// The guest's view of the host's files for kernels without 9p (Debian's -cloud-amd64 flavours): a read-only
// ext4 image, made with `mkfs.ext4 -d` from a staging tree of only what the command needs: the programs the
// guest init runs (Node, env, sh) with the shared libraries `ldd` lists, the kept paths (reclaimwatch's
// checkout, the working directory, any --keep path) with the libraries of their native parts, and a few /etc
// files. The staging tree is hard links where it can be (same file system), copies otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { ToolMissingError, UsageError } from '../kernel/errors.js';

/** What goes into the image. */
export interface RootImageSpec {
  /** Programs whose libraries are needed (absolute paths). */
  programs: readonly string[];
  /** Files or directories copied whole (absolute paths); `.git` directories are left out. */
  paths: readonly string[];
  /** A static busybox: installed as /usr/bin/busybox with links for the common commands the image lacks. */
  busybox?: string;
}

/** Commands a shell script in the guest expects; busybox provides those the image has no real one for. */
export const BUSYBOX_APPLETS = ['cat', 'ls', 'grep', 'mount', 'umount', 'head', 'tail', 'sleep', 'mkdir', 'rmdir', 'rm', 'echo', 'uname', 'ps', 'kill',
  'dd', 'cp', 'mv', 'ln', 'sed', 'awk', 'find', 'wc', 'sort', 'tr', 'cut', 'date', 'chmod', 'touch', 'test', 'printf', 'xargs', 'seq', 'timeout', 'free', 'top', 'id', 'df', 'du', 'stat', 'true', 'false', 'yes', 'nproc'];

/** What was built. */
export interface RootImage {
  file: string;
  bytes: number;
  /** Files placed in the image (staged entries, directories not counted). */
  files: number;
  elapsedMs: number;
}

/** The libraries `ldd` output names (`=> /path` and the loader's own absolute path). Pure. */
export function parseLddOutput(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) out.add(arrow[1] as string);
    else {
      const abs = /^\s*(\/\S+)\s+\(0x/.exec(line);
      if (abs) out.add(abs[1] as string);
    }
  }
  return [...out];
}

/** Every path along the way from `p` to its target: the symlink itself, its target, recursively (for copying both). */
function withLinkTargets(p: string): string[] {
  const out = [p];
  let cur = p;
  for (let i = 0; i < 10; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) break;
    cur = path.resolve(path.dirname(cur), fs.readlinkSync(cur));
    out.push(cur);
  }
  return out;
}

function isElf(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(4);
      fs.readSync(fd, b, 0, 4, 0);
      return b.toString('latin1') === '\x7fELF';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Native objects under a kept directory (`*.node`, `*.so*`, executables with an ELF header), at most `max`. */
function nativeObjects(dir: string, max = 200): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (out.length >= max || depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== '.git') walk(p, depth + 1);
      else if (e.isFile() && (e.name.endsWith('.node') || /\.so(\.|$)/.test(e.name)) && isElf(p)) out.push(p);
    }
  };
  if (fs.statSync(dir).isDirectory()) walk(dir, 0);
  else if (isElf(dir)) out.push(dir);
  return out;
}

/** Places `src` (file, symlink or directory) at the same path under `stage`: hard links, else copies. */
async function stagePath(stage: string, src: string): Promise<void> {
  const dest = path.join(stage, src);
  if (fs.existsSync(dest)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const linked = await runWithDeadline('cp', ['-al', '--no-dereference', src, dest], { deadlineMs: 120_000 });
  if (linked.code === 0) return;
  fs.rmSync(dest, { recursive: true, force: true });
  const copied = await runWithDeadline('cp', ['-a', '--no-dereference', src, dest], { deadlineMs: 300_000 });
  if (copied.code !== 0) throw new UsageError(`cannot copy ${src} into the guest's root image: ${copied.stderr.trim()}`);
}

/** Lays out the staging tree for `spec` under `stage` (which must be empty). Returns the file count. */
export async function stageRootTree(stage: string, spec: RootImageSpec, root = '/'): Promise<number> {
  // The top-level symlinks of a merged /usr (bin -> usr/bin, lib -> usr/lib ...) come first, so library paths
  // under /lib land in usr/lib like on the host.
  for (const top of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const p = path.join(root, top);
    try {
      if (fs.lstatSync(p).isSymbolicLink()) {
        const target = fs.readlinkSync(p);
        fs.symlinkSync(target, path.join(stage, top));
        fs.mkdirSync(path.resolve(stage, target.replace(/^\/+/, '')), { recursive: true });
      }
    } catch {
      /* absent */
    }
  }
  const want = new Set<string>();
  const elves = [...spec.programs];
  for (const p of spec.paths) {
    if (!fs.existsSync(p)) continue;
    want.add(p);
    elves.push(...nativeObjects(p));
  }
  for (const prog of elves) {
    for (const q of withLinkTargets(prog)) want.add(q);
    const r = await runWithDeadline('ldd', [prog], { deadlineMs: 10_000 });
    if (r.spawnError) throw new ToolMissingError('ldd', 'cannot list shared libraries: ldd is missing (apt-get install libc-bin)');
    for (const lib of parseLddOutput(r.stdout)) for (const q of withLinkTargets(lib)) want.add(q);
  }
  for (const f of ['/etc/passwd', '/etc/group', '/etc/nsswitch.conf', '/etc/hosts', '/etc/ld.so.cache', '/etc/os-release', '/usr/lib/os-release', '/etc/localtime']) {
    if (fs.existsSync(f)) for (const q of withLinkTargets(f)) want.add(q);
  }
  // A path inside another wanted directory is copied with it.
  const sorted = [...want].sort();
  const tops = sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(`${q}/`)));
  for (const p of tops) await stagePath(stage, p);
  for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'var/tmp', 'root', 'etc']) fs.mkdirSync(path.join(stage, d), { recursive: true });
  if (spec.busybox !== undefined) {
    const bin = path.join(stage, 'usr/bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync(spec.busybox, path.join(bin, 'busybox'));
    fs.chmodSync(path.join(bin, 'busybox'), 0o755);
    for (const a of BUSYBOX_APPLETS) {
      const link = path.join(bin, a);
      if (!fs.existsSync(link)) fs.symlinkSync('busybox', link);
    }
  }
  const gitDirs = (await runWithDeadline('find', [stage, '-name', '.git', '-prune', '-print'], { deadlineMs: 60_000 })).stdout.split('\n').filter(Boolean);
  for (const g of gitDirs) fs.rmSync(g, { recursive: true, force: true });
  const count = await runWithDeadline('find', [stage, '-not', '-type', 'd'], { deadlineMs: 60_000, maxStdoutBytes: 64 << 20 });
  return count.stdout.split('\n').filter(Boolean).length;
}

/** Size of a tree in bytes (`du -sb`). */
async function treeBytes(dir: string): Promise<number> {
  const r = await runWithDeadline('du', ['-sb', dir], { deadlineMs: 60_000 });
  return Number.parseInt(r.stdout, 10) || 0;
}

/**
 * Builds `file`: an ext4 image of `spec`'s files, sized to fit them with room for metadata. The staging tree
 * (beside `file`) is removed afterwards. Throws ToolMissingError without mkfs.ext4.
 */
export async function buildRootImage(file: string, spec: RootImageSpec): Promise<RootImage> {
  const t0 = performance.now();
  const stage = `${file}.stage`;
  fs.mkdirSync(stage, { recursive: true });
  try {
    const files = await stageRootTree(stage, spec);
    const bytes = Math.ceil(((await treeBytes(stage)) * 1.25 + (64 << 20) + files * 4096) / (1 << 20)) * (1 << 20);
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, bytes);
    const r = await runWithDeadline('mkfs.ext4', ['-q', '-F', '-L', 'rwroot', '-E', 'lazy_itable_init=1,lazy_journal_init=1', '-O', '^has_journal', '-d', stage, file], { deadlineMs: 300_000 });
    if (r.spawnError) throw new ToolMissingError('mkfs.ext4', 'cannot build the guest\'s root image: mkfs.ext4 is missing (apt-get install e2fsprogs)');
    if (r.code !== 0) throw new ToolMissingError('mkfs.ext4', `mkfs.ext4 -d failed on the guest's root image: ${r.stderr.trim()}`);
    return { file, bytes, files, elapsedMs: Math.round(performance.now() - t0) };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
