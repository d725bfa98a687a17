// cgroup v1 memory controller. https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
// memory.usage_in_bytes "4130521088", memory.limit_in_bytes "4294967296", memory.failcnt "123",
// memory.memsw.failcnt "0" (with swap accounting), memory.oom_control "oom_kill_disable 0\nunder_oom 0\noom_kill 0", memory.stat "cache 4001792000\n..."
import { DIRECT_READER, type KernelReader } from '../../read.js';
import { parseFlatKeyed, parseSingleValue } from '../../parse-util.js';
import { type CgroupMemory, type MemoryCounters, normaliseLimit } from '../memory.js';

/** Counters v2 has that v1's memory.stat lacks; reclaim efficiency must come from elsewhere. */
const V1_MISSING = ['pgscan', 'pgsteal', 'memory.events'];

/** Parses `memory.oom_control`. */
export function parseOomControl(text: string): { oomKillDisable: boolean; underOom: boolean; oomKill: number } {
  const kv = parseFlatKeyed(text);
  return { oomKillDisable: kv['oom_kill_disable'] === 1, underOom: kv['under_oom'] === 1, oomKill: kv['oom_kill'] ?? 0 };
}

/** Reads a v1 memory cgroup's usage, limit and limit hits (3-4 files). Throws GoneError when the cgroup was removed. */
export function readV1MemoryCounters(dir: string, reader: KernelReader = DIRECT_READER): MemoryCounters {
  const usageBytes = parseSingleValue(reader.read(`${dir}/memory.usage_in_bytes`), 'memory.usage_in_bytes', dir);
  const limitBytes = normaliseLimit(parseSingleValue(reader.read(`${dir}/memory.limit_in_bytes`), 'memory.limit_in_bytes', dir));
  const failcnt = parseSingleValue(reader.read(`${dir}/memory.failcnt`), 'memory.failcnt', dir);
  // With swap accounting (the memsw files exist) the memsw counter is charged first and fails first when memsw =
  // limit: its failcnt counts limit hits that memory.failcnt misses, so both are added.
  const memswFail = reader.readIfExists(`${dir}/memory.memsw.failcnt`);
  const memswFailcnt = memswFail === undefined ? 0 : parseSingleValue(memswFail, 'memory.memsw.failcnt', dir);
  return { usageBytes, limitBytes, limitHits: failcnt + memswFailcnt };
}

/** Reads a v1 memory cgroup directory. Throws GoneError when the cgroup was removed. */
export function readV1Memory(dir: string, reader: KernelReader = DIRECT_READER): CgroupMemory {
  const { usageBytes, limitBytes, limitHits } = readV1MemoryCounters(dir, reader);
  const oomText = reader.readIfExists(`${dir}/memory.oom_control`);
  const oom = oomText === undefined ? { oomKillDisable: false, underOom: false, oomKill: 0 } : parseOomControl(oomText);
  const memsw = reader.readIfExists(`${dir}/memory.memsw.limit_in_bytes`);
  const stat = parseFlatKeyed(reader.read(`${dir}/memory.stat`));
  const missing = [...V1_MISSING];
  if (memsw === undefined) missing.push('memory.memsw (swap accounting off)');
  const memswLimit = memsw === undefined ? undefined : normaliseLimit(parseSingleValue(memsw, 'memory.memsw.limit_in_bytes', dir));
  return {
    version: 'v1',
    usageBytes,
    limitBytes,
    highBytes: Infinity,
    limitHits,
    oomKills: oom.oomKill,
    ooms: undefined,
    underOom: oom.underOom,
    swapLimitBytes: memswLimit === undefined ? undefined : memswLimit === Infinity || limitBytes === Infinity ? Infinity : Math.max(0, memswLimit - limitBytes),
    stat,
    missing,
  };
}
