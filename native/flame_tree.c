// Flame graph tree builder: parses folded stack lines ("frame;frame;... COUNT") straight from the bytes of
// a Node Buffer and merges them into a prefix tree of nodes (parent, key, self count), the same tree
// src/flame/flame-tree.ts builds in JavaScript (same node ids, same counts), only faster:
//  - the ';' of a line are found sixteen bytes at a time; a frame name is looked up by its length and first
//    and last eight bytes, then confirmed by a fixed-cost block compare; a name seen for the first time is
//    classified by a JavaScript callback (display id, kernel flags), so the rules stay in one place
//    (src/flame/name-table.ts, frame-kind.ts);
//  - a node's slot in the child table is a hash of its whole path of keys, not of its parent's id, so every
//    slot of a stack is known before any lookup: they are prefetched together, and the lookups of one line
//    overlap the parsing of the next ones, instead of waiting for one cache miss per frame. The big arrays
//    ask for transparent huge pages, which saves most TLB misses of those random accesses;
//  - totals and child lists, which need random access by parent, are computed here too, with prefetching.
// Lines the fast parser does not accept (malformed, overlong) are handed back to JavaScript, which reports
// them or parses them its slower way and adds their keys here, in input order.
#define _GNU_SOURCE /* strtod_l, newlocale */
#include <locale.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#ifndef GROW_NUM /* the child table grows when this fraction of it is used */
#define GROW_NUM 3
#define GROW_DEN 4
#endif
#define SLOT_EMPTY 0u /* node 0 is the root and never a child, so 0 marks an empty slot */
#ifndef PIPE /* lines parsed and prefetched ahead of the one being added to the tree */
#define PIPE 2
#endif

typedef struct {
  uint32_t parent, key, node, fp;
} slot_t;

typedef struct {
  uint64_t first, last; /* the name's first and last eight bytes (zero-padded when shorter) */
  uint32_t off, len;
  int32_t info;
} name_t;

typedef struct {
  uint32_t *keys;
  uint32_t *fps;
  uint32_t n, cap;
  double count;
} line_t;

typedef struct {
  napi_env env;
  napi_ref classify;
  int reverse;
  size_t max_line;
  int failed; /* the classify callback threw */
  /* nodes */
  uint32_t *parent, *key;
  double *self;
  uint32_t size, node_cap;
  /* child table */
  slot_t *table;
  uint32_t mask, grow_at;
  /* names */
  name_t *names;
  uint32_t name_count, name_cap;
  uint32_t *name_slots;
  uint32_t name_mask;
  uint8_t *arena;
  size_t arena_used, arena_cap;
  /* the previous stack's path, shared prefixes skip lookups */
  uint32_t *path_keys, *path_nodes;
  uint32_t path_len, path_cap;
  /* offsets of the ';' of the current line */
  uint32_t *semis;
  uint32_t semis_cap;
  /* two lines in flight: one parsed and prefetched, one being resolved */
  line_t lines[PIPE + 1];
  locale_t c_locale; /* decimal counts are read with '.' whatever the process locale; 0: left to JavaScript */
  int finished;
} builder_t;

static const uint64_t K1 = 0x9e3779b97f4a7c15ULL;
static const uint64_t K2 = 0xbf58476d1ce4e5b9ULL;

static inline uint64_t fmix(uint64_t h) {
  h ^= h >> 31;
  h *= K2;
  h ^= h >> 29;
  return h;
}

