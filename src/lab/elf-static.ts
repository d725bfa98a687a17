// Tells a static ELF executable from a dynamic one: a dynamic one has a PT_INTERP program header.
// https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.pheader.html

const PT_INTERP = 3;

/** True when `head` (the first bytes of a file, program headers included) is a 64-bit little-endian ELF without PT_INTERP. */
export function isStaticElf64(head: Buffer): boolean {
  if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return false;
  const phoff = Number(head.readBigUInt64LE(0x20));
  const phentsize = head.readUInt16LE(0x36);
  const phnum = head.readUInt16LE(0x38);
  if (phoff + phentsize * phnum > head.length) return false;
  for (let i = 0; i < phnum; i++) if (head.readUInt32LE(phoff + i * phentsize) === PT_INTERP) return false;
  return true;
}
