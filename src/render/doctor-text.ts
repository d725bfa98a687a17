// Human output of `doctor`: the verdict first, then evidence, grouped kernel stacks and advice.
import type { DoctorReport, TargetReport } from '../doctor/report.js';
import { RECLAIM_FRAMES } from '../probe/reclaim-frames.js';
import { type Style, style, table } from './table.js';

const reclaimSet = new Set(RECLAIM_FRAMES);

function verdictText(v: TargetReport['verdict'], s: Style): string {
  const up = v.toUpperCase();
  if (v === 'healthy' || v === 'cpu-bound') return s.green(up);
  if (v === 'gone') return s.dim(up);
  if (v === 'memory-pressure') return s.yellow(up);
  return s.red(s.bold(up));
}

function renderTarget(t: TargetReport, s: Style): string {
  const lines: string[] = [];
  const where = [t.target.cgroup ? `cgroup ${t.target.cgroup}` : undefined, t.target.pod ? `pod ${t.target.pod.name ?? t.target.pod.uid}` : undefined, t.target.container ? `container ${t.target.container.slice(0, 12)}` : undefined]
    .filter(Boolean).join(', ');
  lines.push(`${s.bold(t.target.label)}: ${verdictText(t.verdict, s)}${t.verdict === 'healthy' || t.verdict === 'gone' ? '' : ` (severity ${t.severity})`}`);
  lines.push(s.dim(`  ${where ? `${where}; ` : ''}${t.target.pids} process${t.target.pids === 1 ? '' : 'es'}, ${t.target.threads} thread${t.target.threads === 1 ? '' : 's'}`));
  for (const f of t.findings) {
    const mark = f.severity === 'critical' ? s.red('✖') : f.severity === 'warning' ? s.yellow('!') : s.dim('·');
    lines.push(`  ${mark} ${f.code}: ${f.message}`);
  }
  if (t.evidence.length) {
    lines.push('', s.bold('  evidence'));
    lines.push(table(['signal', 'value', 'threshold', 'what it means'], t.evidence.map((e) => [e.signal, e.value, e.threshold, e.meaning]), { indent: '    ', maxWidth: [34, 44, 30] }));
  }
  if (t.stacks.groups.length) {
    lines.push('', s.bold(`  kernel stacks of running/blocked threads (${t.stacks.sampled} over the window)`));
    for (const g of t.stacks.groups.slice(0, 5)) {
      const tag = [g.tags.inReclaim ? 'reclaim' : '', g.tags.waitsMmapLock ? 'mmap_lock' : '', g.tags.inPageFault ? 'page fault' : ''].filter(Boolean).join(', ');
      lines.push(`    ${String(g.count).padStart(5)}× ${g.states.join('/')} ${g.threads} thread${g.threads === 1 ? '' : 's'}${tag ? s.yellow(` [${tag}]`) : ''}`);
      const frames = g.frames.length ? g.frames : ['(no kernel frames: running in user space)'];
      for (const f of frames.slice(0, 10)) lines.push(`           ${reclaimSet.has(f) ? s.red(f) : f}`);
      if (frames.length > 10) lines.push(s.dim(`           … ${frames.length - 10} more`));
    }
  } else if (t.stacks.unavailable) {
    lines.push('', s.dim(`  kernel stacks: ${t.stacks.unavailable}`));
  }
  if (t.advice.length) {
    lines.push('', s.bold('  advice'));
    for (const a of t.advice) lines.push(`    - ${a}`);
  }
  if (t.unreadable.length) {
    lines.push('', s.dim('  could not read (the rest still counts):'));
    for (const u of t.unreadable.slice(0, 8)) lines.push(s.dim(`    - ${u}`));
  }
  return lines.join('\n');
}

/** Renders the whole report for a terminal. `brief` prints one line per target (for `--all`). */
export function renderDoctorText(r: DoctorReport, opts: { colour: boolean; brief?: boolean }): string {
  const s = style(opts.colour);
  const head = s.dim(`reclaimwatch doctor: ${r.windowSeconds} s window on ${r.host.kernelRelease}, cgroup ${r.host.cgroupMode}${r.host.memoryController ? ` (memory ${r.host.memoryController})` : ''}, MGLRU ${r.host.mglru.present ? (r.host.mglru.enabled ? 'on' : 'off') : 'absent'}${r.host.root ? '' : ', not root: some signals unavailable'}`);
  const parts = [head];
  if (opts.brief) {
    parts.push(table(['verdict', 'sev', 'target', 'CPU usr+sys', 'memory', 'main finding'], r.targets.map((t) => {
      const m = t.metrics as { cpu?: { userCores: number; systemCores: number }; memory?: { usageRatio: number } };
      return [verdictText(t.verdict, s), String(t.severity), t.target.label, m.cpu ? `${m.cpu.userCores.toFixed(2)}+${m.cpu.systemCores.toFixed(2)}` : '', m.memory ? `${(m.memory.usageRatio * 100).toFixed(0)} %` : '', t.findings.find((f) => f.code !== 'cpu-busy')?.code ?? ''];
    }), { maxWidth: 70 }));
    const bad = r.targets.filter((t) => t.severity >= 40);
    for (const t of bad) parts.push('', renderTarget(t, s));
  } else {
    for (const t of r.targets) parts.push('', renderTarget(t, s));
  }
  for (const f of r.failures) parts.push('', s.yellow(`${f.target}: ${f.message}`));
  return `${parts.join('\n')}\n`;
}
