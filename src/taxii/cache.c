/* The TAXII page cache: a chained hash table with an LRU list. */
#include "taxii/cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024
#define MAX_KEY 1024

struct entry {
  struct entry *next; /* in its bucket */
  struct entry *lru_prev, *lru_next;
  uint64_t hash;
  char *key;
  char *body;
  size_t len;
  struct taxii_cached_page meta;
  int refs; /* the cache's own reference plus readers copying it out */
  bool evicted;
};

struct taxii_page_cache {
  pthread_mutex_t lock;
  struct entry *table[BUCKETS];
  struct entry *lru_head, *lru_tail; /* head: most recently used */
  size_t bytes, max_bytes;
};

struct taxii_page_cache *taxii_page_cache_new(size_t max_bytes)
{
  struct taxii_page_cache *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  pthread_mutex_init(&c->lock, NULL);
  c->max_bytes = max_bytes;
  return c;
}

static void entry_free(struct entry *e)
{
  free(e->key);
  free(e->body);
  free(e);
}

void taxii_page_cache_free(struct taxii_page_cache *c)
{
  if (!c)
    return;
  for (struct entry *e = c->lru_head; e;) {
    struct entry *n = e->lru_next;
    entry_free(e);
    e = n;
  }
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static bool make_key(char out[MAX_KEY], int64_t coll, int64_t gen, const char *kind,
                     const char *query)
{
  int n = snprintf(out, MAX_KEY, "%lld/%lld/%s?%s", (long long)coll, (long long)gen, kind,
                   query ? query : "");
  return n > 0 && n < MAX_KEY;
}

static void lru_unlink(struct taxii_page_cache *c, struct entry *e)
{
  if (e->lru_prev)
    e->lru_prev->lru_next = e->lru_next;
  else
    c->lru_head = e->lru_next;
  if (e->lru_next)
    e->lru_next->lru_prev = e->lru_prev;
  else
    c->lru_tail = e->lru_prev;
  e->lru_prev = e->lru_next = NULL;
}

static void lru_push(struct taxii_page_cache *c, struct entry *e)
{
  e->lru_next = c->lru_head;
  e->lru_prev = NULL;
  if (c->lru_head)
    c->lru_head->lru_prev = e;
  c->lru_head = e;
  if (!c->lru_tail)
    c->lru_tail = e;
}

/* Removes e from the table and the LRU list; frees it unless a reader still holds it. */
static void evict(struct taxii_page_cache *c, struct entry *e)
{
  struct entry **pp = &c->table[e->hash % BUCKETS];
  while (*pp && *pp != e)
    pp = &(*pp)->next;
  if (*pp)
    *pp = e->next;
  lru_unlink(c, e);
  c->bytes -= e->len;
  e->evicted = true;
  if (--e->refs == 0)
    entry_free(e);
}

bool taxii_page_cache_get(struct taxii_page_cache *c, int64_t coll, int64_t gen, const char *kind,
                          const char *query, struct fs_buf *out, struct taxii_cached_page *meta)
{
  char key[MAX_KEY];
  if (!c || !make_key(key, coll, gen, kind, query))
    return false;
  uint64_t h = fs_hash_str(key);
  pthread_mutex_lock(&c->lock);
  struct entry *e = c->table[h % BUCKETS];
  while (e && (e->hash != h || strcmp(e->key, key)))
    e = e->next;
  if (e) {
    e->refs++;
    lru_unlink(c, e);
    lru_push(c, e);
  }
  pthread_mutex_unlock(&c->lock);
  if (!e)
    return false;
  bool ok = fs_buf_append(out, e->body, e->len) == 0;
  *meta = e->meta;
  pthread_mutex_lock(&c->lock);
  if (--e->refs == 0)
    entry_free(e); /* evicted while we copied it */
  pthread_mutex_unlock(&c->lock);
  return ok;
}

void taxii_page_cache_put(struct taxii_page_cache *c, int64_t coll, int64_t gen, const char *kind,
                          const char *query, const char *body, size_t len,
                          const struct taxii_cached_page *meta)
{
  char key[MAX_KEY];
  if (!c || len > c->max_bytes / 4 || !make_key(key, coll, gen, kind, query))
    return;
  struct entry *e = calloc(1, sizeof(*e));
  if (!e)
    return;
  e->key = strdup(key);
  e->body = malloc(len ? len : 1);
  if (!e->key || !e->body) {
    entry_free(e);
    return;
  }
  memcpy(e->body, body, len);
  e->len = len;
  e->meta = *meta;
  e->hash = fs_hash_str(key);
  e->refs = 1;
  pthread_mutex_lock(&c->lock);
  /* Replace an entry with the same key (two threads computed the same page). */
  for (struct entry *x = c->table[e->hash % BUCKETS]; x; x = x->next)
    if (x->hash == e->hash && !strcmp(x->key, key)) {
      evict(c, x);
      break;
    }
  e->next = c->table[e->hash % BUCKETS];
  c->table[e->hash % BUCKETS] = e;
  lru_push(c, e);
  c->bytes += len;
  while (c->bytes > c->max_bytes && c->lru_tail && c->lru_tail != e)
    evict(c, c->lru_tail);
  pthread_mutex_unlock(&c->lock);
}