static inline uint64_t load8(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Asks for transparent huge pages on the page-aligned part of a large array (fewer TLB misses). */
static void hint_huge(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes < (8u << 20)) return;
  uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
  uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
  if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

static void *grow_array(void *p, size_t elem, uint32_t *cap, uint32_t need) {
  uint32_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
  void *q = realloc(p, (size_t)c * elem);
  if (!q) return NULL;
  *cap = c;
  hint_huge(q, (size_t)c * elem);
  return q;
}

static int line_reserve(line_t *l, uint32_t need) {
  if (need <= l->cap) return 0;
  uint32_t c1 = l->cap, c2 = l->cap;
  uint32_t *k = grow_array(l->keys, 4, &c1, need);
  if (!k) return -1;
  l->keys = k;
  uint32_t *f = grow_array(l->fps, 4, &c2, need);
  if (!f) return -1;
  l->fps = f;
  l->cap = c1;
  return 0;
}

/* ---- child table ---- */

/* Zeroed memory for the child table, from mmap so that it can use transparent huge pages (fewer TLB misses
   on the random slot accesses); freed with table_free. */
static slot_t *table_alloc(uint32_t slots) {
  size_t bytes = (size_t)slots * sizeof(slot_t);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
  if (bytes >= (4u << 20)) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

static void table_free(slot_t *t, uint32_t slots) {
  if (t) munmap(t, (size_t)slots * sizeof(slot_t));
}

static int table_init(builder_t *b, uint32_t slots) {
  b->table = table_alloc(slots);
  if (!b->table) return -1;
  b->mask = slots - 1;
  b->grow_at = (uint32_t)((uint64_t)slots * GROW_NUM / GROW_DEN);
  return 0;
}

static int table_grow(builder_t *b) {
  slot_t *old = b->table;
  uint32_t old_n = b->mask + 1;
  if (table_init(b, old_n * 2) != 0) {
    b->table = old;
    b->mask = old_n - 1;
    return -1;
  }
  for (uint32_t i = 0; i < old_n; i++) {
    if (old[i].node == SLOT_EMPTY) continue;
    uint32_t s = old[i].fp & b->mask;
    while (b->table[s].node != SLOT_EMPTY) s = (s + 1) & b->mask;
    b->table[s] = old[i];
  }
  table_free(old, old_n);
  return 0;
}

/* The node under `parent` with `key`, whose path hash is `fp`; created when missing. 0 when out of memory. */
static uint32_t child(builder_t *b, uint32_t parent, uint32_t key, uint32_t fp) {
  slot_t *t = b->table;
  uint32_t s = fp & b->mask;
  for (;;) {
    slot_t *e = &t[s];
    if (e->node == SLOT_EMPTY) break;
    if (e->fp == fp && e->parent == parent && e->key == key) return e->node;
    s = (s + 1) & b->mask;
  }
  if (b->size >= b->grow_at) {
    if (table_grow(b) != 0) return 0;
    return child(b, parent, key, fp);
  }
  if (b->size == b->node_cap) {
    uint32_t c1 = b->node_cap, c2 = b->node_cap, c3 = b->node_cap;
    uint32_t *p = grow_array(b->parent, 4, &c1, b->size + 1);
    if (!p) return 0;
    b->parent = p;
    uint32_t *k = grow_array(b->key, 4, &c2, b->size + 1);
    if (!k) return 0;
    b->key = k;
    double *v = grow_array(b->self, 8, &c3, b->size + 1);
    if (!v) return 0;
    b->self = v;
    b->node_cap = c1;
  }
  uint32_t n = b->size++;
  b->parent[n] = parent;
  b->key[n] = key;
  b->self[n] = 0;
  t[s].parent = parent;
  t[s].key = key;
  t[s].node = n;
  t[s].fp = fp;
  return n;
}

/* Path hashes of a line's keys (already in path order), and prefetches of their slots. */
static void hash_path(builder_t *b, line_t *l) {
  uint64_t h = K1;
  for (uint32_t i = 0; i < l->n; i++) {
    h = fmix((h ^ l->keys[i]) * K1 + i);
    uint32_t fp = (uint32_t)(h >> 32) ^ (uint32_t)h;
    l->fps[i] = fp;
    __builtin_prefetch(&b->table[fp & b->mask]);
  }
}

/* Adds a hashed line to the tree. -1 when out of memory. */
static int resolve(builder_t *b, line_t *l) {
  uint32_t n = l->n;
  if (n > b->path_cap) {
    uint32_t c1 = b->path_cap, c2 = b->path_cap;
    uint32_t *k = grow_array(b->path_keys, 4, &c1, n);
    if (!k) return -1;
    b->path_keys = k;
    uint32_t *p = grow_array(b->path_nodes, 4, &c2, n);
    if (!p) return -1;
    b->path_nodes = p;
    b->path_cap = c1;
  }
  uint32_t i = 0;
  uint32_t shared = n < b->path_len ? n : b->path_len;
  while (i < shared && b->path_keys[i] == l->keys[i]) i++;
  uint32_t node = i == 0 ? 0 : b->path_nodes[i - 1];
  for (; i < n; i++) {
    node = child(b, node, l->keys[i], l->fps[i]);
    if (node == 0) return -1;
    b->path_keys[i] = l->keys[i];
    b->path_nodes[i] = node;
  }
  b->path_len = n;
  b->self[node] += l->count;
  return 0;
}

/* ---- names ---- */

#define NAME_PAD 64 /* the arena keeps this many readable bytes after every name, for block compares */

static inline uint64_t name_hash(uint64_t first, uint64_t last, uint32_t len) {
  return fmix((first * K1) ^ last ^ ((uint64_t)len << 56));
}

static int names_rehash(builder_t *b) {
  uint32_t slots = (b->name_mask + 1) * 2;
  uint32_t *s = calloc(slots, 4);
  if (!s) return -1;
  for (uint32_t id = 0; id < b->name_count; id++) {
    name_t *e = &b->names[id];
    uint32_t i = (uint32_t)name_hash(e->first, e->last, e->len) & (slots - 1);
    while (s[i]) i = (i + 1) & (slots - 1);
    s[i] = id + 1;
  }
  free(b->name_slots);
  b->name_slots = s;
  b->name_mask = slots - 1;
  return 0;
}

/* Asks JavaScript for a new name's packed facts (display id * 4 + kernel suffix * 2 + kernel entry). */
static int classify(builder_t *b, const uint8_t *p, uint32_t len, int32_t *info) {
  napi_env env = b->env;
  napi_value fn, buf, recv, result;
  if (napi_get_reference_value(env, b->classify, &fn) != napi_ok) return -1;
  if (napi_create_buffer_copy(env, len, p, NULL, &buf) != napi_ok) return -1;
  napi_get_undefined(env, &recv);
  if (napi_call_function(env, recv, fn, 1, &buf, &result) != napi_ok) return -1;
  if (napi_get_value_int32(env, result, info) != napi_ok) return -1;
  return 0;
}

/* x[0, len) == y[0, len); `wide` when both have 64 readable bytes: then it is one fixed-cost block compare. */
static inline int same_bytes(const uint8_t *x, const uint8_t *y, uint32_t len, int wide) {
#ifdef __SSE2__
  if (wide && len <= 64) {
    uint64_t eq = 0;
    for (int k = 0; k < 4; k++) {
      __m128i a = _mm_loadu_si128((const __m128i *)(x + 16 * k));
      __m128i c = _mm_loadu_si128((const __m128i *)(y + 16 * k));
      eq |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, c)) << (16 * k);
    }
    uint64_t need = len == 64 ? ~0ULL : (1ULL << len) - 1;
    return (eq & need) == need;
  }
#else
  (void)wide;
#endif
  return memcmp(x, y, len) == 0;
}

