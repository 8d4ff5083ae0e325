/* The indicator index at match time: lookups of tokens and field values, visibility and validity
 * checks, and describing an entry for an alert. Read-only, so any number of threads may share it.
 */
#include "detect/ioc_compound.h"
#include "detect/ioc_int.h"
#include "detect/ioc_norm.h"
#include "detect/tokenize.h"

#include "core/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[DETECT_IOC__COUNT] = {
    "ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "sha512", "email", "string"};

const char *detect_ioc_type_name(enum detect_ioc_type t)
{
  return (unsigned)t < DETECT_IOC__COUNT ? type_names[t] : "unknown";
}

int detect_ioc_type_parse(const char *s)
{
  for (int i = 0; i < DETECT_IOC__COUNT; i++)
    if (!strcmp(s, type_names[i]))
      return i;
  return -1;
}

void detect_ioc_index_free(struct detect_ioc_index *ix)
{
  if (!ix)
    return;
  free(ix->entries);
  free(ix->slots);
  free(ix->bloom);
  free(ix->blob);
  free(ix->src);
  free(ix->metas);
  free(ix->vis);
  free(ix->labels);
  free(ix->seg4);
  free(ix->map24);
  free(ix->seg6);
  free(ix->covers);
  for (size_t i = 0; i < ix->npatterns; i++)
    detect_ioc_pattern_unref(ix->patterns[i]);
  free(ix->patterns);
  free(ix);
}

void detect_ioc_index_free_cb(void *ix)
{
  detect_ioc_index_free(ix);
}

void detect_ioc_index_stats(const struct detect_ioc_index *ix, struct detect_ioc_stats *out)
{
  *out = ix->stats;
}

bool detect_ioc_has_windows(const struct detect_ioc_index *ix)
{
  return ix->windows;
}

bool detect_ioc_has_strings(const struct detect_ioc_index *ix)
{
  return ix->stats.by_type[DETECT_IOC_STRING] > 0;
}

bool detect_ioc_has_patterns(const struct detect_ioc_index *ix)
{
  return ix->npatterns > 0;
}

const struct detect_ioc_pattern *detect_ioc_index_pattern(const struct detect_ioc_index *ix,
                                                          uint32_t pattern)
{
  return pattern && pattern <= ix->npatterns ? ix->patterns[pattern - 1] : NULL;
}

/* ---- lookups ------------------------------------------------------------------------------ */

/* Lookups are batched: tokens are hashed and their Bloom blocks prefetched as they are found,
 * then resolved together, so that the cache misses of one token overlap those of the next. */
#define BATCH 64
#define KEYBUF 8192

struct cand {
  uint64_t h;
  const char *text;
  uint32_t tlen, tag;
  uint32_t key_off;
  uint16_t key_len;
  uint8_t type, plen;
  uint8_t ranges; /* 4 or 6: also look the address up in the ranges */
  uint32_t v4;
};

struct mctx {
  const struct detect_ioc_index *ix;
  const struct detect_ioc_query *q;
  detect_ioc_hit_fn fn;
  void *arg;
  uint32_t tag; /* of the text being tokenised */
  int rc;       /* a callback's stop */
  size_t n, keys_len;
  struct cand c[BATCH];
  unsigned char keys[KEYBUF];
};

