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

/** Writes the bundle of target `index` (recording order) into `dir`; returns the part names, manifest order. */
export async function writeEvidenceBundle(dir: string, id: string, rec: DoctorRecording, report: DoctorReport, index: number): Promise<Array<string | { file: string; absent: true; reason: string }>> {
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
  const parts: Array<string | { file: string; absent: true; reason: string }> = ['manifest.json', 'report.json', 'report.txt', 'stacks.txt', 'stacks.folded', 'flame.svg', 'flame-reversed.svg',
    { file: 'trace.json', absent: true, reason: 'bpftrace was not run for this incident' }];
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify({ id, target: rt.target.label, verdict: tr.verdict, severity: tr.severity, parts }, null, 2)}\n`);
  return parts;
}
