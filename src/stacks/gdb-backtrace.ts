// Parses `gdb -batch -ex 'thread apply all bt'` output into function names per thread, innermost first.
// Headers:  Thread 7 (Thread 0x7f268db516c0 (LWP 10012) "rw-busy"):   or   Thread 1 (LWP 4242 "a.out"):
// Frames:   #0  0x000055fc24174227 in spin_forever () at t.c:13
//           #0  __GI___libc_read (nbytes=1, buf=0x7f26, fd=3) at ../sysdeps/unix/sysv/linux/read.c:26
//           #3  0x00007f2690 in clone3 () from /lib/x86_64-linux-gnu/libc.so.6

/** Cleans a symbol for display: `??` becomes `[unknown]`, symbol versions (`@@GLIBC_2.34`) are dropped. */
export function cleanSymbol(name: string): string {
  const s = name.trim().replace(/@@?[A-Za-z_][\w.]*$/, '');
  return s === '' || s === '??' ? '[unknown]' : s;
}

/** Function names per thread id (LWP), innermost frame first. Lines that are not frames are ignored. */
export function parseGdbBacktraces(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let frames: string[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^Thread \d+ \(.*?(?:LWP|process) (\d+)/.exec(line);
    if (h) {
      frames = [];
      out.set(Number(h[1]), frames);
      continue;
    }
    if (!frames) continue;
    const f = /^#\d+\s+(?:0x[0-9a-fA-F]+ in )?(.+?)(?: \(|$)/.exec(line);
    if (f) frames.push(cleanSymbol(f[1]!));
  }
  return out;
}
