// Terminal log2 histograms laid out like bpftrace's own `hist()` output:
//   [128K, 256K)          11 |@                                                   |
// A 16-column left-aligned bucket label, an 8-column count, and a 52-column bar scaled to the largest bucket.

/** One log2 bucket: values v with `min <= v <= max` (as bpftrace's JSON output gives them). */
export interface Log2Bucket {
  min: number;
  max: number;
  count: number;
}

/** Options of `renderLog2Histogram`. */
export interface HistogramRenderOptions {
  /** Heading, e.g. `mmap_lock hold time`. */
  title: string;
  /** Unit of the bucket bounds, e.g. `µs`, `pages`; printed after the title. */
  unit?: string;
  /** Bar width in characters (bpftrace uses 52). */
  width?: number;
}

const BAR_WIDTH = 52;

/** bpftrace's bound label: 1024 → `1K`, 3 << 20 → `3M`; other numbers as they are. */
export function formatLog2Bound(n: number): string {
  const suffixes = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = n;
  let i = 0;
  while (v !== 0 && v % 1024 === 0 && i < suffixes.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v}${suffixes[i] ?? ''}`;
}

/** The label of one bucket: `[0]`, `[1]`, `[2, 4)`, `[1K, 2K)`. */
export function bucketLabel(b: Pick<Log2Bucket, 'min' | 'max'>): string {
  if (b.min === b.max) return `[${formatLog2Bound(b.min)}]`;
  return `[${formatLog2Bound(b.min)}, ${formatLog2Bound(b.max + 1)})`;
}

/** Renders buckets as bpftrace draws them; an empty histogram says `(no events)`. */
export function renderLog2Histogram(buckets: readonly Log2Bucket[], opts: HistogramRenderOptions): string {
  const width = opts.width ?? BAR_WIDTH;
  const head = `${opts.title}${opts.unit ? ` (${opts.unit})` : ''}:`;
  if (buckets.length === 0 || buckets.every((b) => b.count === 0)) return `${head}\n  (no events)\n`;
  const max = Math.max(...buckets.map((b) => b.count));
  const rows = buckets.map((b) => {
    const n = max > 0 ? Math.floor((b.count * width) / max) : 0;
    return `${bucketLabel(b).padEnd(16)}${String(b.count).padStart(8)} |${'@'.repeat(n)}${' '.repeat(width - n)}|`;
  });
  return `${head}\n${rows.join('\n')}\n`;
}

/** Approximate percentile (upper bound of the bucket holding it), or undefined for no events. */
export function histPercentile(buckets: readonly Log2Bucket[], p: number): number | undefined {
  const total = buckets.reduce((a, b) => a + b.count, 0);
  if (total === 0) return undefined;
  const want = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const b of buckets) {
    seen += b.count;
    if (seen >= want) return b.max;
  }
  return buckets[buckets.length - 1]?.max;
}
