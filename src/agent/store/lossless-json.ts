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

/** True when `v` holds something plain JSON would lose or confuse: a non-finite number, -0, a NUL-led string. */
function needsTags(v: unknown): boolean {
  switch (typeof v) {
    case 'number': return !Number.isFinite(v) || (v === 0 && 1 / v < 0);
    case 'string': return v.charCodeAt(0) === 0;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) {
        for (const x of v) if (needsTags(x)) return true;
        return false;
      }
      for (const k in v) if (needsTags((v as Record<string, unknown>)[k])) return true;
      return false;
    }
    case 'bigint': throw new TypeError('a stored sample cannot hold a bigint');
    default: return false;
  }
}

function tagReplacer(_key: string, x: unknown): unknown {
  if (typeof x === 'number') return tagNumber(x);
  if (typeof x === 'string' && x.charCodeAt(0) === 0) return TAG + x;
  return x;
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
  // Most samples need no tag: then the native stringify alone, with no copy and no replacer.
  return (needsTags(value) ? JSON.stringify(value, tagReplacer) : JSON.stringify(value)) ?? 'null';
}

/** The inverse of {@link losslessStringify}. */
export function losslessParse(text: string): unknown {
  const v: unknown = JSON.parse(text);
  // Tags only exist where the text holds an escaped NUL; most samples have none, so skip the walk.
  return text.includes('\\u0000') ? untag(v) : v;
}
