// `reclaimwatch agent`: the always-on watch of every cgroup, with history (an embedded store), Prometheus
// metrics, a JSON API and the dashboard, on loopback unless told otherwise. Runs until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { startAgent } from '../agent/agent.js';
import { DEFAULT_STORE_DIR } from '../agent/store/store.js';
import { parseListen } from '../agent/http/server.js';
import { parseThresholdOverrides } from '../detect/thresholds.js';
import { parseRemediationOptions } from '../agent/remediation/options.js';
import { UsageError } from '../kernel/errors.js';
import { parseBytes } from '../units/bytes.js';
import { addHostPathOptions, hostFromOptions } from './common.js';
import { withInterrupt } from './interrupt.js';
import { durationOption, integerOption, parsedOption, repeatableOption } from './options.js';

/** The agent's default listen address: loopback only. */
export const DEFAULT_LISTEN = '127.0.0.1:9847';

interface AgentCliOptions {
  listen: { host: string; port: number };
  http: boolean;
  store: string;
  storeOff?: boolean;
  retention: number;
  storeMax: number;
  interval: number;
  calmInterval: number;
  window: number;
  hold: number;
  match?: string[];
  threshold?: string[];
}

/** Registers `reclaimwatch agent`. */
export function registerAgent(program: Command): void {
  const cmd = program
    .command('agent')
    .description('watch every non-empty cgroup forever: verdicts every tick, history, time travel, /metrics, a dashboard')
    .addOption(parsedOption('--listen <host:port>', 'HTTP address for /metrics, /healthz, /api/v1 and the dashboard (loopback unless you ask otherwise)', (t) => {
      try {
        return parseListen(t);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }, DEFAULT_LISTEN))
    .option('--no-http', 'no HTTP listener')
    .option('--store <dir>', 'the store directory (an SQLite file inside; created if missing)', DEFAULT_STORE_DIR)
    .option('--store-off', 'keep no history (metrics and the live API only)')
    .addOption(durationOption('--retention <duration>', 'keep history this long', '7d', { min: 60_000 }))
    .addOption(parsedOption('--store-max <size>', 'keep the store under this size', (t, w) => parseBytes(t, w), '1GiB'))
    .addOption(durationOption('--interval <duration>', 'sampling interval', '1s', { min: 100, max: 60_000 }))
    .addOption(durationOption('--calm-interval <duration>', 'a calm cgroup (under a fifth of a core, under 90 % of its limit, no limit hits, nothing blocked) is sampled in full this often, its usage, limit hits and CPU time every --interval; anything stirring brings it back to every tick. Equal to --interval: every cgroup in full every tick', '5s', { min: 100, max: 60_000 }))
    .addOption(durationOption('--window <duration>', 'each verdict judges this sliding window', '10s', { min: 2000, max: 600_000 }))
    .addOption(integerOption('--hold <n>', 'a new verdict must hold for this many ticks before it is in force (no flapping)', '3', { min: 1, max: 600 }))
    .addOption(repeatableOption('--match <glob>', 'watch only cgroups whose path matches (`*` within a segment, `**` across); repeatable', (t) => t))
    .addOption(repeatableOption('--threshold <name=value>', 'override a classifier threshold; repeatable', (t) => t))
    .option('--remediate <mode>', 'off | dry-run (log and record what would be done) | restart (kill the stuck container\'s cgroup so its runtime restarts it)', 'dry-run')
    .addOption(repeatableOption('--remediate-match <field=glob,...>', 'restart acts only on targets matching (fields pod, namespace, container, cgroup); repeatable', (t) => t))
    .option('--remediate-on <verdicts>', 'verdicts that may be acted on', 'reclaim-livelock')
    .option('--remediate-after <duration>', 'the verdict must have held this long', '60s')
    .option('--remediate-cooldown <duration>', 'at most one action per target in this time', '10m')
    .option('--remediate-budget <n>', 'actions per hour on this node, at most', '3')
    .option('--capture-on <verdicts>', 'verdicts whose onset writes an evidence bundle', 'reclaim-livelock,oom-loop,thrashing')
    .option('--on-incident <cmd>', 'a command run (with a timeout) instead of the restart, with the target in RECLAIMWATCH_* variables')
    .option('--on-incident-timeout <duration>', 'the hook\'s timeout', '30s')
    .addHelpText('after', '\nExit status: 0 after SIGINT/SIGTERM, 2 usage error, 3 could not start (store or address).');
  addHostPathOptions(cmd).action(async (o: AgentCliOptions) => {
    const host = hostFromOptions(o as unknown as Record<string, unknown>);
    let thresholds;
    try {
      thresholds = parseThresholdOverrides(o.threshold ?? []);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (o.calmInterval < o.interval) throw new UsageError(`--calm-interval must be at least --interval (got ${o.calmInterval} ms and ${o.interval} ms)`);
    if (o.window < 2 * o.interval) throw new UsageError(`--window must span at least two --interval ticks (got ${o.window} ms and ${o.interval} ms)`);
    const remediation = parseRemediationOptions(o as unknown as Record<string, unknown>);
    const log = (line: string): void => void process.stderr.write(`reclaimwatch agent: ${line}\n`);
    const agent = await startAgent({
      host, listen: o.http ? o.listen : undefined, storeDir: o.storeOff ? undefined : o.store, retentionMs: o.retention, storeMaxBytes: o.storeMax,
      intervalMs: o.interval, calmIntervalMs: o.calmInterval, windowMs: o.window, holdTicks: o.hold, match: o.match ?? [], thresholds, remediation, log,
    });
    log(`watching ${agent.watch.targets().size || 'every non-empty'} cgroup(s) every ${o.interval} ms; ${agent.url ? `serving ${agent.url}/ (dashboard), /metrics, /healthz, /api/v1/targets` : 'no HTTP'}; ${agent.store ? `store ${o.store}` : 'no store'}; priority nice ${agent.priority.nice}${agent.priority.raised ? '' : ` (${agent.priority.reason ?? 'not raised'})`}`);
    if (process.getuid?.() !== 0) log('not root: kernel stacks, other users\' /proc/PID/io and some cgroup files cannot be read; verdicts say what they lack');
    await withInterrupt(async (i) => {
      await Promise.race([agent.done, new Promise<void>((r) => i.signal.addEventListener('abort', () => r(), { once: true }))]);
      log(`stopping (${i.received() ?? 'loop ended'})`);
      await agent.stop();
    });
    process.exitCode = 0;
  });
}
