import path from 'node:path';

/**
 * Roots of the kernel's file systems. Every reader takes one; nothing else hard-codes `/proc` or `/sys`,
 * so the whole tool runs against a fixture tree (`--path.procfs`, `--path.sysfs`, `--path.rootfs`).
 */
export interface HostPaths {
  /** Where procfs is mounted, normally `/proc`. */
  readonly proc: string;
  /** Where sysfs is mounted, normally `/sys`. */
  readonly sys: string;
  /** The host's root file system, normally `/`. */
  readonly rootfs: string;
}

/** The live host's roots. */
export const LIVE_HOST: HostPaths = Object.freeze({ proc: '/proc', sys: '/sys', rootfs: '/' });

/** Builds `HostPaths` from optional overrides, resolving relative paths against the working directory. */
export function hostPaths(overrides: { proc?: string | undefined; sys?: string | undefined; rootfs?: string | undefined } = {}): HostPaths {
  return Object.freeze({
    proc: path.resolve(overrides.proc ?? LIVE_HOST.proc),
    sys: path.resolve(overrides.sys ?? LIVE_HOST.sys),
    rootfs: path.resolve(overrides.rootfs ?? LIVE_HOST.rootfs),
  });
}

/** True when the roots are the live machine's (probes that spawn tools only make sense then). */
export function isLiveHost(host: HostPaths): boolean {
  return host.proc === '/proc' && host.sys === '/sys';
}
