// What each file of an evidence bundle is, from its name: one rule list for the self-contained evidence report
// (render-evidence-html.ts) and the dashboard's incident page (which gets it as `rw.partRules`).

/** How a bundle file is shown. */
export type EvidencePartKind = 'manifest' | 'report-json' | 'report-text' | 'flame' | 'flame-reversed' | 'folded' | 'stacks' | 'trace' | 'page' | 'text' | 'other';

/** Rules in order: the first whose pattern matches the file name wins. */
export const EVIDENCE_PART_RULES: ReadonlyArray<{ kind: EvidencePartKind; pattern: string; title: string }> = [
  { kind: 'manifest', pattern: '^manifest\\.json$', title: 'Manifest' },
  { kind: 'report-json', pattern: '^report\\.json$', title: 'Report (JSON)' },
  { kind: 'report-text', pattern: '^report\\.txt$', title: 'Report' },
  { kind: 'flame-reversed', pattern: 'flame.*revers.*\\.svg$|revers.*flame.*\\.svg$', title: 'Flame graph, reversed (leaf frames merged at the root)' },
  { kind: 'flame', pattern: 'flame.*\\.svg$', title: 'Flame graph' },
  { kind: 'folded', pattern: '\\.folded$|folded', title: 'Folded stacks' },
  { kind: 'stacks', pattern: 'stack', title: 'Stacks' },
  { kind: 'trace', pattern: 'trace|bpftrace|\\.bt\\.', title: 'Trace' },
  { kind: 'page', pattern: '\\.html?$', title: "The bundle's own page" },
  { kind: 'text', pattern: '\\.(txt|log|json|out|csv)$', title: 'Text' },
];

/** The order parts are shown in: the report, the flame graphs, the trace figures, then the raw stacks and the rest. */
export const EVIDENCE_PART_ORDER: readonly EvidencePartKind[] = ['manifest', 'report-json', 'report-text', 'flame', 'flame-reversed', 'trace', 'stacks', 'folded', 'text', 'other', 'page'];

/** The kind and heading of a bundle file. */
export function evidencePartKind(file: string): { kind: EvidencePartKind; title: string } {
  const base = file.split('/').at(-1) ?? file;
  for (const r of EVIDENCE_PART_RULES) if (new RegExp(r.pattern, 'i').test(base)) return { kind: r.kind, title: r.title };
  return { kind: 'other', title: 'File' };
}
