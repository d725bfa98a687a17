// Advice: what an on-call engineer should do next, given the verdict, findings and the livelock's variant.
// Advice for the wrong variant is worse than none: "enable MGLRU" is never given where MGLRU is on (the
// lru-lock variant runs in MGLRU), and the mmap_lock advice needs mmap_lock evidence.
import type { Finding, HostFacts, VariantAssessment, VerdictClass } from './verdict.js';

/** Advice lines for a verdict, most urgent first. */
export function adviseFor(verdict: VerdictClass, findings: Finding[], host: HostFacts, variant?: VariantAssessment): string[] {
  const has = (c: Finding['code']): boolean => findings.some((f) => f.code === c);
  const out: string[] = [];
  const mglruOn = host.mglruPresent && host.mglruEnabled;
  const v = variant?.variant;
  if (verdict === 'reclaim-livelock') {
    out.push('This will not end by itself: no OOM kill comes while reclaim frees a few pages now and then. Restart the workload (delete the pod) to recover now.');
    if (v === 'lru-lock') {
      out.push('MGLRU is already on, so enabling it is not the cure here: this is MGLRU\'s own livelock, many threads reclaiming at once and spinning on lru_lock in evict_folios.');
      out.push('Cut the number of threads that fault pages at once (thread pools, readahead-heavy mmaps), give the cgroup more headroom above its working set, and move to a newer kernel; keep a liveness check that restarts the workload when it stalls.');
    } else {
      out.push('Raise the memory limit, or cut the number of threads faulting at once: a working set of file pages larger than the limit, re-read by many threads, is the trigger.');
    }
  } else if (v === 'lru-lock') {
    out.push('MGLRU reclaim spins on lru_lock (evict_folios): fewer threads faulting at once and more memory headroom relieve it; MGLRU is already on, enabling it again changes nothing.');
  }
  if (has('mmap-lock-stall')) out.push('ps, top, pidstat and perf read /proc/PID/cmdline and will hang on this process; use `reclaimwatch stacks --pid PID --kernel-only`, which never touches its address space.');
  if (has('mglru-off') && !mglruOn) {
    out.push(`Enable MGLRU, which cured the reference's first livelock (reclaim under mmap_lock)${v === 'mmap-lock' ? ', the one seen here' : ''}: \`echo y > /sys/kernel/mm/lru_gen/enabled\` (takes effect at once; to keep it across reboots add a systemd-tmpfiles line \`w /sys/kernel/mm/lru_gen/enabled - - - - y\`, or build with CONFIG_LRU_GEN_ENABLED=y).`);
    out.push('Caution: switching MGLRU at run time on some kernels has triggered spurious cgroup OOM kills while pages move between the two LRU schemes; switch on a drained node or during low load. MGLRU has a livelock of its own (lru_lock, with very many threads reclaiming): keep the liveness restart.');
  } else if (verdict === 'reclaim-livelock' && !host.mglruPresent) {
    out.push(`This kernel (${host.kernelRelease}) has no MGLRU (CONFIG_LRU_GEN); a kernel ≥ 6.1 with MGLRU on, or one that drops mmap_lock before reclaim, avoids the mmap_lock livelock.`);
  }
  if (v === 'unknown' && verdict === 'reclaim-livelock') out.push('Which of the two livelocks this is stays open (see the variant\'s missing evidence): run `reclaimwatch doctor --profile --trace` to get the kernel\'s CPU profile and mmap_lock holds.');
  if (verdict === 'thrashing') out.push('The working set does not fit the memory limit: raise the limit or shrink what is read repeatedly (page cache counts against the limit).');
  if (verdict === 'oom-loop') out.push('The workload is OOM-killed and restarted: raise the memory limit or fix the growth (see `dmesg` for the killed tasks and their sizes).');
  if (verdict === 'memory-pressure' && !has('mmap-lock-stall')) out.push('Memory is tight but work goes on: watch it (`reclaimwatch doctor --window 30`), and raise the limit if stalls grow.');
  if (has('cpu-throttled')) out.push('CPU is throttled by its quota: raise cpu limits (cpu.cfs_quota_us / cpu.max) if this work matters, or expect latency.');
  return out;
}
