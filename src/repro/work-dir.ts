// Where the workload's files go. They must live on a block-device file system: their page cache is what
// the memory cgroup reclaims (and reads back from disk), which is the whole point of the reproducer.
// tmpfs/ramfs pages are shmem (swap-backed, and with swap off, not reclaimable at all): a different test.
// /proc/self/mountinfo, proc(5): "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard"
import fs from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../host/host-paths.js';
import { UsageError } from '../kernel/errors.js';
import { readKernelFile } from '../kernel/read.js';
import { formatBytes } from '../units/bytes.js';

/** One line of mountinfo, the fields this check uses. */
export interface MountEntry {
  major: number;
  minor: number;
  mountPoint: string;
  fsType: string;
  source: string;
}

/** File systems whose files' pages are ordinary, disk-backed page cache even where st_dev has major 0. */
const BLOCK_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'f2fs', 'jfs', 'reiserfs', 'vfat', 'exfat', 'ntfs3', 'bcachefs', 'nilfs2', 'overlay']);

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** Parses mountinfo text; lines it cannot read are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const dev = /^(\d+):(\d+)$/.exec(left[2] ?? '');
    if (!dev || left[4] === undefined || right[0] === undefined) continue;
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), mountPoint: unescape(left[4]), fsType: right[0], source: unescape(right[1] ?? '') });
  }
  return out;
}

/** The mount that holds `realDir` (longest mount point prefix; the last one mounted wins a tie). */
export function mountOf(realDir: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || realDir === mp || realDir.startsWith(`${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Whether files on this mount have disk-backed page cache: why not, or undefined when they do. */
export function whyNotBlockBacked(m: MountEntry): string | undefined {
  if (BLOCK_FS.has(m.fsType)) return undefined;
  if (m.major !== 0 && m.fsType !== 'tmpfs' && m.fsType !== 'ramfs') return undefined;
  if (m.fsType === 'tmpfs' || m.fsType === 'ramfs' || m.fsType === 'devtmpfs') {
    return `it is ${m.fsType}: its pages are shared memory, not page cache that reclaim can drop and read back from disk, so the reproducer would test something else`;
  }
  return `it is ${m.fsType}, not a block-device file system: the reproducer needs page cache backed by a disk`;
}

/**
 * Checks `dir` for a run: it must exist, be a directory on a block-device file system and have room for
 * `needBytes` of files. Returns its real path; throws UsageError saying what to do.
 */
export function checkWorkDir(host: HostPaths, dir: string, needBytes: number): { realDir: string; mount: MountEntry } {
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
    if (!fs.statSync(realDir).isDirectory()) throw new UsageError(`--dir ${dir} is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--dir ${dir} does not exist: give an existing directory on a disk, e.g. /var/tmp`, { cause: err });
  }
  const mounts = parseMountinfo(readKernelFile(`${host.proc}/self/mountinfo`));
  const mount = mountOf(realDir, mounts);
  if (!mount) throw new UsageError(`cannot tell which file system holds --dir ${dir}: give a directory on a disk, e.g. /var/tmp`);
  const why = whyNotBlockBacked(mount);
  if (why) throw new UsageError(`--dir ${dir} cannot hold the workload's files: ${why}. Give a directory on a disk, e.g. --dir /var/tmp`);
  const st = fs.statfsSync(realDir);
  const freeBytes = st.bavail * st.bsize;
  if (freeBytes < needBytes * 1.1) {
    throw new UsageError(`--dir ${dir} has ${formatBytes(freeBytes)} free, the workload's files need ${formatBytes(needBytes)}: free some space, pick another --dir or use fewer/smaller files`);
  }
  return { realDir: path.resolve(realDir), mount };
}
