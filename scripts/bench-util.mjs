// Small helpers the bench scripts share: a free loopback port, a sleep, a process's CPU time and RSS from /proc.
import fs from 'node:fs';
import net from 'node:net';

const USER_HZ = 100;

/** CPU time of a process (and its reaped children) in ms, from /proc/PID/stat (utime stime cutime cstime). */
export function procCpuMs(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / USER_HZ;
}

/** Resident set of a process in MB. */
export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A loopback port nobody listens on now. */
export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
