// Decisions that do not flip at a threshold's edge. A rule of several conditions ("kernel share ≥ 70 % and
// work per kernel CPU-second < 100 and ≥ 0.5 kernel cores") is decided from all of them with a margin: each
// condition scores +1 when it clearly holds, −1 when it clearly fails, and in between when its figure is within
// the margin of its threshold. The rule holds when no condition clearly fails and the scores' mean is ≥ 0, so a
// share that wobbles 0.697–0.704 around 0.7 is outweighed by figures far from their thresholds, the same way in
// every window, and the rule says which figures were borderline.

/** One condition of a rule: `value op threshold`. */
export interface EdgeCheck {
  /** What the figure is, for the reason text ("kernel share of CPU"). */
  name: string;
  value: number;
  threshold: number;
  op: '>=' | '<';
  /** Prints the figure and the threshold ("69.7 %"). */
  format: (x: number) => string;
}

/** A rule's outcome. */
export interface EdgeDecision {
  holds: boolean;
  /** Conditions whose figure sat within the margin of its threshold. */
  near: EdgeCheck[];
  /** Reason sentences for the borderline conditions (empty when none). */
  reasons: string[];
}

/** −1 (clearly fails) .. +1 (clearly holds); linear within `margin` (relative to the threshold) of it. */
export function edgeScore(c: EdgeCheck, margin: number): number {
  const band = Math.abs(c.threshold) * margin;
  const d = c.op === '>=' ? c.value - c.threshold : c.threshold - c.value;
  if (band <= 0) return d > 0 || (d === 0 && c.op === '>=') ? 1 : -1;
  return Math.max(-1, Math.min(1, d / band));
}

/** Decides a rule (all conditions must hold) from its conditions with `margin`. Pure. */
export function decideWithMargin(checks: readonly EdgeCheck[], margin: number, rule: string): EdgeDecision {
  const scores = checks.map((c) => edgeScore(c, margin));
  const near = checks.filter((_, i) => Math.abs(scores[i] as number) < 1);
  const crisp = checks.every((c) => (c.op === '>=' ? c.value >= c.threshold : c.value < c.threshold));
  let holds: boolean;
  if (scores.some((s) => s <= -1)) holds = false;
  else if (near.length === 0) holds = crisp;
  else {
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    holds = mean === 0 ? crisp : mean > 0;
  }
  const others = checks.filter((c) => !near.includes(c));
  const reasons = near.map((c) => {
    const side = (c.op === '>=' ? c.value >= c.threshold : c.value < c.threshold) ? 'meets' : 'misses';
    const rest = others.length ? `; decided by the rest of the evidence (${others.map((o) => `${o.name} ${o.format(o.value)} vs ${o.op === '>=' ? '≥' : '<'} ${o.format(o.threshold)}`).join(', ')})` : '';
    return `${c.name} ${c.format(c.value)} ${side} its threshold ${c.op === '>=' ? '≥' : '<'} ${c.format(c.threshold)} by less than ${Math.round(margin * 100)} %${rest}: ${rule} ${holds ? 'holds' : 'does not hold'}`;
  });
  return { holds, near, reasons };
}
