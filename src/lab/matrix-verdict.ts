// Reads a verdict out of whatever a command printed with --json, leniently: the repro report has
// `verdict: "affected"` and `legs[].verdict.{class,figures}`; anything else shaped like a verdict is taken too.

/** What one matrix cell's output said. */
export interface CellVerdict {
  /** "affected", "degraded", "not affected", ... or undefined when the output held none. */
  verdict: string | undefined;
  /** The deciding figures (numbers only), flattened one level: from the first leg, or top-level `figures`. */
  figures: Record<string, number>;
  /** Why there is no verdict, when there is none. */
  why: string | undefined;
  /** The livelock's variant (`mmap-lock`, `lru-lock`, `unknown`, `none`) when the output names one. */
  variant: string | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Finds the last JSON object in `text`: the whole text, else the last line or block starting with "{". */
export function lastJsonObject(text: string): Obj | undefined {
  const t = text.trim();
  const tryParse = (s: string): Obj | undefined => {
    try {
      const v: unknown = JSON.parse(s);
      return isObj(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const whole = tryParse(t);
  if (whole) return whole;
  const lines = t.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!(lines[i] ?? '').startsWith('{')) continue;
    const v = tryParse(lines.slice(i).join('\n'));
    if (v) return v;
  }
  return undefined;
}

function verdictWord(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (isObj(v)) return verdictWord(v['class'] ?? v['verdict'] ?? v['status']);
  return undefined;
}

/** A variant as a word: a string, or an object's `variant` field (the classifier's VariantAssessment). */
function variantWord(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (isObj(v) && typeof v['variant'] === 'string') return v['variant'];
  return undefined;
}

function numbers(o: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(o)) return out;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/** Extracts the verdict and deciding figures from a command's stdout. */
export function parseCellVerdict(stdout: string): CellVerdict {
  const doc = lastJsonObject(stdout);
  if (!doc) return { verdict: undefined, figures: {}, why: stdout.trim() ? 'the output held no JSON document' : 'the command printed nothing', variant: undefined };
  const legs = Array.isArray(doc['legs']) ? (doc['legs'] as unknown[]).filter(isObj) : [];
  const leg = legs[0];
  const legVerdict = leg ? leg['verdict'] : undefined;
  const verdict = verdictWord(doc['verdict']) ?? verdictWord(legVerdict);
  const figures = { ...numbers(doc['figures']), ...numbers(isObj(doc['verdict']) ? doc['verdict']['figures'] : undefined), ...numbers(isObj(legVerdict) ? legVerdict['figures'] : undefined),
    // repro's legs: the variant's deciding figures (profile shares) beside the verdict's.
    ...numbers(isObj(legVerdict) && isObj(legVerdict['variant']) ? legVerdict['variant']['figures'] : undefined) };
  const targets = Array.isArray(doc['targets']) ? (doc['targets'] as unknown[]).filter(isObj) : [];
  const variant = variantWord(doc['variant']) ?? variantWord(isObj(doc['verdict']) ? doc['verdict']['variant'] : undefined) ?? variantWord(leg?.['variant']) ?? variantWord(isObj(legVerdict) ? legVerdict['variant'] : undefined) ?? variantWord(targets[0]?.['variant']);
  return { verdict, figures, why: verdict === undefined ? 'the JSON document has no "verdict" field' : undefined, variant };
}
