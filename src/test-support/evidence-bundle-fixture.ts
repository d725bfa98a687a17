// An evidence bundle made from a real recording, in the layout the agent's evidence capture writes
// (manifest.json, report.json, report.txt, stacks, folded stacks, flame graphs normal and reversed), for the
// dashboard's and the evidence report's tests. The stacks are the recording's real kernel stacks.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DoctorRecording } from '../doctor/run-doctor.js';
import type { DoctorReport } from '../doctor/report.js';
import { renderFlameGraph } from '../flame/render-flame-graph.js';
import { renderDoctorText } from '../render/doctor-text.js';
import { toFoldedText } from '../stacks/folded-stacks.js';
import { joinStack } from '../stacks/stack-frame.js';

/** One part of the manifest (the shape of src/agent/evidence/manifest.ts's EvidencePart). */
export interface EvidencePartFixture { name: string; title: string; file?: string; status: 'present' | 'absent'; bytes: number; reason?: string; ms: number }

/** Writes the bundle of target `index` (recording order) into `dir`; returns the part names, manifest order. */
export async function writeEvidenceBundle(dir: string, id: string, rec: DoctorRecording, report: DoctorReport, index: number): Promise<EvidencePartFixture[]> {
  const rt = rec.targets[index]!;
  const tr = report.targets.find((t) => t.target.label === rt.target.label)!;
  fs.mkdirSync(dir, { recursive: true });
  const stacks = rt.samples.flatMap((s) => s.stacks ?? []);
  const folded = toFoldedText(stacks.map((s) => ({ comm: rt.target.comm ?? 'workload', frames: joinStack(undefined, s.frames), state: s.state })));
  const one = { ...report, targets: [tr] };
  fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(one, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'report.txt'), renderDoctorText(one, { colour: false }));
  fs.writeFileSync(path.join(dir, 'stacks.txt'), stacks.map((s) => `pid ${s.pid} tid ${s.tid} state ${s.state}\n${s.frames.map((f) => `  ${f}`).join('\n')}\n`).join('\n'));
  fs.writeFileSync(path.join(dir, 'stacks.folded'), folded);
  fs.writeFileSync(path.join(dir, 'flame.svg'), (await renderFlameGraph(Readable.from([folded]), { title: `kernel stacks of ${rt.target.label}` })).svg);
  fs.writeFileSync(path.join(dir, 'flame-reversed.svg'), (await renderFlameGraph(Readable.from([folded]), { title: `kernel stacks of ${rt.target.label}`, reverse: true })).svg);
  // The manifest as src/agent/evidence/manifest.ts writes it (schema reclaimwatch.evidence/v1).
  const present = (name: string, title: string, file: string): EvidencePartFixture => ({ name, title, file, status: 'present', bytes: fs.statSync(path.join(dir, file)).size, ms: 1 });
  const parts: EvidencePartFixture[] = [
    present('report', 'doctor report (JSON)', 'report.json'), present('report-text', 'doctor report', 'report.txt'),
    present('stacks', 'kernel stacks, grouped', 'stacks.txt'), present('folded', 'folded kernel stacks (all passes)', 'stacks.folded'),
    present('flame', 'flame graph of the kernel stacks', 'flame.svg'), present('flame-reversed', 'flame graph, reversed (leaf frames merged)', 'flame-reversed.svg'),
    { name: 'trace', title: 'bpftrace: memcg reclaim and mmap_lock', status: 'absent', bytes: 0, reason: 'bpftrace was not run for this incident', ms: 0 },
  ];
  const now = new Date().toISOString();
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify({
    schema: 'reclaimwatch.evidence/v1', incidentId: id, target: { id: `t${index}`, label: rt.target.label, ...(rt.target.cgroup ? { cgroup: rt.target.cgroup } : {}) },
    verdict: tr.verdict, startedAt: now, finishedAt: now, captureMs: 1, complete: true, bytes: parts.reduce((n, p) => n + p.bytes, 0), maxBytes: 64 << 20, parts,
  }, null, 2)}\n`);
  return parts;
}
