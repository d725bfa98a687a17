// The agent's remediation flags, as one zod schema the CLI reuses: `--remediate off|dry-run|restart`,
// `--remediate-match`, `--remediate-on`, `--remediate-after`, `--remediate-cooldown`, `--remediate-budget`,
// `--capture-on`, `--on-incident CMD`, `--on-incident-timeout`.
import { z } from 'zod';
import { VERDICTS, type VerdictClass } from '../../detect/verdict.js';
import { UsageError } from '../../kernel/errors.js';
import { parseDurationMs } from '../../cli/common.js';
import type { MatchRule, MatchTerm, RemediationMode } from './guard.js';

/** Parsed remediation options. */
export interface RemediationOptions {
  mode: RemediationMode;
  match: MatchRule[];
  remediateOn: VerdictClass[];
  afterMs: number;
  cooldownMs: number;
  budgetPerHour: number;
  captureOn: VerdictClass[];
  onIncident: string | undefined;
  hookTimeoutMs: number;
}

/** Defaults: dry-run, act on reclaim-livelock held 60 s, 10 min per-target cooldown, 3 actions per hour per node. */
export const REMEDIATION_DEFAULTS = {
  mode: 'dry-run', remediateOn: 'reclaim-livelock', after: '60s', cooldown: '10m', budget: '3',
  captureOn: 'reclaim-livelock,oom-loop,thrashing', hookTimeout: '30s',
} as const;

const FIELDS = ['pod', 'namespace', 'container', 'cgroup'] as const;

/** Parses one `--remediate-match` value: `field=glob[,field=glob...]` (all must hold); a bare glob means `cgroup=`. */
export function parseMatchRule(text: string): MatchRule {
  const terms: MatchTerm[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      terms.push({ field: 'cgroup', glob: part });
      continue;
    }
    const field = part.slice(0, eq);
    const glob = part.slice(eq + 1);
    if (!(FIELDS as readonly string[]).includes(field)) throw new UsageError(`bad --remediate-match ${JSON.stringify(text)}: ${JSON.stringify(field)} is not one of ${FIELDS.join(', ')} (write e.g. namespace=prod,pod=web-*)`);
    if (glob === '') throw new UsageError(`bad --remediate-match ${JSON.stringify(text)}: ${field}= needs a glob`);
    terms.push({ field: field as MatchTerm['field'], glob });
  }
  if (terms.length === 0) throw new UsageError('empty --remediate-match: give field=glob, e.g. namespace=prod or cgroup=/kubepods/**');
  return terms;
}

/** Parses a comma-separated verdict list (`--remediate-on`, `--capture-on`). */
export function parseVerdictList(text: string, flag: string): VerdictClass[] {
  const out: VerdictClass[] = [];
  for (const v of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(VERDICTS as readonly string[]).includes(v)) throw new UsageError(`bad ${flag} ${JSON.stringify(v)}: use verdicts among ${VERDICTS.join(', ')}`);
    if (v === 'healthy' || v === 'gone') throw new UsageError(`bad ${flag} ${v}: a ${v} target is never acted on`);
    if (!out.includes(v as VerdictClass)) out.push(v as VerdictClass);
  }
  return out;
}

const duration = (flag: string, dflt: string) => z.string().default(dflt).transform((s) => parseDurationMs(s, flag));

/**
 * The flags as commander hands them over (strings; `remediateMatch` repeatable). `parse` throws a ZodError;
 * use `parseRemediationOptions` for a UsageError with the message.
 */
export const remediationFlagsSchema = z.object({
  remediate: z.enum(['off', 'dry-run', 'restart']).default(REMEDIATION_DEFAULTS.mode),
  remediateMatch: z.union([z.string(), z.array(z.string())]).default([]).transform((v) => (Array.isArray(v) ? v : [v]).map(parseMatchRule)),
  remediateOn: z.string().default(REMEDIATION_DEFAULTS.remediateOn).transform((s) => parseVerdictList(s, '--remediate-on')),
  remediateAfter: duration('--remediate-after', REMEDIATION_DEFAULTS.after),
  remediateCooldown: duration('--remediate-cooldown', REMEDIATION_DEFAULTS.cooldown),
  remediateBudget: z.string().default(REMEDIATION_DEFAULTS.budget).transform((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError(`bad --remediate-budget ${JSON.stringify(s)}: give actions per hour per node, an integer 0..1000`);
    return n;
  }),
  captureOn: z.string().default(REMEDIATION_DEFAULTS.captureOn).transform((s) => parseVerdictList(s, '--capture-on')),
  onIncident: z.string().min(1).optional(),
  onIncidentTimeout: duration('--on-incident-timeout', REMEDIATION_DEFAULTS.hookTimeout),
});

/** Turns commander's option values into `RemediationOptions`; throws UsageError with a clear message. */
export function parseRemediationOptions(flags: Record<string, unknown>): RemediationOptions {
  const picked = Object.fromEntries(Object.keys(remediationFlagsSchema.shape).filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]]));
  let f: z.output<typeof remediationFlagsSchema>;
  try {
    f = remediationFlagsSchema.parse(picked);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof z.ZodError) {
      const i = err.issues[0];
      throw new UsageError(`bad --${String(i?.path[0] ?? 'remediate').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i?.message ?? 'invalid'}`, { cause: err });
    }
    throw err;
  }
  if (f.remediate === 'restart' && f.remediateMatch.length === 0) {
    throw new UsageError('--remediate restart needs --remediate-match (e.g. --remediate-match namespace=prod,pod=web-*): restart never acts on every cgroup');
  }
  return {
    mode: f.remediate, match: f.remediateMatch, remediateOn: f.remediateOn, afterMs: f.remediateAfter, cooldownMs: f.remediateCooldown,
    budgetPerHour: f.remediateBudget, captureOn: f.captureOn, onIncident: f.onIncident, hookTimeoutMs: f.onIncidentTimeout,
  };
}
