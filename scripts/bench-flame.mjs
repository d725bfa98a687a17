#!/usr/bin/env node
// Flame graph benchmark (not a test): generates a large folded file deterministically (default 1,000,000
// lines of deep user+kernel stacks, ~390 MB), renders it with `reclaimwatch flamegraph` (dist/, rebuilt with
// tsc when older than src/) and prints wall time, CPU time and peak RSS, beside FlameGraph's flamegraph.pl on
// the same file when FLAMEGRAPH_PL (or --pl) points at it. The machine's load is printed with each figure:
// on a shared machine compare CPU times.
// Usage: node scripts/bench-flame.mjs [--lines N] [--keep] [--pl-lines N] [--pl FILE] [--js] [--input FILE]
//   --pl-lines N  run flamegraph.pl on the first N lines only (it needs minutes and GBs on the full file);
//                 ours is then also timed on that same prefix so the two compare like for like.
//   --js          also time the pure-JS fallback (RECLAIMWATCH_NO_NATIVE=1) and check its SVG is identical.
//   --input FILE  use this folded file instead of generating one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const arg = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const LINES = Number(arg('--lines', '1000000'));
const PL_LINES = arg('--pl-lines', undefined) === undefined ? undefined : Number(arg('--pl-lines'));
const keep = argv.includes('--keep');
const alsoJs = argv.includes('--js');
const INPUT = arg('--input', undefined);
const PL = arg('--pl', process.env.FLAMEGRAPH_PL);

// Deterministic PRNG (mulberry32).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USER = ['DB::MergeTreeDataPart::loadColumns', 'DB::Aggregator::executeOnBlock', 'DB::ReadBufferFromFileDescriptor::nextImpl',
  'DB::CompressedReadBufferBase::readCompressedData', 'DB::PipelineExecutor::executeStepImpl', 'DB::ExpressionActions::execute',
  'DB::HashJoin::joinBlock', 'DB::IColumn::filter', 'DB::ColumnString::insertFrom', 'DB::Arena::allocContinue', 'Allocator::alloc',
  'DB::QueryPipeline::execute', 'DB::ThreadPoolImpl::worker', 'DB::MergeTreeRangeReader::read', 'DB::SerializationString::deserializeBinaryBulk',
  'LZ4_decompress_safe', 'memcpy_avx_unaligned_erms', 'std::__1::vector<char, DB::AllocatorWithMemoryTracking>::__append',
  'DB::MemoryTracker::allocImpl', 'unw_step', 'libunwind::UnwindCursor::step', '_Unwind_RaiseException', 'DB::Exception::Exception',
  'StackTrace::tryCapture', 'DB::TCPHandler::runImpl', 'Poco::Net::TCPServerConnection::start', 'DB::BackgroundSchedulePool::threadFunction'];
const KERNEL = ['handle_mm_fault', '__handle_mm_fault', 'do_anonymous_page', 'filemap_fault', 'do_read_fault', '__do_fault',
  'mem_cgroup_charge', 'charge_memcg', 'try_charge_memcg', 'try_to_free_mem_cgroup_pages', 'do_try_to_free_pages', 'shrink_node',
  'shrink_node_memcgs', 'shrink_lruvec', 'shrink_inactive_list', 'shrink_folio_list', 'evict_folios', 'lru_gen_shrink_lruvec',
  'isolate_folios', 'scan_folios', '_raw_spin_unlock_irq', '_raw_spin_lock_irq', 'folio_referenced', 'rmap_walk_file',
  'page_vma_mapped_walk', 'lock_mm_and_find_vma', 'rwsem_down_read_slowpath', 'schedule', '__schedule', 'mmap_region',
  'do_mmap', 'vm_mmap_pgoff', '__x64_sys_mincore', 'do_mincore', 'filemap_get_folio', '__filemap_add_folio', 'alloc_pages_mpol',
  '__alloc_pages_noprof', 'get_page_from_freelist', 'clear_page_erms'];
