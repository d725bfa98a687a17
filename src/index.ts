// The public surface of reclaimwatch: named exports only; internal modules stay internal.
export type { HostPaths } from './host/host-paths.js';
export { LIVE_HOST, hostPaths } from './host/host-paths.js';
export * from './kernel/errors.js';
export { readKernelFile, DIRECT_READER, type KernelReader } from './kernel/read.js';
export { KeptOpenReader, type KeptOpenOptions } from './kernel/kept-open-reader.js';
export { parsePidStat, readPidStat, type PidStat } from './kernel/proc/pid-stat.js';
export { parsePidStatus, readPidStatus, type PidStatus } from './kernel/proc/pid-status.js';
export { parsePidIo, readPidIo, type PidIo } from './kernel/proc/pid-io.js';
export { parsePressure, readHostPressure, type Pressure, type PressureLine } from './kernel/proc/pressure.js';
export { parseProcStat, readProcStat, type ProcStat } from './kernel/proc/stat.js';
export { parseVmstat, readVmstat } from './kernel/proc/vmstat.js';
export { parseMeminfo, readMeminfo } from './kernel/proc/meminfo.js';
export { parsePidCgroup, readPidCgroup, type CgroupMembership } from './kernel/proc/pid-cgroup.js';
export { parseKernelStack, readKernelStack, readWchan } from './kernel/proc/pid-kstack.js';
export { listPids, listTids, readComm } from './kernel/proc/task.js';
export { detectCgroupLayout, type CgroupLayout, type CgroupMode } from './kernel/cgroup/layout.js';
export { cgroupOfPath, cgroupOfPid, cgroupPids, type CgroupRef } from './kernel/cgroup/cgroup-ref.js';
export type { CgroupMemory, MemoryCounters } from './kernel/cgroup/memory.js';
export { readV1Memory, readV1MemoryCounters, parseOomControl } from './kernel/cgroup/v1/memory.js';
export { readV2Memory, readV2MemoryCounters, parseMemoryEvents, type MemoryEvents } from './kernel/cgroup/v2/memory.js';
export { readV1Cpu, readV2Cpu, readCgroupCpuUsageUs, parseCpuMax, type CgroupCpu } from './kernel/cgroup/cpu.js';
export { readLruGen, parseLruGenEnabled, type LruGen } from './kernel/sys/lru-gen.js';
export { findTracefs, hasTracepoint, hasKprobes } from './kernel/sys/tracing.js';
export { readThreadStats, type ThreadStat } from './sample/thread-stats.js';
export { probeMmapLock, probeMmapLockMany, DEFAULT_PROBE_DEADLINE_MS, type MmapLockProbe } from './probe/mmap-lock-probe.js';
export { runWithDeadline, type DeadlineResult, type DeadlineOptions } from './probe/run-with-deadline.js';
export { tagKernelStack, RECLAIM_FRAMES, MMAP_LOCK_FRAMES, type StackTags } from './probe/reclaim-frames.js';
export { buildHostReport, type HostReport } from './host/host-report.js';

// Targets, samples, models.
export type { Target } from './targets/target.js';
export { resolveTargets, type TargetSpec } from './targets/resolve-targets.js';
export type { TargetSample, HostSample, ProcessSample, StackSample, Failure, ProbeRecord, ProbeState, PressureSet } from './sample/sample.js';
export { Sampler, targetId, probeCandidates, type SamplerOptions, type SamplerTick, type TickTarget, type SamplerStats } from './sample/sampler.js';
export { readPulse, pulseStirred, type Pulse } from './sample/pulse.js';
export { PodNames, parsePodLogDir, type PodName } from './targets/pod-names.js';
export { ProbePool, DEFAULT_PROBE_POLICY, type ProbePolicy } from './sample/probe-pool.js';
export { SAMPLE_FORMAT_VERSION, targetSampleSchema, hostSampleSchema, encodeSampleJson, decodeTargetSample, decodeHostSample, sampleReplacer } from './sample/schema.js';
export { raiseSchedulingPriority, type SchedulingPriority } from './sample/priority.js';
export type { TargetModel, HostModel } from './sample/model.js';
export { collectTargetSample, collectHostSample } from './sample/collect.js';
export { derive, deriveHost, reclaimPages } from './sample/derive.js';

