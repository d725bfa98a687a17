// Advice: what an on-call engineer should do next, given the verdict and findings.
import type { Finding, HostFacts, VerdictClass } from './verdict.js';

/** Advice lines for a verdict, most urgent first. */
export function adviseFor(verdict: VerdictClass, findings: Finding[], host: HostFacts): string[] {
  const has = (c: Finding['code']): boolean => findings.some((f) => f.code === c);
  const out: string[] = [];
  if (verdict === 'reclaim-livelock') {
    out.push('This will not end by itself: no OOM kill comes while reclaim frees a few pages now and then. Restart the workload (delete the pod) to recover now.');
    out.push('Raise the memory limit, or cut the number of threads faulting at once: a working set of file pages larger than the limit, re-read by many threads, is the trigger.');
  }
  if (has('mmap-lock-stall')) out.push('ps, top, pidstat and perf read /proc/PID/cmdline and will hang on this process; use `reclaimwatch stacks --pid PID --kernel-only`, which never touches its address space.');
  if (has('mglru-off')) {
    out.push('Enable MGLRU, which cured the reference livelock: `echo y > /sys/kernel/mm/lru_gen/enabled` (takes effect at once; to keep it across reboots add a systemd-tmpfiles line `w /sys/kernel/mm/lru_gen/enabled - - - - y`, or build with CONFIG_LRU_GEN_ENABLED=y).');
    out.push('Caution: switching MGLRU at run time on some kernels has triggered spurious cgroup OOM kills while pages move between the two LRU schemes; switch on a drained node or during low load.');
  } else if (verdict === 'reclaim-livelock' && !host.mglruPresent) {
    out.push(`This kernel (${host.kernelRelease}) has no MGLRU (CONFIG_LRU_GEN); a kernel ≥ 6.1 with MGLRU on, or one that drops mmap_lock before reclaim, avoids this livelock.`);
  }
  if (verdict === 'thrashing') out.push('The working set does not fit the memory limit: raise the limit or shrink what is read repeatedly (page cache counts against the limit).');
  if (verdict === 'oom-loop') out.push('The workload is OOM-killed and restarted: raise the memory limit or fix the growth (see `dmesg` for the killed tasks and their sizes).');
  if (verdict === 'memory-pressure' && !has('mmap-lock-stall')) out.push('Memory is tight but work goes on: watch it (`reclaimwatch doctor --window 30`), and raise the limit if stalls grow.');
  if (has('cpu-throttled')) out.push('CPU is throttled by its quota: raise cpu limits (cpu.cfs_quota_us / cpu.max) if this work matters, or expect latency.');
  return out;
}
