// Watches the workload from outside, once a second: cgroup memory and CPU, memory PSI, reclaim counters,
// thread states, a sample of tagged kernel stacks, and a continuous mmap_lock probe (in a child with a
// deadline, never in this process). Every read that fails because something vanished gives "no value".
import type { HostPaths } from '../host/host-paths.js';
import { readV1Cpu, readV2Cpu } from '../kernel/cgroup/cpu.js';
import { readV1Memory } from '../kernel/cgroup/v1/memory.js';
import { readV2Memory } from '../kernel/cgroup/v2/memory.js';
import { readKernelStack } from '../kernel/proc/pid-kstack.js';
import { parsePressure } from '../kernel/proc/pressure.js';
import { readVmstat } from '../kernel/proc/vmstat.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { probeMmapLock } from '../probe/mmap-lock-probe.js';
import { tagKernelStack } from '../probe/reclaim-frames.js';
import { readThreadStats } from '../sample/thread-stats.js';
import type { ProgressLine } from './progress-line.js';
import type { ReproCgroup } from './repro-cgroup.js';
import type { RawSample } from './second.js';

/** Deadline of one mmap_lock probe: long enough to measure multi-second stalls, short enough to end. */
export const PROBE_DEADLINE_MS = 10_000;

/** Kernel stacks read per tick (random threads of the workload). */
export const STACKS_PER_TICK = 32;

/** A running monitor. */
export interface Monitor {
  /** Reads everything once; `atMs` is the orchestrator's clock since the workload started. */
  sample(atMs: number, progress: ProgressLine | undefined): RawSample;
  /** Stops the probe loop and waits for the probe in flight (it is killed at its deadline at worst). */
  stop(): Promise<void>;
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Starts watching `pid` in cgroup `cg`. */
export function startMonitor(host: HostPaths, cg: ReproCgroup, pid: number, probeDeadlineMs = PROBE_DEADLINE_MS): Monitor {
  let stopped = false;
  let inFlightSince: number | undefined;
  let finished: number[] = [];
  let timeouts = 0;
  const loop = (async (): Promise<void> => {
    while (!stopped) {
      const began = performance.now();
      inFlightSince = began;
      const r = await probeMmapLock(host, pid, probeDeadlineMs);
      inFlightSince = undefined;
      if (r.outcome === 'gone') break;
      if (r.outcome === 'ok' || r.outcome === 'timeout') finished.push(r.latencyMs);
      if (r.outcome === 'timeout') timeouts++;
      const wait = 1000 - (performance.now() - began);
      if (wait > 0 && !stopped) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  return {
    sample(atMs, progress) {
      const cpu = attempt(() => (cg.version === 'v1' ? readV1Cpu(cg.cpuDir, cg.cpuacctDir) : readV2Cpu(cg.memoryDir)));
      let memory = attempt(() => (cg.version === 'v1' ? readV1Memory(cg.memoryDir) : readV2Memory(cg.memoryDir)));
      if (memory && cg.version === 'v1') {
        // With swap accounting, the memsw counter is charged first and fails first when memsw = limit.
        const memswFail = attempt(() => readKernelFileIfExists(`${cg.memoryDir}/memory.memsw.failcnt`, 64));
        if (memswFail !== undefined && /^\d+\s*$/.test(memswFail)) memory = { ...memory, limitHits: memory.limitHits + Number(memswFail) };
      }
      const psiText = cg.unifiedDir ? attempt(() => readKernelFileIfExists(`${cg.unifiedDir}/memory.pressure`, 4096)) : undefined;
      const psiMemory = psiText === undefined ? undefined : attempt(() => parsePressure(psiText));
      let reclaim: RawSample['reclaim'];
      const st = memory?.stat;
      if (st && st['pgscan'] !== undefined && st['pgsteal'] !== undefined) {
        reclaim = { scope: 'cgroup', scannedPages: st['pgscan'], stolenPages: st['pgsteal'] };
      } else {
        const vm = attempt(() => readVmstat(host));
        // pgscan_{anon,file} (5.8+) count every reclaimer, cgroup reclaim included; pgscan_direct does not.
        if (vm && vm['pgscan_file'] !== undefined && vm['pgsteal_file'] !== undefined) {
          reclaim = { scope: 'host', scannedPages: vm['pgscan_file'] + (vm['pgscan_anon'] ?? 0), stolenPages: vm['pgsteal_file'] + (vm['pgsteal_anon'] ?? 0) };
        }
      }
      const ts = attempt(() => readThreadStats(host, pid));
      const threads = ts && { total: ts.length, running: ts.filter((t) => t.state === 'R').length, uninterruptible: ts.filter((t) => t.state === 'D').length };
      let stacks: RawSample['stacks'];
      if (ts && ts.length > 0) {
        const pick = ts.length <= STACKS_PER_TICK ? ts : Array.from({ length: STACKS_PER_TICK }, () => ts[Math.floor(Math.random() * ts.length)]!);
        let sampled = 0;
        let inReclaim = 0;
        let waitsMmapLock = 0;
        for (const t of pick) {
          const frames = attempt(() => readKernelStack(host, pid, t.tid));
          if (!frames) continue;
          sampled++;
          const tags = tagKernelStack(frames);
          if (tags.inReclaim) inReclaim++;
          if (tags.waitsMmapLock) waitsMmapLock++;
        }
        stacks = sampled ? { sampled, inReclaim, waitsMmapLock } : undefined;
      }
      const probe = { finishedMs: finished, timeouts, pendingMs: inFlightSince === undefined ? 0 : performance.now() - inFlightSince };
      finished = [];
      timeouts = 0;
      return { atMs, progress, cpu, memory, psiMemory, reclaim, threads, stacks, probe };
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