static bool allowed(const struct detect_ioc_index *ix, const struct ioc_entry *e,
                    const struct detect_ioc_query *q)
{
  const struct ioc_meta *m = &ix->metas[e->meta];
  if (q->at_ms < m->from || q->at_ms >= m->until)
    return false;
  if (q->org == DETECT_ORG_UNRESTRICTED || !m->vis)
    return true;
  const uint32_t *v = ix->vis + m->vis;
  size_t lo = 0, hi = v[0];
  while (lo < hi) { /* sorted ids */
    size_t mid = (lo + hi) / 2;
    if (v[1 + mid] == q->org)
      return true;
    if (v[1 + mid] < q->org)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
}

static int report(const struct mctx *c, uint32_t e, const struct cand *k)
{
  const struct ioc_entry *en = &c->ix->entries[e];
  if (!allowed(c->ix, en, c->q))
    return 0;
  struct detect_ioc_hit hit = {.entry = e,
                               .type = en->type,
                               .text = k->text,
                               .len = k->tlen,
                               .tag = k->tag,
                               .pattern = c->ix->metas[en->meta].pattern};
  return c->fn(c->arg, &hit);
}

static int probe(const struct mctx *c, const struct cand *k)
{
  const struct detect_ioc_index *ix = c->ix;
  if (!ioc_bloom_test(ix, k->h))
    return 0;
  const unsigned char *key = c->keys + k->key_off;
  uint32_t tag = ioc_tag(k->h);
  for (size_t i = k->h & ix->slot_mask; ix->slots[i].tag; i = (i + 1) & ix->slot_mask) {
    if (ix->slots[i].tag != tag)
      continue;
    const struct ioc_entry *e = &ix->entries[ix->slots[i].entry];
    if (e->type != k->type || e->plen != k->plen || e->len != k->key_len ||
        memcmp(ioc_entry_key(ix, e), key, k->key_len))
      continue;
    for (uint32_t n = ix->slots[i].entry; n != IOC_NONE; n = ix->entries[n].next) {
      int rc = report(c, n, k);
      if (rc)
        return rc;
    }
    return 0;
  }
  return 0;
}

/* Reports the entries covering an elementary segment. */
static int report_covers(const struct mctx *c, uint32_t off, uint32_t n, const struct cand *k)
{
  for (uint32_t i = 0; i < n; i++) {
    int rc = report(c, c->ix->covers[off + i], k);
    if (rc)
      return rc;
  }
  return 0;
}

static int ranges4(const struct mctx *c, const struct cand *k)
{
  const struct detect_ioc_index *ix = c->ix;
  uint32_t a = k->v4;
  if (!ix->map24 || !(ix->map24[a >> 14] & (1ULL << ((a >> 8) & 63))))
    return 0;
  size_t lo = 0, hi = ix->nseg4; /* the last segment starting at or before a */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ix->seg4[mid].start <= a)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? report_covers(c, ix->seg4[lo - 1].cover, ix->seg4[lo - 1].ncover, k) : 0;
}

static int ranges6(const struct mctx *c, const struct cand *k)
{
  const struct detect_ioc_index *ix = c->ix;
  if (!ix->nseg6)
    return 0;
  __uint128_t v = 0;
  for (int i = 0; i < 16; i++)
    v = v << 8 | c->keys[k->key_off + i];
  size_t lo = 0, hi = ix->nseg6;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ix->seg6[mid].start <= v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? report_covers(c, ix->seg6[lo - 1].cover, ix->seg6[lo - 1].ncover, k) : 0;
}

static void flush(struct mctx *c)
{
  for (size_t i = 0; i < c->n && !c->rc; i++) {
    const struct cand *k = &c->c[i];
    c->rc = probe(c, k);
    if (!c->rc && k->ranges == 4)
      c->rc = ranges4(c, k);
    else if (!c->rc && k->ranges == 6)
      c->rc = ranges6(c, k);
  }
  c->n = 0;
  c->keys_len = 0;
}

/* Queues one key; its Bloom block (and /24 map word) are fetched while the text goes on. */
static void push(struct mctx *c, unsigned type, unsigned plen, const void *key, size_t len,
                 const char *text, size_t tlen, uint8_t ranges, uint32_t v4)
{
  if (c->n == BATCH || c->keys_len + len > KEYBUF)
    flush(c);
  if (len > KEYBUF)
    return;
  const struct detect_ioc_index *ix = c->ix;
  struct cand *k = &c->c[c->n++];
  memcpy(c->keys + c->keys_len, key, len);
  k->key_off = (uint32_t)c->keys_len;
  k->key_len = (uint16_t)len;
  c->keys_len += len;
  k->type = (uint8_t)type;
  k->plen = (uint8_t)plen;
  k->text = text;
  k->tlen = (uint32_t)tlen;
  k->tag = c->tag;
  k->ranges = ranges;
  k->v4 = v4;
  k->h = ioc_key_hash(ix, type, plen, key, len);
  __builtin_prefetch(ix->bloom + ioc_bloom_block(ix, k->h) * 8);
  if (ranges == 4 && ix->map24)
    __builtin_prefetch(&ix->map24[v4 >> 14]);
}