/*
 * The packed facts of the name p[0, len) (len > 0); `avail` bytes are readable from p. -1 on failure
 * (b->failed set). Names are told apart by length and first and last eight bytes, then compared whole.
 */
static int32_t name_info(builder_t *b, const uint8_t *p, uint32_t len, size_t avail) {
  uint64_t first, last;
  if (len >= 8) {
    first = load8(p);
    last = load8(p + len - 8);
  } else if (avail >= 8) {
    first = last = load8(p) & ((1ULL << (8 * len)) - 1);
  } else {
    first = 0;
    memcpy(&first, p, len);
    last = first;
  }
  uint32_t i = (uint32_t)name_hash(first, last, len) & b->name_mask;
  for (;;) {
    uint32_t id = b->name_slots[i];
    if (!id) break;
    name_t *e = &b->names[id - 1];
    if (e->first == first && e->last == last && e->len == len &&
        (len <= 16 || same_bytes(b->arena + e->off, p, len, avail >= NAME_PAD)))
      return e->info;
    i = (i + 1) & b->name_mask;
  }
  int32_t info;
  if (classify(b, p, len, &info) != 0) {
    b->failed = 1;
    return -1;
  }
  if (b->name_count == b->name_cap) {
    name_t *nn = grow_array(b->names, sizeof(name_t), &b->name_cap, b->name_count + 1);
    if (!nn) goto oom;
    b->names = nn;
  }
  if (b->arena_used + len + NAME_PAD > b->arena_cap) {
    size_t c = b->arena_cap ? b->arena_cap : 4096;
    while (c < b->arena_used + len + NAME_PAD) c *= 2;
    uint8_t *a = realloc(b->arena, c);
    if (!a) goto oom;
    memset(a + b->arena_cap, 0, c - b->arena_cap);
    b->arena = a;
    b->arena_cap = c;
  }
  memcpy(b->arena + b->arena_used, p, len);
  name_t *e = &b->names[b->name_count];
  e->first = first;
  e->last = last;
  e->off = (uint32_t)b->arena_used;
  e->len = len;
  e->info = info;
  b->arena_used += len;
  b->name_slots[i] = ++b->name_count;
  if (b->name_count * 4 > b->name_mask + 1 && names_rehash(b) != 0) goto oom;
  return info;
oom:
  b->failed = 2;
  return -1;
}

