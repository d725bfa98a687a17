/*
 * repro_workload: the workload of `reclaimwatch repro`, written for this project after the behaviour
 * described in the reference incident (a memcg filled with mmap'd page cache, then anonymous memory).
 *
 * Two groups of threads:
 *   file threads   each write one file of --file-size bytes into --dir, mmap it read-only and read it
 *                  page by page, front to back, over a window that grows from nothing to the whole file
 *                  in --window-ms and then starts again (the file is unmapped and mapped again);
 *   memory threads start --delay-ms after the start; each owns --memory-size / N bytes of anonymous
 *                  memory, grows the part it uses over --window-ms, writes to random pages of that part,
 *                  and when the window is over drops it (MADV_DONTNEED) and grows it again.
 *
 * Unlike the original, it measures progress: every second the main thread prints one JSON line on stdout
 *   {"tMs":1000,"phase":"file","filesReady":8,"fileThreads":8,"memoryThreads":0,"filePages":123,"memoryPages":0}
 * with cumulative counters (pages read by file threads, pages touched by memory threads; memoryThreads is
 * how many memory threads were started so far); the reader
 * derives rates from two lines. Phases: prepare (files being written), file, both, done.
 *
 * It joins the cgroups named by --join FILE (writes its pid to each cgroup.procs) before anything else,
 * dies with its parent (PR_SET_PDEATHSIG), stops after --duration-ms, and unlinks its files on the way out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define MAX_JOIN 8

struct counter {
  uint64_t pages;
  char pad[56];
};

struct config {
  const char *dir;
  long file_threads;
  uint64_t file_bytes;
  long memory_threads;
  uint64_t memory_bytes;
  uint64_t delay_ms;
  uint64_t duration_ms;
  uint64_t window_ms;
  const char *join[MAX_JOIN];
  int njoin;
};

static struct config cfg;
static struct counter *file_counters;
static struct counter *memory_counters;
static volatile int stop_flag;
static int files_ready;
static uint64_t start_ns;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *s = x;
  return x;
}

static void die(const char *what) {
  fprintf(stderr, "repro_workload: %s: %s\n", what, strerror(errno));
  exit(3);
}

static void file_name(char *buf, size_t len, long idx) {
  snprintf(buf, len, "%s/file.%ld", cfg.dir, idx);
}

static int write_file(long idx, uint64_t *seed) {
  char name[4096];
  file_name(name, sizeof name, idx);
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  uint64_t page[PAGE / 8];
  for (uint64_t off = 0; off < cfg.file_bytes && !stop_flag; off += PAGE) {
    for (unsigned i = 0; i < PAGE / 8; i++) page[i] = xorshift(seed);
    size_t want = cfg.file_bytes - off < PAGE ? (size_t)(cfg.file_bytes - off) : PAGE;
    if (write(fd, page, want) != (ssize_t)want) {
      close(fd);
      return -1;
    }
  }
  close(fd);
  return 0;
}

static void *file_worker(void *arg) {
  long idx = (long)arg;
  uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)(idx + 1) * 0x100000001b3ull;
  prctl(PR_SET_NAME, "rw_file", 0, 0, 0);
  if (write_file(idx, &seed) != 0) {
    if (!stop_flag) die("cannot write a file in --dir");
    return NULL;
  }
  __atomic_add_fetch(&files_ready, 1, __ATOMIC_RELAXED);
  char name[4096];
  file_name(name, sizeof name, idx);
  uint64_t npages = (cfg.file_bytes + PAGE - 1) / PAGE;
  volatile uint64_t sink = 0;
  while (!stop_flag) {
    int fd = open(name, O_RDONLY);
    if (fd < 0) die("cannot open a workload file");
    const uint64_t *data = mmap(NULL, cfg.file_bytes, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (data == MAP_FAILED) die("cannot mmap a workload file");
    uint64_t began = now_ns();
    int whole_pass = 0;
    while (!stop_flag && !whole_pass) {
      uint64_t p;
      for (p = 0; p < npages && !stop_flag; p++) {
        uint64_t elapsed_ms = (now_ns() - began) / 1000000ull;
        uint64_t open_pages = elapsed_ms >= cfg.window_ms ? npages : npages * elapsed_ms / cfg.window_ms;
        if (p > open_pages) break; /* past the window: start again from the front */
        const uint64_t *pg = data + p * (PAGE / 8);
        uint64_t words = (p + 1) * PAGE <= cfg.file_bytes ? PAGE / 8 : (cfg.file_bytes - p * PAGE) / 8;
        uint64_t sum = 0;
        for (uint64_t w = 0; w < words; w++) sum += pg[w];
        sink += sum;
        __atomic_store_n(&file_counters[idx].pages, file_counters[idx].pages + 1, __ATOMIC_RELAXED);
      }
      if (p >= npages) whole_pass = 1;
    }
    munmap((void *)data, cfg.file_bytes);
  }
  return NULL;
}

