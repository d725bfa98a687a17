// Which of the reference's two livelocks a target is in. Pure: from the kernel profile, the mmap_lock probe,
// the trace and the host's MGLRU state.
//  - mmap-lock: needs hold or probe evidence (a /proc/PID/cmdline read that stalled, or a traced mmap_lock
//    hold ≥ 1 s). A profile of shrink_lruvec / lru_note_cost supports it but never decides it alone.
//  - lru-lock: needs MGLRU on, and a profile with evict_folios on at least `lruLockEvictFoliosShare` of the
//    target's CPU samples and a spin lock innermost in reclaim on at least `lruLockSpinShare` of them. Classic
//    LRU takes lru_lock too (this project's 6.18 host, MGLRU absent: 64 % _raw_spin_unlock_irq under
//    shrink_lruvec), so spinning alone never names it, and a kernel without MGLRU on never gets it.
//  - unknown: otherwise, with what was missing.
import type { KernelProfile } from '../probe/kernel-profile.js';
import { decideWithMargin, type EdgeCheck } from './borderline.js';
import type { Thresholds } from './thresholds.js';
import type { HostFacts, ProbeSummary, TraceSummary, VariantAssessment } from './verdict.js';

/** What `assessVariant` looks at. */
export interface VariantInput {
  host: HostFacts;
  probe: ProbeSummary;
  trace?: TraceSummary | undefined;
  profile?: KernelProfile | undefined;
}

/** Kernel samples a profile needs before its "nobody waits for mmap_lock" outweighs a slow probe. */
const MIN_SAMPLES_AGAINST_PROBE = 100;

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

