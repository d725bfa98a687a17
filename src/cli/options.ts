// The one parser of every command's option values: durations, integers, numbers, non-empty text and sets of
// letters. Each is a pure `parseX(text, what)` that throws UsageError (exit 2) with the accepted form, and an
// `xOption()` that attaches it to a commander Option, so a bad value is refused while the command line is
// parsed, before any work starts, and the same text means the same thing in every command.
import { Option } from 'commander';
import { UsageError } from '../kernel/errors.js';

/** Bounds of a numeric option (inclusive). */
export interface Range {
  min?: number;
  max?: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Formats milliseconds as the shortest duration text the parser reads back: `500ms`, `5s`, `2m`, `1.5s`. */
export function formatDurationMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 || ms > 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * Parses a duration: `500ms`, `5s`, `2m`, `1h`, or a bare number of seconds (`5`, `1.5`). It must be more than
 * zero and within `range` (milliseconds). Throws UsageError naming `what` and the accepted form.
 */
export function parseDurationMs(text: string, what = 'duration', range: Range = {}): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a number of seconds or a value such as 500ms, 30s, 2m`);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
  if (!(ms > 0)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: it must be more than zero`);
  if ((range.min !== undefined && ms < range.min) || (range.max !== undefined && ms > range.max)) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give ${rangeText(range, formatDurationMs)}`);
  }
  return ms;
}

/** Parses a whole number (digits only) within `range` (default: at least 1). Throws UsageError. */
export function parseInteger(text: string, what: string, range: Range = { min: 1 }): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give ${rangeText(range, String, 'a whole number')}`);
  const n = Number(t);
  if (!Number.isSafeInteger(n) || (range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give ${rangeText(range, String, 'a whole number')}`);
  }
  return n;
}

/** Parses a decimal number (`2`, `0.5`) that is more than zero and within `range`. Throws UsageError. */
export function parsePositiveNumber(text: string, what: string, range: Range = {}): number {
  const t = text.trim();
  const n = /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!(n > 0) || (range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give a number greater than zero${range.min !== undefined || range.max !== undefined ? ` (${rangeText(range, String)})` : ''}, such as 2 or 0.5`);
  }
  return n;
}

/** Refuses empty (or blank) text: `--pod ''` is a mistake, not "no --pod". `hint` says what to give. */
export function parseNonEmpty(text: string, what: string, hint: string): string {
  if (text.trim() === '') throw new UsageError(`${what} needs a value: give ${hint}`);
  return text;
}

/** Parses a set of one-letter codes (e.g. scheduler states `RD`) against the allowed letters. */
export function parseLetters(text: string, what: string, allowed: Record<string, string>): string {
  const bad = [...text].filter((c) => !(c in allowed));
  if (text === '' || bad.length > 0) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give letters from ${Object.entries(allowed).map(([k, v]) => `${k} (${v})`).join(', ')}`);
  }
  return [...new Set(text)].join('');
}

/** Parses one of a fixed set of words. */
export function parseChoice<T extends string>(text: string, what: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`bad ${what} ${JSON.stringify(text)}: give ${choices.join(', ')}`);
  return text as T;
}

function rangeText(r: Range, fmt: (n: number) => string, noun = 'a value'): string {
  if (r.min !== undefined && r.max !== undefined) return `${noun} from ${fmt(r.min)} to ${fmt(r.max)}`;
  if (r.min !== undefined) return `${noun} of at least ${fmt(r.min)}`;
  if (r.max !== undefined) return `${noun} of at most ${fmt(r.max)}`;
  return noun;
}

/** The long flag of an option's flags text: `--window <duration>` → `--window`. */
export function flagName(flags: string): string {
  return /--[\w.-]+/.exec(flags)?.[0] ?? flags;
}

/**
 * An option whose value goes through `parse` at parse time; `dflt` is parsed the same way (so defaults obey the
 * same rule) and shown in --help as written. `repeatable` collects every occurrence into an array.
 */
export function parsedOption<T>(flags: string, description: string, parse: (text: string, what: string) => T, dflt?: string): Option {
  const what = flagName(flags);
  const o = new Option(flags, description).argParser((v: string) => parse(v, what));
  return dflt === undefined ? o : o.default(parse(dflt, what), dflt);
}

/** A repeatable option: every occurrence parsed and collected, in order. */
export function repeatableOption<T>(flags: string, description: string, parse: (text: string, what: string) => T): Option {
  const what = flagName(flags);
  return new Option(flags, description).argParser((v: string, prev: T[] | undefined) => [...(prev ?? []), parse(v, what)]);
}

/** `--x <duration>`: milliseconds. */
export const durationOption = (flags: string, description: string, dflt?: string, range: Range = {}): Option =>
  parsedOption(flags, description, (t, w) => parseDurationMs(t, w, range), dflt);

/** `--x <n>`: a whole number (default range: at least 1). */
export const integerOption = (flags: string, description: string, dflt?: string, range: Range = { min: 1 }): Option =>
  parsedOption(flags, description, (t, w) => parseInteger(t, w, range), dflt);

/** `--x <n>`: a decimal number greater than zero. */
export const numberOption = (flags: string, description: string, dflt?: string, range: Range = {}): Option =>
  parsedOption(flags, description, (t, w) => parsePositiveNumber(t, w, range), dflt);

/** `--x <text>`: text that must not be empty; `hint` says what to give. */
export const textOption = (flags: string, description: string, hint: string, dflt?: string): Option =>
  parsedOption(flags, description, (t, w) => parseNonEmpty(t, w, hint), dflt);

/** `--x <word>`: one of `choices`. */
export const choiceOption = <T extends string>(flags: string, description: string, choices: readonly T[], dflt?: T): Option =>
  parsedOption(flags, description, (t, w) => parseChoice(t, w, choices), dflt);