static void *memory_worker(void *arg) {
  long idx = (long)arg;
  uint64_t seed = 0xd1b54a32d192ed03ull ^ (uint64_t)(idx + 7) * 0x9e3779b97f4a7c15ull;
  prctl(PR_SET_NAME, "rw_memory", 0, 0, 0);
  uint64_t bytes = cfg.memory_bytes / (uint64_t)cfg.memory_threads;
  if (bytes < PAGE) bytes = PAGE;
  uint64_t npages = bytes / PAGE;
  unsigned char *mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("cannot map anonymous memory");
  while (!stop_flag) {
    uint64_t began = now_ns();
    for (;;) {
      if (stop_flag) break;
      uint64_t elapsed_ms = (now_ns() - began) / 1000000ull;
      if (elapsed_ms >= 2 * cfg.window_ms) break; /* grew, then held for a window: drop and grow again */
      uint64_t used = elapsed_ms >= cfg.window_ms ? npages : 1 + (npages - 1) * elapsed_ms / cfg.window_ms;
      for (int k = 0; k < 64; k++) {
        uint64_t pg = xorshift(&seed) % used;
        mem[pg * PAGE + (xorshift(&seed) % PAGE)] += 1;
        __atomic_store_n(&memory_counters[idx].pages, memory_counters[idx].pages + 1, __ATOMIC_RELAXED);
      }
    }
    madvise(mem, npages * PAGE, MADV_DONTNEED);
  }
  return NULL;
}

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static uint64_t parse_u64(const char *s, const char *what) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || end == s) {
    fprintf(stderr, "repro_workload: bad %s %s\n", what, s);
    exit(2);
  }
  return v;
}

static void usage(void) {
  fprintf(stderr,
          "usage: repro_workload --dir DIR --file-threads N --file-size BYTES --memory-threads N --memory-size BYTES\n"
          "                      --delay-ms MS --duration-ms MS [--window-ms MS] [--join CGROUP_PROCS_FILE ...]\n");
  exit(2);
}

static void parse_args(int argc, char **argv) {
  cfg.window_ms = 10000;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--dir")) cfg.dir = v;
    else if (!strcmp(a, "--file-threads")) cfg.file_threads = (long)parse_u64(v, a);
    else if (!strcmp(a, "--file-size")) cfg.file_bytes = parse_u64(v, a);
    else if (!strcmp(a, "--memory-threads")) cfg.memory_threads = (long)parse_u64(v, a);
    else if (!strcmp(a, "--memory-size")) cfg.memory_bytes = parse_u64(v, a);
    else if (!strcmp(a, "--delay-ms")) cfg.delay_ms = parse_u64(v, a);
    else if (!strcmp(a, "--duration-ms")) cfg.duration_ms = parse_u64(v, a);
    else if (!strcmp(a, "--window-ms")) cfg.window_ms = parse_u64(v, a);
    else if (!strcmp(a, "--join")) {
      if (cfg.njoin >= MAX_JOIN) usage();
      cfg.join[cfg.njoin++] = v;
    } else usage();
  }
  if (!cfg.dir || cfg.file_threads < 0 || cfg.memory_threads < 0 || cfg.duration_ms == 0 || cfg.window_ms == 0) usage();
  if (cfg.file_threads > 0 && cfg.file_bytes < PAGE) usage();
}