static void domain(struct mctx *c, const char *s, size_t n)
{
  char d[DETECT_DOMAIN_MAX + 1];
  if (!ioc_tld_test(c->ix->tld_domain, s, n))
    return;
  size_t len = detect_domain_normalize(s, n, false, d);
  if (!len)
    return;
  unsigned labels = 1;
  for (size_t k = 0; k < len; k++)
    labels += d[k] == '.';
  /* The name itself, then each parent on a label boundary: "a.b.example.com" is looked up as
   * a.b.example.com, b.example.com, example.com (and com, if a one-label indicator exists). */
  size_t off = 0;
  while (labels >= c->ix->dom_min_labels) {
    push(c, DETECT_IOC_DOMAIN, 0, d + off, len - off, s, n, 0, 0);
    const char *dot = memchr(d + off, '.', len - off);
    if (!dot)
      break;
    off = (size_t)(dot - d) + 1;
    labels--;
  }
}

static int on_token(void *arg, const struct detect_token *t)
{
  struct mctx *c = arg;
  switch (t->type) {
  case DETECT_TOK_IPV4:
    push(c, DETECT_IOC_IPV4, 32, &t->v4, 4, t->s, t->len, c->ix->nseg4 ? 4 : 0, t->v4);
    break;
  case DETECT_TOK_IPV6:
    push(c, DETECT_IOC_IPV6, 128, t->v6, 16, t->s, t->len, c->ix->nseg6 ? 6 : 0, 0);
    break;
  case DETECT_TOK_DOMAIN:
    domain(c, t->s, t->len);
    break;
  case DETECT_TOK_URL: {
    char u[DETECT_URL_MAX + 1];
    const char *host;
    size_t hl;
    if (!detect_url_host(t->s, t->len, &host, &hl) || !ioc_tld_test(c->ix->tld_url, host, hl))
      break;
    size_t len = t->len <= DETECT_URL_MAX ? detect_url_normalize(t->s, t->len, u) : 0;
    if (len)
      push(c, DETECT_IOC_URL, 0, u, len, t->s, t->len, 0, 0);
    break;
  }
  case DETECT_TOK_EMAIL: {
    char e[DETECT_EMAIL_MAX + 1];
    if (!ioc_tld_test(c->ix->tld_email, t->s, t->len))
      break;
    size_t len = detect_email_normalize(t->s, t->len, e);
    if (len)
      push(c, DETECT_IOC_EMAIL, 0, e, len, t->s, t->len, 0, 0);
    break;
  }
  case DETECT_TOK_HASH: {
    unsigned char bin[64];
    int type = detect_hash_type_for_hex(t->len);
    if (type >= 0 && !fs_hex_decode(t->s, t->len, bin, t->len / 2))
      push(c, (unsigned)type, 0, bin, t->len / 2, t->s, t->len, 0, 0);
    break;
  }
  }
  return c->rc;
}

int detect_ioc_match_texts(const struct detect_ioc_index *ix, const struct detect_ioc_text *texts,
                           size_t n, const struct detect_ioc_query *q, detect_ioc_hit_fn fn,
                           void *arg)
{
  if (!ix->tok_want)
    return 0;
  struct mctx ctx; /* about 11 KiB of stack: nothing is allocated per event */
  struct mctx *c = &ctx;
  c->ix = ix;
  c->q = q;
  c->fn = fn;
  c->arg = arg;
  c->rc = 0;
  c->n = c->keys_len = 0;
  for (size_t i = 0; i < n && !c->rc; i++) {
    c->tag = texts[i].tag;
    detect_tokenize(texts[i].s, texts[i].len, ix->tok_want, on_token, c);
  }
  if (!c->rc)
    flush(c);
  return c->rc;
}

