// Bench workload: a process with N threads parked in pthread_cond_wait (like a big database's pool).
// usage: threads N
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static void *park(void *arg) { (void)arg; pthread_mutex_lock(&mu); for (;;) pthread_cond_wait(&cv, &mu); return NULL; }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 64 * 1024);
  for (int i = 1; i < n; i++) { pthread_t t; if (pthread_create(&t, &a, park, NULL)) { perror("pthread_create"); return 1; } }
  printf("ready %d\n", n);
  fflush(stdout);
  pause();
  return 0;
}
