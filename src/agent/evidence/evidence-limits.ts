// Bounds on evidence: one bundle per incident, at most N bundles per target per hour, every bundle under a
// byte bound, and all bundles together under a byte budget (the oldest go first). Pure functions of what is on disk.

/** The bounds. */
export interface EvidenceLimits {
  /** Largest bundle, bytes (parts are dropped, largest first, to fit). Default 16 MiB. */
  maxBundleBytes: number;
  /** Bundles per target per hour. Default 2. */
  perTargetPerHour: number;
  /** All bundles together, bytes (oldest removed first). Default 256 MiB. */
  maxTotalBytes: number;
  /** Bundles kept at most, whatever their size. Default 200. */
  maxBundles: number;
}

/** Default bounds. */
export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxBundleBytes: 16 << 20, perTargetPerHour: 2, maxTotalBytes: 256 << 20, maxBundles: 200 };

/** What retention needs to know of a bundle. */
export interface BundleFacts {
  id: string;
  targetId: string | undefined;
  startedWallMs: number;
  bytes: number;
}

/** Why a new capture is refused, or undefined when it may go ahead. */
export function refuseCapture(existing: readonly BundleFacts[], want: { incidentId: string; targetId: string; nowWallMs: number }, limits: EvidenceLimits): string | undefined {
  if (existing.some((b) => b.id === want.incidentId)) return `incident ${want.incidentId} already has its bundle`;
  const lastHour = existing.filter((b) => b.targetId === want.targetId && b.startedWallMs > want.nowWallMs - 3_600_000);
  if (lastHour.length >= limits.perTargetPerHour) return `${lastHour.length} bundle(s) for this target in the last hour (at most ${limits.perTargetPerHour})`;
  return undefined;
}

/** Bundles to remove, oldest first, so the rest fit `maxTotalBytes` and `maxBundles`; `keep` is never removed. */
export function bundlesToEvict(existing: readonly BundleFacts[], limits: EvidenceLimits, keep: string | undefined): string[] {
  let total = existing.reduce((s, b) => s + b.bytes, 0);
  let count = existing.length;
  const out: string[] = [];
  for (const b of [...existing].sort((a, c) => a.startedWallMs - c.startedWallMs || a.id.localeCompare(c.id))) {
    if (total <= limits.maxTotalBytes && count <= limits.maxBundles) break;
    if (b.id === keep) continue;
    out.push(b.id);
    total -= b.bytes;
    count--;
  }
  return out;
}
