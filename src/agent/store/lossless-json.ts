/**
 * JSON that keeps what `JSON.stringify` loses in samples: `Infinity`, `-Infinity`, `NaN` and `-0`.
 *
 * Such numbers are written as strings that start with a NUL character (`"\u0000I"`, `"\u0000-I"`, `"\u0000N"`,
 * `"\u0000-0"`); a real string that starts with NUL gets one more NUL in front, so every value round-trips exactly.
 * `undefined` object properties are dropped and `undefined` array items become `null`, as `JSON.stringify` does.
 */

const TAG = '\u0000';

function tagNumber(n: number): number | string {
  if (Number.isFinite(n)) return Object.is(n, -0) ? `${TAG}-0` : n;
  if (Number.isNaN(n)) return `${TAG}N`;
  return n > 0 ? `${TAG}I` : `${TAG}-I`;
}

function tag(v: unknown): unknown {
  switch (typeof v) {
    case 'number': return tagNumber(v);
    case 'string': return v.startsWith(TAG) ? TAG + v : v;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : tag(x)));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        if (k === '__proto__') Object.defineProperty(out, k, { value: tag(x), enumerable: true, writable: true, configurable: true });
        else out[k] = tag(x);
      }
      return out;
    }
    case 'bigint': throw new TypeError('a stored sample cannot hold a bigint');
    default: return v;
  }
}

function untagString(s: string): unknown {
  if (!s.startsWith(TAG)) return s;
  switch (s) {
    case `${TAG}I`: return Infinity;
    case `${TAG}-I`: return -Infinity;
    case `${TAG}N`: return NaN;
    case `${TAG}-0`: return -0;
    default: return s.slice(1);
  }
}

function untag(v: unknown): unknown {
  if (typeof v === 'string') return untagString(v);
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = untag(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = untag(o[k]);
  return o;
}

/** `JSON.stringify` that keeps non-finite numbers and `-0` (see the module comment). */
export function losslessStringify(value: unknown): string {
  return JSON.stringify(tag(value)) ?? 'null';
}

/** The inverse of {@link losslessStringify}. */
export function losslessParse(text: string): unknown {
  const v: unknown = JSON.parse(text);
  // Tags only exist where the text holds an escaped NUL; most samples have none, so skip the walk.
  return text.includes('\\u0000') ? untag(v) : v;
}
