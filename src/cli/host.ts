import type { Command } from 'commander';
import { buildHostReport, type HostReport } from '../host/host-report.js';
import { style, table } from '../render/table.js';
import { addHostPathOptions, hostFromOptions, outputWidth, useColour } from './common.js';

/** Renders the host report for a terminal. */
export function renderHostText(r: HostReport, colour: boolean, width?: number): string {
  const s = style(colour);
  const yes = (b: boolean): string => (b ? s.green('yes') : s.yellow('no'));
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const rows: string[][] = [
    ['kernel', r.kernelRelease],
    ['CPUs, memory, swap', `${r.cpus}, ${gib(r.memoryBytes)}, ${r.swapBytes ? gib(r.swapBytes) : 'none'}`],
    ['cgroup mode', `${r.cgroup.mode}; memory controller on ${r.cgroup.memory ?? 'none'}${r.cgroup.unified ? `; v2 at ${r.cgroup.unified} (${r.cgroup.unifiedControllers.join(' ') || 'no controllers: PSI only'})` : ''}`],
    ['PSI (host, cgroup)', `${yes(r.psi.host)}, ${yes(r.psi.cgroup)}`],
    ['MGLRU', r.mglru.present ? `${r.mglru.enabled ? s.green('on') : s.yellow('off')} (enabled=0x${r.mglru.enabledMask.toString(16).padStart(4, '0')}, min_ttl_ms=${r.mglru.minTtlMs ?? 'n/a'})` : 'absent (kernel built without CONFIG_LRU_GEN)'],
    ['tracefs', r.tracefs.state === 'readable' ? (r.tracefs.path ?? '') : r.tracefs.state === 'unreadable' ? s.yellow(`mounted at ${r.tracefs.path ?? '?'}, but not readable by you (root only): run as root to see tracepoints`) : s.yellow('not mounted (mount -t tracefs nodev /sys/kernel/tracing)')],
    ['kprobes', r.tracefs.kprobes === null ? s.yellow('cannot tell (tracefs not readable by you)') : r.tracefs.kprobes ? 'yes' : s.yellow('no (kprobe-based trace counters unavailable)')],
    ['root', yes(r.root)],
  ];
  const tps = Object.entries(r.tracefs.tracepoints).map(([k, v]) => [k, v === null ? s.yellow('cannot tell (tracefs not readable by you)') : v ? 'yes' : s.yellow('missing')]);
  const e = r.exposure;
  const level = (l: string): string => (l === 'exposed' ? s.yellow(l) : l === 'possible' ? s.yellow(l) : s.green(l));
  const expo: string[][] = [
    ['distribution', `${e.distro.name ?? e.distro.id ?? 'unknown (no os-release)'}${e.distro.cosMilestone !== undefined ? ` (COS milestone ${e.distro.cosMilestone})` : ''}`],
    ['MGLRU built, on', `${e.mglru.built ? 'yes' : 'no'}, ${e.mglru.on ? 'yes' : 'no'}`],
    ['per-VMA locks for faults', `${e.perVmaLock.available === undefined ? 'cannot tell' : e.perVmaLock.available ? 'yes' : 'no'} (${e.perVmaLock.detail})`],
    ['mmap-lock livelock', `${level(e.mmapLock.level)}: ${e.mmapLock.why.join('; ')}`],
    ['lru-lock livelock', `${level(e.lruLock.level)}: ${e.lruLock.why.join('; ')}`],
  ];
  const refRows = e.reference.map((x) => [`${x.platform} (${x.kernel})${x.thisNode ? ' ← this node' : ''}`, x.result]);
  const tools = r.tools.map((t) => [t.name, t.path ? `${t.path}${t.version ? `  (${t.version})` : ''}` : s.yellow('not found')]);
  const fit = { indent: '  ', noHeader: true, ...(width !== undefined ? { width } : {}) };
  return [s.bold('host'), table([], rows, fit), '', s.bold('tracepoints'), table([], tps, fit), '', s.bold('tools'), table([], tools, fit),
    '', s.bold('exposure to the two reclaim livelocks'), table([], expo, fit),
    '', s.bold('the reference\'s test case, by platform'), table([], refRows, fit),
    s.dim(`  sources: ${e.sources.join('; ')}`), ''].join('\n');
}

/** Registers `reclaimwatch host`. */
export function registerHost(program: Command): void {
  const cmd = program
    .command('host')
    .description('what this kernel offers: version, cgroup mode, PSI, MGLRU, tracefs and tracepoints, tools, root')
    .option('--json', 'JSON on stdout (schema reclaimwatch.host/v1)');
  addHostPathOptions(cmd).action(async (o: { json?: boolean }) => {
    const report = await buildHostReport(hostFromOptions(o));
    if (o.json) process.stdout.write(`${JSON.stringify({ schema: 'reclaimwatch.host/v1', ...report }, null, 2)}\n`);
    else process.stdout.write(renderHostText(report, useColour(), outputWidth()));
  });
}
