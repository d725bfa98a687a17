// Test workload for doctor's live scenarios: the reference's shape, small. N file threads each mmap a file
// and re-read it page by page forever; M anon threads fault in and touch anonymous memory at random.
// Together they exceed the cgroup's memory limit several times over, so memcg reclaim runs constantly.
// usage: thrash DIR FILE_THREADS FILE_MB ANON_THREADS ANON_MB
// "ready" is printed once every file is written and mapped: from then on the threads only re-read and fault.
// The files are written with an fdatasync every MiB, so that their dirty pages never pile up against the
// limit: dirty page cache that writeback cannot clean in time is what gets a small cgroup OOM-killed while
// it writes, and this workload must thrash, not die.
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *dir;
static size_t file_bytes, anon_bytes;
static volatile unsigned long sink;
static int files_ready;

static void *file_thread(void *arg) {
  long id = (long)arg;
  char path[4096];
  snprintf(path, sizeof path, "%s/thrash-%d-%ld", dir, getpid(), id);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { perror("open"); exit(2); }
  char buf[65536];
  memset(buf, (int)id, sizeof buf);
  for (size_t off = 0; off < file_bytes; off += sizeof buf) {
    if (write(fd, buf, sizeof buf) < 0) { perror("write"); exit(2); }
    if ((off + sizeof buf) % (1 << 20) == 0 && fdatasync(fd) < 0) { perror("fdatasync"); exit(2); }
  }
  unlink(path);
  unsigned char *p = mmap(NULL, file_bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); exit(2); }
  __atomic_add_fetch(&files_ready, 1, __ATOMIC_SEQ_CST);
  for (;;) {
    for (size_t off = 0; off < file_bytes; off += 4096) sink += p[off];
  }
  return NULL;
}

static void *anon_thread(void *arg) {
  unsigned seed = (unsigned)(long)arg;
  unsigned char *p = mmap(NULL, anon_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap anon"); exit(2); }
  size_t pages = anon_bytes / 4096;
  for (;;) {
    size_t i = (size_t)rand_r(&seed) % pages;
    p[i * 4096] += 1;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: thrash DIR FILE_THREADS FILE_MB ANON_THREADS ANON_MB\n"); return 2; }
  dir = argv[1];
  int nf = atoi(argv[2]), na = atoi(argv[4]);
  file_bytes = (size_t)atol(argv[3]) << 20;
  anon_bytes = (size_t)atol(argv[5]) << 20;
  pthread_t t;
  for (long i = 0; i < nf; i++) pthread_create(&t, NULL, file_thread, (void *)i);
  for (long i = 0; i < na; i++) pthread_create(&t, NULL, anon_thread, (void *)(i + 1));
  while (__atomic_load_n(&files_ready, __ATOMIC_SEQ_CST) < nf) usleep(20000);
  printf("ready\n");
  fflush(stdout);
  pause();
  return 0;
}
