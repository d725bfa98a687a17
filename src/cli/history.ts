// `reclaimwatch history`: what the agent saw — incidents and verdict changes from its store — for a person or
// (--json) a script. Opens the store read-only, so it works while the agent writes.
import type { Command } from 'commander';
import { DEFAULT_STORE_DIR, Store } from '../agent/store/store.js';
import { addHostPathOptions } from './common.js';
import { durationOption, textOption } from './options.js';

interface HistoryCliOptions {
  store: string;
  since: number;
  target?: string;
  json?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Registers `reclaimwatch history`. */
export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('incidents and verdict changes the agent recorded')
    .option('--store <dir>', 'the agent\'s store directory', DEFAULT_STORE_DIR)
    .addOption(durationOption('--since <duration>', 'how far back', '24h'))
    .addOption(textOption('--target <id>', 'one target (its cgroup path, as /api/v1/targets lists it)', 'give a cgroup path'))
    .option('--json', 'one JSON document on stdout');
  addHostPathOptions(cmd).action((o: HistoryCliOptions) => {
    const store = Store.openReadOnly(o.store);
    try {
      const since = Date.now() - o.since;
      const q = { sinceWallMs: since, ...(o.target ? { targetId: o.target } : {}) };
      const incidents = store.listIncidents(q);
      const changes = store.listVerdictChanges(q);
      const actions = store.listActions(q);
      const runs = store.listRuns({ sinceWallMs: since });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ schema: 'reclaimwatch.history/v1', since, incidents, changes, actions, runs }, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      lines.push(`Incidents since ${iso(since)}: ${incidents.length}`);
      for (const i of incidents) {
        const dur = ((i.endWallMs ?? Date.now()) - i.startWallMs) / 1000;
        const fs = Array.isArray(i.findings) ? (i.findings as Array<{ code?: string; severity?: string }>).filter((f) => f.severity !== 'info').map((f) => f.code).join(', ') : '';
        lines.push(`  #${i.id} ${i.verdict.toUpperCase()}${i.variant ? ` (${i.variant})` : ''} ${i.targetId}`);
        lines.push(`      ${iso(i.startWallMs)} → ${i.endWallMs ? iso(i.endWallMs) : 'ongoing'} (${dur.toFixed(0)} s), peak severity ${i.peakSeverity}${fs ? `; ${fs}` : ''}${i.evidencePath ? `; evidence ${i.evidencePath}` : ''}`);
      }
      lines.push('', `Verdict changes: ${changes.length}`);
      for (const c of changes.slice(-50)) lines.push(`  ${iso(c.wallMs)}  ${(c.from ?? '—').padEnd(16)} → ${c.to.padEnd(16)} ${c.targetId}`);
      if (changes.length > 50) lines.push(`  … ${changes.length - 50} earlier (--json lists all)`);
      if (actions.length) {
        lines.push('', `Remediation: ${actions.length}`);
        for (const a of actions) lines.push(`  ${iso(a.startedWallMs)}  ${a.mode} ${a.action} ${a.state} ${a.targetId}`);
      }
      const starts = runs.filter((r) => r.kind === 'start');
      if (starts.length > 1) lines.push('', `The agent started ${starts.length} times in this span: the seconds between a stop (or crash) and the next start are gaps.`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      store.close();
    }
  });
}
