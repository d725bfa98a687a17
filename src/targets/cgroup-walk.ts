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
