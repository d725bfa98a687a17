// The `doctor` report when nothing asked for could be found (`doctor --pid 99999999 --json`): the same
// document as always, with no targets and the failures, so a script always gets JSON with `failures`.
import type { DoctorReport } from '../doctor/report.js';
import type { HostPaths } from '../host/host-paths.js';
import { detectCgroupLayout } from '../kernel/cgroup/layout.js';
import { readKernelFileIfExists } from '../kernel/read.js';
import { readLruGen } from '../kernel/sys/lru-gen.js';

/** A report without targets, with the host's facts read now (nothing is sampled). */
export function reportWithoutTargets(host: HostPaths, failures: DoctorReport['failures'], windowMs: number): DoctorReport {
  const layout = detectCgroupLayout(host);
  const lru = readLruGen(host);
  const memoryController = layout.v1Memory ? 'v1' : layout.unifiedControllers.includes('memory') ? 'v2' : undefined;
  const stat = readKernelFileIfExists(`${host.proc}/stat`, 1 << 20) ?? '';
  return {
    schema: 'reclaimwatch.doctor/v1',
    generatedAt: new Date().toISOString(),
    windowSeconds: windowMs / 1000,
    host: {
      kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim(),
      cpus: Math.max(1, (stat.match(/^cpu\d+ /gm) ?? []).length),
      cgroupMode: layout.mode,
      ...(memoryController ? { memoryController } : {}),
      psi: readKernelFileIfExists(`${host.proc}/pressure/memory`, 4096) !== undefined,
      mglru: { present: lru.present, enabled: lru.enabled },
      root: process.getuid?.() === 0,
    },
    targets: [],
    failures,
  };
}
