// MGLRU switches: /sys/kernel/mm/lru_gen/enabled ("0x0007") and min_ttl_ms ("0").
// https://docs.kernel.org/admin-guide/mm/multigen_lru.html
import type { HostPaths } from '../../host/host-paths.js';
import { readKernelFileIfExists } from '../read.js';

/** MGLRU state: `present` is false where the kernel was built without CONFIG_LRU_GEN. */
export interface LruGen {
  present: boolean;
  /** The enabled bitmask: 0x0001 core, 0x0002 non-leaf PMD clearing, 0x0004 leaf page-table walks. */
  enabledMask: number;
  /** True when the core bit (0x0001) is set: MGLRU is doing reclaim. */
  enabled: boolean;
  minTtlMs: number | undefined;
}

/** Parses the `enabled` file ("0x0007", or "y"/"n" on some backports). */
export function parseLruGenEnabled(text: string): number {
  const t = text.trim();
  if (t === 'y' || t === 'Y') return 7;
  if (t === 'n' || t === 'N') return 0;
  const v = Number.parseInt(t, 16);
  return Number.isFinite(v) ? v : 0;
}

/** Reads MGLRU state. */
export function readLruGen(host: HostPaths): LruGen {
  const text = readKernelFileIfExists(`${host.sys}/kernel/mm/lru_gen/enabled`, 64);
  if (text === undefined) return { present: false, enabledMask: 0, enabled: false, minTtlMs: undefined };
  const mask = parseLruGenEnabled(text);
  const ttl = readKernelFileIfExists(`${host.sys}/kernel/mm/lru_gen/min_ttl_ms`, 64);
  return { present: true, enabledMask: mask, enabled: (mask & 1) === 1, minTtlMs: ttl === undefined ? undefined : Number(ttl.trim()) };
}
