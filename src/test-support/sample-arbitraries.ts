// fast-check arbitraries of the sample format (src/sample/sample.ts), shared by the property tests: the schema's
// round trip draws anything the format allows; the store's series projection draws samples whose processes and
// stacks overlap between two draws (few pids), so that derive() has deltas to take.
import fc from 'fast-check';
import type { HostSample, TargetSample } from '../sample/sample.js';

/** What differs between the tests that draw samples. */
export interface SampleArbitraryOptions {
  /** Largest counter value. */
  maxCounter: number;
  /** A counter dictionary (memory.stat, vmstat) given the counter arbitrary. */
  counters: (n: fc.Arbitrary<number>) => fc.Arbitrary<Record<string, number>>;
  /** Kernel stack frames. */
  frames: fc.Arbitrary<string[]>;
  /** Process pids, and their start times given the counter arbitrary. */
  pid: fc.Arbitrary<number>;
  starttime: (n: fc.Arbitrary<number>) => fc.Arbitrary<number>;
  /** Thread and probe pids. */
  tid: fc.Arbitrary<number>;
  maxProcesses: number;
  maxStacks: number;
  outcomes: ReadonlyArray<'ok' | 'timeout' | 'gone' | 'error'>;
  /** With failures (source, code, path, message) or none. */
  failures: boolean;
  maxCpus: number;
}

const DEFAULTS: SampleArbitraryOptions = {
  maxCounter: 2 ** 48,
  counters: (n) => fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'), n, { maxKeys: 6 }),
  frames: fc.array(fc.string(), { maxLength: 4 }),
  pid: fc.integer({ min: 1, max: 4194304 }),
  starttime: (n) => n,
  tid: fc.integer({ min: 1, max: 99999 }),
  maxProcesses: 3,
  maxStacks: 3,
  outcomes: ['ok', 'timeout', 'gone', 'error'],
  failures: true,
  maxCpus: 1024,
};

/** Arbitrary target and host samples; `opts` overrides the defaults (anything the format allows). */
export function sampleArbitraries(opts: Partial<SampleArbitraryOptions> = {}): { targetSample: fc.Arbitrary<TargetSample>; hostSample: fc.Arbitrary<HostSample> } {
  const o = { ...DEFAULTS, ...opts };
  const n = fc.nat({ max: o.maxCounter });
  const limit = fc.oneof(n, fc.constant(Infinity));
  const avg = fc.double({ min: 0, max: 100, noNaN: true });
  const line = fc.record({ avg10: avg, avg60: avg, avg300: avg, totalUs: n });
  const pressure = fc.record({ some: line, full: fc.option(line, { nil: undefined }) });
  const psi = fc.record({ memory: fc.option(pressure, { nil: undefined }), cpu: fc.option(pressure, { nil: undefined }), io: fc.option(pressure, { nil: undefined }) });
  const failure = fc.record({ source: fc.string(), code: fc.string(), path: fc.string(), message: fc.string() }, { requiredKeys: ['source', 'code', 'message'] });
  const failures: fc.Arbitrary<Array<{ source: string; code: string; path?: string; message: string }>> = o.failures ? fc.array(failure, { maxLength: 2 }) : fc.constant([]);
  const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
  const targetSample: fc.Arbitrary<TargetSample> = fc.record({
    monoMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
    wallMs: n,
    gone: fc.boolean(),
    memory: optional(fc.record({
      version: fc.constantFrom('v1' as const, 'v2' as const), usageBytes: n, limitBytes: limit, highBytes: limit, limitHits: n, oomKills: n,
      ooms: optional(n), underOom: fc.boolean(), swapLimitBytes: optional(limit), stat: o.counters(n), missing: fc.array(fc.string(), { maxLength: 3 }),
    })),
    cpu: optional(fc.record({
      usageUs: optional(n), userUs: optional(n), systemUs: optional(n), quotaCores: fc.oneof(fc.double({ min: 0.01, max: 512, noNaN: true }), fc.constant(Infinity)),
      periods: optional(n), throttledPeriods: optional(n), throttledUs: optional(n),
    })),
    psi,
    processes: fc.array(fc.record({
      pid: o.pid, starttimeTicks: o.starttime(n), minflt: n, majflt: n, utimeTicks: n, stimeTicks: n, threads: n, running: n, uninterruptible: n,
      io: optional(fc.record({ rcharBytes: n, wcharBytes: n, syscr: n, syscw: n, readBytes: n, writeBytes: n })),
    }), { maxLength: o.maxProcesses }),
    stacks: optional(fc.array(fc.record({ pid: o.tid, tid: o.tid, state: fc.constantFrom('R', 'D'), frames: o.frames }), { maxLength: o.maxStacks })),
    probes: fc.record({
      finished: fc.array(fc.record({ pid: o.tid, outcome: fc.constantFrom(...o.outcomes), latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }), timing: fc.constantFrom('read' as const, 'wall' as const), deadlineMs: n }), { maxLength: 2 }),
      inFlightMs: fc.array(n, { maxLength: 2 }),
      stuck: fc.nat({ max: 10 }),
    }),
    failures,
  });
  const hostSample: fc.Arbitrary<HostSample> = fc.record({
    monoMs: fc.double({ min: 0, max: 1e9, noNaN: true }), wallMs: n, vmstat: o.counters(n), psi,
    cpuTicks: fc.record({ user: n, system: n, idle: n, iowait: n, total: n }), cpus: fc.integer({ min: 1, max: o.maxCpus }), failures,
  });
  return { targetSample, hostSample };
}
