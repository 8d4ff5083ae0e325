/* A cache of TAXII pages that are the same for everybody who may read their collection (every row
 * read was CLEAR or GREEN), keyed by collection, its generation, and the query as sent. Many
 * members polling the same sector pages then cost one store read. Entries are reference-counted
 * so that a hit is copied out without holding the lock; the least recently used go first when
 * the cache is over its size. Thread-safe. */
#ifndef FS_TAXII_CACHE_H
#define FS_TAXII_CACHE_H

#include "core/base.h"
#include "core/buf.h"

struct taxii_page_cache;

struct taxii_page_cache *taxii_page_cache_new(size_t max_bytes);
void taxii_page_cache_free(struct taxii_page_cache *c);

struct taxii_cached_page {
  char date_first[40], date_last[40];
};

/* On a hit appends the page to out, fills meta and returns true. */
bool taxii_page_cache_get(struct taxii_page_cache *c, int64_t coll, int64_t gen, const char *kind,
                          const char *query, struct fs_buf *out, struct taxii_cached_page *meta);
/* Keeps a copy of body (len bytes) under the key. */
void taxii_page_cache_put(struct taxii_page_cache *c, int64_t coll, int64_t gen, const char *kind,
                          const char *query, const char *body, size_t len,
                          const struct taxii_cached_page *meta);

#endif
