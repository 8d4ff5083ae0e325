/* The indicator index builder: normalises and interns values, windows, tags and sources, then
 * lays out the hash table, the Bloom filter and the address-range segments. */
#include "detect/ioc_compound.h"
#include "detect/ioc_int.h"
#include "detect/ioc_norm.h"

#include "core/encode.h"
#include "core/uuid.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* A small open-addressing map from a 64-bit hash to a u32, equality decided by the caller. */
struct imap {
  uint64_t *h;
  uint32_t *v;
  size_t mask, n;
};

typedef bool (*imap_eq_fn)(const struct detect_ioc_builder *b, uint32_t v, const void *key);

struct detect_ioc_builder {
  struct detect_ioc_index *ix;
  uint64_t *hashes; /* per entry, for growing the table */
  struct imap meta_map, vis_map, label_map, pattern_map;
  uint32_t last_source;
  unsigned char last_src[260];
  size_t last_src_len;
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return true;
  size_t c = *cap ? *cap : 64;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * elem);
  if (!q)
    return false;
  *p = q;
  *cap = c;
  return true;
}

static bool imap_init(struct imap *m, size_t cap)
{
  m->h = calloc(cap, sizeof(*m->h));
  m->v = calloc(cap, sizeof(*m->v));
  m->mask = cap - 1;
  m->n = 0;
  return m->h && m->v;
}

static void imap_release(struct imap *m)
{
  free(m->h);
  free(m->v);
  m->h = NULL;
  m->v = NULL;
}

/* Finds key (hash h) or returns IOC_NONE; *slot is where it would go. */
static uint32_t imap_find(const struct detect_ioc_builder *b, const struct imap *m, uint64_t h,
                          imap_eq_fn eq, const void *key, size_t *slot)
{
  h |= 1;
  for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
    if (!m->h[i]) {
      *slot = i;
      return IOC_NONE;
    }
    if (m->h[i] == h && eq(b, m->v[i], key))
      return m->v[i];
  }
}

static bool imap_put(struct imap *m, size_t slot, uint64_t h, uint32_t v)
{
  m->h[slot] = h | 1;
  m->v[slot] = v;
  if (++m->n * 2 <= m->mask + 1)
    return true;
  struct imap bigger;
  if (!imap_init(&bigger, (m->mask + 1) * 2))
    return false;
  for (size_t i = 0; i <= m->mask; i++) {
    if (!m->h[i])
      continue;
    size_t k = m->h[i] & bigger.mask;
    while (bigger.h[k])
      k = (k + 1) & bigger.mask;
    bigger.h[k] = m->h[i];
    bigger.v[k] = m->v[i];
  }
  bigger.n = m->n;
  imap_release(m);
  *m = bigger;
  return true;
}

/* ---- keys --------------------------------------------------------------------------------- */

size_t ioc_make_key(enum detect_ioc_type type, const char *v, size_t n, unsigned char *out,
                    uint8_t *plen, const char **why)
{
  struct detect_ip ip;
  size_t len;
  *plen = 0;
  switch (type) {
  case DETECT_IOC_IPV4:
  case DETECT_IOC_IPV6:
    if (!detect_ip_parse(v, n, true, &ip) || ip.v6 != (type == DETECT_IOC_IPV6)) {
      *why =
          type == DETECT_IOC_IPV4 ? "not an IPv4 address or range" : "not an IPv6 address or range";
      return 0;
    }
    *plen = ip.plen;
    if (!ip.v6) {
      uint32_t a =
          (uint32_t)ip.a[0] << 24 | (uint32_t)ip.a[1] << 16 | (uint32_t)ip.a[2] << 8 | ip.a[3];
      memcpy(out, &a, 4);
      return 4;
    }
    memcpy(out, ip.a, 16);
    return 16;
  case DETECT_IOC_DOMAIN:
    if (!(len = detect_domain_normalize(v, n, false, (char *)out)))
      *why = "not a domain name";
    return len;
  case DETECT_IOC_URL:
    if (!(len = detect_url_normalize(v, n, (char *)out)))
      *why = "not a URL (scheme://host/...)";
    return len;
  case DETECT_IOC_EMAIL:
    if (!(len = detect_email_normalize(v, n, (char *)out)))
      *why = "not an e-mail address";
    return len;
  case DETECT_IOC_MD5:
  case DETECT_IOC_SHA1:
  case DETECT_IOC_SHA256:
  case DETECT_IOC_SHA512:
    if (detect_hash_type_for_hex(n) != (int)type || fs_hex_decode(v, n, out, n / 2)) {
      *why = "not a hex digest of the right length";
      return 0;
    }
    return n / 2;
  case DETECT_IOC_STRING:
    if (!n || n > DETECT_URL_MAX) {
      *why = "empty or longer than 2048 bytes";
      return 0;
    }
    memcpy(out, v, n);
    return n;
  default:
    *why = "unknown indicator type";
    return 0;
  }
}

