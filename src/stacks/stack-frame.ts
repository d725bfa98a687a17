// One frame of a joined thread stack, and how a thread's two halves become one stack.

/** A frame of a joined stack: its function and which side of the syscall boundary it runs on. */
export interface StackFrame {
  name: string;
  kernel: boolean;
}

/**
 * Joins one thread's stacks into one, root first: user frames (outermost to innermost) above kernel frames
 * (entry point to innermost). Both inputs are innermost first, as debuggers and /proc/PID/stack print them.
 */
export function joinStack(userInnermostFirst: readonly string[] | undefined, kernelInnermostFirst: readonly string[]): StackFrame[] {
  const out: StackFrame[] = [];
  for (let i = (userInnermostFirst?.length ?? 0) - 1; i >= 0; i--) out.push({ name: userInnermostFirst![i]!, kernel: false });
  for (let i = kernelInnermostFirst.length - 1; i >= 0; i--) out.push({ name: kernelInnermostFirst[i]!, kernel: true });
  return out;
}