static void join_cgroups(void) {
  for (int i = 0; i < cfg.njoin; i++) {
    int fd = open(cfg.join[i], O_WRONLY);
    if (fd < 0) die("cannot open a cgroup.procs file");
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", (int)getpid());
    if (write(fd, buf, (size_t)n) != n) die("cannot join a cgroup");
    close(fd);
  }
}

static pthread_t start_thread(void *(*fn)(void *), long idx) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t t;
  int rc = pthread_create(&t, &attr, fn, (void *)idx);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    die("cannot start a thread");
  }
  return t;
}

static uint64_t sum_counters(const struct counter *c, long n) {
  uint64_t s = 0;
  for (long i = 0; i < n; i++) s += __atomic_load_n(&c[i].pages, __ATOMIC_RELAXED);
  return s;
}

static int memory_started;

/* The reporter: its own thread, started first, so a starter blocked in thread creation (which needs
 * mmap_lock for the new stack) does not silence the reports. It also ends the run. */
static void *reporter(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "rw_reporter", 0, 0, 0);
  uint64_t next_report_ms = 1000;
  for (;;) {
    uint64_t t_ms = (now_ns() - start_ns) / 1000000ull;
    int done = stop_flag || t_ms >= cfg.duration_ms;
    if (done || t_ms >= next_report_ms) {
      int ready = __atomic_load_n(&files_ready, __ATOMIC_RELAXED);
      int started = __atomic_load_n(&memory_started, __ATOMIC_RELAXED);
      const char *phase = done ? "done" : t_ms >= cfg.delay_ms ? "both" : ready < cfg.file_threads ? "prepare" : "file";
      printf("{\"tMs\":%llu,\"phase\":\"%s\",\"filesReady\":%d,\"fileThreads\":%ld,\"memoryThreads\":%d,"
             "\"filePages\":%llu,\"memoryPages\":%llu}\n",
             (unsigned long long)t_ms, phase, ready, cfg.file_threads, started,
             (unsigned long long)sum_counters(file_counters, cfg.file_threads),
             (unsigned long long)sum_counters(memory_counters, cfg.memory_threads));
      next_report_ms += 1000;
      while (next_report_ms <= t_ms) next_report_ms += 1000;
    }
    if (done) break;
    uint64_t until = next_report_ms < cfg.duration_ms ? next_report_ms : cfg.duration_ms;
    uint64_t now_ms = (now_ns() - start_ns) / 1000000ull;
    if (until > now_ms) usleep((useconds_t)((until - now_ms) * 1000ull));
  }
  stop_flag = 1;
  for (long i = 0; i < cfg.file_threads; i++) {
    char name[4096];
    file_name(name, sizeof name, i);
    unlink(name);
  }
  fflush(stdout);
  _exit(0);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() == 1) return 3; /* the parent died before we could ask to follow it */
  join_cgroups();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  setvbuf(stdout, NULL, _IOLBF, 0);

  file_counters = calloc((size_t)cfg.file_threads + 1, sizeof *file_counters);
  memory_counters = calloc((size_t)cfg.memory_threads + 1, sizeof *memory_counters);
  if (!file_counters || !memory_counters) die("cannot allocate counters");
  start_ns = now_ns();
  pthread_detach(start_thread(reporter, 0));
  /* The main thread is the starter: file threads now, memory threads at --delay-ms. */
  for (long i = 0; i < cfg.file_threads && !stop_flag; i++) pthread_detach(start_thread(file_worker, i));
  for (;;) {
    uint64_t t_ms = (now_ns() - start_ns) / 1000000ull;
    if (t_ms >= cfg.delay_ms || stop_flag) break;
    usleep((useconds_t)((cfg.delay_ms - t_ms) * 1000ull));
  }
  for (long i = 0; i < cfg.memory_threads && !stop_flag; i++) {
    pthread_detach(start_thread(memory_worker, i));
    __atomic_add_fetch(&memory_started, 1, __ATOMIC_RELAXED);
  }
  for (;;) pause(); /* the reporter ends the process */
}
