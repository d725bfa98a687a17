// Finds a static busybox for the initramfs: the host's (package busybox-static) or one fetched into the cache.
import fs from 'node:fs';
import path from 'node:path';
import { ToolMissingError } from '../kernel/errors.js';
import { type AptFetchOptions, fetchDebianPackage } from './apt-fetch.js';
import { isStaticElf64 } from './elf-static.js';

function isStaticFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(4096);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      return isStaticElf64(head.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Returns the path of a statically linked busybox: `explicit` if given, else /bin/busybox or /usr/bin/busybox
 * when static, else busybox-static fetched with apt into the cache.
 */
export async function findStaticBusybox(explicit: string | undefined, opts: AptFetchOptions): Promise<string> {
  if (explicit !== undefined) {
    if (!isStaticFile(explicit)) throw new ToolMissingError('busybox', `${explicit} is not a statically linked x86-64 busybox: install busybox-static`);
    return explicit;
  }
  for (const c of ['/bin/busybox', '/usr/bin/busybox']) if (isStaticFile(c)) return c;
  const pkg = await fetchDebianPackage('busybox-static', opts).catch((err: unknown) => {
    throw new ToolMissingError('busybox', `no static busybox here and apt cannot fetch one: apt-get install busybox-static`, { cause: err });
  });
  const bin = path.join(pkg.root, 'bin', 'busybox');
  if (!isStaticFile(bin)) throw new ToolMissingError('busybox', `the busybox-static package holds no static busybox at ${bin}: apt-get install busybox-static`);
  return bin;
}