int detect_ioc_match_text(const struct detect_ioc_index *ix, const char *s, size_t n,
                          const struct detect_ioc_query *q, detect_ioc_hit_fn fn, void *arg)
{
  struct detect_ioc_text t = {s, n, 0};
  return detect_ioc_match_texts(ix, &t, 1, q, fn, arg);
}

int detect_ioc_match_string(const struct detect_ioc_index *ix, const char *s, size_t n,
                            const struct detect_ioc_query *q, detect_ioc_hit_fn fn, void *arg)
{
  if (!ix->stats.by_type[DETECT_IOC_STRING] || !n || n > DETECT_URL_MAX)
    return 0;
  struct mctx ctx;
  struct mctx *c = &ctx;
  c->ix = ix;
  c->q = q;
  c->fn = fn;
  c->arg = arg;
  c->rc = 0;
  c->n = c->keys_len = 0;
  c->tag = 0;
  push(c, DETECT_IOC_STRING, 0, s, n, s, n, 0, 0);
  flush(c);
  return c->rc;
}

/* ---- describing --------------------------------------------------------------------------- */

void detect_ioc_describe(const struct detect_ioc_index *ix, uint32_t entry,
                         struct detect_ioc_info *out)
{
  const struct ioc_entry *e = &ix->entries[entry];
  const struct ioc_meta *m = &ix->metas[e->meta];
  out->type = e->type;
  out->valid_from = m->from;
  out->valid_until = m->until;
  out->label = m->label ? ix->labels + m->label : NULL;
  out->pattern = m->pattern ? detect_ioc_pattern_text(ix->patterns[m->pattern - 1]) : NULL;
  const unsigned char *key = ioc_entry_key(ix, e);
  switch (e->type) {
  case DETECT_IOC_IPV4:
  case DETECT_IOC_IPV6: {
    struct detect_ip ip = {.v6 = e->type == DETECT_IOC_IPV6, .plen = e->plen};
    if (ip.v6) {
      memcpy(ip.a, key, 16);
    } else {
      ip.a[0] = (uint8_t)(e->val >> 24);
      ip.a[1] = (uint8_t)(e->val >> 16);
      ip.a[2] = (uint8_t)(e->val >> 8);
      ip.a[3] = (uint8_t)e->val;
    }
    detect_ip_format(&ip, out->value, sizeof(out->value));
    break;
  }
  case DETECT_IOC_MD5:
  case DETECT_IOC_SHA1:
  case DETECT_IOC_SHA256:
  case DETECT_IOC_SHA512:
    fs_hex_encode(key, e->len, out->value);
    break;
  default: {
    size_t n = FS_MIN((size_t)e->len, sizeof(out->value) - 1);
    memcpy(out->value, key, n);
    out->value[n] = '\0';
  }
  }
  out->source_id[0] = '\0';
  if (e->source) {
    const unsigned char *s = ix->src + e->source;
    if (s[0] == 1) {
      char uuid[33];
      fs_hex_encode(s + 1, 16, uuid);
      snprintf(out->source_id, sizeof(out->source_id), "indicator--%.8s-%.4s-%.4s-%.4s-%.12s", uuid,
               uuid + 8, uuid + 12, uuid + 16, uuid + 20);
    } else {
      snprintf(out->source_id, sizeof(out->source_id), "%.*s", (int)s[1], (const char *)s + 2);
    }
  }
}

uint64_t detect_ioc_entry_hash(const struct detect_ioc_index *ix, uint32_t entry)
{
  const struct ioc_entry *e = &ix->entries[entry];
  uint64_t h = detect_hash(ioc_entry_key(ix, e), e->len, (uint64_t)(e->type << 8 | e->plen));
  if (e->source) {
    const unsigned char *s = ix->src + e->source;
    h = detect_hash(s, s[0] == 1 ? 17 : (size_t)s[1] + 2, h);
  }
  return h;
}
