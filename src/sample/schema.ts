// Samples as a format: versioned zod schemas for host samples, target samples and recordings. JSON has no
// Infinity, so an unlimited limit or quota is written as the kernel's own word, "max" ("-max" for -Infinity),
// and only fields declared `limit` below accept it back: no reviver guesses from field names.
import { z } from 'zod';
import type { HostSample, TargetSample } from './sample.js';

/** The sample format's version; bumped when a stored field changes meaning. Fields added later are optional. */
export const SAMPLE_FORMAT_VERSION = 2;

/** A number that may be Infinity, encoded as "max". */
const limit = z.union([z.number(), z.literal('max'), z.literal('-max')]).transform((v) => (v === 'max' ? Infinity : v === '-max' ? -Infinity : v));
const count = z.number();
const counters = z.record(z.string(), z.number());

const pressureLine = z.object({ avg10: z.number(), avg60: z.number(), avg300: z.number(), totalUs: z.number() });
const pressure = z.object({ some: pressureLine, full: pressureLine.optional() }).transform((p) => ({ some: p.some, full: p.full }));
const pressureSet = z.object({ memory: pressure.optional(), cpu: pressure.optional(), io: pressure.optional() })
  .transform((p) => ({ memory: p.memory, cpu: p.cpu, io: p.io }));

/** A failure as data. */
export const failureSchema = z.object({ source: z.string(), code: z.string(), path: z.string().optional(), message: z.string() });

const memory = z.object({
  version: z.enum(['v1', 'v2']),
  usageBytes: count,
  limitBytes: limit,
  highBytes: limit,
  limitHits: count,
  oomKills: count,
  ooms: count.optional(),
  underOom: z.boolean(),
  swapLimitBytes: limit.optional(),
  stat: counters,
  missing: z.array(z.string()),
}).transform((m) => ({ ...m, ooms: m.ooms, swapLimitBytes: m.swapLimitBytes }));

const cpu = z.object({
  usageUs: count.optional(), userUs: count.optional(), systemUs: count.optional(), quotaCores: limit,
  periods: count.optional(), throttledPeriods: count.optional(), throttledUs: count.optional(),
}).transform((c) => ({ usageUs: c.usageUs, userUs: c.userUs, systemUs: c.systemUs, quotaCores: c.quotaCores, periods: c.periods, throttledPeriods: c.throttledPeriods, throttledUs: c.throttledUs }));

const io = z.object({ rcharBytes: count, wcharBytes: count, syscr: count, syscw: count, readBytes: count, writeBytes: count });

const processSample = z.object({
  pid: z.number().int(), starttimeTicks: count, minflt: count, majflt: count, utimeTicks: count, stimeTicks: count,
  threads: count, running: count, uninterruptible: count, io: io.optional(),
}).transform((p) => ({ ...p, io: p.io }));

const stackSample = z.object({ pid: z.number().int(), tid: z.number().int(), state: z.string(), frames: z.array(z.string()) });

const probeRecord = z.object({ pid: z.number().int(), outcome: z.enum(['ok', 'timeout', 'gone', 'error']), latencyMs: z.number(), timing: z.enum(['read', 'wall']), deadlineMs: z.number() });

/** One target sample (format 2). */
export const targetSampleSchema = z.object({
  monoMs: z.number(),
  wallMs: z.number(),
  gone: z.boolean(),
  memory: memory.optional(),
  cpu: cpu.optional(),
  psi: pressureSet,
  processes: z.array(processSample),
  stacks: z.array(stackSample).optional(),
  probes: z.object({ finished: z.array(probeRecord), inFlightMs: z.array(z.number()), stuck: z.number() }).default({ finished: [], inFlightMs: [], stuck: 0 }),
  failures: z.array(failureSchema).default([]),
}).transform((s): TargetSample => ({ ...s, memory: s.memory, cpu: s.cpu, stacks: s.stacks, failures: s.failures.map(cleanFailure) }));

/** One host sample (format 2). */
export const hostSampleSchema = z.object({
  monoMs: z.number(),
  wallMs: z.number(),
  vmstat: counters,
  psi: pressureSet,
  cpuTicks: z.object({ user: count, system: count, idle: count, iowait: count, total: count }),
  cpus: z.number().int().positive(),
  failures: z.array(failureSchema).default([]),
}).transform((h): HostSample => ({ ...h, failures: h.failures.map(cleanFailure) }));

function cleanFailure(f: z.output<typeof failureSchema>): TargetSample['failures'][number] {
  return f.path === undefined ? { source: f.source, code: f.code, message: f.message } : { source: f.source, code: f.code, path: f.path, message: f.message };
}

/** JSON.stringify replacer of the sample format: Infinity → "max", -Infinity → "-max". */
export function sampleReplacer(_key: string, value: unknown): unknown {
  if (value === Infinity) return 'max';
  if (value === -Infinity) return '-max';
  return value;
}

/** Encodes any sample-format value (a sample, a recording) as JSON text. */
export function encodeSampleJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, sampleReplacer, indent);
}

/** Decodes a target sample from parsed JSON; throws a zod error naming the field. */
export function decodeTargetSample(x: unknown): TargetSample {
  return targetSampleSchema.parse(x);
}

/** Decodes a host sample from parsed JSON. */
export function decodeHostSample(x: unknown): HostSample {
  return hostSampleSchema.parse(x);
}
