// The guest's /init: a busybox shell script, generated per run. It loads the modules, mounts the host's root
// read-only over 9p under a tmpfs overlay, attaches the scratch disk, mounts cgroups/tracefs, sets MGLRU,
// runs the command chrooted into the host's root with stdout/stderr on their own virtio-serial ports, reports
// on a third port (the status protocol below), then powers off. A watchdog powers off at the guest deadline
// even if the host side died.

/** virtio-serial port names shared by the init script and the qemu command line. */
export const GUEST_PORTS = { status: 'rw.status', stdout: 'rw.stdout', stderr: 'rw.stderr' } as const;

/** What the init script is told to do. */
export interface GuestInitConfig {
  /** Module files inside the initramfs (`lib/modules/...`), dependencies first. */
  modules: readonly string[];
  cgroup: 'v1' | 'v2';
  /** Leave MGLRU as the kernel booted when undefined. */
  mglru: 'on' | 'off' | undefined;
  /** Program and arguments, run chrooted into the host's root. */
  argv: readonly string[];
  /** Working directory inside the host's root. */
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** The guest's own deadline (backstop for the host's), seconds. */
  watchdogS: number;
  /** True when a scratch disk is attached (virtio-blk, serial `rwscratch`; /dev/vda). */
  scratch: boolean;
  /** How the host's files arrive: over 9p (default) or as a read-only ext4 disk (serial `rwroot`). */
  share?: '9p' | 'disk';
  /**
   * Host paths that must stay visible although /tmp and /var/tmp get the scratch disk (or a tmpfs) mounted
   * over them: reclaimwatch's own checkout and the working directory, when they live there (a CI clone in /tmp).
   */
  keep?: readonly string[];
}

/** The `keep` paths that a mount on /tmp or /var/tmp would hide. */
export function hiddenByScratch(paths: readonly string[]): string[] {
  const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir}/`);
  return [...new Set(paths.map((p) => p.replace(/\/+$/, '')).filter((p) => under(p, '/tmp') || under(p, '/var/tmp')))];
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Renders the /init script. */
export function renderGuestInit(cfg: GuestInitConfig): string {
  const q = shellQuote;
  const envWords = Object.entries(cfg.env).map(([k, v]) => q(`${k}=${v}`)).join(' ');
  const cgroupSetup = cfg.cgroup === 'v2'
    ? `mount -t cgroup2 cgroup2 $R/sys/fs/cgroup || fail "cannot mount cgroup v2"
