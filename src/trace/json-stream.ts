// bpftrace `-f json` output: one JSON object per line, `{"type": ..., "data": ...}`. Blank lines appear
// between sections. Real lines (bpftrace 0.17):
//   {"type": "attached_probes", "data": {"probes": 4}}
//   {"type": "printf", "data": "H\t812\t815\t0\t52000\tr_file\n"}
//   {"type": "map", "data": {"@c": {"1,sleep": 1, "0,ls": 914}}}
//   {"type": "hist", "data": {"@h": [{"min": 0, "max": 0, "count": 287}, {"min": 2, "max": 3, "count": 2261}]}}
//   {"type": "stats", "data": {"@st": {"count": 2183, "average": 17, "total": 38009}}}
// https://github.com/bpftrace/bpftrace/blob/master/man/adoc/bpftrace.adoc (output format)

/** One log2 bucket: values v with `min <= v <= max`. */
export interface HistBucket {
  min: number;
  max: number;
  count: number;
}

/** A map value as printed: a scalar, a keyed map, a histogram, or stats. */
export type MapValue = unknown;

/** Everything parsed from one bpftrace run, in arrival order for printf and by name for maps. */
export interface BpftraceStream {
  /** Probes bpftrace said it attached, or undefined when it never got that far. */
  attachedProbes: number | undefined;
  /** `printf` outputs, each exactly as one printf call printed it. */
  printfs: string[];
  /** Printf outputs dropped to respect the cap (the counts in maps still include them). */
  printfsDropped: number;
  /** Last printed value of each map (`@name`), whether it came as map, hist or stats. */
  maps: Map<string, MapValue>;
  /** Events the kernel dropped (bpftrace's `lost_events`). */
  lostEvents: number;
  /** Lines that were not JSON: the last one when output was cut mid-line, or text from bpftrace itself. */
  badLines: string[];
  /** True when the output ended inside a line (an interrupted run). */
  truncated: boolean;
  /** Total JSON records read. */
  records: number;
}

/** Incremental parser state handed out by `createJsonStreamParser`. */
export interface JsonStreamParser {
  /** Feeds a chunk of stdout; returns the records completed by it. */
  push(chunk: string): number;
  /** Ends the stream and returns what was parsed. */
  end(): BpftraceStream;
  /** What was parsed so far (live view; do not mutate). */
  readonly current: BpftraceStream;
  /** Called for each map record as it arrives (progress counters printed by `interval` probes). */
  onMap?: (name: string, value: MapValue) => void;
}

/**
 * Creates an incremental parser for bpftrace's JSON stream. Unknown record types are counted and ignored,
 * so a newer bpftrace never breaks it. `maxPrintfs` caps memory on a flood of events.
 */
export function createJsonStreamParser(maxPrintfs = 200_000): JsonStreamParser {
  const s: BpftraceStream = { attachedProbes: undefined, printfs: [], printfsDropped: 0, maps: new Map(), lostEvents: 0, badLines: [], truncated: false, records: 0 };
  let rest = '';
  const parser: JsonStreamParser = {
    current: s,
    push(chunk: string): number {
      const text = rest + chunk;
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      let n = 0;
      for (const line of lines) if (handleLine(line)) n++;
      return n;
    },
    end(): BpftraceStream {
      if (rest.trim() !== '') {
        if (!handleLine(rest)) s.truncated = true;
      }
      rest = '';
      return s;
    },
  };
  function handleLine(raw: string): boolean {
    const line = raw.trim();
    if (line === '') return false;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      if (s.badLines.length < 20) s.badLines.push(line.slice(0, 500));
      return false;
    }
    if (typeof rec !== 'object' || rec === null) return false;
    const { type, data } = rec as { type?: unknown; data?: unknown };
    s.records++;
    switch (type) {
      case 'attached_probes':
        s.attachedProbes = Number((data as { probes?: unknown } | null)?.probes ?? 0);
        break;
      case 'printf':
        if (typeof data === 'string') {
          if (s.printfs.length < maxPrintfs) s.printfs.push(data);
          else s.printfsDropped++;
        }
        break;
      case 'map':
      case 'hist':
      case 'lhist':
      case 'stats':
        if (data && typeof data === 'object') {
          for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
            s.maps.set(name, value);
            parser.onMap?.(name, value);
          }
        }
        break;
      case 'lost_events':
        s.lostEvents += Number((data as { events?: unknown } | null)?.events ?? 0) || 0;
        break;
      default:
        break;
    }
    return true;
  }
  return parser;
}

/** Parses a whole captured output at once. */
export function parseBpftraceJson(text: string, maxPrintfs?: number): BpftraceStream {
  const p = createJsonStreamParser(maxPrintfs);
  p.push(text);
  return p.end();
}
