// A copy of the built CLI that any user can run: tests that drop root (setpriv to nobody) run it, because a
// checkout in a private directory (a CI clone in a 0700 home) cannot be read by nobody, and `node --import tsx`
// from there fails with "Cannot find package 'tsx'". The copy holds what an npm install ships: dist/, the
// native parts (build/Release), package.json and the runtime dependencies, in a mkdtemp directory of mode 0755.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A readable install: its CLI entry point, and how to remove it. */
export interface ReadableInstall {
  /** dist/cli/main.js inside the copy. */
  cli: string;
  dir: string;
  remove(): void;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** The runtime dependency closure of a package.json (dependencies and optionalDependencies), by package name. */
function runtimeDependencies(root: string): string[] {
  const seen = new Set<string>();
  const visit = (pkgJson: string): void => {
    const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (seen.has(name)) continue;
      const p = path.join(root, 'node_modules', name, 'package.json');
      if (!fs.existsSync(p)) continue; // nested under its dependent (copied with it), or an optional one not installed
      seen.add(name);
      visit(p);
    }
  };
  visit(path.join(root, 'package.json'));
  return [...seen].sort();
}

/** os.tmpdir() when every user can reach it (each ancestor world-searchable), else /tmp: TMPDIR may be private too. */
function traversableTmp(): string {
  const reachable = (d: string): boolean => {
    for (let p = path.resolve(d); ; p = path.dirname(p)) {
      if ((fs.statSync(p).mode & 0o001) === 0) return false;
      if (p === path.dirname(p)) return true;
    }
  };
  return reachable(os.tmpdir()) ? os.tmpdir() : '/tmp';
}

/** Leaves out what no program loads at run time: build objects and C sources of native addons, types, maps, docs. */
function runtimeFile(src: string): boolean {
  const base = path.basename(src);
  if (['obj', 'obj.target', '.deps', 'deps', 'docs', '.github'].includes(base)) return false;
  return !/\.(d\.[cm]?ts|map|md|markdown|c|cc|cpp|h|hpp|gyp|gypi|mk)$/i.test(base) && base !== 'Makefile';
}

/** Copies the built CLI (run `tsc -p tsconfig.build.json` first) where every user can read it. */
export function makeReadableInstall(root = ROOT): ReadableInstall {
  if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) throw new Error(`no built CLI at ${root}/dist: run npx tsc -p tsconfig.build.json`);
  const dir = fs.mkdtempSync(path.join(traversableTmp(), 'rw-readable-'));
  try {
    fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    if (fs.existsSync(path.join(root, 'build/Release'))) fs.cpSync(path.join(root, 'build/Release'), path.join(dir, 'build/Release'), { recursive: true });
    for (const name of runtimeDependencies(root)) fs.cpSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true, dereference: true, filter: runtimeFile });
    // mkdtemp makes 0700; the copies keep their modes (0644 files, 0755 directories and executables).
    fs.chmodSync(dir, 0o755);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { cli: path.join(dir, 'dist/cli/main.js'), dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** setpriv arguments that drop to nobody:nogroup with no supplementary groups. */
export const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
