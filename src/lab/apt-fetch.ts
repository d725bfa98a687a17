// Downloads one Debian package with `apt-get download` (never installs it) and unpacks it with `dpkg-deb -x`
// into a cache directory, atomically: a half-done unpack is never taken for a finished one.
import fs from 'node:fs';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { ToolMissingError, UsageError } from '../kernel/errors.js';

/** A package unpacked into the cache. */
export interface UnpackedPackage {
  name: string;
  /** The Debian version that was downloaded ("6.1.176-1"). */
  version: string;
  /** The unpacked tree (as if `/`). */
  root: string;
  /** The package's Depends field, as written. */
  depends: string;
}

/** Tools and limits of `fetchDebianPackage`. */
export interface AptFetchOptions {
  cacheDir: string;
  aptGet?: string;
  dpkgDeb?: string;
  deadlineMs?: number;
  /** Told what is happening (downloads take a while). */
  onProgress?: (line: string) => void;
}

/** Debian package names: lower case letters, digits, + - . (Policy 5.6.1). */
export const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Returns the cached unpacked package `name`, downloading and unpacking it first when absent.
 * Throws UsageError when apt knows no such package, ToolMissingError when apt-get/dpkg-deb are missing.
 */
export async function fetchDebianPackage(name: string, opts: AptFetchOptions): Promise<UnpackedPackage> {
  if (!DEBIAN_PACKAGE_NAME.test(name)) throw new UsageError(`${JSON.stringify(name)} is not a Debian package name`);
  const dir = path.join(opts.cacheDir, 'packages', name);
  const meta = path.join(dir, 'package.json');
  if (fs.existsSync(meta)) return JSON.parse(fs.readFileSync(meta, 'utf8')) as UnpackedPackage;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(`${dir}.partial-`);
  try {
    opts.onProgress?.(`downloading ${name} with apt-get download`);
    const dl = await runWithDeadline(opts.aptGet ?? 'apt-get', ['download', name], { deadlineMs: opts.deadlineMs ?? 600_000, cwd: work });
    if (dl.spawnError) throw new ToolMissingError('apt-get', `cannot run apt-get (${dl.spawnError.code}): lab fetches Debian kernel packages with apt; give a vmlinuz path instead`);
    if (dl.timedOut) throw new UsageError(`apt-get download ${name} did not finish in time; check the network or give a vmlinuz path`);
    if (dl.code !== 0) {
      const why = dl.stderr.trim().split('\n').filter((l) => l.startsWith('E:')).join('; ') || dl.stderr.trim();
      throw new UsageError(`apt cannot download package ${name}: ${why}. Check the name (apt-cache search linux-image-6.1), run apt-get update if the package lists are old, or give a vmlinuz path`);
    }
    const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'));
    if (deb === undefined) throw new UsageError(`apt-get download ${name} left no .deb file`);
    const root = path.join(work, 'root');
    const dpkg = opts.dpkgDeb ?? 'dpkg-deb';
    opts.onProgress?.(`unpacking ${deb}`);
    const x = await runWithDeadline(dpkg, ['-x', path.join(work, deb), root], { deadlineMs: opts.deadlineMs ?? 600_000 });
    if (x.spawnError) throw new ToolMissingError('dpkg-deb', `cannot run dpkg-deb (${x.spawnError.code})`);
    if (x.code !== 0) throw new UsageError(`dpkg-deb cannot unpack ${deb}: ${x.stderr.trim()}`);
    const f = await runWithDeadline(dpkg, ['-f', path.join(work, deb), 'Version', 'Depends'], { deadlineMs: 30_000 });
    const fields = Object.fromEntries(f.stdout.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    fs.rmSync(path.join(work, deb));
    const pkg: UnpackedPackage = { name, version: fields['Version'] ?? 'unknown', root: path.join(dir, 'root'), depends: fields['Depends'] ?? '' };
    fs.writeFileSync(path.join(work, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    try {
      fs.renameSync(work, dir);
    } catch (err) {
      // Another lab finished the same package first: use theirs.
      if (!fs.existsSync(meta)) throw err;
      fs.rmSync(work, { recursive: true, force: true });
    }
    return JSON.parse(fs.readFileSync(meta, 'utf8')) as UnpackedPackage;
  } finally {
    if (fs.existsSync(work)) fs.rmSync(work, { recursive: true, force: true });
  }
}
