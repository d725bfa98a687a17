// The doctor's report: the `--json` document (schema reclaimwatch.doctor/v1), validated by zod in tests.
import { z } from 'zod';
import { VERDICTS } from '../detect/verdict.js';

const finding = z.object({ code: z.string(), severity: z.enum(['info', 'warning', 'critical']), message: z.string() });
const evidence = z.object({ signal: z.string(), value: z.string(), threshold: z.string(), meaning: z.string() });
const probe = z.object({ pid: z.number(), outcome: z.enum(['ok', 'timeout', 'gone', 'error']), latencyMs: z.number(), deadlineMs: z.number(), timing: z.enum(['read', 'wall']).optional() });
const stackGroup = z.object({
  count: z.number(), threads: z.number(), states: z.array(z.string()), frames: z.array(z.string()),
  tags: z.object({ inReclaim: z.boolean(), waitsMmapLock: z.boolean(), inPageFault: z.boolean() }),
});

/** One target's part of the report. */
export const targetReportSchema = z.object({
  target: z.object({
    kind: z.enum(['pid', 'cgroup', 'container', 'pod', 'host']),
    label: z.string(),
    pid: z.number().optional(),
    cgroup: z.string().optional(),
    container: z.string().optional(),
    pod: z.object({ uid: z.string(), name: z.string().optional() }).optional(),
    comm: z.string().optional(),
    pids: z.number(),
    threads: z.number(),
  }),
  verdict: z.enum(VERDICTS),
  severity: z.number().min(0).max(100),
  findings: z.array(finding),
  evidence: z.array(evidence),
  /** The window model: rates and ratios (see src/sample/model.ts). */
  metrics: z.record(z.string(), z.unknown()),
  probes: z.array(probe),
  stacks: z.object({ sampled: z.number(), groups: z.array(stackGroup), unavailable: z.string().optional() }),
  advice: z.array(z.string()),
  /** Which reclaim livelock this is (mmap-lock, lru-lock or unknown) and the evidence that decided it. */
  variant: z.object({
    variant: z.enum(['mmap-lock', 'lru-lock', 'unknown']), because: z.array(z.string()), missing: z.array(z.string()),
    figures: z.record(z.string(), z.union([z.number(), z.string()])), borderline: z.boolean(),
  }).optional(),
  /** The kernel's CPU profile of the target over the window (`--profile`): method, samples, top functions, shares. */
  profile: z.record(z.string(), z.unknown()).optional(),
  /** Deciding figures that sat within the borderline margin of their thresholds. */
  borderline: z.array(z.string()).optional(),
  /** What could not be read, as data (source, errno or parse, path). */
  unreadable: z.array(z.object({ source: z.string(), code: z.string(), path: z.string().optional(), message: z.string() })),
  /** What `--trace` measured with bpftrace (memcg reclaim, mmap_lock holds), when asked. */
  trace: z.object({
    ran: z.boolean(), tracedMs: z.number(),
    memcgReclaim: z.object({ calls: z.number(), totalUs: z.number(), maxUs: z.number(), pagesReclaimed: z.number() }).optional(),
    mmapLock: z.object({ holds: z.number(), holdsOver1s: z.number(), maxHoldMs: z.number(), tidsOver1s: z.array(z.number()), maxWaitUs: z.number() }).optional(),
    unavailable: z.array(z.string()),
  }).optional(),
});

/** The whole `doctor --json` document. */
export const doctorReportSchema = z.object({
  schema: z.literal('reclaimwatch.doctor/v1'),
  generatedAt: z.string(),
  windowSeconds: z.number(),
  host: z.object({
    kernelRelease: z.string(), cpus: z.number(), cgroupMode: z.string(), memoryController: z.string().optional(),
    psi: z.boolean(), mglru: z.object({ present: z.boolean(), enabled: z.boolean() }), root: z.boolean(),
    /** The scheduling priority the sampler took (nice), or why it could not. */
    priority: z.object({ nice: z.number(), raised: z.boolean(), reason: z.string().optional(), policy: z.enum(['rr', 'other']).optional() }).optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
  }),
  targets: z.array(targetReportSchema),
  failures: z.array(z.object({ target: z.string(), message: z.string() })),
  /** Milliseconds from this process's start to the report (absent on replay). */
  elapsedMs: z.number().optional(),
});

/** A target's report. */
export type TargetReport = z.infer<typeof targetReportSchema>;
/** The `doctor --json` document. */
export type DoctorReport = z.infer<typeof doctorReportSchema>;
