/* Token buckets per key (token id or address) in a chained hash table; idle full buckets are
 * dropped when the table grows past its cap, so memory stays bounded whatever the keys. */
#include "http/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define RL_BUCKETS 4096
#define RL_MAX_ENTRIES 200000

struct rl_entry {
  struct rl_entry *next;
  double tokens;
  int64_t last_ns;
  char key[80];
};

struct http_ratelimit {
  pthread_mutex_t lock;
  double rate, burst;           /* this node's share */
  double full_rate, full_burst; /* the configured limits */
  size_t count;
  struct rl_entry *table[RL_BUCKETS];
};

struct http_ratelimit *http_ratelimit_new(double per_second, double burst)
{
  struct http_ratelimit *rl = calloc(1, sizeof(*rl));
  if (!rl)
    return NULL;
  pthread_mutex_init(&rl->lock, NULL);
  rl->rate = rl->full_rate = per_second;
  rl->burst = rl->full_burst = burst;
  return rl;
}

void http_ratelimit_share(struct http_ratelimit *rl, int64_t nodes)
{
  if (!rl || nodes < 1)
    return;
  pthread_mutex_lock(&rl->lock);
  rl->rate = rl->full_rate / (double)nodes;
  rl->burst = rl->full_burst / (double)nodes;
  if (rl->burst < 1.0)
    rl->burst = 1.0;
  pthread_mutex_unlock(&rl->lock);
}

void http_ratelimit_free(struct http_ratelimit *rl)
{
  if (!rl)
    return;
  for (size_t i = 0; i < RL_BUCKETS; i++) {
    struct rl_entry *e = rl->table[i];
    while (e) {
      struct rl_entry *n = e->next;
      free(e);
      e = n;
    }
  }
  pthread_mutex_destroy(&rl->lock);
  free(rl);
}

/* Drops every entry whose bucket has refilled: they carry no state worth keeping. */
static void sweep(struct http_ratelimit *rl, int64_t now_ns)
{
  for (size_t i = 0; i < RL_BUCKETS; i++) {
    struct rl_entry **pp = &rl->table[i];
    while (*pp) {
      struct rl_entry *e = *pp;
      double refilled = e->tokens + (double)(now_ns - e->last_ns) / 1e9 * rl->rate;
      if (refilled >= rl->burst) {
        *pp = e->next;
        free(e);
        rl->count--;
      } else {
        pp = &e->next;
      }
    }
  }
}

/* Refills key's bucket to now and, when it holds a request, takes one if `take`. */
static bool refill(struct http_ratelimit *rl, const char *key, int64_t now_ns, bool take,
                   int *retry_after_s)
{
  if (!rl)
    return true;
  pthread_mutex_lock(&rl->lock);
  struct rl_entry **slot = &rl->table[fs_hash_str(key) % RL_BUCKETS];
  struct rl_entry *e = *slot;
  while (e && strcmp(e->key, key))
    e = e->next;
  if (!e && !take) {
    pthread_mutex_unlock(&rl->lock);
    return true; /* no entry: a full bucket */
  }
  if (!e) {
    if (rl->count >= RL_MAX_ENTRIES)
      sweep(rl, now_ns);
    e = calloc(1, sizeof(*e));
    if (!e) {
      pthread_mutex_unlock(&rl->lock);
      return true; /* out of memory: do not refuse service for it */
    }
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->tokens = rl->burst;
    e->last_ns = now_ns;
    e->next = *slot;
    *slot = e;
    rl->count++;
  }
  e->tokens += (double)(now_ns - e->last_ns) / 1e9 * rl->rate;
  if (e->tokens > rl->burst)
    e->tokens = rl->burst;
  e->last_ns = now_ns;
  bool ok = e->tokens >= 1.0;
  if (ok && take)
    e->tokens -= 1.0;
  else if (!ok)
    *retry_after_s = (int)((1.0 - e->tokens) / rl->rate) + 1;
  pthread_mutex_unlock(&rl->lock);
  return ok;
}

bool http_ratelimit_take(struct http_ratelimit *rl, const char *key, int64_t now_ns,
                         int *retry_after_s)
{
  return refill(rl, key, now_ns, true, retry_after_s);
}

bool http_ratelimit_peek(struct http_ratelimit *rl, const char *key, int64_t now_ns,
                         int *retry_after_s)
{
  return refill(rl, key, now_ns, false, retry_after_s);
}