/** Decides the variant. `probeStall`/`traceStall` are the classifier's own findings, passed in so both agree. */
export function assessVariant(input: VariantInput, t: Thresholds, stall: { probe: boolean; trace: boolean }): VariantAssessment {
  const { host, probe, trace, profile } = input;
  const because: string[] = [];
  const missing: string[] = [];
  const figures: VariantAssessment['figures'] = {};
  let borderline = false;
  const mglruOn = host.mglruPresent && host.mglruEnabled;

  // Hold evidence.
  if (probe.worstLatencyMs !== undefined) figures.probeWorstMs = probe.worstLatencyMs;
  const hold = trace?.ran ? trace.mmapLock : undefined;
  if (hold) figures.maxHoldMs = hold.maxHoldMs;
  // A slow cmdline probe alone is weighed against the profile: while a thread holds mmap_lock for seconds in
  // the reference's livelock, the other faulting threads queue for it (lock_mm_and_find_vma, rwsem_down_read_*).
  // A profile of many kernel samples with none of them waiting says the probe's reader was slow for another
  // reason (starved on a loaded or emulated machine; in the lab's TCG guests of 6.12, whose faults take per-VMA
  // locks, the probe took 1–7.5 s with 0 of 600–1,600 samples waiting). A traced hold always decides.
  const probeContradicted = stall.probe && !stall.trace && profile !== undefined && profile.kernelSamples >= MIN_SAMPLES_AGAINST_PROBE && profile.shares.mmapLockWait === 0;
  const holdEvidence = (stall.probe && !probeContradicted) || stall.trace;
  if (probeContradicted) missing.push(`the mmap_lock probe was slow (${Math.round(probe.worstLatencyMs ?? 0)} ms), but none of the profile's ${profile.kernelSamples} kernel samples waited for mmap_lock: its reader was slowed by something else (a starved CPU), not by a held lock; \`doctor --trace\` measures holds`);
  if (stall.probe && !probeContradicted) because.push(probe.timeouts > 0 ? `reading /proc/PID/cmdline timed out ${probe.timeouts}× (it waits for mmap_lock)` : `reading /proc/PID/cmdline took ${Math.round(probe.worstLatencyMs ?? 0)} ms (≥ ${t.mmapLockStallMs} ms): mmap_lock is held for long`);
  if (stall.trace && hold) because.push(`a thread held mmap_lock for ${Math.round(hold.maxHoldMs)} ms (traced; ${hold.holdsOver1s} hold(s) ≥ 1 s)`);

  // Profile evidence.
  let lruSigns = false;
  if (profile && profile.kernelSamples > 0) {
    const s = profile.shares;
    Object.assign(figures, { profileMethod: profile.method, profileSamples: profile.samples, evictFoliosShare: s.evictFolios, spinLockShare: s.spinLockInReclaim, shrinkLruvecShare: s.shrinkLruvec, lruNoteCostShare: s.lruNoteCost, mmapLockWaitShare: s.mmapLockWait });
    const checks: EdgeCheck[] = [
      { name: 'evict_folios share of CPU samples', value: s.evictFolios, threshold: t.lruLockEvictFoliosShare, op: '>=', format: pct },
      { name: 'spin-lock share in reclaim', value: s.spinLockInReclaim, threshold: t.lruLockSpinShare, op: '>=', format: pct },
    ];
    const d = decideWithMargin(checks, t.borderlineMargin, 'lru_lock contention');
    lruSigns = d.holds;
    if (d.near.length) borderline = true;
    const src = `${profile.method}, ${profile.samples} samples`;
    if (lruSigns) because.push(`${pct(s.evictFolios)} of the target's CPU samples are in evict_folios and ${pct(s.spinLockInReclaim)} spin on a lock inside reclaim (${src})`);
    else if (mglruOn) missing.push(`the profile does not show lru_lock contention: evict_folios ${pct(s.evictFolios)} (needs ≥ ${pct(t.lruLockEvictFoliosShare)}), spin lock in reclaim ${pct(s.spinLockInReclaim)} (needs ≥ ${pct(t.lruLockSpinShare)}) (${src})`);
    if (holdEvidence && (s.shrinkLruvec > 0 || s.lruNoteCost > 0)) because.push(`the profile puts ${pct(s.shrinkLruvec)} of CPU samples in shrink_lruvec and ${pct(s.lruNoteCost)} in lru_note_cost (${src})`);
    if (holdEvidence && s.mmapLockWait > 0) because.push(`${pct(s.mmapLockWait)} of the profile's samples are threads waiting for mmap_lock in a fault (lock_mm_and_find_vma, rwsem_down_read_slowpath) (${src})`);
  } else if (profile) {
    missing.push(`the kernel profile (${profile.method}) caught no kernel samples of the target`);
  } else {
    missing.push('no kernel CPU profile of the target (doctor --profile)');
  }
  if (!holdEvidence) {
    const probeText = probe.probes === 0 ? 'the mmap_lock probe did not run' : `the mmap_lock probe answered within ${(probe.worstLatencyMs ?? 0).toFixed(1)} ms (< ${t.mmapLockStallMs} ms)`;
    const traceText = trace?.ran ? (hold ? `no traced mmap_lock hold ≥ 1 s (longest ${Math.round(hold.maxHoldMs)} ms)` : 'the trace had no mmap_lock tracepoints') : 'no mmap_lock trace (doctor --trace)';
    missing.push(`no sign of a long mmap_lock hold: ${probeText}; ${traceText}`);
  }

  let variant: VariantAssessment['variant'];
  if (holdEvidence) {
    variant = 'mmap-lock';
    if (lruSigns && mglruOn) because.push('the profile also shows lru_lock contention under evict_folios: both may be at work');
  } else if (lruSigns && mglruOn) {
    variant = 'lru-lock';
    because.push(`MGLRU is on (${host.kernelRelease})`);
  } else {
    variant = 'unknown';
    if (lruSigns) missing.push(`the stacks look like MGLRU's lru_lock contention, but MGLRU is ${host.mglruPresent ? 'off' : 'absent'} on this kernel (${host.kernelRelease}): not the lru-lock variant`);
    else if (!mglruOn) missing.push(`MGLRU is ${host.mglruPresent ? 'off' : 'absent (no CONFIG_LRU_GEN)'}: the lru-lock variant cannot occur here`);
  }
  return { variant, because, missing: variant === 'unknown' ? missing : [], figures, borderline };
}
