// Finds the kernel a lab run boots: a vmlinuz path, or a Debian kernel package fetched into the cache.
import fs from 'node:fs';
import path from 'node:path';
import { runWithDeadline } from '../probe/run-with-deadline.js';
import { UsageError } from '../kernel/errors.js';
import { type AptFetchOptions, DEBIAN_PACKAGE_NAME, fetchDebianPackage } from './apt-fetch.js';
import { extractPvhVmlinux } from './vmlinux-extract.js';

/** A kernel ready to boot. */
export interface GuestKernel {
  /** How the user named it (path or package). */
  spec: string;
  vmlinuz: string;
  /** The same kernel as an uncompressed ELF with a PVH entry (faster to boot under TCG), when it could be made. */
  pvhVmlinux: string | undefined;
  /** Kernel release ("6.1.0-50-amd64") when known. */
  release: string | undefined;
  /** `lib/modules/<release>` with a modules.dep, when the kernel has loadable modules beside it. */
  modulesDir: string | undefined;
  /** Debian package and version when it came from one. */
  package: { name: string; version: string } | undefined;
}

/** Where `resolveGuestKernel` looks and what it runs. */
export interface GuestKernelOptions extends AptFetchOptions {
  depmod?: string;
}

/** True when `spec` names a file rather than a package (it has a slash, or exists as given). */
export function looksLikePath(spec: string): boolean {
  return spec.includes('/') || fs.existsSync(spec) || !DEBIAN_PACKAGE_NAME.test(spec);
}

/** Makes sure `<root>/lib/modules/<release>/modules.dep` exists (Debian ships none: depmod writes it at install). */
async function ensureModulesDep(root: string, release: string, opts: GuestKernelOptions): Promise<string | undefined> {
  const dir = path.join(root, 'lib', 'modules', release);
  if (!fs.existsSync(dir)) return undefined;
  if (fs.existsSync(path.join(dir, 'modules.dep'))) return dir;
  const r = await runWithDeadline(opts.depmod ?? 'depmod', ['-b', root, release], { deadlineMs: 120_000 });
  if (r.spawnError || r.code !== 0 || !fs.existsSync(path.join(dir, 'modules.dep'))) {
    throw new UsageError(`cannot index the modules of ${release} with depmod (${r.spawnError?.code ?? r.stderr.trim()}): install kmod`);
  }
  return dir;
}

/** Kernel release from a "vmlinuz-<release>" file name. */
function releaseFromName(file: string): string | undefined {
  const m = /^(?:vmlinuz|bzImage|vmlinux)-(.+)$/.exec(path.basename(file));
  return m?.[1];
}

/** Finds the linux-image-* package a metapackage (linux-image-amd64) depends on. */
export function imageDependency(depends: string): string | undefined {
  for (const alt of depends.split(/[,|]/)) {
    const name = alt.trim().split(/\s/)[0] ?? '';
    if (/^linux-image-\d/.test(name)) return name;
  }
  return undefined;
}

/**
 * Resolves `spec`. A path must be a readable kernel image; modules are taken from `../lib/modules/<release>`
 * beside its `boot/` directory when present (else the kernel must have what the guest needs built in).
 * A package name is fetched with apt into the cache (a metapackage such as linux-image-amd64 is followed once).
 */
export async function resolveGuestKernel(spec: string, opts: GuestKernelOptions): Promise<GuestKernel> {
  if (looksLikePath(spec)) {
    const file = path.resolve(spec);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new UsageError(`no such kernel file ${file}: give a kernel image (vmlinuz) path or a Debian kernel package name such as linux-image-6.1.0-50-amd64 (apt-cache search linux-image-6.1)`);
    }
    if (!st.isFile()) throw new UsageError(`${file} is not a file: give a kernel image (vmlinuz) path`);
    const release = releaseFromName(file);
    const root = path.dirname(path.dirname(file));
    const modulesDir = release === undefined ? undefined : await ensureModulesDep(root, release, opts);
    const key = `${path.basename(file)}-${st.size}-${Math.round(st.mtimeMs)}`;
    const pvhVmlinux = await extractPvhVmlinux(file, path.join(opts.cacheDir, 'vmlinux', key)).catch(() => undefined);
    return { spec, vmlinuz: file, pvhVmlinux, release, modulesDir, package: undefined };
  }
  let pkg = await fetchDebianPackage(spec, opts);
  let boot = path.join(pkg.root, 'boot');
  if (!fs.existsSync(boot)) {
    const dep = imageDependency(pkg.depends);
    if (dep === undefined) throw new UsageError(`package ${spec} holds no kernel (no /boot in it, no linux-image dependency): give a linux-image-* package`);
    opts.onProgress?.(`${spec} is a metapackage for ${dep}`);
    pkg = await fetchDebianPackage(dep, opts);
    boot = path.join(pkg.root, 'boot');
  }
  const image = fs.existsSync(boot) ? fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
  if (image === undefined) throw new UsageError(`package ${pkg.name} holds no /boot/vmlinuz-*: give a linux-image-* package`);
  const release = image.slice('vmlinuz-'.length);
  const modulesDir = await ensureModulesDep(pkg.root, release, opts);
  const vmlinuz = path.join(boot, image);
  const pvhVmlinux = await extractPvhVmlinux(vmlinuz, path.join(boot, `vmlinux-${release}.pvh`)).catch(() => undefined);
  return { spec, vmlinuz, pvhVmlinux, release, modulesDir, package: { name: pkg.name, version: pkg.version } };
}
