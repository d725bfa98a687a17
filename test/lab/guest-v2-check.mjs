// Runs inside a lab guest (cgroup v2): makes a child cgroup with a 256 MiB limit, joins it, touches 48 MiB,
// reads it back through reclaimwatch's own v2 reader from dist/, prints one JSON document, removes the cgroup.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { readV2Memory } = await import(path.join(root, 'dist/kernel/cgroup/v2/memory.js'));
const cg = '/sys/fs/cgroup/rwlab-check';
fs.mkdirSync(cg);
try {
  fs.writeFileSync(`${cg}/memory.max`, String(256 << 20));
  fs.writeFileSync(`${cg}/cgroup.procs`, String(process.pid));
  const buf = Buffer.alloc(48 << 20, 1);
  const mem = readV2Memory(cg);
  console.log(JSON.stringify({
    controllers: fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim(),
    subtreeControl: fs.readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').trim(),
    touchedBytes: buf.length,
    memory: { ...mem, limitBytes: mem.limitBytes === Infinity ? 'max' : mem.limitBytes, highBytes: mem.highBytes === Infinity ? 'max' : mem.highBytes },
  }));
  fs.writeFileSync('/sys/fs/cgroup/cgroup.procs', String(process.pid));
} finally {
  fs.rmdirSync(cg);
}