/* ---- lines ---- */

static inline int is_blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }
static inline int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/*
 * Offsets (from `from`) of the ';' in buf[from, end), into b->semis, followed by end - from; their count.
 * Sixteen bytes at a time where SSE2 is there; `buflen` bounds the reads.
 */
static int64_t find_semis(builder_t *b, const uint8_t *buf, size_t buflen, size_t from, size_t end) {
  size_t span = end - from;
  if (span + 24 > b->semis_cap) {
    uint32_t *s = grow_array(b->semis, 4, &b->semis_cap, (uint32_t)(span + 24));
    if (!s) return -1;
    b->semis = s;
  }
  uint32_t *out = b->semis;
  uint32_t n = 0;
  size_t p = from;
#ifdef __SSE2__
  const __m128i semi = _mm_set1_epi8(';');
  while (p < end && p + 16 <= buflen) {
    uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(buf + p)), semi));
    if (end - p < 16) m &= (1u << (end - p)) - 1;
    uint32_t base = (uint32_t)(p - from);
    /* Four unconditional writes cover almost every block; no branch per ';'. */
    uint32_t m0 = m;
    out[n] = base + (uint32_t)__builtin_ctz(m | 0x10000u);
    m &= m - 1;
    uint32_t m1 = m;
    out[n + 1] = base + (uint32_t)__builtin_ctz(m | 0x10000u);
    m &= m - 1;
    uint32_t m2 = m;
    out[n + 2] = base + (uint32_t)__builtin_ctz(m | 0x10000u);
    m &= m - 1;
    uint32_t m3 = m;
    out[n + 3] = base + (uint32_t)__builtin_ctz(m | 0x10000u);
    m &= m - 1;
    n += (m0 != 0) + (m1 != 0) + (m2 != 0) + (m3 != 0);
    while (m) {
      out[n++] = base + (uint32_t)__builtin_ctz(m);
      m &= m - 1;
    }
    p += 16;
  }
#endif
  for (; p < end; p++)
    if (buf[p] == ';') out[n++] = (uint32_t)(p - from);
  out[n] = (uint32_t)span;
  return n;
}

/*
 * Parses buf[ls, le) into l (keys in path order). Returns 1 for a stack, 0 for a blank line, -1 when the
 * line is not for the fast path (JavaScript decides), -2 on failure (b->failed). Accepts and rejects
 * exactly what the JavaScript byte parser (src/flame/js-line-feeder.ts) does.
 */
static int parse_line(builder_t *b, const uint8_t *buf, size_t buflen, size_t ls, size_t le, line_t *l) {
  while (le > ls && is_blank(buf[le - 1])) le--;
  if (le == ls) return 0;
  size_t sp = le;
  while (sp > ls && buf[sp - 1] != ' ' && buf[sp - 1] != '\t') sp--;
  if (sp == ls) return -1;
  sp--; /* the separator */
  double count = 0;
  size_t i = sp + 1;
  while (i < le && is_digit(buf[i])) count = count * 10 + (double)buf[i++] - 48; /* as JavaScript rounds it */
  if (i == sp + 1) return -1;
  if (i < le) {
    if (buf[i] != '.' || i + 1 == le) return -1;
    for (size_t j = i + 1; j < le; j++)
      if (!is_digit(buf[j])) return -1;
    char num[64];
    size_t nl = le - (sp + 1);
    if (nl >= sizeof num || !b->c_locale) return -1;
    memcpy(num, buf + sp + 1, nl);
    num[nl] = 0;
    count = strtod_l(num, NULL, b->c_locale); /* correctly rounded, as Number() is */
  }
  size_t stack_end = sp;
  while (stack_end > ls && is_blank(buf[stack_end - 1])) stack_end--;
  if (stack_end > ls && is_digit(buf[stack_end - 1])) {
    size_t j = stack_end - 1;
    while (j > ls && (is_digit(buf[j - 1]) || buf[j - 1] == '.')) j--;
    if (j > ls && (buf[j - 1] == ' ' || buf[j - 1] == '\t')) return -1;
  }
  int64_t nsemi = find_semis(b, buf, buflen, ls, stack_end);
  if (nsemi < 0 || line_reserve(l, (uint32_t)nsemi + 1) != 0) {
    b->failed = 2;
    return -2;
  }
  const uint32_t *semis = b->semis;
  uint32_t *keys = l->keys;
  uint32_t n = 0;
  uint32_t below = 0;
  uint32_t start = 0;
  for (int64_t k = 0; k <= nsemi; k++) {
    uint32_t e = semis[k];
    uint32_t len = e - start;
    size_t at = ls + start;
    start = e + 1;
    if (len == 0) continue;
    int32_t info = name_info(b, buf + at, len, buflen - at);
    if (info < 0) return -2;
    below |= (info & 3) == 1;
    keys[n++] = (uint32_t)((info >> 2) * 2) + ((below | ((uint32_t)info >> 1)) & 1);
  }
  if (n == 0) return -1;
  if (b->reverse) {
    for (uint32_t a = 0, z = n - 1; a < z; a++, z--) {
      uint32_t t = keys[a];
      keys[a] = keys[z];
      keys[z] = t;
    }
  }
  l->n = n;
  l->count = count;
  return 1;
}