const ENTRY = [['asm_exc_page_fault', 'exc_page_fault', 'do_user_addr_fault'], ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64']];
const COMMS = ['clickhouse-serv', 'QueryPipelineEx', 'BgSchPool', 'TCPHandler', 'MergeMutate'];

// A fixed call graph: each (function, depth) has 3 possible callees, so stacks share prefixes the way real
// profiles do while deep paths still fan out into many distinct stacks.
function callee(list, fn, depth, pick) {
  let h = 2166136261;
  for (let i = 0; i < fn.length; i++) h = Math.imul(h ^ fn.charCodeAt(i), 16777619);
  h = Math.imul(h ^ depth, 16777619) ^ (pick * 0x9e3779b1);
  return list[(h >>> 0) % list.length];
}

function generate(file, lines) {
  const r = rng(20240917);
  const fd = fs.openSync(file, 'w');
  let buf = [];
  let bytes = 0;
  for (let n = 0; n < lines; n++) {
    const frames = [COMMS[Math.floor(r() * COMMS.length)], 'start_thread'];
    let fn = USER[Math.floor(r() * 4)];
    const userDepth = 3 + Math.floor(r() * 6);
    for (let d = 0; d < userDepth; d++) { frames.push(fn); fn = callee(USER, fn, d, Math.floor(r() * 3)); }
    const entry = ENTRY[Math.floor(r() * ENTRY.length)];
    for (const e of entry) frames.push(`${e}_[k]`);
    let kf = KERNEL[Math.floor(r() * 6)];
    const kDepth = 3 + Math.floor(r() * 7);
    for (let d = 0; d < kDepth; d++) { frames.push(`${kf}_[k]`); kf = callee(KERNEL, kf, d, Math.floor(r() * 3)); }
    const line = `${frames.join(';')} ${1 + Math.floor(r() * 40)}\n`;
    buf.push(line);
    bytes += line.length;
    if (buf.length === 10000) { fs.writeSync(fd, buf.join('')); buf = []; }
  }
  if (buf.length) fs.writeSync(fd, buf.join(''));
  fs.closeSync(fd);
  return bytes;
}

function headLines(src, dst, n) {
  const r = spawnSync('sh', ['-c', `head -n ${n} "$0" > "$1"`, src, dst]);
  if (r.status !== 0) throw new Error(`head failed: ${r.stderr}`);
}

const load = () => os.loadavg()[0].toFixed(1);

/** Runs a command under GNU time; returns wall seconds, CPU seconds (user + sys) and peak RSS (MiB). */
function measure(label, cmd, args, outFile, env = process.env) {
  const timeFile = path.join(os.tmpdir(), `rw-bench-time-${process.pid}`);
  const loadBefore = load();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args], { stdio: ['ignore', fs.openSync(outFile, 'w'), 'pipe'], maxBuffer: 64 << 20, env });
  const [wall, kb, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  fs.rmSync(timeFile, { force: true });
  const ok = r.status === 0;
  const res = { label, ok, wallS: wall, cpuS: user + sys, peakRssMiB: Math.round(kb / 1024), svgBytes: fs.statSync(outFile).size, stderr: ok ? '' : String(r.stderr).slice(0, 400) };
  console.log(`${label.padEnd(44)} ${ok ? '' : 'FAILED '}${wall.toFixed(2).padStart(8)} s wall ${(user + sys).toFixed(2).padStart(8)} s CPU  ${String(res.peakRssMiB).padStart(6)} MiB peak RSS  ${(res.svgBytes / 1e6).toFixed(1)} MB SVG  (load ${loadBefore} → ${load()})`);
  if (!ok) console.log(res.stderr);
  return res;
}

