// Tags kernel stacks: which frames mean "this thread is in memory reclaim" and which mean "it waits for
// mmap_lock". Names from mm/vmscan.c, mm/memcontrol.c and kernel/locking/rwsem.c across 5.10–6.x.

/** Frames that put a thread in page reclaim (memcg or direct). */
export const RECLAIM_FRAMES: readonly string[] = [
  'try_charge_memcg', 'try_charge', 'try_to_free_mem_cgroup_pages', 'try_to_free_pages', 'do_try_to_free_pages',
  'shrink_lruvec', 'shrink_node', 'shrink_node_memcgs', 'shrink_folio_list', 'shrink_page_list',
  'shrink_inactive_list', 'shrink_active_list', 'shrink_list', 'evict_folios', 'lru_gen_shrink_lruvec',
  'try_to_shrink_lruvec', 'shrink_many', 'shrink_one', 'mem_cgroup_handle_over_high', 'reclaim_high',
  '__alloc_pages_direct_reclaim', '__perform_reclaim', 'reclaim_throttle', 'shrink_slab',
];

/** Frames that mean the thread waits for (or holds while faulting) the mmap_lock. */
export const MMAP_LOCK_FRAMES: readonly string[] = [
  'lock_mm_and_find_vma', 'rwsem_down_read_slowpath', 'rwsem_down_write_slowpath', 'down_read_killable',
  'down_write_killable', 'mmap_read_lock', 'mmap_write_lock_killable', '__mmap_lock_do_trace_start_locking',
];

const reclaim = new Set(RECLAIM_FRAMES);
const mmapLock = new Set(MMAP_LOCK_FRAMES);

/** What a kernel stack says about its thread. */
export interface StackTags {
  inReclaim: boolean;
  waitsMmapLock: boolean;
  inPageFault: boolean;
}

/** Tags one kernel stack (function names, innermost first). `rwsem_down_*` counts as mmap_lock only in a fault or mm path. */
export function tagKernelStack(frames: readonly string[]): StackTags {
  let inReclaim = false;
  let rwsem = false;
  let mm = false;
  let inPageFault = false;
  for (const f of frames) {
    if (reclaim.has(f)) inReclaim = true;
    if (mmapLock.has(f)) {
      if (f.startsWith('rwsem_down')) rwsem = true;
      else mm = true;
    }
    if (f === 'handle_mm_fault' || f === 'exc_page_fault' || f === 'do_user_addr_fault' || f === 'asm_exc_page_fault' || f === 'filemap_fault') inPageFault = true;
    if (f.startsWith('vm_mmap') || f.startsWith('__vm_munmap') || f === 'do_mmap' || f.startsWith('__x64_sys_mmap') || f.startsWith('__x64_sys_munmap') || f === 'mincore' || f.startsWith('__x64_sys_mincore') || f === 'proc_pid_cmdline_read' || f === 'access_remote_vm') mm = true;
  }
  return { inReclaim, waitsMmapLock: mm || (rwsem && inPageFault), inPageFault };
}
