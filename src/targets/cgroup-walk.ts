import fs from 'node:fs';

/** One directory of a cgroup hierarchy, relative to its root. */
export interface CgroupDir {
  /** Path relative to the hierarchy root, `/` for the root. */
  path: string;
  dir: string;
}

/**
 * Walks a cgroup hierarchy breadth-first, at most `maxDirs` directories (a busy host has thousands), calling
 * `visit` on each. Directories that vanish during the walk are skipped.
 */
export function walkCgroups(root: string, maxDirs = 20000): CgroupDir[] {
  const out: CgroupDir[] = [];
  const queue: CgroupDir[] = [{ path: '/', dir: root }];
  while (queue.length > 0 && out.length < maxDirs) {
    const cur = queue.shift()!;
    out.push(cur);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(cur.dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory()) queue.push({ path: `${cur.path === '/' ? '' : cur.path}/${e.name}`, dir: `${cur.dir}/${e.name}` });
    }
  }
  return out;
}

/** Reads `cgroup.procs` of a directory; [] when it vanished or cannot be read. */
export function procsOf(dir: string): number[] {
  try {
    return fs.readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  } catch {
    return [];
  }
}

/**
 * The cgroup (path relative to `root`) whose `cgroup.procs` lists `pid`, by walking the tree; undefined when none does
 * or when the root itself does. For a process in a private cgroup namespace, whose /proc/PID/cgroup says only "/"
 * (a DaemonSet pod on cgroup v2), while the host's tree is mounted: its PIDs are the host's with hostPID.
 */
export function findCgroupOfMember(root: string, pid: number, maxDirs = 20000): string | undefined {
  for (const d of walkCgroups(root, maxDirs)) {
    if (procsOf(d.dir).includes(pid)) return d.path === '/' ? undefined : d.path;
  }
  return undefined;
}
