// The one interrupt helper of every command: SIGINT and SIGTERM (and SIGHUP where asked) abort an AbortSignal
// the command's work listens to; a second signal aborts `force` (for work that stops gracefully first, as
// bpftrace printing its maps). The listeners are removed when the work ends, whatever way it ends.
import { signalExitStatus } from '../detect/exit-status.js';

/** What the work receives. */
export interface Interrupt {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Aborted by the second signal: stop at once. */
  force: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** 128 + the first signal's number, or undefined when none came. */
  exitStatus(): number | undefined;
}

/** Options of `withInterrupt`. */
export interface InterruptOptions {
  /** Signals that interrupt (default SIGINT and SIGTERM). */
  signals?: NodeJS.Signals[];
  /** Called at each signal with its count (1 for the first), e.g. to print "stopping...". */
  onSignal?: (sig: NodeJS.Signals, count: number) => void;
}

/** Runs `work` with an Interrupt wired to the process's signals, and unwires them afterwards. */
export async function withInterrupt<T>(work: (i: Interrupt) => Promise<T>, opts: InterruptOptions = {}): Promise<T> {
  const first = new AbortController();
  const second = new AbortController();
  let got: NodeJS.Signals | undefined;
  let count = 0;
  const on = (sig: NodeJS.Signals): void => {
    count++;
    got ??= sig;
    opts.onSignal?.(sig, count);
    if (count === 1) first.abort(new Error(`interrupted by ${sig}`));
    else second.abort(new Error(`interrupted twice (${sig})`));
  };
  const signals = opts.signals ?? ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, on);
  try {
    return await work({
      signal: first.signal,
      force: second.signal,
      received: () => got,
      exitStatus: () => (got === undefined ? undefined : signalExitStatus(got)),
    });
  } finally {
    for (const s of signals) process.off(s, on);
  }
}
