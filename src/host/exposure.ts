// Which of the reference's two reclaim livelocks this node is exposed to, and why, from what the node says
// about itself: the kernel release, the distribution (/etc/os-release under HostPaths.rootfs), MGLRU built and
// on, and whether page faults can take per-VMA locks instead of mmap_lock. Pure apart from the readers at the end.
//  - mmap-lock: classic LRU reclaim run inside a page fault that holds mmap_lock (the reference: COS 101/105/109;
//    `ps` and `perf` hang). MGLRU on cured it there; per-VMA locks keep faults off mmap_lock.
//  - lru-lock: MGLRU's evict_folios spinning on lru_lock with very many threads reclaiming (the reference, after
//    MGLRU was switched on). Needs MGLRU on.
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { HostPaths } from './host-paths.js';
import type { LruGen } from '../kernel/sys/lru-gen.js';

/** How exposed a node is to one livelock. */
export type ExposureLevel = 'exposed' | 'possible' | 'unlikely' | 'not-exposed';

/** The distribution, from os-release. */
export interface Distro {
  /** os-release ID: cos, amzn, azurelinux, mariner, ubuntu, debian, ... */
  id: string | undefined;
  versionId: string | undefined;
  /** PRETTY_NAME or NAME. */
  name: string | undefined;
  /** Container-Optimized OS milestone (VERSION_ID of ID=cos), e.g. 109. */
  cosMilestone: number | undefined;
  /** Where it was read, or undefined when no os-release was found. */
  source: string | undefined;
}

/** Whether page faults can run under per-VMA locks (CONFIG_PER_VMA_LOCK, upstream 6.4 for anonymous faults). */
export interface PerVmaLock {
  available: boolean | undefined;
  /** `config` (the kernel's build config), `vmstat` (vma_lock_* counters), `version` (inferred from the release). */
  source: 'config' | 'vmstat' | 'version';
  detail: string;
}

/** One row of the reference's own table (what its test case did on each platform). */
export interface ReferenceRow {
  platform: string;
  kernel: string;
  result: string;
  /** Matches this node's os-release. */
  match: (d: Distro) => boolean;
}

/** The reference's table: "The case of the vanishing CPU" (ClickHouse, 2025), section "Digging into mmap_lock". */
export const REFERENCE_TABLE: readonly ReferenceRow[] = [
  { platform: 'COS 101', kernel: '5.10', result: 'affected (the test case triggered the mmap_lock livelock)', match: (d) => d.id === 'cos' && d.cosMilestone === 101 },
  { platform: 'COS 105', kernel: '5.15', result: 'affected (the production incidents: GKE 1.27)', match: (d) => d.id === 'cos' && d.cosMilestone === 105 },
  { platform: 'COS 109', kernel: '6.1', result: 'affected; cured by enabling MGLRU, after which the lru_lock livelock appeared', match: (d) => d.id === 'cos' && d.cosMilestone === 109 },
  { platform: 'COS 113', kernel: '6.1', result: 'not affected', match: (d) => d.id === 'cos' && d.cosMilestone === 113 },
  { platform: 'Amazon Linux 2', kernel: '5.10', result: 'no sign of the issue', match: (d) => d.id === 'amzn' && d.versionId === '2' },
  { platform: 'Amazon Linux 2023', kernel: '6.1', result: 'no sign of the issue', match: (d) => d.id === 'amzn' && d.versionId === '2023' },
  { platform: 'Azure Linux', kernel: '5.15', result: 'the test case suggested it triggers; never seen in production', match: (d) => d.id === 'azurelinux' || d.id === 'mariner' },
];

/** Where each claim comes from. */
export const EXPOSURE_SOURCES = {
  reference: 'the reference: "The case of the vanishing CPU: A Linux kernel debugging story", Sergei Trifonov, ClickHouse blog, 2025-03-05',
  mglru: 'Documentation/admin-guide/mm/multigen_lru.rst (MGLRU, Linux 6.1; /sys/kernel/mm/lru_gen/enabled)',
  perVma: 'per-VMA locks: Linux 6.4 (CONFIG_PER_VMA_LOCK, anonymous faults; "Concurrent page-fault handling with per-VMA locks", LWN 2022); file-backed faults under the VMA lock followed upstream in 6.7',
} as const;

