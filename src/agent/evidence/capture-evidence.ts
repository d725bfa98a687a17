// One evidence bundle per incident, written beside the sampling loop (async, its own deadline, children killed
// at it): what the on-call engineers of the reference waited days to collect. Cheap snapshots of the moment
// come first (cgroup files, vmstat, PSI, MGLRU, kernel log, kernel stacks), then the flame graphs, then the
// kernel's CPU profile (2.5 s at 99 Hz), then a short bpftrace of memcg reclaim and mmap_lock holds, then the doctor report the caller handed over. The target's
// address space is never read: kernel stacks only, cgroup and /proc/sys files only, bpftrace in a child.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DoctorReport, TargetReport } from '../../doctor/report.js';
import type { VerdictClass } from '../../detect/verdict.js';
import { renderFlameGraph } from '../../flame/render-flame-graph.js';
import type { HostPaths } from '../../host/host-paths.js';
import { cgroupPids } from '../../kernel/cgroup/cgroup-ref.js';
import { GoneError, ReclaimwatchError } from '../../kernel/errors.js';
import { type KernelProfile, profileTarget } from '../../probe/kernel-profile.js';
import { type KernelProfileSummary, summarizeKernelProfile } from '../../probe/kernel-profile-summary.js';
import { detectCgroupLayout, memoryVersion } from '../../kernel/cgroup/layout.js';
import { readKernelFileIfExists } from '../../kernel/read.js';
import { readLruGen } from '../../kernel/sys/lru-gen.js';
import { renderDoctorText } from '../../render/doctor-text.js';
import type { Target } from '../../targets/target.js';
import { traceEvidence, type TraceEvidence } from '../../trace/doctor-evidence.js';
import { bundleFacts, bundleName, evidenceRoot, listBundles, PARTIAL_SUFFIX } from './bundle-store.js';
import { tailCgroupDir } from './cgroup-files.js';
import { DEFAULT_EVIDENCE_LIMITS, type EvidenceLimits, bundlesToEvict, refuseCapture } from './evidence-limits.js';
import { renderEvidenceIndex } from './index-html.js';
import { formatKernelLog, readKernelLog } from './kernel-log.js';
import { EVIDENCE_SCHEMA, type EvidenceManifest, type EvidencePart } from './manifest.js';
import { cgroupStacks } from './thread-stacks.js';

/** Options of `captureEvidence`. */
export interface CaptureOptions {
  host: HostPaths;
  /** The agent's store directory; bundles go to `<store>/evidence/<incident-id>/`. */
  storeDir: string;
  incidentId: string;
  /** The agent's target id (retention counts bundles per target). */
  targetId: string;
  target: Target;
  /** Names the agent resolved (Kubernetes namespace and pod name, container name). */
  identity?: { pod?: string | undefined; namespace?: string | undefined; container?: string | undefined };
  verdict: VerdictClass;
  /** Wall time the verdict began. */
  onsetWallMs?: number | undefined;
  /** The doctor report of the moment (the agent's, for this target). */
  report: DoctorReport | TargetReport | (() => DoctorReport | TargetReport);
  limits?: Partial<EvidenceLimits>;
  /** The whole capture's deadline. Default 30 s. */
  deadlineMs?: number;
  /** bpftrace's trace length; 0 leaves the trace out. Default 3 s. */
  traceMs?: number;
  bpftrace?: string;
  /** Kernel-stack passes for the flame graphs. Default 5 (200 ms apart). */
  stackPasses?: number;
  /** The kernel CPU profile's length (bpftrace profile:hz, else perf, else /proc stacks); 0 leaves it out. Default 2.5 s. */
  profileMs?: number;
  /** The profile's sampling rate. Default 99 Hz. */
  profileHz?: number;
  /** Replaces the profile run (tests). */
  profile?: (target: Target, durationMs: number, stop: AbortSignal) => Promise<KernelProfile>;
  /** Replaces the bpftrace run (tests, or an agent that already traces). */
  trace?: (cgroupPath: string, durationMs: number, stop: AbortSignal) => Promise<TraceEvidence>;
  signal?: AbortSignal;
}

