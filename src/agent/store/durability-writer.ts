/**
 * A store writer for the durability tests (kill -9, read-only readers): appends ticks in a loop and prints
 * `ack WALLMS` on stdout after each commit, so the test knows what must survive a SIGKILL.
 *
 * Usage: `node --import tsx src/agent/store/durability-writer.ts DIR [TARGETS=5] [PAUSE_MS=2]`
 * Wall times are simulated seconds (one per tick), continuing 5 s after the newest stored tick so every
 * restart leaves a gap; `maintain()` runs every 10 ticks with 10 s chunks, so kills also land mid-compaction.
 */
import { pathToFileURL } from 'node:url';
import { Store } from './store.js';

/** The sample the writer stores for target `t` at tick wall time `w` (the tests rebuild it to compare). */
export function durabilitySample(t: number, w: number): unknown {
  return {
    wallMs: w,
    target: t,
    usageBytes: w * 7 + t,
    limitBytes: t % 2 ? Infinity : 2 ** 31,
    psi: { some: (w % 1000) / 100, full: NaN },
    stacks: [{ tid: t, frames: ['shrink_folio_list', 'shrink_lruvec', `f${w % 5}`] }],
  };
}

/** Runs the writer until killed. */
export async function runDurabilityWriter(dir: string, targets: number, pauseMs: number): Promise<never> {
  const store = Store.open({ dir, tuning: { chunkWindowMs: 10_000, compactAfterMs: 5_000, retentionEveryMs: 60_000 } });
  const last = store.readHostSamples(0, Number.MAX_SAFE_INTEGER, (x) => x).at(-1)?.wallMs;
  let w = last === undefined ? 1_700_000_000_000 : last + 5000;
  store.markRun('start', w);
  for (let i = 0; ; i++) {
    const ts = Array.from({ length: targets }, (_, t) => ({ id: `t${t}`, sample: durabilitySample(t, w) }));
    store.appendTick(w, { host: true, wallMs: w }, ts);
    process.stdout.write(`ack ${w}\n`);
    if (i % 10 === 9) store.maintain(w, 20);
    w += 1000;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, targets = '5', pause = '2'] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: durability-writer.ts DIR [TARGETS] [PAUSE_MS]\n');
    process.exit(2);
  }
  void runDurabilityWriter(dir, Number(targets), Number(pause));
}