/* ---- interning ---------------------------------------------------------------------------- */

static bool meta_eq(const struct detect_ioc_builder *b, uint32_t v, const void *key)
{
  return !memcmp(&b->ix->metas[v], key, sizeof(struct ioc_meta));
}

static bool vis_eq(const struct detect_ioc_builder *b, uint32_t v, const void *key)
{
  const uint32_t *k = key; /* count, then ids */
  const uint32_t *have = b->ix->vis + v;
  return have[0] == k[0] && !memcmp(have + 1, k + 1, k[0] * sizeof(uint32_t));
}

static bool label_eq(const struct detect_ioc_builder *b, uint32_t v, const void *key)
{
  return !strcmp(b->ix->labels + v, key);
}

static bool pattern_eq(const struct detect_ioc_builder *b, uint32_t v, const void *key)
{
  return b->ix->patterns[v] == key;
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

#define MAX_VIS_ORGS 4096

static int intern_vis(struct detect_ioc_builder *b, const struct detect_visibility *vis,
                      uint32_t *out, struct fs_err *err)
{
  if (!vis || vis->all) {
    *out = 0;
    return FS_OK;
  }
  if (vis->n > MAX_VIS_ORGS)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "visibility", "more than %d organisations",
                      MAX_VIS_ORGS);
  uint32_t key[1 + MAX_VIS_ORGS];
  key[0] = (uint32_t)vis->n;
  memcpy(key + 1, vis->orgs, vis->n * sizeof(uint32_t));
  qsort(key + 1, vis->n, sizeof(uint32_t), cmp_u32);
  size_t n = 0; /* drop repeats */
  for (size_t i = 0; i < vis->n; i++)
    if (!n || key[1 + i] != key[n])
      key[1 + n++] = key[1 + i];
  key[0] = (uint32_t)n;
  struct detect_ioc_index *ix = b->ix;
  uint64_t h = detect_hash(key, (1 + n) * sizeof(uint32_t), 7);
  size_t slot = 0;
  uint32_t v = imap_find(b, &b->vis_map, h, vis_eq, key, &slot);
  if (v != IOC_NONE) {
    *out = v;
    return FS_OK;
  }
  if (!grow((void **)&ix->vis, &ix->vis_cap, ix->vis_len + 1 + n, sizeof(uint32_t)))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  if (ix->vis_len == 0)
    ix->vis[ix->vis_len++] = 0; /* offset 0 means "all" */
  v = (uint32_t)ix->vis_len;
  memcpy(ix->vis + v, key, (1 + n) * sizeof(uint32_t));
  ix->vis_len += 1 + n;
  if (!imap_put(&b->vis_map, slot, h, v))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  *out = v;
  return FS_OK;
}

static int intern_label(struct detect_ioc_builder *b, const char *label, uint32_t *out,
                        struct fs_err *err)
{
  if (!label || !*label) {
    *out = 0;
    return FS_OK;
  }
  struct detect_ioc_index *ix = b->ix;
  size_t n = strlen(label);
  if (n > 255)
    return fs_err_set(err, FS_ERR_INVALID, "label", "label longer than 255 bytes");
  uint64_t h = detect_hash(label, n, 11);
  size_t slot = 0;
  uint32_t v = imap_find(b, &b->label_map, h, label_eq, label, &slot);
  if (v != IOC_NONE) {
    *out = v;
    return FS_OK;
  }
  if (!grow((void **)&ix->labels, &ix->labels_cap, ix->labels_len + n + 2, 1))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  if (ix->labels_len == 0)
    ix->labels[ix->labels_len++] = '\0';
  v = (uint32_t)ix->labels_len;
  memcpy(ix->labels + v, label, n + 1);
  ix->labels_len += n + 1;
  if (!imap_put(&b->label_map, slot, h, v))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  *out = v;
  return FS_OK;
}

