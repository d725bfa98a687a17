// The one exit-status rule of every reclaimwatch command, beside the classifier whose verdicts it maps.
// It follows node-problem-detector's custom-plugin protocol, so `doctor` can be an NPD plugin as it is:
//   0  OK: nothing wrong was found (healthy, cpu-bound; a repro run whose kernel is not affected)
//   1  a problem was found (a verdict other than healthy, cpu-bound or gone; a kernel that is affected)
//   2  usage error: the command line cannot work as written (bad option value, a file that cannot be
//      written or read), refused before any work starts                                   (NPD: unknown)
//   3  could not inspect: what was asked for is not there (no such process or cgroup, every target gone),
//      cannot be read or traced here (permissions, a missing tool or kernel feature), or gave no data
//      (a flame graph input without one stack)                                            (NPD: unknown)
//   128+N  stopped by signal N (130 Ctrl-C, 143 SIGTERM)
import { hasCode } from '../kernel/errors.js';
import type { VerdictClass } from './verdict.js';

/** The exit statuses; see the table at the top of this file (and README "Exit status"). */
export const EXIT = { ok: 0, problem: 1, usage: 2, cannotInspect: 3 } as const;

/** The rule in one line, for every command's --help. */
export const EXIT_STATUS_HELP =
  'Exit status: 0 nothing wrong found, 1 a problem found, 2 usage error (refused before any work), 3 could not inspect (not there, not readable, no data), 130/143 interrupted (node-problem-detector plugin protocol).';

/** Verdicts that are not a problem. `gone` is not a problem either, but not an answer (see reportExitStatus). */
const FINE: ReadonlySet<VerdictClass> = new Set<VerdictClass>(['healthy', 'cpu-bound', 'gone']);

/** True when a verdict is a problem (exit 1). */
export function isProblemVerdict(v: VerdictClass): boolean {
  return !FINE.has(v);
}

/**
 * The exit status of a judged set of targets: 1 when any has a problem; else 3 when something asked for could
 * not be inspected (a failure, or every target gone); else 0.
 */
export function reportExitStatus(r: { targets: ReadonlyArray<{ verdict: VerdictClass }>; failures: readonly unknown[] }): number {
  if (r.targets.some((t) => isProblemVerdict(t.verdict))) return EXIT.problem;
  if (r.failures.length > 0) return EXIT.cannotInspect;
  if (r.targets.length > 0 && r.targets.every((t) => t.verdict === 'gone')) return EXIT.cannotInspect;
  return EXIT.ok;
}

/** The exit status of an error that ended a command: 2 for a usage error, else 3. */
export function errorExitStatus(err: unknown): number {
  return hasCode(err, 'usage') ? EXIT.usage : EXIT.cannotInspect;
}

const SIGNO: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The exit status of a command stopped by a signal: 128 + its number, as a shell reports it. */
export function signalExitStatus(sig: NodeJS.Signals): number {
  return 128 + (SIGNO[sig] ?? 15);
}
