// Fast per-thread sampling: reads /proc/PID/task/*/stat for every thread of one process and parses the few
// fields reclaimwatch needs in C. Two ways:
//  - readTaskStats(dir): one-shot, openat() relative to the task directory (no path walks from /);
//  - a TaskSet (openTaskSet/readTaskSet/closeTaskSet): keeps each thread's stat file open between samples and
//    re-reads it with pread(fd, 0) — seq_file regenerates the line at offset 0 — which halves the kernel's
//    cost per thread; new threads are opened, vanished ones closed, at every read.
// Pure JS does the same, slower (the fallback when this was not built). Nothing here takes a target's mmap_lock.
#include <node_api.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIELDS 8 /* tid, state, minflt, majflt, utime, stime, processor, starttime */
#define MAX_CACHED_FDS 16384

static int parse_stat(const char *buf, ssize_t n, double *out) {
  const char *close_paren = NULL;
  for (ssize_t i = n - 1; i >= 0; i--) if (buf[i] == ')') { close_paren = buf + i; break; }
  if (!close_paren || close_paren + 2 >= buf + n) return -1;
  out[0] = (double)strtoull(buf, NULL, 10);
  const char *p = close_paren + 2; /* field 3: state */
  out[1] = (double)(unsigned char)*p;
  int field = 3;
  while (p < buf + n && field < 39) {
    while (p < buf + n && *p != ' ') p++;
    if (p >= buf + n) break;
    p++;
    field++;
    switch (field) {
      case 10: out[2] = (double)strtoull(p, NULL, 10); break;
      case 12: out[3] = (double)strtoull(p, NULL, 10); break;
      case 14: out[4] = (double)strtoull(p, NULL, 10); break;
      case 15: out[5] = (double)strtoull(p, NULL, 10); break;
      case 22: out[7] = (double)strtoull(p, NULL, 10); break;
      case 39: out[6] = (double)strtoull(p, NULL, 10); break;
      default: break;
    }
  }
  return field >= 22 ? 0 : -1;
}

typedef struct { long tid; int fd; } entry;

typedef struct {
  int dfd;       /* the task directory */
  entry *ents;   /* sorted by tid */
  size_t n;
} taskset;

static int cmp_entry(const void *a, const void *b) {
  long x = ((const entry *)a)->tid, y = ((const entry *)b)->tid;
  return x < y ? -1 : x > y;
}

static entry *find(taskset *ts, long tid) {
  entry key = { tid, -1 };
  return ts->n ? bsearch(&key, ts->ents, ts->n, sizeof(entry), cmp_entry) : NULL;
}

static void taskset_close_all(taskset *ts) {
  for (size_t i = 0; i < ts->n; i++) if (ts->ents[i].fd >= 0) close(ts->ents[i].fd);
  free(ts->ents);
  ts->ents = NULL;
  ts->n = 0;
  if (ts->dfd >= 0) close(ts->dfd);
  ts->dfd = -1;
}

static void finalize_taskset(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  taskset *ts = data;
  taskset_close_all(ts);
  free(ts);
}

static napi_value make_result(napi_env env, double *vals, size_t count) {
  napi_value ab, result;
  void *data;
  napi_create_arraybuffer(env, count * FIELDS * sizeof(double), &data, &ab);
  if (count) memcpy(data, vals, count * FIELDS * sizeof(double));
  napi_create_typedarray(env, napi_float64_array, count * FIELDS, ab, 0, &result);
  return result;
}

/* Reads every thread of the set; keeps fds for the next read. Returns rows, or NULL when the dir is gone. */
static double *taskset_read(taskset *ts, size_t *count_out, int *gone) {
  *gone = 0;
  int dup_fd = dup(ts->dfd);
  if (dup_fd < 0) { *gone = 1; return NULL; }
  DIR *dir = fdopendir(dup_fd);
  if (!dir) { close(dup_fd); *gone = 1; return NULL; }
  rewinddir(dir);
  size_t cap = ts->n + 64, count = 0, nn = 0;
  double *vals = malloc(cap * FIELDS * sizeof(double));
  entry *next = malloc(cap * sizeof(entry));
  char name[64], buf[1024];
  struct dirent *de;
  int saw_any = 0;
  while ((de = readdir(dir)) != NULL) {
    if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
    saw_any = 1;
    long tid = strtol(de->d_name, NULL, 10);
    entry *old = find(ts, tid);
    int fd = old ? old->fd : -1;
    if (old) old->fd = -2; /* taken over */
    if (fd < 0) {
      size_t nl = strlen(de->d_name);
      if (nl + 6 > sizeof name) continue;
      memcpy(name, de->d_name, nl);
      memcpy(name + nl, "/stat", 6);
      fd = openat(ts->dfd, name, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue; /* exited between readdir and open: gone, skip */
    }
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) { close(fd); continue; } /* the thread exited: its file reads ESRCH/empty */
    buf[n] = 0;
    if (count == cap || nn == cap) {
      cap *= 2;
      vals = realloc(vals, cap * FIELDS * sizeof(double));
      next = realloc(next, cap * sizeof(entry));
    }
    double *row = vals + count * FIELDS;
    memset(row, 0, FIELDS * sizeof(double));
    if (parse_stat(buf, n, row) == 0) count++;
    if (nn < MAX_CACHED_FDS) { next[nn].tid = tid; next[nn].fd = fd; nn++; }
    else close(fd);
  }
  closedir(dir);
  /* close the fds of threads that are gone */
  for (size_t i = 0; i < ts->n; i++) if (ts->ents[i].fd >= 0) close(ts->ents[i].fd);
  free(ts->ents);
  qsort(next, nn, sizeof(entry), cmp_entry);
  ts->ents = next;
  ts->n = nn;
  /* an empty task directory means the process is gone (a live one always has its main thread) */
  *gone = !saw_any;
  *count_out = count;
  return vals;
}