/* ---- N-API glue ---- */

static void builder_free(builder_t *b) {
  if (b->c_locale) freelocale(b->c_locale);
  free(b->parent);
  free(b->key);
  free(b->self);
  table_free(b->table, b->mask + 1);
  free(b->names);
  free(b->name_slots);
  free(b->arena);
  free(b->path_keys);
  free(b->path_nodes);
  free(b->semis);
  for (int i = 0; i <= PIPE; i++) {
    free(b->lines[i].keys);
    free(b->lines[i].fps);
  }
  free(b);
}

static void finalize_builder(napi_env env, void *data, void *hint) {
  (void)hint;
  builder_t *b = data;
  if (b->classify) napi_delete_reference(env, b->classify);
  builder_free(b);
}

static builder_t *get_builder(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "not a flame tree builder");
    return NULL;
  }
  builder_t *b = p;
  if (b->finished) {
    napi_throw_error(env, NULL, "flame tree builder already finished");
    return NULL;
  }
  return b;
}

static napi_value throw_oom(napi_env env) {
  napi_throw_error(env, "ENOMEM", "out of memory building the flame graph tree");
  return NULL;
}

// create(classify: (name: Buffer) => number, reverse: boolean, maxLineBytes: number): External
static napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  bool reverse = false;
  double max_line = 0;
  if (argc < 3 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function ||
      napi_get_value_bool(env, argv[1], &reverse) != napi_ok || napi_get_value_double(env, argv[2], &max_line) != napi_ok) {
    napi_throw_type_error(env, NULL, "create(classify: function, reverse: boolean, maxLineBytes: number)");
    return NULL;
  }
  builder_t *b = calloc(1, sizeof *b);
  if (!b) return throw_oom(env);
  b->reverse = reverse;
  b->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  b->max_line = max_line > 0 ? (size_t)max_line : 1 << 20;
  b->name_slots = calloc(256, 4);
  b->name_mask = 255;
  uint32_t one = 1;
  b->parent = grow_array(NULL, 4, &b->node_cap, one);
  uint32_t c = 0;
  b->key = grow_array(NULL, 4, &c, one);
  c = 0;
  b->self = grow_array(NULL, 8, &c, one);
  if (!b->name_slots || !b->parent || !b->key || !b->self || table_init(b, 1 << 16) != 0) {
    builder_free(b);
    return throw_oom(env);
  }
  b->size = 1; /* the root */
  b->parent[0] = 0;
  b->key[0] = 0;
  b->self[0] = 0;
  napi_value ext;
  if (napi_create_reference(env, argv[0], 1, &b->classify) != napi_ok ||
      napi_create_external(env, b, finalize_builder, NULL, &ext) != napi_ok) {
    builder_free(b);
    napi_throw_error(env, NULL, "cannot create the flame tree builder");
    return NULL;
  }
  return ext;
}

