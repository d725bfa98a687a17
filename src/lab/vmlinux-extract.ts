// Unpacks the ELF vmlinux inside a compressed bzImage so qemu can boot it through its PVH entry point:
// under TCG that skips the real-mode setup and the in-guest decompression (about 10 s on a loaded 2-core host).
// The same idea as the kernel's scripts/extract-vmlinux: find the compressor's magic, decompress from there.
import fs from 'node:fs';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';

const MAGICS: { tool: string; args: string[]; magic: Buffer }[] = [
  { tool: 'xz', args: ['-dc', '--single-stream', '--format=xz'], magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { tool: 'zstd', args: ['-dc', '--format=zstd'], magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { tool: 'gzip', args: ['-dc'], magic: Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
];

/** True when `elf` is a 64-bit ELF carrying the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, type 18) qemu boots. */
export function hasPvhNote(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length || elf.readUInt32LE(ph) !== 4 /* PT_NOTE */) continue;
    let off = Number(elf.readBigUInt64LE(ph + 8));
    const end = off + Number(elf.readBigUInt64LE(ph + 32));
    while (off + 12 <= end && end <= elf.length) {
      const namesz = elf.readUInt32LE(off);
      const descsz = elf.readUInt32LE(off + 4);
      const type = elf.readUInt32LE(off + 8);
      const name = elf.subarray(off + 12, off + 12 + namesz).toString('latin1').replace(/\0+$/, '');
      if (name === 'Xen' && type === 18) return true;
      off += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/**
 * Returns a PVH-bootable vmlinux for `bzImage`, written to `dest` (reused when already there), or undefined
 * when the image holds none (unknown compressor, or a kernel built without CONFIG_PVH): then boot the bzImage.
 */
export async function extractPvhVmlinux(bzImage: string, dest: string): Promise<string | undefined> {
  if (fs.existsSync(dest)) return dest;
  const image = fs.readFileSync(bzImage);
  for (const m of MAGICS) {
    const at = image.indexOf(m.magic);
    if (at < 0) continue;
    const tmp = `${dest}.partial-${process.pid}`;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(tmp, image.subarray(at));
    const parts: Buffer[] = [];
    try {
      await runWithDeadline(m.tool, [...m.args, tmp], { deadlineMs: 120_000, maxStdoutBytes: 0, onStdout: (c) => parts.push(c) });
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const elf = Buffer.concat(parts);
    if (!hasPvhNote(elf)) continue;
    fs.writeFileSync(tmp, elf);
    fs.renameSync(tmp, dest);
    return dest;
  }
  return undefined;
}
