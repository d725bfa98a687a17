import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGdbBacktraces } from './gdb-backtrace.js';
import { parseEuStack } from './eu-stack-output.js';

// Real output of gdb 13 (Debian bookworm) on test/programs/parked-threads.c, trimmed.
const GDB = `[New LWP 10007]
[Thread debugging using libthread_db enabled]
0x00007f269042ddf2 in __libc_pause () at ../sysdeps/unix/sysv/linux/pause.c:29

Thread 7 (Thread 0x7f268db516c0 (LWP 10012) "rw-busy"):
#0  0x000055fc24174227 in spin_forever () at t.c:13
#1  0x000055fc24174253 in busy_thread (a=<optimized out>) at t.c:14
#3  0x00007f26904638ec in clone3 () at ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

Thread 6 (Thread 0x7f268e3526c0 (LWP 10011) "rw-pipe"):
#0  __GI___libc_read (nbytes=1, buf=0x7f268e351ebf, fd=3) at ../sysdeps/unix/sysv/linux/read.c:26
#1  0x00007f1 in ?? ()
#2  0x00007f2 in std::vector<int, std::allocator<int> >::push_back (this=0x1) at v.h:1
#3  0x00007f3 in operator() (this=0x2) at x.cc:4

Thread 1 (LWP 4242 "a.out"):
#0  0x00007f269042ddf2 in pause () from /lib/x86_64-linux-gnu/libc.so.6
[Inferior 1 (process 10005) detached]
`;

void test('parseGdbBacktraces() keys frames by LWP, innermost first, names without arguments', () => {
  const m = parseGdbBacktraces(GDB);
  assert.deepEqual([...m.keys()], [10012, 10011, 4242]);
  assert.deepEqual(m.get(10012), ['spin_forever', 'busy_thread', 'clone3']);
  assert.deepEqual(m.get(10011), ['__GI___libc_read', '[unknown]', 'std::vector<int, std::allocator<int> >::push_back', 'operator()']);
  assert.deepEqual(m.get(4242), ['pause']);
});

// Real output of eu-stack (elfutils 0.188) on the same program, trimmed.
const EU = `PID 10005 - process
TID 10005:
#0  0x00007f269042ddf2 pause
#1  0x000055fc241742e1 main
#3  0x00007f2690381305 __libc_start_main@@GLIBC_2.34
TID 10012:
#0  0x000055fc24174227 spin_forever
#1  0x000055fc24174253 - 1 busy_thread
#2  0x00007f2690000000
`;

void test('parseEuStack() keys frames by TID, drops symbol versions and marks missing symbols', () => {
  const m = parseEuStack(EU);
  assert.deepEqual(m.get(10005), ['pause', 'main', '__libc_start_main']);
  assert.deepEqual(m.get(10012), ['spin_forever', 'busy_thread', '[unknown]']);
});
