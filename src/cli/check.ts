// `reclaimwatch check`: asks the node's agent whether a target is in trouble, as a node-problem-detector custom
// plugin (and any script) wants it: exit 0 ok, 1 problem, 2 unknown, and exactly one line of at most 80 characters
// on stdout, even for bad options (NPD shows stdout only, as the node condition's message).
import type { Command } from 'commander';
import { VERDICTS, type VerdictClass } from '../detect/verdict.js';
import { UsageError } from '../kernel/errors.js';
import { judgeCheck, type CheckResult } from '../agent/check/judge-check.js';
import { oneLine } from '../agent/check/one-line.js';
import { queryAgent } from '../agent/check/query-agent.js';
import { EXIT, parseDurationMs } from './common.js';

/** The agent's default address (its `--listen` default). */
export const DEFAULT_AGENT = 'http://127.0.0.1:9847';

interface CheckCliOptions {
  agent: string;
  pod?: string;
  namespace?: string;
  container?: string;
  cgroup?: string;
  on: string;
  timeout: string;
}

/** Parses `--agent`: a URL, or `HOST:PORT` (http assumed). */
export function parseAgentUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (err) {
    throw new UsageError(`bad --agent ${JSON.stringify(text)}: give a URL such as ${DEFAULT_AGENT} or HOST:PORT`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`bad --agent ${JSON.stringify(text)}: only http and https`);
  return url;
}

/** Parses `--on`: verdict names separated by commas. */
export function parseCheckVerdicts(text: string): VerdictClass[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('bad --on "": name at least one verdict');
  for (const n of names) if (!(VERDICTS as readonly string[]).includes(n)) throw new UsageError(`bad --on verdict "${n}": known are ${VERDICTS.join(', ')}`);
  return names as VerdictClass[];
}

function print(result: Pick<CheckResult, 'line' | 'exit'>): void {
  process.stdout.write(`${result.line}\n`);
  process.exitCode = result.exit;
}

/** Registers `reclaimwatch check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('node-problem-detector plugin: asks the agent whether targets are in trouble; exit 0 ok, 1 problem, 2 unknown, one line on stdout')
    .option('--agent <url>', 'the agent to ask (URL or HOST:PORT)', DEFAULT_AGENT)
    .option('--pod <name>', 'only this pod')
    .option('--namespace <ns>', 'only pods of this namespace')
    .option('--container <id>', 'only this container (ID or prefix)')
    .option('--cgroup <path>', 'only this cgroup and those below it')
    .option('--on <verdicts>', `verdicts that are a problem, comma-separated (${VERDICTS.join(', ')})`, 'reclaim-livelock')
    .option('--timeout <duration>', 'give up on the agent after this long', '5s')
    // Option errors also become the one line on stdout (commander would print them to stderr only); exit 2 is unknown.
    .configureOutput({ outputError: (str) => print({ line: oneLine(`unknown: ${str.replace(/^error: /, '')}`), exit: EXIT.usage }) })
    .action(async (o: CheckCliOptions) => {
      let base: URL;
      let on: VerdictClass[];
      let timeoutMs: number;
      try {
        base = parseAgentUrl(o.agent);
        on = parseCheckVerdicts(o.on);
        timeoutMs = parseDurationMs(o.timeout, '--timeout');
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        print({ line: oneLine(`unknown: ${err.message}`), exit: EXIT.usage });
        return;
      }
      const answer = await queryAgent(base, timeoutMs);
      print(judgeCheck(answer, {
        agentLabel: base.host,
        selector: { pod: o.pod, namespace: o.namespace, container: o.container, cgroup: o.cgroup },
        on,
        nowMs: Date.now(),
      }));
    });
}
