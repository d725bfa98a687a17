#!/usr/bin/env bash
# Captures the kernel files reclaimwatch reads from this machine into test/fixtures/<name>/{proc,sys}.
# Usage: scripts/capture-fixtures.sh NAME PID [CGROUP_REL_PATH]
#   PID: a process to capture (stat, status, io, cgroup, task/*/stat, comm; never cmdline/maps).
#   CGROUP_REL_PATH: a memory cgroup path (relative to the hierarchy roots) to capture too.
set -euo pipefail
name=$1 pid=$2 cg=${3:-}
out=$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/$name
rm -rf "$out"; mkdir -p "$out/proc" "$out/sys"
cp_file() { local src=$1 dst=$out$2; mkdir -p "$(dirname "$dst")"; cat "$src" > "$dst" 2>/dev/null || rm -f "$dst"; }
for f in stat vmstat meminfo pressure/memory pressure/cpu pressure/io sys/kernel/osrelease; do cp_file /proc/$f /proc/$f; done
for f in stat status io cgroup comm; do cp_file /proc/$pid/$f /proc/$pid/$f; done
for t in /proc/$pid/task/*; do tid=${t##*/}; for f in stat comm; do cp_file $t/$f /proc/$pid/task/$tid/$f; done; done
cp_file /proc/self/mountinfo /proc/self/mountinfo
if [ -d /sys/kernel/mm/lru_gen ]; then for f in enabled min_ttl_ms; do cp_file /sys/kernel/mm/lru_gen/$f /sys/kernel/mm/lru_gen/$f; done; fi
cgroot=/sys/fs/cgroup
if [ -f $cgroot/cgroup.controllers ]; then roots=("$cgroot"); else roots=($cgroot/memory $cgroot/cpu $cgroot/cpuacct $cgroot/unified); fi
for r in "${roots[@]}"; do
  [ -d "$r" ] || continue
  for d in "$r" ${cg:+"$r$cg"}; do
    [ -d "$d" ] || continue
    for f in "$d"/cgroup.controllers "$d"/cgroup.procs "$d"/memory.* "$d"/cpu.* "$d"/cpuacct.usage "$d"/cpuacct.usage_user "$d"/cpuacct.usage_sys "$d"/cpuacct.stat "$d"/io.pressure; do
      [ -f "$f" ] && [ -r "$f" ] || continue
      case "$f" in *memory.kmem.slabinfo|*memory.force_empty|*event_control|*pressure_level|*memory.numa_stat) continue;; esac
      cp_file "$f" "$f"
    done
  done
done
echo "captured into $out"
