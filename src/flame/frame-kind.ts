// Which frames of a folded stack are kernel frames. Annotated input says so itself: `perf script |
// stackcollapse-perf.pl --all` and `reclaimwatch stacks --folded` append `_[k]` to kernel frames. Unannotated
// input (bpftrace, plain stackcollapse) is classified by the kernel's entry points: a syscall, exception,
// interrupt or kthread entry frame and every frame below it (towards the leaf) run in the kernel.

/** Suffix that marks a kernel frame in folded stacks. */
export const KERNEL_SUFFIX = '_[k]';

const ENTRY_PREFIXES = ['entry_SYSCALL', 'entry_INT80', 'entry_SYSENTER', 'asm_exc_', 'asm_sysvec_', 'asm_common_interrupt', 'ret_from_fork', 'do_syscall_64', 'el0_', 'el1h_'];

/** True when a frame name is a kernel entry point (syscall, fault, interrupt or kthread start). */
export function isKernelEntry(name: string): boolean {
  const c = name.charCodeAt(0);
  // Cheap first-letter filter: entry points start with e, a, r or d.
  if (c !== 101 && c !== 97 && c !== 114 && c !== 100) return false;
  for (const p of ENTRY_PREFIXES) if (name.startsWith(p)) return true;
  return false;
}

/**
 * Classifies frames in place: strips `_[k]` and returns a parallel array of kernel flags (root first).
 * A frame is kernel when annotated, or when it is at or below the first kernel entry frame.
 */
export function classifyFrames(frames: string[]): boolean[] {
  const kernel = new Array<boolean>(frames.length);
  let below = false;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (f.endsWith(KERNEL_SUFFIX)) {
      frames[i] = f.slice(0, -KERNEL_SUFFIX.length);
      kernel[i] = true;
      continue;
    }
    if (!below && isKernelEntry(f)) below = true;
    kernel[i] = below;
  }
  return kernel;
}
