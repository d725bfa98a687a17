// A real workload for live trace tests: a small C program, compiled at test time, that thrashes a file
// several times larger than its cgroup's memory limit (memcg reclaim) and populates anonymous memory with
// MADV_POPULATE_WRITE under its mmap_lock (reclaim under the lock), calling mincore on the way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { makeTestCgroup, spawnInCgroup, type TestCgroup } from '../test-support/live.js';

const SOURCE = String.raw`#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) { perror("open"); return 1; }
  size_t flen = strtoull(argv[2], 0, 10), alen = strtoull(argv[3], 0, 10);
  int seconds = atoi(argv[4]);
  unsigned char *f = mmap(0, flen, PROT_READ, MAP_SHARED, fd, 0);
  unsigned char *a = mmap(0, alen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (f == MAP_FAILED || a == MAP_FAILED) { perror("mmap"); return 1; }
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  unsigned char vec[64];
  time_t end = time(0) + seconds;
  while (time(0) < end) {
    madvise(f, flen, MADV_POPULATE_READ);
    madvise(a, alen, MADV_POPULATE_WRITE);
    mincore(f, 64 * 4096, vec);
    madvise(a, alen, MADV_DONTNEED);
    madvise(f, flen, MADV_DONTNEED);
  }
  return 0;
}
`;

/** A running workload in its own memory-limited cgroup. */
export interface ReclaimWorkload {
  cgroup: TestCgroup;
  child: ChildProcess;
  pid: number;
  /** Stops the workload and removes its cgroup, binary and data file. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why the workload cannot be built here (no C compiler), or undefined. */
export function workloadBlocker(): string | undefined {
  const r = spawnSync('cc', ['--version'], { stdio: 'ignore' });
  return r.status === 0 ? undefined : 'needs a C compiler (cc) to build the workload: apt-get install gcc';
}

/**
 * Starts the workload for `seconds` in a fresh child cgroup limited to `limitBytes` (default 64 MiB), with a
 * data file of `fileBytes` (default 256 MiB) under /var/tmp, which is on a real disk (not tmpfs).
 */
export function startReclaimWorkload(opts: { seconds?: number; limitBytes?: number; fileBytes?: number; anonBytes?: number } = {}): ReclaimWorkload {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-trace-'));
  const dataDir = fs.mkdtempSync('/var/tmp/rw-trace-');
  const fileBytes = opts.fileBytes ?? 256 << 20;
  const cleanupFiles = (): void => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    fs.writeFileSync(`${dir}/w.c`, SOURCE);
    const cc = spawnSync('cc', ['-O2', '-o', `${dir}/w`, `${dir}/w.c`], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
    // Written with O_DIRECT so the data is not in the page cache charged to this test's cgroup.
    const dd = spawnSync('dd', ['if=/dev/urandom', `of=${dataDir}/data`, 'bs=1M', `count=${fileBytes >> 20}`, 'oflag=direct', 'status=none']);
    if (dd.status !== 0) throw new Error('dd could not write the data file');
  } catch (err) {
    cleanupFiles();
    throw err;
  }
  const cgroup = makeTestCgroup('rwtrace');
  cgroup.setLimit(opts.limitBytes ?? 64 << 20);
  const child = spawnInCgroup(cgroup, `${dir}/w`, [`${dataDir}/data`, String(fileBytes), String(opts.anonBytes ?? 16 << 20), String(opts.seconds ?? 30)]);
  child.stdout?.resume();
  child.stderr?.resume();
  let stopped = false;
  return {
    cgroup, child, pid: child.pid ?? 0,
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGKILL');
      await cgroup.remove();
      cleanupFiles();
    },
  };
}
