// The mmap_lock probe's reader: opens and reads each FILE given (a /proc/PID/cmdline, or any file), each in a
// thread of its own, and prints one line per file as soon as its read finishes: how long the open+read took,
// in nanoseconds, and the bytes read, or the errno name. A read that blocks on one process's mmap_lock holds
// up only its own thread: the others still finish and report. Run as a killable child with a deadline by
// src/probe/mmap-lock-probe.ts (SIGKILL at the deadline ends every thread, since the kernel waits for
// mmap_lock killably), so the latency it reports is the read alone, not the exec or the scheduler delay of a
// loaded host, and one exec serves a whole tick's probes.
// usage: cmdline_probe FILE [FILE ...]  → stdout, per file in completion order: "<index> <ns> <bytes>\n"
//                                         or "<index> E <ERRNO>\n" (index: the file's position, from 0)
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 4096

struct job {
  int index;
  const char *file;
};

static const char *errno_name(int e) {
  switch (e) {
  case ENOENT: return "ENOENT";
  case ESRCH: return "ESRCH";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case EIO: return "EIO";
  case EINTR: return "EINTR";
  case ENOMEM: return "ENOMEM";
  default: return "EOTHER";
  }
}

// One write(2) per line: lines below PIPE_BUF are never interleaved on a pipe.
static void emit(const char *line, size_t n) {
  while (n > 0) {
    ssize_t w = write(1, line, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    line += w;
    n -= (size_t)w;
  }
}

static void *probe(void *arg) {
  const struct job *j = arg;
  char line[96];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int fd = open(j->file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int n = snprintf(line, sizeof line, "%d E %s\n", j->index, errno_name(errno));
    emit(line, (size_t)n);
    return NULL;
  }
  char buf[4096];
  ssize_t got = read(fd, buf, sizeof buf);
  int err = errno;
  clock_gettime(CLOCK_MONOTONIC, &b);
  close(fd);
  int n;
  if (got < 0) {
    n = snprintf(line, sizeof line, "%d E %s\n", j->index, errno_name(err));
  } else {
    long long ns = (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    n = snprintf(line, sizeof line, "%d %lld %zd\n", j->index, ns, got);
  }
  emit(line, (size_t)n);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc - 1 > MAX_FILES) {
    fprintf(stderr, "usage: cmdline_probe FILE [FILE ...] (at most %d files)\n", MAX_FILES);
    return 2;
  }
  static struct job jobs[MAX_FILES];
  static pthread_t tids[MAX_FILES];
  static int started[MAX_FILES];
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int nfiles = argc - 1;
  for (int i = 0; i < nfiles; i++) {
    jobs[i].index = i;
    jobs[i].file = argv[i + 1];
    // A single file, or a thread that cannot be created, is read on this thread.
    if (nfiles == 1 || pthread_create(&tids[i], &attr, probe, &jobs[i]) != 0) probe(&jobs[i]);
    else started[i] = 1;
  }
  for (int i = 0; i < nfiles; i++)
    if (started[i]) pthread_join(tids[i], NULL);
  return 0;
}
