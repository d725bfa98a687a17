// Writes a cpio archive in the "newc" format, the one the kernel unpacks as an initramfs.
// https://docs.kernel.org/driver-api/early-userspace/buffer-format.html
// Each entry: "070701" + 13 eight-digit hex fields (ino mode uid gid nlink mtime filesize devmajor devminor
// rdevmajor rdevminor namesize check), the NUL-terminated name, padding to 4 bytes, the data, padding to 4.

/** One member of an initramfs. Paths are relative ("bin/busybox"), without a leading slash. */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer | string; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'char'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, mode: number, nlink: number, size: number, name: string, rdev: [number, number]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return Buffer.concat([head, nameBytes, pad4(head.length + nameBytes.length)]);
}

/**
 * Builds a newc cpio archive (uncompressed; the kernel accepts it as is). Owners are root, times are 0,
 * so the same entries always give the same bytes. Parent directories must be listed before their children.
 */
export function buildCpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    if (e.path.startsWith('/') || e.path === '') throw new Error(`cpio entry path must be relative: ${JSON.stringify(e.path)}`);
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rdev: [number, number] = [0, 0];
    if (e.kind === 'dir') mode = S_IFDIR | (e.mode ?? 0o755);
    else if (e.kind === 'file') {
      mode = S_IFREG | (e.mode ?? 0o644);
      data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    } else if (e.kind === 'symlink') {
      mode = S_IFLNK | 0o777;
      data = Buffer.from(e.target, 'utf8');
    } else {
      mode = S_IFCHR | (e.mode ?? 0o600);
      rdev = [e.major, e.minor];
    }
    parts.push(header(ino++, mode, e.kind === 'dir' ? 2 : 1, data.length, e.path, rdev), data, pad4(data.length));
  }
  parts.push(header(0, 0, 1, 0, 'TRAILER!!!', [0, 0]));
  return Buffer.concat(parts);
}
