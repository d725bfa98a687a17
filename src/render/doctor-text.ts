// Human output of `doctor`: the verdict first, then evidence, grouped kernel stacks and advice.
// Tables fit the terminal by the one rule of table.ts (wrapped, never cut), and every signal that was not
// measured says so and why: "not measured, because …", never a silent gap.
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

/** Options of `renderDoctorText`. */
export interface DoctorTextOptions {
  colour: boolean;
  /** One line per target (for `--all`), then the details of the worst. */
  brief?: boolean;
  /** Terminal width the tables fit; undefined: no limit (a pipe or a file). */
  width?: number;
}

type EvidenceRow = TargetReport['evidence'][number];

const MISSING_VALUES = new Set(['', 'n/a', 'not run', 'not measured']);

/**
 * An evidence row as printed: a signal without a value reads "not measured, because …" (the row's meaning or
 * value says why), and rows for the signals every report should have (memory, PSI) are added when absent.
 */
export function evidenceRows(t: TargetReport, host: DoctorReport['host']): string[][] {
  const rows: string[][] = [];
  for (const e of t.evidence) {
    const signalMissing = /:\s*not measured$/.test(e.signal);
    if (signalMissing || MISSING_VALUES.has(e.value.trim())) {
      const why = (signalMissing ? e.value : e.meaning).trim() || 'no reason was recorded';
      rows.push([signalMissing ? e.signal.replace(/:\s*not measured$/, '') : e.signal, `not measured, because ${why}`, e.threshold, '']);
    } else rows.push([e.signal, e.value, e.threshold, e.meaning]);
  }
  const m = t.metrics as { memory?: unknown; psi?: { memorySome?: number; memoryFull?: number } };
  const has = (re: RegExp): boolean => t.evidence.some((e: EvidenceRow) => re.test(e.signal));
  if (t.verdict !== 'gone' && m.memory === undefined && !has(/memory/i)) {
    rows.push(['memory (cgroup)', `not measured, because ${host.memoryController ? 'the target has no memory cgroup of its own to read' : 'no cgroup hierarchy has the memory controller'}`, '', '']);
  }
  if (t.verdict !== 'gone' && m.psi?.memorySome === undefined && m.psi?.memoryFull === undefined && !has(/^PSI/)) {
    rows.push(['PSI memory some / full', `not measured, because ${host.psi ? "the target's cgroup has no memory.pressure (no cgroup v2 directory, or PSI off for cgroups)" : 'this kernel offers no PSI (/proc/pressure is absent: CONFIG_PSI off, or psi=0)'}`, '', '']);
  }
  return rows;
}

/** One unreadable entry as a line (entries are structured: source, code, path, message). */
function unreadableText(u: unknown): string {
  if (typeof u === 'string') return u;
  const m = (u as { message?: unknown }).message;
  return typeof m === 'string' ? m : JSON.stringify(u);
}

function renderTarget(t: TargetReport, s: Style, host: DoctorReport['host'], width: number | undefined): string {
  const lines: string[] = [];
  const where = [t.target.cgroup ? `cgroup ${t.target.cgroup}` : undefined, t.target.pod ? `pod ${t.target.pod.name ?? t.target.pod.uid}` : undefined, t.target.container ? `container ${t.target.container.slice(0, 12)}` : undefined]
    .filter(Boolean).join(', ');
  lines.push(`${s.bold(t.target.label)}: ${verdictText(t.verdict, s)}${t.verdict === 'healthy' || t.verdict === 'gone' ? '' : ` (severity ${t.severity})`}`);
  lines.push(s.dim(`  ${where ? `${where}; ` : ''}${t.target.pids} process${t.target.pids === 1 ? '' : 'es'}, ${t.target.threads} thread${t.target.threads === 1 ? '' : 's'}`));
  for (const f of t.findings) {
    const mark = f.severity === 'critical' ? s.red('✖') : f.severity === 'warning' ? s.yellow('!') : s.dim('·');
    lines.push(`  ${mark} ${f.code}: ${f.message}`);
  }
  const rows = evidenceRows(t, host);
  if (rows.length) {
    lines.push('', s.bold('  evidence'));
    lines.push(table(['signal', 'value', 'threshold', 'what it means'], rows, { indent: '    ', keep: [2], ...(width !== undefined ? { width } : {}) }));
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
    for (const u of t.unreadable.slice(0, 8)) lines.push(s.dim(`    - ${unreadableText(u)}`));
    if (t.unreadable.length > 8) lines.push(s.dim(`    … ${t.unreadable.length - 8} more (--json lists them all)`));
  }
  return lines.join('\n');
}

/** Renders the whole report for a terminal. */
export function renderDoctorText(r: DoctorReport, opts: DoctorTextOptions): string {
  const width = opts.width;
  const s = style(opts.colour);
  const head = s.dim(`reclaimwatch doctor: ${r.windowSeconds} s window on ${r.host.kernelRelease}, cgroup ${r.host.cgroupMode}${r.host.memoryController ? ` (memory ${r.host.memoryController})` : ''}, MGLRU ${r.host.mglru.present ? (r.host.mglru.enabled ? 'on' : 'off') : 'absent'}${r.host.root ? '' : ', not root: some signals unavailable'}`);
  const parts = [head];
  if (opts.brief) {
    parts.push(table(['verdict', 'sev', 'target', 'CPU usr+sys', 'memory', 'main finding'], r.targets.map((t) => {
      const m = t.metrics as { cpu?: { userCores: number; systemCores: number }; memory?: { usageRatio: number } };
      return [verdictText(t.verdict, s), String(t.severity), t.target.label, m.cpu ? `${m.cpu.userCores.toFixed(2)}+${m.cpu.systemCores.toFixed(2)}` : '', m.memory ? `${(m.memory.usageRatio * 100).toFixed(0)} %` : '', t.findings.find((f) => f.code !== 'cpu-busy')?.code ?? ''];
    }), width !== undefined ? { width } : {}));
    const bad = r.targets.filter((t) => t.severity >= 40);
    for (const t of bad) parts.push('', renderTarget(t, s, r.host, width));
  } else {
    for (const t of r.targets) parts.push('', renderTarget(t, s, r.host, width));
  }
  for (const f of r.failures) parts.push('', s.yellow(`${f.target}: ${f.message}`));
  return `${parts.join('\n')}\n`;
}