static int get_path(napi_env env, napi_callback_info info, char *path, size_t size, napi_value *argv, size_t *argc) {
  size_t len = 0;
  napi_get_cb_info(env, info, argc, argv, NULL, NULL);
  if (*argc < 1 || napi_get_value_string_utf8(env, argv[0], path, size, &len) != napi_ok) return -1;
  return 0;
}

// readTaskStats(taskDir: string): Float64Array | null  (null when the directory is gone)
static napi_value ReadTaskStats(napi_env env, napi_callback_info info) {
  char path[4096];
  size_t argc = 1;
  napi_value argv[1], result;
  if (get_path(env, info, path, sizeof path, argv, &argc)) { napi_throw_type_error(env, NULL, "readTaskStats(taskDir: string)"); return NULL; }
  taskset ts = { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), NULL, 0 };
  if (ts.dfd < 0) { napi_get_null(env, &result); return result; }
  size_t count = 0;
  int gone = 0;
  double *vals = taskset_read(&ts, &count, &gone);
  taskset_close_all(&ts);
  if (!vals) { napi_get_null(env, &result); return result; }
  result = make_result(env, vals, count);
  free(vals);
  return result;
}

// openTaskSet(taskDir: string): object | null
static napi_value OpenTaskSet(napi_env env, napi_callback_info info) {
  char path[4096];
  size_t argc = 1;
  napi_value argv[1], result;
  if (get_path(env, info, path, sizeof path, argv, &argc)) { napi_throw_type_error(env, NULL, "openTaskSet(taskDir: string)"); return NULL; }
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) { napi_get_null(env, &result); return result; }
  taskset *ts = calloc(1, sizeof *ts);
  ts->dfd = dfd;
  napi_create_external(env, ts, finalize_taskset, NULL, &result);
  return result;
}

static taskset *get_taskset(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) return NULL;
  return data;
}

// readTaskSet(set): Float64Array | null  (null when the process is gone)
static napi_value ReadTaskSet(napi_env env, napi_callback_info info) {
  napi_value result;
  taskset *ts = get_taskset(env, info);
  if (!ts) { napi_throw_type_error(env, NULL, "readTaskSet(set)"); return NULL; }
  if (ts->dfd < 0) { napi_get_null(env, &result); return result; }
  size_t count = 0;
  int gone = 0;
  double *vals = taskset_read(ts, &count, &gone);
  if (!vals || count == 0) {
    free(vals);
    taskset_close_all(ts);
    napi_get_null(env, &result);
    return result;
  }
  result = make_result(env, vals, count);
  free(vals);
  return result;
}

// closeTaskSet(set): void — closes every fd now (the finalizer would, later).
static napi_value CloseTaskSet(napi_env env, napi_callback_info info) {
  taskset *ts = get_taskset(env, info);
  if (ts) taskset_close_all(ts);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn, fields;
  napi_create_function(env, "readTaskStats", NAPI_AUTO_LENGTH, ReadTaskStats, NULL, &fn);
  napi_set_named_property(env, exports, "readTaskStats", fn);
  napi_create_function(env, "openTaskSet", NAPI_AUTO_LENGTH, OpenTaskSet, NULL, &fn);
  napi_set_named_property(env, exports, "openTaskSet", fn);
  napi_create_function(env, "readTaskSet", NAPI_AUTO_LENGTH, ReadTaskSet, NULL, &fn);
  napi_set_named_property(env, exports, "readTaskSet", fn);
  napi_create_function(env, "closeTaskSet", NAPI_AUTO_LENGTH, CloseTaskSet, NULL, &fn);
  napi_set_named_property(env, exports, "closeTaskSet", fn);
  napi_create_uint32(env, FIELDS, &fields);
  napi_set_named_property(env, exports, "FIELDS", fields);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