/** The assessment. */
export interface Exposure {
  kernelRelease: string;
  /** [major, minor] from the release, or undefined when it does not parse. */
  version: [number, number] | undefined;
  distro: Distro;
  mglru: { built: boolean; on: boolean };
  perVmaLock: PerVmaLock;
  mmapLock: { level: ExposureLevel; why: string[] };
  lruLock: { level: ExposureLevel; why: string[] };
  /** The reference's table, with the row of this node's platform marked. */
  reference: { platform: string; kernel: string; result: string; thisNode: boolean }[];
  sources: string[];
}

/** Parses os-release (`KEY=value`, values optionally quoted). Pure. */
export function parseOsRelease(text: string, source?: string): Distro {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = (m[2] ?? '').trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    kv[m[1] as string] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  const id = kv['ID']?.toLowerCase();
  const versionId = kv['VERSION_ID'];
  const milestone = id === 'cos' && versionId !== undefined ? Number.parseInt(versionId, 10) : Number.NaN;
  return { id, versionId, name: kv['PRETTY_NAME'] ?? kv['NAME'], cosMilestone: Number.isFinite(milestone) ? milestone : undefined, source };
}

/** [major, minor] of a release such as "6.1.0-50-amd64" or "5.15.133+". Pure. */
export function parseKernelVersion(release: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: [number, number] | undefined, maj: number, min: number): boolean => v !== undefined && (v[0] > maj || (v[0] === maj && v[1] >= min));

/** Per-VMA locks from the kernel config text, vmstat keys, or the version. Pure. */
export function decidePerVmaLock(o: { config?: string | undefined; vmstatKeys?: readonly string[]; version: [number, number] | undefined; release: string }): PerVmaLock {
  if (o.config !== undefined) {
    const on = /^CONFIG_PER_VMA_LOCK=y$/m.test(o.config);
    return { available: on, source: 'config', detail: on ? 'CONFIG_PER_VMA_LOCK=y in the kernel config' : 'the kernel config has no CONFIG_PER_VMA_LOCK=y' };
  }
  if (o.vmstatKeys?.some((k) => k.startsWith('vma_lock_'))) return { available: true, source: 'vmstat', detail: '/proc/vmstat counts vma_lock_* events' };
  if (o.version === undefined) return { available: undefined, source: 'version', detail: `cannot tell from release ${JSON.stringify(o.release)}` };
  return atLeast(o.version, 6, 4)
    ? { available: true, source: 'version', detail: `Linux ${o.version.join('.')} ≥ 6.4, where x86-64 and arm64 select CONFIG_PER_VMA_LOCK (no kernel config found to confirm)` }
    : { available: false, source: 'version', detail: `Linux ${o.version.join('.')} < 6.4: no per-VMA locks; every page fault takes mmap_lock` };
}