/* A compound pattern: 1 + its index in ix->patterns, which holds one reference to it. */
static int intern_pattern(struct detect_ioc_builder *b, struct detect_ioc_pattern *pat,
                          uint32_t *out, struct fs_err *err)
{
  struct detect_ioc_index *ix = b->ix;
  uint64_t h = detect_hash(&pat, sizeof(pat), 13);
  size_t slot = 0;
  uint32_t v = imap_find(b, &b->pattern_map, h, pattern_eq, pat, &slot);
  if (v != IOC_NONE) {
    *out = v + 1;
    return FS_OK;
  }
  if (ix->npatterns >= UINT32_MAX - 1 ||
      !grow((void **)&ix->patterns, &ix->patterns_cap, ix->npatterns + 1, sizeof(*ix->patterns)))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  v = (uint32_t)ix->npatterns;
  if (!imap_put(&b->pattern_map, slot, h, v))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  detect_ioc_pattern_ref(pat);
  ix->patterns[ix->npatterns++] = pat;
  *out = v + 1;
  return FS_OK;
}

static int intern_meta(struct detect_ioc_builder *b, const struct detect_ioc_spec *s, uint32_t *out,
                       struct fs_err *err)
{
  struct ioc_meta m;
  memset(&m, 0, sizeof(m)); /* padding takes part in the comparison */
  m.from = s->valid_from;
  m.until = s->valid_until;
  int rc = intern_vis(b, s->vis, &m.vis, err);
  if (!rc && s->type == DETECT_IOC_STRING)
    rc = intern_label(b, s->label, &m.label, err);
  if (!rc && s->pattern)
    rc = intern_pattern(b, s->pattern, &m.pattern, err);
  if (rc)
    return rc;
  struct detect_ioc_index *ix = b->ix;
  uint64_t h = detect_hash(&m, sizeof(m), 3);
  size_t slot = 0;
  uint32_t v = imap_find(b, &b->meta_map, h, meta_eq, &m, &slot);
  if (v != IOC_NONE) {
    *out = v;
    return FS_OK;
  }
  if (!grow((void **)&ix->metas, &ix->metas_cap, ix->nmetas + 1, sizeof(m)))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  v = (uint32_t)ix->nmetas++;
  ix->metas[v] = m;
  if (!imap_put(&b->meta_map, slot, h, v))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  *out = v;
  return FS_OK;
}

/* Encodes a source id; "indicator--<uuid>" takes 17 bytes. */
static size_t encode_source(const char *id, unsigned char *out)
{
  size_t n = strlen(id);
  if (n == 11 + 36 && !memcmp(id, "indicator--", 11)) {
    uint8_t u[16];
    bool lower = true; /* only a lower-case UUID comes back out the same */
    for (size_t k = 11; k < n; k++)
      lower &= !(id[k] >= 'A' && id[k] <= 'F');
    if (lower && fs_uuid_parse(id + 11, 36, u) == FS_OK) {
      out[0] = 1;
      memcpy(out + 1, u, 16);
      return 17;
    }
  }
  if (n > 255)
    n = 255;
  out[0] = 0;
  out[1] = (unsigned char)n;
  memcpy(out + 2, id, n);
  return n + 2;
}

static int intern_source(struct detect_ioc_builder *b, const char *id, uint32_t *out,
                         struct fs_err *err)
{
  if (!id || !*id) {
    *out = 0;
    return FS_OK;
  }
  unsigned char enc[260];
  size_t n = encode_source(id, enc);
  if (b->last_source && n == b->last_src_len && !memcmp(enc, b->last_src, n)) {
    *out = b->last_source;
    return FS_OK;
  }
  struct detect_ioc_index *ix = b->ix;
  if (ix->src_len + n > UINT32_MAX)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "", "indicator sources exceed 4 GiB");
  if (!grow((void **)&ix->src, &ix->src_cap, ix->src_len + n, 1))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  *out = (uint32_t)ix->src_len;
  memcpy(ix->src + ix->src_len, enc, n);
  ix->src_len += n;
  b->last_source = *out;
  memcpy(b->last_src, enc, n);
  b->last_src_len = n;
  return FS_OK;
}

/* ---- the builder -------------------------------------------------------------------------- */