// Detection and doctor.
export { classify } from './detect/classify.js';
export { assessWindow, pairHost, probesOver, type AssessInput, type Assessment } from './detect/assess.js';
export { DEFAULT_THRESHOLDS, parseThresholdOverrides, type Thresholds } from './detect/thresholds.js';
export { VERDICTS, type VerdictClass, type Verdict, type Finding, type Evidence, type ClassifyInput } from './detect/verdict.js';
export { runDoctor, assessRecording, type DoctorOptions, type DoctorRecording } from './doctor/run-doctor.js';
export { doctorReportSchema, type DoctorReport, type TargetReport } from './doctor/report.js';
export { saveRecording, loadRecording, recordingSchema, RECORDING_SCHEMA } from './doctor/recording-json.js';
export { parseAt, recordingFromStore } from './doctor/time-travel.js';

// The agent.
export { startAgent, type AgentOptions, type RunningAgent } from './agent/agent.js';
export { Watch, matchGlob, type WatchOptions, type TargetState } from './agent/watch/watch.js';
export { trackVerdict, type TrackedVerdict, type VerdictChangeEvent } from './agent/watch/verdict-tracker.js';
export { AgentMetrics } from './agent/http/metrics.js';
export { startServer, parseListen } from './agent/http/server.js';
export { Store, DEFAULT_STORE_DIR } from './agent/store/store.js';

// trace.
export { traceEvidence, type TraceEvidence } from './trace/doctor-evidence.js';
export { runTraceProgram, type RunTraceOptions } from './trace/run-program.js';
export { TRACE_PROGRAMS, findProgram } from './trace/programs/all-programs.js';
export { TRACE_SCHEMA, type TraceDocument } from './trace/trace-document.js';
export { parseBpftraceJson, createJsonStreamParser, type BpftraceStream } from './trace/json-stream.js';
export { renderLog2Histogram } from './render/histogram.js';

// stacks and flame graphs.
export { takeSnapshot } from './stacks/thread-snapshot.js';
export { groupThreads } from './stacks/group-threads.js';
export { joinStack } from './stacks/stack-frame.js';
export { toFoldedText } from './stacks/folded-stacks.js';
export { sampleKernelStacks } from './stacks/kernel-sampler.js';
export { perfProfile } from './stacks/perf-bridge.js';
export { parsePerfScript } from './stacks/perf-script.js';
export { parseGdbBacktraces } from './stacks/gdb-backtrace.js';
export { parseEuStack } from './stacks/eu-stack-output.js';
export { renderFlameGraph } from './flame/render-flame-graph.js';
export { parseFoldedLine } from './flame/folded-line.js';

// repro.
export { runRepro } from './repro/orchestrator.js';
export { decideVerdict as decideReproVerdict, VERDICT_THRESHOLDS as REPRO_VERDICT_THRESHOLDS } from './repro/verdict.js';
export { PRESETS as REPRO_PRESETS, scaleForHost } from './repro/params.js';
export { cleanupStaleRuns } from './repro/cleanup.js';
export { buildReport as buildReproReport, renderReportText as renderReproReportText } from './repro/report.js';
export { startDoctorLoop } from './repro/doctor-loop.js';

// lab.
export { runInGuest, DEFAULT_SCRATCH_BYTES } from './lab/run-in-guest.js';
export { GuestFailedError } from './lab/guest-failed-error.js';
export { resolveGuestKernel } from './lab/guest-kernel.js';
export { runMatrix } from './lab/matrix.js';
export { parseCellVerdict } from './lab/matrix-verdict.js';
export { renderMatrixTable } from './lab/matrix-table.js';
export { reclaimwatchArgv } from './lab/reclaimwatch-argv.js';

// sim: the page-reclaim model.
export { runSim, holdWindow, type HoldWindow, type SimResult } from './sim/run-sim.js';
export { simVerdict, MEMORY_STARVED_S } from './sim/sim-verdict.js';
export { SIM_PRESETS } from './sim/presets.js';
export { checkSimParams, reclaimUnderMmapLockFor } from './sim/sim-params.js';
export { runSweep } from './sim/sweep.js';
export { renderSimText } from './sim/report-text.js';
export { renderSimSvg } from './sim/svg.js';
export { renderSweepText, renderSweepSvg } from './sim/sweep-text.js';