// feed(builder, buf: Buffer, from: number, to: number): [stop, lines, stacks]
// Adds the lines of buf[from, to) (ended by '\n' or by `to`) until one is not for the fast path; `stop` is
// that line's start, or `to` when all were added; `lines` counts the lines read (blank ones included),
// `stacks` those added.
static napi_value Feed(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "feed(builder, buf, from, to)");
    return NULL;
  }
  builder_t *b = get_builder(env, argv[0]);
  if (!b) return NULL;
  void *data = NULL;
  size_t blen = 0;
  double from_d = 0, to_d = 0;
  if (napi_get_buffer_info(env, argv[1], &data, &blen) != napi_ok || napi_get_value_double(env, argv[2], &from_d) != napi_ok ||
      napi_get_value_double(env, argv[3], &to_d) != napi_ok || from_d < 0 || to_d > (double)blen || from_d > to_d) {
    napi_throw_type_error(env, NULL, "feed(builder, buf: Buffer, from: number, to: number) with 0 <= from <= to <= buf.length");
    return NULL;
  }
  const uint8_t *buf = data;
  size_t pos = (size_t)from_d, to = (size_t)to_d;
  b->env = env;
  b->failed = 0;
  double lines = 0, stacks = 0;
  /* A ring of lines: up to PIPE parsed and prefetched, not yet in the tree, plus the one being parsed. */
  uint32_t head = 0, pending = 0, next = 0;
  size_t stop = to;
  while (pos < to) {
    const uint8_t *nl = memchr(buf + pos, '\n', to - pos);
    size_t le = nl ? (size_t)(nl - buf) : to;
    if (le - pos > b->max_line) {
      stop = pos;
      break;
    }
    line_t *l = &b->lines[next];
    int r = parse_line(b, buf, blen, pos, le, l);
    if (r == -2) break;
    if (r == -1) {
      stop = pos;
      break;
    }
    lines++;
    if (r == 1) {
      stacks++;
      hash_path(b, l);
      if (pending == PIPE) {
        if (resolve(b, &b->lines[head]) != 0) {
          b->failed = 2;
          break;
        }
        head = (head + 1) % (PIPE + 1);
        pending--;
      }
      pending++;
      next = (next + 1) % (PIPE + 1);
    }
    pos = nl ? le + 1 : to;
  }
  while (!b->failed && pending > 0) {
    if (resolve(b, &b->lines[head]) != 0) b->failed = 2;
    head = (head + 1) % (PIPE + 1);
    pending--;
  }
  if (b->failed == 2) return throw_oom(env);
  if (b->failed) return NULL; /* the classify callback's exception is pending */
  napi_value result, v;
  napi_create_array_with_length(env, 3, &result);
  napi_create_double(env, (double)stop, &v);
  napi_set_element(env, result, 0, v);
  napi_create_double(env, lines, &v);
  napi_set_element(env, result, 1, v);
  napi_create_double(env, stacks, &v);
  napi_set_element(env, result, 2, v);
  return result;
}

// addKeys(builder, keys: Int32Array, n: number, count: number): void  (keys root first)
static napi_value AddKeys(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  builder_t *b = argc >= 4 ? get_builder(env, argv[0]) : NULL;
  if (!b) {
    if (argc < 4) napi_throw_type_error(env, NULL, "addKeys(builder, keys, n, count)");
    return NULL;
  }
  napi_typedarray_type tt;
  size_t len = 0;
  void *data = NULL;
  uint32_t n = 0;
  double count = 0;
  if (napi_get_typedarray_info(env, argv[1], &tt, &len, &data, NULL, NULL) != napi_ok || tt != napi_int32_array ||
      napi_get_value_uint32(env, argv[2], &n) != napi_ok || n > len || n == 0 || napi_get_value_double(env, argv[3], &count) != napi_ok) {
    napi_throw_type_error(env, NULL, "addKeys(builder, keys: Int32Array, n: 1..keys.length, count: number)");
    return NULL;
  }
  line_t *l = &b->lines[0];
  if (line_reserve(l, n) != 0) return throw_oom(env);
  const int32_t *k = data;
  for (uint32_t i = 0; i < n; i++) l->keys[i] = (uint32_t)k[b->reverse ? n - 1 - i : i];
  l->n = n;
  l->count = count;
  hash_path(b, l);
  if (resolve(b, l) != 0) return throw_oom(env);
  return NULL;
}