struct detect_ioc_builder *detect_ioc_builder_new(void)
{
  struct detect_ioc_builder *b = calloc(1, sizeof(*b));
  if (!b || !(b->ix = calloc(1, sizeof(*b->ix))))
    goto fail;
  struct detect_ioc_index *ix = b->ix;
  if (getrandom(&ix->seed, sizeof(ix->seed), 0) != sizeof(ix->seed))
    ix->seed = 0x2545F4914F6CDD1DULL ^ (uint64_t)(uintptr_t)b;
  ix->slot_mask = 1023;
  ix->slots = calloc(ix->slot_mask + 1, sizeof(*ix->slots));
  ix->src = malloc(1);
  ix->src_cap = ix->src_len = 1; /* offset 0 means "no source" */
  if (!ix->slots || !ix->src || !imap_init(&b->meta_map, 64) || !imap_init(&b->vis_map, 64) ||
      !imap_init(&b->label_map, 64) || !imap_init(&b->pattern_map, 64))
    goto fail;
  ix->src[0] = 0;
  return b;
fail:
  detect_ioc_builder_free(b);
  return NULL;
}

void detect_ioc_builder_free(struct detect_ioc_builder *b)
{
  if (!b)
    return;
  detect_ioc_index_free(b->ix);
  free(b->hashes);
  imap_release(&b->meta_map);
  imap_release(&b->vis_map);
  imap_release(&b->label_map);
  imap_release(&b->pattern_map);
  free(b);
}

void detect_ioc_builder_skip_compound(struct detect_ioc_builder *b)
{
  b->ix->stats.compound_skipped++;
}

static bool same_key(const struct detect_ioc_index *ix, const struct ioc_entry *e, unsigned type,
                     unsigned plen, const void *key, size_t len)
{
  return e->type == type && e->plen == plen && e->len == len &&
         !memcmp(ioc_entry_key(ix, e), key, len);
}

static bool grow_slots(struct detect_ioc_builder *b)
{
  struct detect_ioc_index *ix = b->ix;
  size_t cap = (ix->slot_mask + 1) * 2;
  struct ioc_slot *s = calloc(cap, sizeof(*s));
  if (!s)
    return false;
  for (size_t i = 0; i <= ix->slot_mask; i++) {
    if (!ix->slots[i].tag)
      continue;
    uint64_t h = b->hashes[ix->slots[i].entry];
    size_t k = h & (cap - 1);
    while (s[k].tag)
      k = (k + 1) & (cap - 1);
    s[k] = ix->slots[i];
  }
  free(ix->slots);
  ix->slots = s;
  ix->slot_mask = cap - 1;
  return true;
}

/* Adds a normalised key with its meta and source. */
static int add_key(struct detect_ioc_builder *b, unsigned type, unsigned plen,
                   const unsigned char *key, size_t len, uint32_t meta, uint32_t source,
                   struct fs_err *err)
{
  struct detect_ioc_index *ix = b->ix;
  uint64_t h = ioc_key_hash(ix, type, plen, key, len);
  uint32_t tag = ioc_tag(h);
  size_t i = h & ix->slot_mask;
  for (; ix->slots[i].tag; i = (i + 1) & ix->slot_mask) {
    if (ix->slots[i].tag != tag ||
        !same_key(ix, &ix->entries[ix->slots[i].entry], type, plen, key, len))
      continue;
    for (uint32_t e = ix->slots[i].entry; e != IOC_NONE; e = ix->entries[e].next)
      if (ix->entries[e].meta == meta && ix->entries[e].source == source) {
        ix->stats.duplicates++;
        return FS_OK;
      }
    break;
  }
  if (ix->nentries >= IOC_NONE - 1)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "", "too many indicators");
  size_t cap = ix->entries_cap;
  if (!grow((void **)&ix->entries, &ix->entries_cap, ix->nentries + 1, sizeof(struct ioc_entry)))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  if (ix->entries_cap != cap) {
    uint64_t *hs = realloc(b->hashes, ix->entries_cap * sizeof(*hs));
    if (!hs)
      return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
    b->hashes = hs;
  }
  uint32_t idx = (uint32_t)ix->nentries;
  struct ioc_entry *e = &ix->entries[idx];
  e->type = (uint8_t)type;
  e->plen = (uint8_t)plen;
  e->len = (uint16_t)len;
  e->meta = meta;
  e->source = source;
  if (ix->slots[i].tag) { /* same key, another window, tag or source: chain it */
    e->val = ix->entries[ix->slots[i].entry].val;
    e->next = ix->slots[i].entry;
    ix->slots[i].entry = idx;
  } else {
    if (type == DETECT_IOC_IPV4) {
      memcpy(&e->val, key, 4);
    } else {
      if (ix->blob_len + len > UINT32_MAX)
        return fs_err_set(err, FS_ERR_TOO_LARGE, "", "indicator values exceed 4 GiB");
      if (!grow((void **)&ix->blob, &ix->blob_cap, ix->blob_len + len, 1))
        return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
      memcpy(ix->blob + ix->blob_len, key, len);
      e->val = (uint32_t)ix->blob_len;
      ix->blob_len += len;
    }
    e->next = IOC_NONE;
    ix->slots[i].tag = tag;
    ix->slots[i].entry = idx;
  }
  b->hashes[idx] = h;
  ix->nentries++;
  ix->stats.entries++;
  ix->stats.by_type[type]++;
  if (plen && plen < (type == DETECT_IOC_IPV4 ? 32u : 128u))
    ix->stats.cidrs++;
  if (ix->nentries * 10 > (ix->slot_mask + 1) * 7 && !grow_slots(b))
    return fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
  return FS_OK;
}

