// Asks a running agent for its targets and its health over HTTP, within one deadline, and says in a few words why
// not when it cannot: a plugin of node-problem-detector has one line of 80 characters to explain "unknown".
import { agentErrorSchema, agentHealthSchema, agentTargetsSchema, type AgentHealth, type AgentTargets } from './agent-responses.js';

/** What the agent answered, or why it could not be asked. */
export type AgentAnswer =
  | { kind: 'answered'; targets: AgentTargets; health: AgentHealth | undefined }
  | { kind: 'failed'; reason: string };

/** The longest body read from the agent (a node with thousands of cgroups stays far below it). */
const MAX_BODY_BYTES = 16 * 2 ** 20;

/** Why a fetch failed, in a few words: the errno of the socket error where there is one. */
function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `did not answer within ${formatSeconds(timeoutMs)}`;
  const code = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return `not reachable (${code})`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text.length > MAX_BODY_BYTES) throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`);
  return JSON.parse(text) as unknown;
}

/**
 * Fetches `/api/v1/targets` and `/healthz` from the agent at `base` in parallel, both bounded by `timeoutMs`
 * (Node's fetch with `AbortSignal.timeout`, which also bounds reading the body). Never throws.
 */
export async function queryAgent(base: URL, timeoutMs: number): Promise<AgentAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const get = (path: string): Promise<Response> => fetch(new URL(path, base), { signal, headers: { accept: 'application/json' } });
  // Health only qualifies an answer; a health request that fails on its own changes nothing.
  const healthP = get('/healthz').then(async (res) => agentHealthSchema.safeParse(await readJson(res)).data).catch(() => undefined);
  let res: Response;
  try {
    res = await get('/api/v1/targets');
  } catch (err) {
    return { kind: 'failed', reason: fetchFailure(err, timeoutMs) };
  }
  let body: unknown;
  try {
    body = await readJson(res);
  } catch (err) {
    const e = err as { name?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'failed', reason: fetchFailure(err, timeoutMs) };
    return { kind: 'failed', reason: `answered ${res.status} without JSON` };
  }
  if (!res.ok) {
    const apiError = agentErrorSchema.safeParse(body);
    return { kind: 'failed', reason: `answered ${res.status}${apiError.success ? `: ${apiError.data.error.message}` : ''}` };
  }
  const parsed = agentTargetsSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'failed', reason: `answer not understood (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad shape'})` };
  }
  return { kind: 'answered', targets: parsed.data, health: await healthP };
}