grep -qw memory $R/sys/fs/cgroup/cgroup.controllers || fail "this kernel has no memory controller on cgroup v2"
for c in memory cpu io pids; do echo "+$c" > $R/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; done
grep -qw memory $R/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable the memory controller in cgroup.subtree_control"`
    : `mount -t tmpfs -o mode=755 cgroup $R/sys/fs/cgroup || fail "cannot mount tmpfs on /sys/fs/cgroup"
for c in memory cpu,cpuacct pids blkio; do mkdir -p $R/sys/fs/cgroup/$c; mount -t cgroup -o $c cgroup $R/sys/fs/cgroup/$c || rmdir $R/sys/fs/cgroup/$c; done
[ -e $R/sys/fs/cgroup/memory/memory.usage_in_bytes ] || fail "this kernel has no cgroup v1 memory controller"
ln -s cpu,cpuacct $R/sys/fs/cgroup/cpu; ln -s cpu,cpuacct $R/sys/fs/cgroup/cpuacct
mkdir -p $R/sys/fs/cgroup/unified; mount -t cgroup2 cgroup2 $R/sys/fs/cgroup/unified || rmdir $R/sys/fs/cgroup/unified`;
  const mglru = cfg.mglru === undefined
    ? ''
    : `[ -e /sys/kernel/mm/lru_gen/enabled ] || fail "this kernel has no MGLRU (/sys/kernel/mm/lru_gen/enabled is missing: built without CONFIG_LRU_GEN); drop --mglru"
echo ${cfg.mglru === 'on' ? 'y' : 'n'} > /sys/kernel/mm/lru_gen/enabled || fail "cannot set MGLRU ${cfg.mglru}"`;
  // Paths under /tmp or /var/tmp are bound aside before the scratch mounts hide them, and bound back after.
  const keep = hiddenByScratch(cfg.keep ?? []);
  const keepAside = keep.map((p, i) => `mkdir -p /keep/${i} && mount --bind $R${q(p)} /keep/${i} || fail ${q(`cannot keep ${p} visible`)}`).join('\n');
  const keepBack = keep.map((p, i) => `mkdir -p $R${q(p)} && mount --bind /keep/${i} $R${q(p)} || fail ${q(`cannot keep ${p} visible`)}`).join('\n');
  const scratch = cfg.scratch
    ? `SCRATCH=$(disk rwscratch) || SCRATCH=/dev/vda
mount -t ext4 $SCRATCH $R/var/tmp || fail "cannot mount the scratch disk ($SCRATCH, ext4)"
mkdir -p $R/var/tmp/tmp && chmod 1777 $R/var/tmp/tmp $R/var/tmp && mount --bind $R/var/tmp/tmp $R/tmp`
    : `mount -t tmpfs -o mode=1777 tmpfs $R/tmp`;
  return `#!/bin/sh
# reclaimwatch lab guest init (generated for one run)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec 2>/dev/console
say() { echo "rwlab: [$(cut -d' ' -f1 /proc/uptime)] $*" > /dev/console; }
ST=/dev/null
status() { echo "rwlab $*" >&3; }
exec 3>/dev/null
fail() { say "setup failed: $*"; status "fail $*"; sleep 0.2; poweroff -f; sleep 5; }
for m in ${cfg.modules.map((m) => q(`/${m}`)).join(' ')}; do insmod "$m" || fail "cannot load module $m"; done
say "modules loaded"
disk() { i=0; while [ $i -lt 50 ]; do for b in /sys/block/vd*; do [ "$(cat $b/serial 2>/dev/null)" = "$1" ] && { echo /dev/\${b##*/}; return 0; }; done; sleep 0.1; i=$((i+1)); done; return 1; }
port() { for n in /sys/class/virtio-ports/*/name; do [ "$(cat "$n" 2>/dev/null)" = "$1" ] && { d=\${n%/name}; echo /dev/\${d##*/}; return 0; }; done; return 1; }
i=0; while ! port ${GUEST_PORTS.stderr} >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
P=$(port ${GUEST_PORTS.status}) && exec 3>"$P" || say "no status port"
say "ports up"
R=/newroot
mkdir -p /host /rw $R
${cfg.share === 'disk'
    ? `ROOTDISK=$(disk rwroot) || fail "no disk with serial rwroot (the image of the host's files)"
mount -t ext4 -o ro,noload $ROOTDISK /host || fail "cannot mount the image of the host's files ($ROOTDISK, ext4)"`
    : 'mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host || fail "cannot mount the host root over 9p"'}
mount -t tmpfs -o mode=755 rw /rw && mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work $R || fail "cannot mount the overlay over the host root"
say "host root mounted"
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm; mount -t devpts devpts $R/dev/pts; mount -t tmpfs -o mode=1777 shm $R/dev/shm
mount -t tmpfs -o mode=755 run $R/run
${keepAside}
${scratch}
${keepBack}
${cgroupSetup}
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
${mglru}
[ -e /sys/kernel/mm/lru_gen/enabled ] && status "mglru $(cat /sys/kernel/mm/lru_gen/enabled)"
O=$(port ${GUEST_PORTS.stdout}) || fail "no stdout port"
E=$(port ${GUEST_PORTS.stderr}) || fail "no stderr port"
say "ready"
status "ready $(cut -d' ' -f1 /proc/uptime)"
chroot $R /usr/bin/env -i ${envWords} /bin/sh -c 'cd "$0" || exit 127; exec "$@"' ${q(cfg.cwd)} ${cfg.argv.map(q).join(' ')} <$R/dev/null >"$O" 2>"$E" &
pid=$!
( sleep ${Math.max(1, Math.ceil(cfg.watchdogS))}; say "guest watchdog: command still running after ${Math.ceil(cfg.watchdogS)} s, powering off"; status "timeout"; kill -9 $pid; sleep 0.2; poweroff -f ) &
wd=$!
wait $pid
rc=$?
kill $wd 2>/dev/null
status "exit $rc"
sync
poweroff -f
sleep 5
`;
}
