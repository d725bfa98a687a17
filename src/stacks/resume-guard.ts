// Keeps a debugger's target from staying stopped. A PTRACE_ATTACH tracee is detached and resumed when its
// tracer dies, but the SIGSTOP that attaching queued may still be pending then, and it puts the whole thread
// group into a job-control stop that nobody will end. So every debugger runs behind a guard: a tiny shell in
// its own session (it survives the SIGKILL of the debugger's process group, and the death of reclaimwatch)
// that waits for the debugger's PID to go away, then for one second sends SIGCONT whenever the target shows
// "T (stopped)". It is only armed when the target was not stopped before we came.

/** The guard script: `$1` target PID, the rest the debugger command, exec'd in place of this shell. */
const GUARD = [
  't=$1; shift',
  'setsid sh -c \'w=$1; t=$2; while kill -0 "$w" 2>/dev/null; do sleep 0.05; done; i=0; ' +
    'while [ $i -lt 20 ]; do if grep -q "^State:.T (stopped)" "/proc/$t/status" 2>/dev/null; then kill -CONT "$t"; fi; i=$((i+1)); sleep 0.05; done\' ' +
    'rw-resume-guard "$$" "$t" </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join('\n');

/** Wraps `file args` so that the target `pid` is resumed (SIGCONT) if the debugger dies leaving it stopped. */
export function guardedCommand(pid: number, file: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: '/bin/sh', args: ['-c', GUARD, 'rw-debugger', String(pid), file, ...args] };
}
