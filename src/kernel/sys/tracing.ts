// tracefs: /sys/kernel/tracing (or the older /sys/kernel/debug/tracing). events/<system>/<event>/format
// https://docs.kernel.org/trace/events.html
import fs from 'node:fs';
import type { HostPaths } from '../../host/host-paths.js';

/** Tracepoints reclaimwatch's programs use. */
export const TRACEPOINTS_USED = [
  'vmscan:mm_vmscan_memcg_reclaim_begin',
  'vmscan:mm_vmscan_memcg_reclaim_end',
  'vmscan:mm_vmscan_direct_reclaim_begin',
  'vmscan:mm_vmscan_direct_reclaim_end',
  'vmscan:mm_vmscan_lru_shrink_inactive',
  'vmscan:mm_vmscan_lru_shrink_active',
  'mmap_lock:mmap_lock_start_locking',
  'mmap_lock:mmap_lock_acquire_returned',
  'mmap_lock:mmap_lock_released',
  'sched:sched_switch',
] as const;

/** Where tracefs is mounted, or undefined. */
export function findTracefs(host: HostPaths): string | undefined {
  for (const d of [`${host.sys}/kernel/tracing`, `${host.sys}/kernel/debug/tracing`]) {
    if (fs.existsSync(`${d}/events`)) return d;
  }
  return undefined;
}

/** True when a tracepoint `system:event` exists under the tracefs directory. */
export function hasTracepoint(tracefs: string, tp: string): boolean {
  const [sys, ev] = tp.split(':');
  return sys !== undefined && ev !== undefined && fs.existsSync(`${tracefs}/events/${sys}/${ev}`);
}

/** True when the kernel offers kprobes (the kprobe_events file exists in tracefs). */
export function hasKprobes(tracefs: string | undefined): boolean {
  return tracefs !== undefined && fs.existsSync(`${tracefs}/kprobe_events`);
}
