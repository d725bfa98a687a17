// What `reclaimwatch check` reads from a running agent: GET /api/v1/targets and GET /healthz, as the agent's HTTP
// contract (issue 11) defines them. The schemas are lenient on purpose (`z.looseObject`): a newer agent may add fields,
// and an older `check` on the node must keep working against it. Only what `check` decides on is required.
import { z } from 'zod';
import { VERDICTS } from '../../detect/verdict.js';

const finding = z.looseObject({ code: z.string(), severity: z.union([z.string(), z.number()]), message: z.string() });

/** One target as `/api/v1/targets` lists it. */
export const agentTargetSchema = z.looseObject({
  id: z.string(),
  cgroup: z.string(),
  pod: z.string().optional(),
  namespace: z.string().optional(),
  container: z.string().optional(),
  verdict: z.enum(VERDICTS),
  severity: z.number().min(0).max(100),
  variant: z.enum(['mmap-lock', 'lru-lock', 'unknown']).optional(),
  sinceWallMs: z.number(),
  findings: z.array(finding),
});

/** One target of the agent's answer. */
export type AgentTarget = z.infer<typeof agentTargetSchema>;

/** The body of `GET /api/v1/targets`. */
export const agentTargetsSchema = z.looseObject({
  generatedAt: z.string(),
  targets: z.array(agentTargetSchema),
});

/** The agent's answer to `GET /api/v1/targets`. */
export type AgentTargets = z.infer<typeof agentTargetsSchema>;

/** The body of `GET /healthz` (200 `ok`, 503 anything else, with a reason). */
export const agentHealthSchema = z.looseObject({ status: z.string(), reason: z.string().optional() });

/** The agent's own health. */
export type AgentHealth = z.infer<typeof agentHealthSchema>;

/** The agent's error body: `{ error: { code, message } }`. */
export const agentErrorSchema = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string() }) });
