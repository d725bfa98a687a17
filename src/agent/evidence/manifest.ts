// The bundle's manifest.json (schema reclaimwatch.evidence/v1): every part, present with its size or absent
// with the reason. `failed` marks an absence that is a fault (a read error, the deadline) rather than what this
// host cannot offer (no MGLRU, no bpftrace); a bundle is complete when no part failed.
import { z } from 'zod';
import { VERDICTS } from '../../detect/verdict.js';

/** Schema tag of manifest.json. */
export const EVIDENCE_SCHEMA = 'reclaimwatch.evidence/v1';

/** One part of a bundle. */
export const evidencePartSchema = z.object({
  name: z.string(),
  title: z.string(),
  file: z.string().optional(),
  status: z.enum(['present', 'absent']),
  bytes: z.number().int().min(0),
  reason: z.string().optional(),
  failed: z.boolean().optional(),
  /** Cut at a byte or count bound; `note` says which. */
  truncated: z.boolean().optional(),
  note: z.string().optional(),
  ms: z.number().min(0),
});

/** manifest.json. */
export const evidenceManifestSchema = z.object({
  schema: z.literal(EVIDENCE_SCHEMA),
  incidentId: z.string(),
  target: z.object({
    id: z.string(), label: z.string(), cgroup: z.string().optional(), pod: z.string().optional(),
    namespace: z.string().optional(), container: z.string().optional(), containerId: z.string().optional(),
  }),
  verdict: z.enum(VERDICTS),
  /** When the verdict began (the incident's onset), when known. */
  onsetAt: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  captureMs: z.number(),
  complete: z.boolean(),
  bytes: z.number().int().min(0),
  maxBytes: z.number().int().min(0),
  parts: z.array(evidencePartSchema),
  /** The kernel CPU profile part's summary (present when that part is): method, samples, top functions by share. */
  kernelProfile: z.object({
    method: z.enum(['bpftrace', 'perf', 'proc-stack']), hz: z.number(), durationMs: z.number(), samples: z.number().int().min(0),
    kernelSamples: z.number().int().min(0), filter: z.string(),
    top: z.array(z.object({ name: z.string(), samples: z.number(), share: z.number() })),
    shares: z.record(z.string(), z.number()),
    fallbacks: z.array(z.object({ method: z.string(), reason: z.string() })),
    notes: z.array(z.string()),
  }).optional(),
});

/** One part. */
export type EvidencePart = z.infer<typeof evidencePartSchema>;
/** manifest.json. */
export type EvidenceManifest = z.infer<typeof evidenceManifestSchema>;