int detect_ioc_builder_add(struct detect_ioc_builder *b, const struct detect_ioc_spec *spec,
                           struct fs_err *err)
{
  unsigned char key[DETECT_URL_MAX + 64];
  uint8_t plen;
  const char *why = "invalid";
  if ((unsigned)spec->type >= DETECT_IOC__COUNT)
    return fs_err_set(err, FS_ERR_INVALID, "type", "unknown indicator type");
  size_t len = ioc_make_key(spec->type, spec->value, spec->value_len, key, &plen, &why);
  if (!len)
    return fs_err_set(err, FS_ERR_INVALID, detect_ioc_type_name(spec->type), "\"%.*s\": %s",
                      (int)FS_MIN(spec->value_len, 200), spec->value, why);
  if (spec->valid_until <= spec->valid_from)
    return fs_err_set(err, FS_ERR_INVALID, "valid_until", "valid_until is not after valid_from");
  if (spec->revoked) {
    b->ix->stats.revoked++;
    return FS_OK;
  }
  uint32_t meta, source;
  int rc = intern_meta(b, spec, &meta, err);
  if (!rc)
    rc = intern_source(b, spec->source_id, &source, err);
  if (!rc)
    rc = add_key(b, spec->type, plen, key, len, meta, source, err);
  return rc;
}

int detect_ioc_builder_add_index(struct detect_ioc_builder *b, const struct detect_ioc_index *from,
                                 detect_ioc_keep_fn keep, void *arg, struct fs_err *err)
{
  for (size_t i = 0; i < from->nentries; i++) {
    const struct ioc_entry *e = &from->entries[i];
    struct detect_ioc_info info;
    detect_ioc_describe(from, (uint32_t)i, &info);
    if (keep && !keep(arg, info.source_id[0] ? info.source_id : NULL, e->type))
      continue;
    const struct ioc_meta *m = &from->metas[e->meta];
    struct detect_visibility vis = {.all = m->vis == 0};
    if (m->vis) {
      vis.n = from->vis[m->vis];
      vis.orgs = from->vis + m->vis + 1;
    }
    struct detect_ioc_spec spec = {.type = e->type,
                                   .valid_from = m->from,
                                   .valid_until = m->until,
                                   .vis = &vis,
                                   .label = m->label ? from->labels + m->label : NULL,
                                   .source_id = info.source_id[0] ? info.source_id : NULL,
                                   .pattern = m->pattern ? from->patterns[m->pattern - 1] : NULL};
    uint32_t meta, source;
    int rc = intern_meta(b, &spec, &meta, err);
    if (!rc)
      rc = intern_source(b, spec.source_id, &source, err);
    if (!rc)
      rc = add_key(b, e->type, e->plen, ioc_entry_key(from, e), e->len, meta, source, err);
    if (rc)
      return rc;
  }
  return FS_OK;
}

/* ---- finishing ---------------------------------------------------------------------------- */

struct rng {
  __uint128_t lo, hi;
  uint32_t entry;
};

