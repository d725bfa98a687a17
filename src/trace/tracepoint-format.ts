// tracefs events/<system>/<event>/format, e.g. for vmscan:mm_vmscan_memcg_reclaim_end on 6.18:
//   	field:int common_pid;	offset:4;	size:4;	signed:1;
//   	field:unsigned long nr_reclaimed;	offset:8;	size:8;	signed:0;
// https://docs.kernel.org/trace/events.html ("Event formats")
import fs from 'node:fs';

/** One field of a tracepoint's record. */
export interface TracepointField {
  name: string;
  /** C type as the kernel declares it, e.g. `unsigned long`, `char[16]`. */
  type: string;
}

/** Parses a tracepoint format file into its non-common fields (unknown lines are skipped). */
export function parseTracepointFormat(text: string): TracepointField[] {
  const out: TracepointField[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*field:(.+?);\s*offset:/.exec(line);
    if (!m?.[1]) continue;
    const decl = m[1].trim();
    const nm = /([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\])?$/.exec(decl);
    if (!nm?.[1]) continue;
    if (nm[1].startsWith('common_')) continue;
    out.push({ name: nm[1], type: `${decl.slice(0, nm.index).trim()}${nm[2] ?? ''}` });
  }
  return out;
}

/** The field names of `system:event` under `tracefs`, or undefined when the tracepoint does not exist. */
export function readTracepointFields(tracefs: string, tp: string): Set<string> | undefined {
  const [sys, ev] = tp.split(':');
  try {
    return new Set(parseTracepointFormat(fs.readFileSync(`${tracefs}/events/${sys}/${ev}/format`, 'utf8')).map((f) => f.name));
  } catch {
    return undefined;
  }
}