/** Decides the exposure from facts. Pure. */
export function assessExposure(o: { kernelRelease: string; distro: Distro; mglru: Pick<LruGen, 'present' | 'enabled'>; perVmaLock: PerVmaLock }): Exposure {
  const version = parseKernelVersion(o.kernelRelease);
  const d = o.distro;
  const row = REFERENCE_TABLE.find((r) => r.match(d));
  const mm: string[] = [];
  const lru: string[] = [];
  let mmLevel: ExposureLevel;
  const fileFaultsOffMmapLock = o.perVmaLock.available === true && atLeast(version, 6, 7);
  if (o.mglru.enabled) {
    mmLevel = 'unlikely';
    mm.push('MGLRU is on: reclaim does not walk the classic active/inactive lists that ran for seconds under mmap_lock in the reference (enabling MGLRU cured COS 109 there)');
  } else if (fileFaultsOffMmapLock) {
    mmLevel = 'unlikely';
    mm.push(`page faults take per-VMA locks here (${o.perVmaLock.detail}), file-backed ones too from 6.7: a fault that reclaims no longer holds mmap_lock, so ps and perf do not hang`);
  } else {
    mmLevel = 'exposed';
    mm.push(`classic LRU reclaim (MGLRU ${o.mglru.present ? 'built but off' : 'not built: no CONFIG_LRU_GEN'})`);
    mm.push(o.perVmaLock.available === true ? `per-VMA locks exist (${o.perVmaLock.detail}) but this kernel (< 6.7) still handles file-backed faults under mmap_lock` : `page faults take mmap_lock (${o.perVmaLock.detail})`);
  }
  if (row) {
    if (/not affected|no sign/.test(row.result) && mmLevel === 'exposed') {
      mmLevel = 'possible';
      mm.push(`the reference found ${row.platform} (${row.kernel}) ${row.result}: its kernel carries patches the version alone does not show`);
    } else mm.push(`the reference found ${row.platform} (${row.kernel}): ${row.result}`);
  } else if (d.id === 'cos' && d.cosMilestone !== undefined && d.cosMilestone > 113 && mmLevel === 'exposed') {
    mmLevel = 'possible';
    mm.push(`COS ${d.cosMilestone} is newer than COS 113, which the reference found not affected`);
  }
  if (!o.mglru.present) {
    lru.push('MGLRU is not built into this kernel (no /sys/kernel/mm/lru_gen): its lru_lock livelock cannot occur');
  } else if (!o.mglru.enabled) {
    lru.push('MGLRU is built but off: the lru_lock livelock cannot occur now, and becomes possible once MGLRU is switched on (the usual cure for the other one)');
  } else {
    lru.push('MGLRU is on: with very many threads faulting pages in one memory cgroup at its limit, evict_folios can spin on lru_lock (the reference: _raw_spin_unlock_irq 55 %, 84 % of stacks in evict_folios, > 100 threads reclaiming at once)');
    lru.push('no upstream fix is known to the reference; fewer threads faulting at once, more headroom and a liveness restart are the defences');
  }
  const lruLevel: ExposureLevel = !o.mglru.present || !o.mglru.enabled ? 'not-exposed' : 'possible';
  return {
    kernelRelease: o.kernelRelease,
    version,
    distro: d,
    mglru: { built: o.mglru.present, on: o.mglru.enabled },
    perVmaLock: o.perVmaLock,
    mmapLock: { level: mmLevel, why: mm },
    lruLock: { level: lruLevel, why: lru },
    reference: REFERENCE_TABLE.map((r) => ({ platform: r.platform, kernel: r.kernel, result: r.result, thisNode: r === row })),
    sources: [EXPOSURE_SOURCES.reference, EXPOSURE_SOURCES.mglru, EXPOSURE_SOURCES.perVma, ...(d.source ? [d.source] : []), ...(o.perVmaLock.source !== 'version' ? [`per-VMA locks: ${o.perVmaLock.detail}`] : [])],
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads os-release under `host.rootfs` (etc/os-release, else usr/lib/os-release). */
export function readDistro(host: HostPaths): Distro {
  const root = host.rootfs === '/' ? '' : host.rootfs;
  for (const f of [`${root}/etc/os-release`, `${root}/usr/lib/os-release`]) {
    const t = readText(f);
    if (t !== undefined) return parseOsRelease(t, f);
  }
  return { id: undefined, versionId: undefined, name: undefined, cosMilestone: undefined, source: undefined };
}

/** Reads the kernel config: rootfs/boot/config-RELEASE, else /proc/config.gz. */
export function readKernelConfig(host: HostPaths, release: string): string | undefined {
  const root = host.rootfs === '/' ? '' : host.rootfs;
  const boot = readText(`${root}/boot/config-${release}`);
  if (boot !== undefined) return boot;
  try {
    return zlib.gunzipSync(fs.readFileSync(`${host.proc}/config.gz`)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Assesses the live (or fixture) host. */
export function readExposure(host: HostPaths, kernelRelease: string, mglru: Pick<LruGen, 'present' | 'enabled'>): Exposure {
  const vmstat = readText(`${host.proc}/vmstat`);
  const perVmaLock = decidePerVmaLock({
    config: readKernelConfig(host, kernelRelease), vmstatKeys: vmstat?.split('\n').map((l) => l.split(' ')[0] ?? '') ?? [],
    version: parseKernelVersion(kernelRelease), release: kernelRelease,
  });
  return assessExposure({ kernelRelease, distro: readDistro(host), mglru, perVmaLock });
}