/** Builds dist/ with tsc when any source file is newer than dist/cli/main.js (as `npm run bench` does). */
function ensureDist() {
  const main = path.join(root, 'dist/cli/main.js');
  let newest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (f.endsWith('.ts')) newest = Math.max(newest, fs.statSync(f).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newest) return;
  console.log('dist/ is older than src/: building it (tsc -p tsconfig.build.json)');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0 && !fs.existsSync(main)) throw new Error('tsc failed and there is no dist/cli/main.js');
  if (r.status !== 0) console.log('tsc reported errors (see above); dist/ holds what it emitted anyway');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bench-flame-'));
try {
  ensureDist();
  const native = fs.existsSync(path.join(root, 'build/Release/flame_tree.node')) && process.env.RECLAIMWATCH_NO_NATIVE !== '1';
  console.log(`parser: ${native ? 'native (build/Release/flame_tree.node)' : 'pure JS (native builder not built or disabled)'}`);
  let folded = path.join(dir, 'big.folded');
  let lines = LINES;
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (wall times are only meaningful on an idle machine)`);
  if (INPUT !== undefined) {
    folded = INPUT;
    lines = Number(spawnSync('sh', ['-c', 'wc -l < "$0"', INPUT]).stdout.toString().trim());
    console.log(`input ${INPUT}: ${lines} lines, ${(fs.statSync(INPUT).size / 1e6).toFixed(0)} MB`);
  } else {
    const t0 = Date.now();
    const bytes = generate(folded, LINES);
    console.log(`generated ${LINES} lines, ${(bytes / 1e6).toFixed(0)} MB of folded stacks in ${((Date.now() - t0) / 1000).toFixed(1)} s (${folded})`);
  }
  const ours = [process.execPath, [path.join(root, 'dist/cli/main.js')]];
  const oursRun = (file, label, env) => measure(label, ours[0], [...ours[1], 'flamegraph', '--input', file], path.join(dir, env ? 'ours-js.svg' : 'ours.svg'), env);
  const jsEnv = { ...process.env, RECLAIMWATCH_NO_NATIVE: '1' };
  // The fixed cost: Node's start-up and the CLI's module loading, on a one-line input.
  const tiny = path.join(dir, 'tiny.folded');
  fs.writeFileSync(tiny, 'main;f 1\n');
  oursRun(tiny, 'reclaimwatch flamegraph (1 line: start-up)');
  const mine = oursRun(folded, `reclaimwatch flamegraph (${lines} lines)`);
  if (alsoJs) {
    oursRun(folded, `  pure-JS fallback (${lines} lines)`, jsEnv);
    const same = fs.readFileSync(path.join(dir, 'ours.svg')).equals(fs.readFileSync(path.join(dir, 'ours-js.svg')));
    console.log(`  native and pure-JS SVGs ${same ? 'are identical' : 'DIFFER'}`);
  }
  if (PL && fs.existsSync(PL)) {
    let plInput = folded;
    let plLines = lines;
    let mineSame = mine;
    if (PL_LINES !== undefined && PL_LINES < lines) {
      plInput = path.join(dir, 'prefix.folded');
      plLines = PL_LINES;
      headLines(folded, plInput, PL_LINES);
      mineSame = oursRun(plInput, `reclaimwatch flamegraph (${PL_LINES} lines)`);
    }
    const theirs = measure(`flamegraph.pl (${plLines} lines)`, 'perl', [PL, plInput], path.join(dir, 'pl.svg'));
    if (theirs.ok && mineSame.ok) {
      console.log(`speed-up on ${plLines} lines: ${(theirs.cpuS / mineSame.cpuS).toFixed(1)}x CPU, ${(theirs.wallS / mineSame.wallS).toFixed(1)}x wall; memory: ${(theirs.peakRssMiB / mineSame.peakRssMiB).toFixed(1)}x less`);
    }
  } else {
    console.log('flamegraph.pl: not run (set FLAMEGRAPH_PL=/path/to/flamegraph.pl or give --pl FILE to compare)');
  }
} finally {
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
