// cgroup v2 memory controller. https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files
// memory.current "4130521088", memory.max "max" | "4294967296", memory.high "max",
// memory.events "low 0\nhigh 0\nmax 1234\noom 0\noom_kill 0\noom_group_kill 0",
// memory.stat "anon 128729088\nfile 4001792000\n...\npgscan 1093267\npgsteal 32\n..."
import { DIRECT_READER, type KernelReader } from '../../read.js';
import { parseFlatKeyed, parseSingleValue } from '../../parse-util.js';
import { type CgroupMemory, type MemoryCounters, normaliseLimit } from '../memory.js';

/** `memory.events`: how often each boundary was hit, and OOM events and kills. */
export interface MemoryEvents { low: number; high: number; max: number; oom: number; oomKill: number }

/** Parses `memory.events` (flat keyed). */
export function parseMemoryEvents(text: string): MemoryEvents {
  const kv = parseFlatKeyed(text);
  return { low: kv['low'] ?? 0, high: kv['high'] ?? 0, max: kv['max'] ?? 0, oom: kv['oom'] ?? 0, oomKill: kv['oom_kill'] ?? 0 };
}

/** Reads a v2 cgroup's usage, limit and `memory.events` (limit hits among them). Throws GoneError when the cgroup was removed. */
export function readV2MemoryCounters(dir: string, reader: KernelReader = DIRECT_READER): MemoryCounters & { events: MemoryEvents } {
  const usageBytes = parseSingleValue(reader.read(`${dir}/memory.current`), 'memory.current', dir);
  const limitBytes = normaliseLimit(parseSingleValue(reader.read(`${dir}/memory.max`), 'memory.max', dir));
  const events = parseMemoryEvents(reader.read(`${dir}/memory.events`));
  return { usageBytes, limitBytes, limitHits: events.max, events };
}

/** Reads a v2 cgroup directory's memory files. Throws GoneError when the cgroup was removed. */
export function readV2Memory(dir: string, reader: KernelReader = DIRECT_READER): CgroupMemory {
  const { usageBytes, limitBytes, limitHits, events } = readV2MemoryCounters(dir, reader);
  const highText = reader.readIfExists(`${dir}/memory.high`);
  const swapText = reader.readIfExists(`${dir}/memory.swap.max`);
  const stat = parseFlatKeyed(reader.read(`${dir}/memory.stat`));
  const missing: string[] = [];
  for (const k of ['pgscan', 'pgsteal', 'workingset_refault_file', 'pgfault', 'pgmajfault']) if (!(k in stat)) missing.push(k);
  return {
    version: 'v2',
    usageBytes,
    limitBytes,
    highBytes: highText === undefined ? Infinity : normaliseLimit(parseSingleValue(highText, 'memory.high', dir)),
    limitHits,
    oomKills: events.oomKill,
    ooms: events.oom,
    underOom: false,
    swapLimitBytes: swapText === undefined ? undefined : normaliseLimit(parseSingleValue(swapText, 'memory.swap.max', dir)),
    stat,
    missing,
  };
}