/** What a capture did. */
export interface CaptureResult {
  id: string;
  /** The bundle directory (undefined when refused). */
  dir: string | undefined;
  manifest: EvidenceManifest | undefined;
  complete: boolean;
  /** Why no bundle was written (the bounds). */
  refused: string | undefined;
  /** Older bundles removed to stay under the total budget. */
  evicted: string[];
}

const CAPS = { report: 2 << 20, text: 1 << 20, folded: 2 << 20, svg: 4 << 20, small: 256 << 10 } as const;

/** A DoctorReport around one target's report, with the host's facts read now. */
export function wrapTargetReport(host: HostPaths, t: TargetReport): DoctorReport {
  const layout = detectCgroupLayout(host);
  const lru = readLruGen(host);
  const mv = memoryVersion(layout);
  return {
    schema: 'reclaimwatch.doctor/v1', generatedAt: new Date().toISOString(), windowSeconds: 0,
    host: {
      kernelRelease: (readKernelFileIfExists(`${host.proc}/sys/kernel/osrelease`, 256) ?? 'unknown').trim(), cpus: os.availableParallelism(),
      cgroupMode: layout.mode, ...(mv ? { memoryController: mv } : {}), psi: fs.existsSync(`${host.proc}/pressure/memory`),
      mglru: { present: lru.present, enabled: lru.enabled }, root: process.geteuid?.() === 0,
    },
    targets: [t], failures: [],
  };
}

function cut(text: string, cap: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= cap) return { text, truncated: false };
  return { text: `${Buffer.from(text).subarray(0, cap - 64).toString('utf8')}\n… cut at ${cap} bytes\n`, truncated: true };
}

