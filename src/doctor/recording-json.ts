// Recordings: the raw samples of a doctor window (`doctor --record FILE`), in the sample format of
// src/sample/schema.ts, validated by zod on read. Format 2 is current; a format-1 file (reclaimwatch 0.1, with
// per-thread counters) is upgraded on read by rebuilding each process's totals from its threads' deltas — the
// same sums format 1 derived — and anything else is refused with the version it has and the one expected.
import fs from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../kernel/errors.js';
import { encodeSampleJson, failureSchema, hostSampleSchema, sampleReplacer, targetSampleSchema } from '../sample/schema.js';
import type { DoctorRecording } from './run-doctor.js';
import { targetReportSchema } from './report.js';

/** The current recording format. */
export const RECORDING_SCHEMA = 'reclaimwatch.recording/v2';

const traceSchema = targetReportSchema.shape.trace.unwrap();

/** A recording (format 2). */
export const recordingSchema = z.object({
  schema: z.literal(RECORDING_SCHEMA),
  windowMs: z.number(),
  facts: z.looseObject({ mglruPresent: z.boolean(), mglruEnabled: z.boolean(), kernelRelease: z.string() }),
  layoutMode: z.string(),
  memoryController: z.enum(['v1', 'v2']).optional(),
  root: z.boolean(),
  stacksAsked: z.boolean(),
  /** Scheduling priority the sampler ran at (a later field: optional). */
  priority: z.object({ nice: z.number(), raised: z.boolean(), reason: z.string().optional(), policy: z.enum(['rr', 'other']).optional() }).optional(),
  hostSamples: z.array(hostSampleSchema),
  targets: z.array(z.object({
    target: targetReportSchema.shape.target,
    samples: z.array(targetSampleSchema),
    trace: traceSchema.optional(),
    /** The kernel profile of the window (`doctor --profile`), kept as it was taken; re-judged on replay. */
    profile: z.looseObject({ method: z.string(), samples: z.number() }).optional(),
    profileError: z.string().optional(),
  })),
  failures: z.array(z.object({ target: z.string(), message: z.string() })),
  readFailures: z.array(failureSchema).optional(),
});

/** JSON.stringify replacer: Infinity → "max" (kept under this name for callers of the report JSON). */
export const infinityReplacer = sampleReplacer;

/** Writes a recording. */
export function saveRecording(file: string, rec: DoctorRecording): void {
  fs.writeFileSync(file, `${encodeSampleJson(rec)}\n`);
}

interface V1Thread { tid: number; state: string; minflt: number; majflt: number; utimeTicks: number; stimeTicks: number; starttimeTicks: number }
interface V1Process { pid: number; threads: V1Thread[]; io?: unknown }
interface V1Sample { monoMs: number; wallMs: number; processes: V1Process[]; stacks?: Array<{ pid: number; tid: number; state: string; frames: string[] }>; unreadable?: string[]; [k: string]: unknown }

/**
 * Upgrades a format-1 recording: per-process totals accumulated from matched thread deltas (TID + start time,
 * as format 1's derive did), stacks without stored tags, unreadable lines as failures, probes in the last sample.
 */
export function upgradeV1(raw: Record<string, unknown>): unknown {
  const targets = (raw['targets'] as Array<Record<string, unknown>>).map((t) => {
    const samples = t['samples'] as V1Sample[];
    const totals = new Map<number, { minflt: number; majflt: number; utimeTicks: number; stimeTicks: number; start: number }>();
    let prevThreads = new Map<string, V1Thread>();
    const out = samples.map((s, i) => {
      const curThreads = new Map<string, V1Thread>();
      const processes = s.processes.map((p) => {
        const tot = totals.get(p.pid) ?? { minflt: 0, majflt: 0, utimeTicks: 0, stimeTicks: 0, start: Math.min(...p.threads.map((x) => x.starttimeTicks), 0) };
        for (const th of p.threads) {
          const key = `${th.tid}:${th.starttimeTicks}`;
          curThreads.set(key, th);
          const b = i === 0 ? undefined : prevThreads.get(key);
          const base = i === 0 ? th : b;
          tot.minflt += Math.max(0, th.minflt - (base?.minflt ?? 0));
          tot.majflt += Math.max(0, th.majflt - (base?.majflt ?? 0));
          tot.utimeTicks += Math.max(0, th.utimeTicks - (base?.utimeTicks ?? 0));
          tot.stimeTicks += Math.max(0, th.stimeTicks - (base?.stimeTicks ?? 0));
        }
        totals.set(p.pid, tot);
        return {
          pid: p.pid, starttimeTicks: tot.start, minflt: tot.minflt, majflt: tot.majflt, utimeTicks: tot.utimeTicks, stimeTicks: tot.stimeTicks,
          threads: p.threads.length, running: p.threads.filter((x) => x.state === 'R').length, uninterruptible: p.threads.filter((x) => x.state === 'D').length,
          ...(p.io ? { io: p.io } : {}),
        };
      });
      prevThreads = curThreads;
      const probes = i === samples.length - 1 ? ((t['probes'] as Array<Record<string, unknown>> | undefined) ?? []).map((p) => ({ pid: p['pid'], outcome: p['outcome'], latencyMs: p['latencyMs'], timing: p['timing'] ?? 'wall', deadlineMs: p['deadlineMs'] })) : [];
      const { unreadable, stacks, ...rest } = s;
      return {
        ...rest, processes,
        ...(stacks ? { stacks: stacks.map((st) => ({ pid: st.pid, tid: st.tid, state: st.state, frames: st.frames })) } : {}),
        probes: { finished: probes, inFlightMs: [], stuck: 0 },
        failures: (unreadable ?? []).map((message) => ({ source: 'format-1', code: 'unknown', message })),
      };
    });
    return { target: t['target'], samples: out, ...(t['trace'] ? { trace: t['trace'] } : {}) };
  });
  const firstTarget = (targets[0]?.samples[0] ?? undefined) as { monoMs: number; wallMs: number } | undefined;
  const hostSamples = (raw['hostSamples'] as Array<Record<string, unknown>>).map((h) => ({
    ...h, wallMs: firstTarget ? firstTarget.wallMs + ((h['monoMs'] as number) - firstTarget.monoMs) : (h['monoMs'] as number), failures: [],
  }));
  return { ...raw, schema: RECORDING_SCHEMA, hostSamples, targets };
}

/** Reads a recording; a missing, foreign or unknown-version file is a usage error that says what was expected. */
export function loadRecording(file: string): DoctorRecording {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read recording ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: make a recording with reclaimwatch doctor --record FILE`, { cause: err });
  }
  const schema = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['schema'] : undefined;
  if (schema === 'reclaimwatch.recording/v1') raw = upgradeV1(raw as Record<string, unknown>);
  else if (typeof schema === 'string' && schema.startsWith('reclaimwatch.recording/') && schema !== RECORDING_SCHEMA) {
    throw new UsageError(`${file} is a recording of format ${schema.slice('reclaimwatch.recording/'.length)}, which this reclaimwatch cannot read (it reads v1 and v2): replay it with the release that made it`);
  } else if (schema !== RECORDING_SCHEMA) {
    throw new UsageError(`${file} is not a reclaimwatch recording (schema ${RECORDING_SCHEMA}): make one with reclaimwatch doctor --record FILE`);
  }
  const r = recordingSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UsageError(`${file} is a damaged recording: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return r.data as DoctorRecording;
}
