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

/**
 * Frames only MGLRU's reclaim path has (mm/vmscan.c, CONFIG_LRU_GEN): the reference's second livelock ran
 * `evict_folios` under `shrink_lruvec` on every stack. `lru_gen_*` names are matched by prefix as well.
 */
export const MGLRU_FRAMES: readonly string[] = [
  'evict_folios', 'lru_gen_shrink_lruvec', 'lru_gen_shrink_node', 'try_to_shrink_lruvec', 'shrink_many', 'shrink_one',
  'isolate_folios', 'scan_folios', 'sort_folio', 'try_to_inc_max_seq', 'inc_max_seq', 'walk_mm', 'get_nr_to_scan',
];

/**
 * Spin-lock frames: where a thread contending for `lru_lock` burns its CPU. The reference's profile had
 * `_raw_spin_unlock_irq` (55 %) and `_raw_spin_unlock_irqrestore` (12 %) on top (the unlock is where the
 * interrupts are re-enabled, so the sample lands there); the lock side and the queued slow path count too.
 */
export const SPIN_LOCK_FRAMES: readonly string[] = [
  '_raw_spin_unlock_irq', '_raw_spin_lock_irq', '_raw_spin_unlock_irqrestore', '_raw_spin_lock_irqsave', '_raw_spin_lock',
  '_raw_spin_unlock', 'native_queued_spin_lock_slowpath', 'queued_spin_lock_slowpath', '__pv_queued_spin_lock_slowpath',
];

/**
 * Frames of the classic (two-list) LRU that the reference's first livelock spent its CPU in (`perf top`:
 * `shrink_lruvec` 64 %, `lru_note_cost` 29 %, `shrink_node` 3 %).
 */
export const CLASSIC_LRU_FRAMES: readonly string[] = [
  'shrink_inactive_list', 'shrink_active_list', 'lru_note_cost', 'shrink_page_list', 'shrink_folio_list', 'isolate_lru_folios',
  'isolate_lru_pages', 'move_folios_to_lru', 'move_pages_to_lru',
];

const reclaim = new Set(RECLAIM_FRAMES);
const mmapLock = new Set(MMAP_LOCK_FRAMES);
const mglru = new Set(MGLRU_FRAMES);
const spin = new Set(SPIN_LOCK_FRAMES);
const classic = new Set(CLASSIC_LRU_FRAMES);

/** True for a frame of MGLRU's reclaim path (the list above, or any `lru_gen_*`). */
export function isMglruFrame(f: string): boolean {
  return mglru.has(f) || f.startsWith('lru_gen_');
}

/** True for a spin-lock frame. */
export function isSpinLockFrame(f: string): boolean {
  return spin.has(f);
}

/** True for a frame of the classic two-list LRU's reclaim (`lru_note_cost*`: 6.18 calls it `lru_note_cost_unlock_irq`). */
export function isClassicLruFrame(f: string): boolean {
  return classic.has(f) || f.startsWith('lru_note_cost');
}

/** What a kernel stack says about its thread. */
export interface StackTags {
  inReclaim: boolean;
  waitsMmapLock: boolean;
  inPageFault: boolean;
  /** In MGLRU's reclaim (`evict_folios`, `lru_gen_*` ...). */
  inMglruReclaim: boolean;
  /** The innermost frame is a spin lock (`_raw_spin_unlock_irq` ...) and the thread is in reclaim. */
  spinningInReclaim: boolean;
}

/** Tags one kernel stack (function names, innermost first). `rwsem_down_*` counts as mmap_lock only in a fault or mm path. */
export function tagKernelStack(frames: readonly string[]): StackTags {
  let inReclaim = false;
  let rwsem = false;
  let mm = false;
  let inPageFault = false;
  let inMglru = false;
  for (const f of frames) {
    if (reclaim.has(f)) inReclaim = true;
    if (isMglruFrame(f)) inMglru = true;
    if (mmapLock.has(f)) {
      if (f.startsWith('rwsem_down')) rwsem = true;
      else mm = true;
    }
    if (f === 'handle_mm_fault' || f === 'exc_page_fault' || f === 'do_user_addr_fault' || f === 'asm_exc_page_fault' || f === 'filemap_fault') inPageFault = true;
    if (f.startsWith('vm_mmap') || f.startsWith('__vm_munmap') || f === 'do_mmap' || f.startsWith('__x64_sys_mmap') || f.startsWith('__x64_sys_munmap') || f === 'mincore' || f.startsWith('__x64_sys_mincore') || f === 'proc_pid_cmdline_read' || f === 'access_remote_vm') mm = true;
  }
  const leaf = frames[0];
  return {
    inReclaim, waitsMmapLock: mm || (rwsem && inPageFault), inPageFault, inMglruReclaim: inMglru,
    spinningInReclaim: inReclaim && leaf !== undefined && spin.has(leaf),
  };
}