static void free_data(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

/* A typed array over malloc'ed `data`, which it then owns (freed by the GC; copied where external
   buffers are not allowed). NULL on failure, with `data` freed. */
static napi_value external_array(napi_env env, void *data, size_t bytes, napi_typedarray_type type, size_t length) {
  napi_value ab, arr;
  if (napi_create_external_arraybuffer(env, data, bytes, free_data, NULL, &ab) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    void *copy = NULL;
    if (napi_create_arraybuffer(env, bytes, &copy, &ab) != napi_ok) {
      free(data);
      return NULL;
    }
    memcpy(copy, data, bytes);
    free(data);
  }
  if (napi_create_typedarray(env, type, length, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

/*
 * What the renderer needs from the whole tree, computed where the node arrays are: totals (samples through
 * each node: self plus children, summed from the last node down, in the order flame-tree.ts sums them)
 * and the children of every node as CSR lists in node order. Parents are random in memory, so the next
 * ones are prefetched. 0 on success.
 */
static int derive(const builder_t *b, double **tot_out, uint32_t **start_out, uint32_t **list_out) {
  uint32_t n = b->size;
  const uint32_t *parent = b->parent;
  double *tot = malloc((size_t)n * 8);
  uint32_t *start = calloc((size_t)n + 1, 4);
  uint32_t *list = malloc((size_t)(n > 1 ? n - 1 : 1) * 4);
  uint32_t *fill = malloc((size_t)n * 4);
  if (!tot || !start || !list || !fill) {
    free(tot);
    free(start);
    free(list);
    free(fill);
    return -1;
  }
  hint_huge(tot, (size_t)n * 8);
  hint_huge(start, ((size_t)n + 1) * 4);
  hint_huge(list, (size_t)n * 4);
  hint_huge(fill, (size_t)n * 4);
  memcpy(tot, b->self, (size_t)n * 8);
  const uint32_t D = 16;
  for (uint32_t i = n - 1; i > 0; i--) {
    if (i > D) __builtin_prefetch(&tot[parent[i - D]], 1);
    tot[parent[i]] += tot[i];
  }
  for (uint32_t i = 1; i < n; i++) {
    if (i + D < n) __builtin_prefetch(&start[parent[i + D] + 1], 1);
    start[parent[i] + 1]++;
  }
  for (uint32_t i = 0; i < n; i++) start[i + 1] += start[i];
  memcpy(fill, start, (size_t)n * 4);
  for (uint32_t i = 1; i < n; i++) {
    if (i + D < n) __builtin_prefetch(&fill[parent[i + D]], 1);
    list[fill[parent[i]]++] = i;
  }
  free(fill);
  *tot_out = tot;
  *start_out = start;
  *list_out = list;
  return 0;
}

// finish(builder): [parent: Int32Array, key: Int32Array, self: Float64Array, total: Float64Array,
//   childStart: Int32Array (nodes + 1), childList: Int32Array (nodes - 1)]
// Hands the node arrays and their derived totals and child lists to JavaScript (no copy) and frees the rest.
static napi_value Finish(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  builder_t *b = argc >= 1 ? get_builder(env, argv[0]) : NULL;
  if (!b) return NULL;
  b->finished = 1;
  table_free(b->table, b->mask + 1);
  b->table = NULL;
  double *tot;
  uint32_t *start, *list;
  if (derive(b, &tot, &start, &list) != 0) return throw_oom(env);
  size_t n = b->size;
  napi_value arrays[6];
  arrays[0] = external_array(env, b->parent, n * 4, napi_int32_array, n);
  arrays[1] = external_array(env, b->key, n * 4, napi_int32_array, n);
  arrays[2] = external_array(env, b->self, n * 8, napi_float64_array, n);
  b->parent = b->key = NULL;
  b->self = NULL;
  arrays[3] = external_array(env, tot, n * 8, napi_float64_array, n);
  arrays[4] = external_array(env, start, (n + 1) * 4, napi_int32_array, n + 1);
  arrays[5] = external_array(env, list, (n > 1 ? n - 1 : 1) * 4, napi_int32_array, n - 1);
  napi_value result;
  napi_create_array_with_length(env, 6, &result);
  for (uint32_t i = 0; i < 6; i++) {
    if (!arrays[i]) {
      napi_throw_error(env, NULL, "cannot hand the flame tree to JavaScript");
      return NULL;
    }
    napi_set_element(env, result, i, arrays[i]);
  }
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, Create, NULL, NULL, NULL, napi_default, NULL},
    {"feed", NULL, Feed, NULL, NULL, NULL, napi_default, NULL},
    {"addKeys", NULL, AddKeys, NULL, NULL, NULL, napi_default, NULL},
    {"finish", NULL, Finish, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
