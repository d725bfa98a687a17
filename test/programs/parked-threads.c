/* Test target for `reclaimwatch stacks`: threads parked in known places.
 *   3 x rw-futex  park_in_futex()      -> futex(FUTEX_WAIT) that never wakes
 *   2 x rw-pipe   park_in_pipe_read()  -> read() on a pipe nobody writes
 *   1 x rw-busy   spin_forever()       -> busy loop, increments the progress counter
 *   main          pause()
 * The progress counter is a uint64 at offset 0 of the file given as argv[1] (mmap'd shared), so a test can
 * see from outside whether the process still runs. Prints "ready" once every thread is parked.
 * Build: cc -O1 -g -fno-omit-frame-pointer -pthread -o parked-threads parked-threads.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int futex_word;
static int pipe_fds[2];
static volatile uint64_t *progress;

__attribute__((noinline)) void park_in_futex(void) { syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0); }
static void *futex_thread(void *arg) { (void)arg; prctl(PR_SET_NAME, "rw-futex"); for (;;) park_in_futex(); return NULL; }

__attribute__((noinline)) void park_in_pipe_read(void) { char c; if (read(pipe_fds[0], &c, 1) < 0) _exit(3); }
static void *pipe_thread(void *arg) { (void)arg; prctl(PR_SET_NAME, "rw-pipe"); for (;;) park_in_pipe_read(); return NULL; }

__attribute__((noinline)) void spin_forever(void) { for (;;) { (*progress)++; __asm__ volatile("" ::: "memory"); } }
static void *busy_thread(void *arg) { (void)arg; prctl(PR_SET_NAME, "rw-busy"); spin_forever(); return NULL; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s PROGRESS_FILE\n", argv[0]); return 2; }
  int fd = open(argv[1], O_RDWR | O_CREAT, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) { perror(argv[1]); return 1; }
  progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (progress == MAP_FAILED) { perror("mmap"); return 1; }
  if (pipe(pipe_fds) != 0) { perror("pipe"); return 1; }
  pthread_t t;
  for (int i = 0; i < 3; i++) pthread_create(&t, NULL, futex_thread, NULL);
  for (int i = 0; i < 2; i++) pthread_create(&t, NULL, pipe_thread, NULL);
  pthread_create(&t, NULL, busy_thread, NULL);
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
