// A kernel CPU profile cut down to what a report shows: the method and what it rests on, the top functions by
// share, the telling shares. Used where a whole profile (100 stacks) would be too much: the evidence bundle's
// manifest, repro's legs and report.
import type { KernelProfile, ProfileFunction, ProfileShares } from './kernel-profile.js';

/** What a report keeps of a profile. */
export interface KernelProfileSummary {
  method: KernelProfile['method'];
  hz: number;
  durationMs: number;
  samples: number;
  kernelSamples: number;
  filter: string;
  /** Innermost kernel functions, most samples first. */
  top: ProfileFunction[];
  shares: ProfileShares;
  /** Methods tried first that could not run, and why. */
  fallbacks: { method: KernelProfile['method']; reason: string }[];
  notes: string[];
}

/** Cuts `p` down to its summary with at most `topN` functions (default 10). Pure. */
export function summarizeKernelProfile(p: KernelProfile, topN = 10): KernelProfileSummary {
  return {
    method: p.method, hz: p.hz, durationMs: p.durationMs, samples: p.samples, kernelSamples: p.kernelSamples, filter: p.filter,
    top: p.top.slice(0, topN).map((f) => ({ ...f })), shares: { ...p.shares }, fallbacks: p.fallbacks.map((f) => ({ ...f })), notes: [...p.notes],
  };
}

/** A share as reports of the profile print it: "56.8 %". */
export const sharePct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** One line: "bpftrace at 99 Hz over 2.5 s, 480 samples (95 % kernel), filter ...". Pure. */
export function describeKernelProfile(p: Pick<KernelProfileSummary, 'method' | 'hz' | 'durationMs' | 'samples' | 'kernelSamples' | 'filter'>): string {
  const k = p.samples > 0 ? ` (${sharePct(p.kernelSamples / p.samples)} in the kernel)` : '';
  return `${p.method} at ${p.hz} Hz over ${(p.durationMs / 1000).toFixed(1)} s, ${p.samples} sample(s)${k}; ${p.filter}`;
}

/** The profile as plain text: the description, the fallbacks, the top functions with their shares, the telling shares. Pure. */
export function formatKernelProfileText(p: KernelProfileSummary): string {
  const lines = [describeKernelProfile(p)];
  for (const f of p.fallbacks) lines.push(`not ${f.method}: ${f.reason}`);
  lines.push('', '  share  samples  kernel function (innermost)');
  for (const f of p.top) lines.push(`${sharePct(f.share).padStart(7)}  ${String(f.samples).padStart(7)}  ${f.name}`);
  if (p.top.length === 0) lines.push('  (no kernel samples)');
  const s = p.shares;
  lines.push('', `evict_folios ${sharePct(s.evictFolios)} · spin lock in reclaim ${sharePct(s.spinLockInReclaim)} · shrink_lruvec ${sharePct(s.shrinkLruvec)} · lru_note_cost ${sharePct(s.lruNoteCost)} · waiting for mmap_lock ${sharePct(s.mmapLockWait)} · any reclaim ${sharePct(s.reclaim)}`);
  for (const n of p.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
