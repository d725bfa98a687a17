// The mmap_lock probe's reader: opens and reads a /proc/PID/cmdline (or any file) and prints how long the
// open+read took, in nanoseconds, then the bytes read. Run as a killable child with a deadline by
// src/probe/mmap-lock-probe.ts, so the latency it reports is the read alone, not the exec or the scheduler
// delay of a loaded host. usage: cmdline_probe FILE   → stdout: "<ns> <bytes>\n"
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: cmdline_probe FILE\n"); return 2; }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) { perror(argv[1]); return 1; }
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (n < 0) { perror(argv[1]); return 1; }
  close(fd);
  long long ns = (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  printf("%lld %zd\n", ns, n);
  return 0;
}