/** Captures one bundle. Never throws for what the host cannot offer; every part is present or absent with a reason. */
export async function captureEvidence(o: CaptureOptions): Promise<CaptureResult> {
  const limits: EvidenceLimits = { ...DEFAULT_EVIDENCE_LIMITS, ...o.limits };
  const id = bundleName(o.incidentId);
  const root = evidenceRoot(o.storeDir);
  const existing = listBundles(o.storeDir).map(bundleFacts);
  const refused = refuseCapture(existing, { incidentId: id, targetId: o.targetId, nowWallMs: Date.now() }, limits);
  if (refused) return { id, dir: undefined, manifest: undefined, complete: false, refused, evicted: [] };
  fs.mkdirSync(root, { recursive: true });
  const work = path.join(root, `${id}${PARTIAL_SUFFIX}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work);
  const started = Date.now();
  const deadlineMs = o.deadlineMs ?? 30_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal;
  const parts: EvidencePart[] = [];
  const texts = new Map<string, string>();
  const cg = o.target.cgroup;
  let profile: KernelProfileSummary | undefined;

  const write = (file: string, text: string, cap: number, keepText = true): { bytes: number; truncated: boolean } => {
    const c = cut(text, cap);
    fs.writeFileSync(path.join(work, file), c.text);
    if (keepText) texts.set(file, c.text);
    return { bytes: Buffer.byteLength(c.text), truncated: c.truncated };
  };
  /** Runs one part: `fn` returns its file and text, or a reason it is absent (`failed` when a fault). */
  const part = async (name: string, title: string, fn: () => Promise<{ file: string; text: string; cap: number; note?: string; inline?: boolean } | { absent: string; failed?: boolean }>): Promise<void> => {
    const t0 = Date.now();
    if (signal.aborted) {
      parts.push({ name, title, status: 'absent', bytes: 0, reason: `capture deadline (${deadlineMs} ms) passed first`, failed: true, ms: 0 });
      return;
    }
    try {
      const r = await fn();
      if ('absent' in r) parts.push({ name, title, status: 'absent', bytes: 0, reason: r.absent, ...(r.failed ? { failed: true } : {}), ms: Date.now() - t0 });
      else {
        const w = write(r.file, r.text, r.cap, r.inline !== false);
        parts.push({ name, title, file: r.file, status: 'present', bytes: w.bytes, ...(w.truncated ? { truncated: true } : {}), ...(r.note ? { note: r.note } : {}), ms: Date.now() - t0 });
      }
    } catch (err) {
      parts.push({ name, title, status: 'absent', bytes: 0, reason: `failed: ${(err as Error).message}`, failed: true, ms: Date.now() - t0 });
    }
  };

  try {
    await part('cgroup-memory', 'memory cgroup files (tail -n 100 *)', async () => {
      if (!cg?.memoryDir) return { absent: 'the target has no memory cgroup of its own' };
      const t = await tailCgroupDir(cg.memoryDir);
      return { file: 'cgroup-memory.txt', text: `# ${cg.memoryDir}\n${t.text}`, cap: CAPS.text, note: `${t.files} files${t.unreadable.length ? `, ${t.unreadable.length} write-only or unreadable` : ''}${t.capped.length ? `, ${t.capped.length} cut at 64 KiB` : ''}` };
    });
    await part('cgroup-unified', 'cgroup v2 files of the same cgroup (PSI, cpu.stat)', async () => {
      if (!cg?.unifiedDir) return { absent: 'no cgroup v2 directory for this cgroup' };
      if (cg.unifiedDir === cg.memoryDir) return { absent: 'the memory cgroup is the v2 cgroup (see the memory cgroup files)' };
      const t = await tailCgroupDir(cg.unifiedDir);
      return { file: 'cgroup-unified.txt', text: `# ${cg.unifiedDir}\n${t.text}`, cap: CAPS.text, note: `${t.files} files` };
    });
    await part('vmstat', '/proc/vmstat', () => {
      const v = readKernelFileIfExists(`${o.host.proc}/vmstat`, CAPS.small);
      return Promise.resolve(v === undefined ? { absent: `${o.host.proc}/vmstat does not exist` } : { file: 'vmstat.txt', text: v, cap: CAPS.small });
    });
    await part('psi', 'pressure stall information (host and cgroup)', () => {
      const lines: string[] = [];
      for (const r of ['memory', 'cpu', 'io']) {
        const h = readKernelFileIfExists(`${o.host.proc}/pressure/${r}`, 4096);
        if (h !== undefined) lines.push(`==> ${o.host.proc}/pressure/${r} <==`, h.trimEnd());
        const c = cg?.unifiedDir ? readKernelFileIfExists(`${cg.unifiedDir}/${r}.pressure`, 4096) : undefined;
        if (c !== undefined) lines.push(`==> ${cg!.unifiedDir}/${r}.pressure <==`, c.trimEnd());
      }
      return Promise.resolve(lines.length ? { file: 'psi.txt', text: `${lines.join('\n')}\n`, cap: CAPS.small } : { absent: `no PSI: ${o.host.proc}/pressure is absent (kernel without CONFIG_PSI, or psi=0 on its command line)` });
    });
    await part('mglru', 'MGLRU state (/sys/kernel/mm/lru_gen)', () => {
      const dir = `${o.host.sys}/kernel/mm/lru_gen`;
      if (!fs.existsSync(dir)) return Promise.resolve({ absent: `no ${dir}: this kernel was built without CONFIG_LRU_GEN (classic two-list LRU)` });
      const lines: string[] = [];
      for (const f of ['enabled', 'min_ttl_ms']) lines.push(`==> ${dir}/${f} <==`, (readKernelFileIfExists(`${dir}/${f}`, 256) ?? '(absent)').trimEnd());
      const dbg = readKernelFileIfExists(`${o.host.sys}/kernel/debug/lru_gen`, 192 << 10);
      lines.push(`==> ${o.host.sys}/kernel/debug/lru_gen <==`, dbg === undefined ? '(absent: debugfs not mounted)' : dbg.trimEnd());
      return Promise.resolve({ file: 'mglru.txt', text: `${lines.join('\n')}\n`, cap: CAPS.small });
    });
    await part('kernel-log', 'kernel log: OOM and hung-task lines (whole host)', async () => {
      const log = await readKernelLog({ kmsg: o.host.proc === '/proc' ? '/dev/kmsg' : `${o.host.rootfs}/dev/kmsg`, deadlineMs: 2000 });
      return { file: 'kernel-log.txt', text: formatKernelLog(log), cap: CAPS.small, note: `${log.lines.length} line(s) from ${log.source}` };
    });
    let folded = '';
    await part('stacks', 'kernel stacks of every thread, grouped', async () => {
      if (!cg) return { absent: 'the target has no cgroup of its own' };
      const pids = cgroupPids(cg);
      if (pids.length === 0) return { absent: 'the cgroup has no processes (gone)' };
      const s = await cgroupStacks(o.host, pids, { passes: o.stackPasses ?? 5, signal });
      if (s.threads === 0) return { absent: s.errors[0] ?? 'no thread could be read (gone)', failed: s.errors.length > 0 && !/root/.test(s.errors[0] ?? '') };
      folded = s.folded;
      const left = s.leftOut.processes || s.leftOut.threads ? `; left out ${s.leftOut.processes} process(es), ${s.leftOut.threads} thread(s) beyond the bounds` : '';
      return { file: 'stacks.txt', text: s.groupsText, cap: CAPS.text, note: `${s.processes} process(es), ${s.threads} thread(s), ${s.passes} pass(es)${left}` };
    });
    await part('folded', 'folded kernel stacks (all passes)', () => Promise.resolve(folded ? { file: 'stacks.folded', text: folded, cap: CAPS.folded } : { absent: 'no kernel stacks (see stacks)' }));
    for (const reverse of [false, true]) {
      await part(reverse ? 'flame-reversed' : 'flame', reverse ? 'flame graph, reversed (frame #0 at the bottom)' : 'flame graph of kernel stacks', async () => {
        if (!folded) return { absent: 'no kernel stacks (see stacks)' };
        const r = await renderFlameGraph(Readable.from([folded]), { reverse, title: `${o.target.label}: ${o.verdict}${reverse ? ' (reversed)' : ''}`, countName: 'thread samples' });
        return { file: reverse ? 'flame-reversed.svg' : 'flame.svg', text: r.svg, cap: CAPS.svg, inline: false, note: `${r.totalSamples} thread samples` };
      });
    }
    await part('kernel-profile', 'kernel CPU profile: top functions by share', async () => {
      const ms = o.profileMs ?? 2500;
      if (ms <= 0) return { absent: 'profile turned off (profileMs 0)' };
      // Its share of the deadline: sampling plus up to 8 s for bpftrace to compile and attach, and 2 s to spare.
      // bpftrace, else /proc/PID/task/TID/stack: perf is left out, as it reads the target's /proc/PID/maps.
      const remaining = deadlineMs - (Date.now() - started) - 2000;
      if (remaining < ms + 1000) return { absent: `not enough of the capture deadline left for a ${ms} ms profile`, failed: true };
      const stop = new AbortController();
      const stopTimer = setTimeout(() => stop.abort(), remaining);
      const onAbort = (): void => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const p = o.profile ? await o.profile(o.target, ms, stop.signal)
          : await profileTarget(o.host, o.target, { durationMs: ms, hz: o.profileHz ?? 99, methods: ['bpftrace', 'proc-stack'], signal: stop.signal, attachBudgetMs: Math.max(1000, Math.min(8000, remaining - ms)), ...(o.bpftrace ? { bpftrace: o.bpftrace } : {}) });
        profile = summarizeKernelProfile(p, 15);
        const doc = { ...profile, inclusive: p.inclusive.slice(0, 20), stacks: p.stacks.slice(0, 30) };
        return { file: 'kernel-profile.json', text: `${JSON.stringify(doc, null, 2)}\n`, cap: CAPS.small, inline: false, note: `${p.method}, ${p.samples} samples at ${p.hz} Hz over ${(p.durationMs / 1000).toFixed(1)} s${p.fallbacks.length ? ` (not ${p.fallbacks.map((f) => f.method).join(', ')})` : ''}` };
      } catch (err) {
        if (err instanceof GoneError) return { absent: 'the target has no processes (gone)' };
        const fault = stop.signal.aborted || (err instanceof ReclaimwatchError && err.code === 'timeout');
        return { absent: `no profiling method could run: ${(err as Error).message}`, ...(fault ? { failed: true } : {}) };
      } finally {
        clearTimeout(stopTimer);
        signal.removeEventListener('abort', onAbort);
      }
    });
    await part('trace', 'bpftrace: memcg reclaim and mmap_lock holds', async () => {
      const ms = o.traceMs ?? 3000;
      if (ms <= 0) return { absent: 'trace turned off (traceMs 0)' };
      if (!cg) return { absent: 'the target has no cgroup of its own' };
      const remaining = deadlineMs - (Date.now() - started) - 2000;
      if (remaining < ms) return { absent: `not enough of the capture deadline left for a ${ms} ms trace`, failed: true };
      const stop = new AbortController();
      const stopTimer = setTimeout(() => stop.abort(), remaining);
      const onAbort = (): void => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const ev = o.trace ? await o.trace(cg.path, ms, stop.signal) : await traceEvidence({ host: o.host, cgroupPath: cg.path, durationMs: ms, stop: stop.signal, ...(o.bpftrace ? { bpftrace: o.bpftrace } : {}) });
        if (!ev.ran) return { absent: `bpftrace cannot trace here: ${ev.unavailable.join('; ')}` };
        return { file: 'trace.json', text: `${JSON.stringify(ev, null, 2)}\n`, cap: CAPS.small, note: `traced ${ev.tracedMs} ms: ${ev.memcgReclaim?.calls ?? 0} memcg reclaim call(s), ${ev.mmapLock?.holds ?? 0} mmap_lock hold(s)` };
      } finally {
        clearTimeout(stopTimer);
        signal.removeEventListener('abort', onAbort);
      }
    });
    let doctor: DoctorReport | undefined;
    await part('report-json', 'doctor report (JSON)', () => {
      const r = typeof o.report === 'function' ? o.report() : o.report;
      doctor = 'schema' in r ? r : wrapTargetReport(o.host, r);
      return Promise.resolve({ file: 'report.json', text: `${JSON.stringify(doctor, null, 2)}\n`, cap: CAPS.report, inline: false });
    });
    await part('report-text', 'doctor report', () => Promise.resolve(doctor ? { file: 'report.txt', text: renderDoctorText(doctor, { colour: false }), cap: CAPS.text } : { absent: 'no report (see the JSON part)', failed: true }));
  } finally {
    clearTimeout(timer);
  }

  // The bundle bound: drop the largest parts until what is left (plus manifest and page) fits.
  const reserve = 64 << 10;
  let total = parts.reduce((s, p) => s + p.bytes, 0);
  for (const p of [...parts].sort((a, b) => b.bytes - a.bytes)) {
    if (total + reserve <= limits.maxBundleBytes) break;
    if (p.status !== 'present' || !p.file) continue;
    fs.rmSync(path.join(work, p.file), { force: true });
    texts.delete(p.file);
    total -= p.bytes;
    Object.assign(p, { status: 'absent', bytes: 0, reason: `left out: the bundle would exceed its ${limits.maxBundleBytes} byte bound` });
    delete p.file;
  }
  const finishedAt = Date.now();
  const manifest: EvidenceManifest = {
    schema: EVIDENCE_SCHEMA, incidentId: o.incidentId,
    target: {
      id: o.targetId, label: o.target.label, ...(cg ? { cgroup: cg.path } : {}),
      ...(o.identity?.pod ?? o.target.pod?.name ? { pod: o.identity?.pod ?? o.target.pod?.name } : {}),
      ...(o.identity?.namespace ? { namespace: o.identity.namespace } : {}),
      ...(o.identity?.container ? { container: o.identity.container } : {}),
      ...(o.target.container ? { containerId: o.target.container } : {}),
    },
    verdict: o.verdict, ...(o.onsetWallMs !== undefined ? { onsetAt: new Date(o.onsetWallMs).toISOString() } : {}),
    startedAt: new Date(started).toISOString(), finishedAt: new Date(finishedAt).toISOString(), captureMs: finishedAt - started,
    complete: parts.every((p) => !p.failed), bytes: 0, maxBytes: limits.maxBundleBytes, parts,
  };
  const profilePart = parts.find((p) => p.name === 'kernel-profile');
  if (profile && profilePart?.status === 'present') manifest.kernelProfile = { ...profile, shares: Object.fromEntries(Object.entries(profile.shares)) };
  const html = renderEvidenceIndex(manifest, texts);
  fs.writeFileSync(path.join(work, 'index.html'), html);
  manifest.bytes = total + Buffer.byteLength(html);
  const mtext = `${JSON.stringify(manifest, null, 2)}\n`;
  manifest.bytes += Buffer.byteLength(mtext) + 16;
  fs.writeFileSync(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const dir = path.join(root, id);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(work, dir);
  const evicted = bundlesToEvict(listBundles(o.storeDir).map(bundleFacts), limits, id);
  for (const e of evicted) fs.rmSync(path.join(root, e), { recursive: true, force: true });
  return { id, dir, manifest, complete: manifest.complete, refused: undefined, evicted };
}