static int cmp_rng(const void *a, const void *b)
{
  const struct rng *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int cmp_u128(const void *a, const void *b)
{
  __uint128_t x = *(const __uint128_t *)a, y = *(const __uint128_t *)b;
  return x < y ? -1 : x > y;
}

static __uint128_t v6_value(const unsigned char *a)
{
  __uint128_t v = 0;
  for (int k = 0; k < 16; k++)
    v = v << 8 | a[k];
  return v;
}

/* Cuts the ranges of one family into elementary segments, each with the entries covering it. */
static bool build_segments(struct detect_ioc_index *ix, bool v6)
{
  size_t n = 0;
  for (size_t i = 0; i < ix->nentries; i++) {
    const struct ioc_entry *e = &ix->entries[i];
    n += e->type == (v6 ? DETECT_IOC_IPV6 : DETECT_IOC_IPV4) && e->plen < (v6 ? 128 : 32);
  }
  if (!n)
    return true;
  const __uint128_t max = v6 ? ~(__uint128_t)0 : (__uint128_t)UINT32_MAX;
  struct rng *r = malloc(n * sizeof(*r));
  __uint128_t *pts = malloc(2 * n * sizeof(*pts));
  uint32_t *active = malloc(n * sizeof(*active));
  bool ok = false;
  if (!r || !pts || !active)
    goto out;
  size_t k = 0, np = 0;
  for (size_t i = 0; i < ix->nentries; i++) {
    const struct ioc_entry *e = &ix->entries[i];
    if (e->type != (v6 ? DETECT_IOC_IPV6 : DETECT_IOC_IPV4) || e->plen >= (v6 ? 128 : 32))
      continue;
    unsigned bits = v6 ? 128 : 32;
    __uint128_t lo = v6 ? v6_value(ix->blob + e->val) : (__uint128_t)e->val;
    __uint128_t span = e->plen == 0 ? max : (((__uint128_t)1 << (bits - e->plen)) - 1);
    r[k] = (struct rng){lo, lo + span, (uint32_t)i};
    pts[np++] = lo;
    if (lo + span != max)
      pts[np++] = lo + span + 1;
    k++;
  }
  qsort(r, n, sizeof(*r), cmp_rng);
  qsort(pts, np, sizeof(*pts), cmp_u128);
  size_t u = 0;
  for (size_t i = 0; i < np; i++)
    if (!u || pts[i] != pts[u - 1])
      pts[u++] = pts[i];
  np = u;
  void *segs = calloc(np, v6 ? sizeof(struct ioc_seg6) : sizeof(struct ioc_seg4));
  if (!segs)
    goto out;
  if (v6)
    ix->seg6 = segs, ix->nseg6 = np;
  else
    ix->seg4 = segs, ix->nseg4 = np;
  size_t na = 0, next = 0, covers_cap = ix->ncovers;
  for (size_t p = 0; p < np; p++) {
    size_t w = 0;
    for (size_t a = 0; a < na; a++)
      if (r[active[a]].hi >= pts[p])
        active[w++] = active[a];
    na = w;
    while (next < n && r[next].lo == pts[p])
      active[na++] = (uint32_t)next++;
    if (!grow((void **)&ix->covers, &covers_cap, ix->ncovers + na, sizeof(uint32_t)))
      goto out;
    uint32_t off = (uint32_t)ix->ncovers;
    for (size_t a = 0; a < na; a++)
      ix->covers[ix->ncovers++] = r[active[a]].entry;
    if (v6)
      ix->seg6[p] = (struct ioc_seg6){pts[p], off, (uint32_t)na};
    else
      ix->seg4[p] = (struct ioc_seg4){(uint32_t)pts[p], off, (uint32_t)na};
  }
  if (!v6) { /* the /24 prefilter */
    ix->map24 = calloc((1u << 24) / 64, sizeof(uint64_t));
    if (!ix->map24)
      goto out;
    for (size_t i = 0; i < n; i++)
      for (uint32_t b = (uint32_t)(r[i].lo >> 8); b <= (uint32_t)(r[i].hi >> 8); b++) {
        ix->map24[b >> 6] |= 1ULL << (b & 63);
      }
  }
  ok = true;
out:
  free(r);
  free(pts);
  free(active);
  return ok;
}

static void *shrink(void *p, size_t n)
{
  void *q = n ? realloc(p, n) : NULL;
  if (!n) {
    free(p);
    return NULL;
  }
  return q ? q : p;
}

struct detect_ioc_index *detect_ioc_builder_finish(struct detect_ioc_builder *b)
{
  struct detect_ioc_index *ix = b->ix;
  /* Bloom filter over single values: about 12 bits per key, a power of two of 512-bit blocks. */
  size_t blocks = 1;
  while (blocks * 512 < ix->nentries * 12)
    blocks *= 2;
  ix->bloom = calloc(blocks * 8, sizeof(uint64_t));
  ix->bloom_mask = blocks - 1;
  if (!ix->bloom)
    goto fail;
  ix->dom_min_labels = 128;
  for (size_t i = 0; i < ix->nentries; i++) {
    const struct ioc_entry *e = &ix->entries[i];
    static const unsigned tok[DETECT_IOC__COUNT] = {
        [DETECT_IOC_IPV4] = 1u << 0, [DETECT_IOC_IPV6] = 1u << 1,   [DETECT_IOC_DOMAIN] = 1u << 2,
        [DETECT_IOC_URL] = 1u << 3,  [DETECT_IOC_EMAIL] = 1u << 4,  [DETECT_IOC_MD5] = 1u << 5,
        [DETECT_IOC_SHA1] = 1u << 5, [DETECT_IOC_SHA256] = 1u << 5, [DETECT_IOC_SHA512] = 1u << 5};
    ix->tok_want |= tok[e->type];
    if (ix->metas[e->meta].from != DETECT_TIME_NONE_FROM ||
        ix->metas[e->meta].until != DETECT_TIME_NONE_UNTIL)
      ix->windows = true;
    if (e->type == DETECT_IOC_DOMAIN)
      ioc_tld_set(ix->tld_domain, (const char *)ix->blob + e->val, e->len);
    if (e->type == DETECT_IOC_EMAIL)
      ioc_tld_set(ix->tld_email, (const char *)ix->blob + e->val, e->len);
    if (e->type == DETECT_IOC_URL) {
      const char *host;
      size_t hl;
      if (detect_url_host((const char *)ix->blob + e->val, e->len, &host, &hl))
        ioc_tld_set(ix->tld_url, host, hl);
    }
    if (e->type == DETECT_IOC_DOMAIN) {
      unsigned labels = 1;
      for (size_t k = 0; k < e->len; k++)
        labels += ix->blob[e->val + k] == '.';
      ix->dom_min_labels = FS_MIN(ix->dom_min_labels, labels);
    }
    if ((e->type == DETECT_IOC_IPV4 && e->plen < 32) ||
        (e->type == DETECT_IOC_IPV6 && e->plen < 128))
      continue;
    uint64_t h = b->hashes[i];
    uint64_t *blk = ix->bloom + ioc_bloom_block(ix, h) * 8;
    for (int k = 0; k < 4; k++) {
      unsigned bit = (unsigned)(h >> (28 + 9 * k)) & 511;
      blk[bit >> 6] |= 1ULL << (bit & 63);
    }
  }
  if (!build_segments(ix, false) || !build_segments(ix, true))
    goto fail;
  ix->entries = shrink(ix->entries, ix->nentries * sizeof(*ix->entries));
  ix->entries_cap = ix->nentries;
  ix->blob = shrink(ix->blob, ix->blob_len);
  ix->blob_cap = ix->blob_len;
  ix->src = shrink(ix->src, ix->src_len);
  ix->src_cap = ix->src_len;
  ix->metas = shrink(ix->metas, ix->nmetas * sizeof(*ix->metas));
  ix->metas_cap = ix->nmetas;
  ix->covers = shrink(ix->covers, ix->ncovers * sizeof(*ix->covers));
  ix->stats.compound_evaluated = ix->npatterns;
  size_t pattern_bytes = ix->patterns_cap * sizeof(*ix->patterns);
  for (size_t i = 0; i < ix->npatterns; i++)
    pattern_bytes += detect_ioc_pattern_memory(ix->patterns[i]);
  ix->stats.memory_bytes =
      pattern_bytes + sizeof(*ix) + ix->nentries * sizeof(struct ioc_entry) +
      (ix->slot_mask + 1) * sizeof(struct ioc_slot) + blocks * 64 + ix->blob_len + ix->src_len +
      ix->nmetas * sizeof(struct ioc_meta) + ix->vis_cap * sizeof(uint32_t) + ix->labels_cap +
      ix->nseg4 * sizeof(struct ioc_seg4) + ix->nseg6 * sizeof(struct ioc_seg6) +
      ix->ncovers * sizeof(uint32_t) + (ix->map24 ? (1u << 24) / 8 : 0);
  b->ix = NULL;
  detect_ioc_builder_free(b);
  return ix;
fail:
  detect_ioc_builder_free(b);
  return NULL;
}
