/* Exports for members' defences: the simple indicators of the latest indicator versions an actor
 * may see, read as two sequential scans (the entries of the collections it may read, then
 * intel_ioc in seq order), each row passing intel_row_visible and intel_export_eligible, each
 * value written once by the format's writer (export_format.c). intel_ioc is this module's
 * derived table, brought up to date from intel_object before an export reads it. */
#include "intel/export_int.h"

#include "core/arena.h"
#include "core/mem.h"
#include "core/vec.h"
#include "stix/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOC_BATCH 2000
#define IOC_MAX_VALUES 1000 /* simple indicators of one pattern */

bool intel_export_eligible(const struct intel_export_item *it, int64_t now_ms)
{
  /* The score threshold is the withheld flag (intel/feed.h), which the one policy decides on
   * with the other visibility columns (intel_row_visible): the hub's roles still export them. */
  return !it->revoked && (!it->valid_until_ms || it->valid_until_ms > now_ms);
}

/* ---- the derived table -------------------------------------------------------------------- */

struct ioc_source {
  int64_t seq, valid_until;
  bool revoked, withheld;
  char *id, *tlp, *porg, *puser, *rorgs, *rusers, *body;
};

static void source_free(struct ioc_source *v)
{
  free(v->id);
  free(v->tlp);
  free(v->porg);
  free(v->puser);
  free(v->rorgs);
  free(v->rusers);
  free(v->body);
}

static char *dup_col(struct store_stmt *s, int i)
{
  return store_col_null(s, i) ? NULL : strdup(store_col_text(s, i));
}

/* The pattern of an indicator body, when it is a STIX pattern: its simple indicators, as rows
 * whose values are copied into the batch's arena (they are inserted when the batch ends). */
static int extract(const struct ioc_source *v, struct intel_rows *w, struct fs_arena *arena,
                   struct fs_err *err)
{
  json_t *obj = json_loads(v->body, 0, NULL);
  const char *pattern = json_string_value(json_object_get(obj, "pattern"));
  const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
  int rc = FS_OK;
  if (pattern && (!ptype || !strcmp(ptype, "stix"))) {
    struct stix_pattern p;
    struct stix_pattern_simple simple;
    struct fs_err perr;
    if (!stix_pattern_parse(&p, pattern, strlen(pattern), NULL, &perr)) {
      if (!stix_pattern_extract(&p, IOC_MAX_VALUES, &simple, &perr) && !simple.compound) {
        for (size_t i = 0; !rc && i < simple.n; i++) {
          const struct stix_pattern_indicator *it = &simple.items[i];
          if (it->kind == STIX_OBS_OTHER || it->kind == STIX_OBS_SHA512)
            continue;
          char *value = fs_arena_strndup(arena, it->value, it->len);
          if (!value) {
            rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
            break;
          }
          struct intel_rows_val *r = intel_rows_add(w, &rc, err);
          if (!r)
            break;
          r[0].i = v->seq;
          r[1].i = it->kind;
          r[2].s = value;
          r[3].s = v->id;
          r[4].s = v->tlp;
          r[5].s = v->porg;
          r[6].s = v->puser;
          r[7].s = v->rorgs ? v->rorgs : "";
          r[8].s = v->rusers ? v->rusers : "";
          r[9].i = v->valid_until;
          r[10].i = v->revoked;
          r[11].i = v->withheld;
        }
      }
      stix_pattern_release(&p);
    }
  }
  json_decref(obj);
  return rc;
}

static int ioc_batch(struct store_conn *c, int64_t after, int64_t *last, size_t *n,
                     struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT seq, id, tlp, producer_org, producer_user, recipient_orgs,"
                       " recipient_users, revoked, COALESCE(valid_until, 0), body, withheld"
                       " FROM intel_object"
                       " WHERE seq > ? AND type = 'indicator' ORDER BY seq LIMIT ?",
                       "ii", after, (int64_t)IOC_BATCH);
  if (rc)
    return rc;
  struct ioc_source *v = NULL;
  size_t cap = 0;
  bool row;
  *n = 0;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(v, *n, cap, 64)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
      break;
    }
    struct ioc_source *x = &v[(*n)++];
    x->seq = store_col_int(s, 0);
    x->id = dup_col(s, 1);
    x->tlp = dup_col(s, 2);
    x->porg = dup_col(s, 3);
    x->puser = dup_col(s, 4);
    x->rorgs = dup_col(s, 5);
    x->rusers = dup_col(s, 6);
    x->revoked = store_col_int(s, 7) != 0;
    x->valid_until = store_col_int(s, 8);
    x->body = dup_col(s, 9);
    x->withheld = store_col_int(s, 10) != 0;
  }
  store_done(s);
  struct intel_rows w;
  bool init = false;
  if (!rc && *n) {
    rc = intel_rows_init(&w, c,
                         "INSERT INTO intel_ioc (seq, kind, value, id, tlp, producer_org,"
                         " producer_user, recipient_orgs, recipient_users, valid_until, revoked,"
                         " withheld) VALUES ",
                         "(?,?,?,?,?,?,?,?,?,?,?,?)", " ON CONFLICT DO NOTHING", "iisssssssiii",
                         err);
    init = !rc;
  }
  struct fs_arena arena;
  fs_arena_init(&arena, 64 * 1024, 0);
  for (size_t i = 0; !rc && i < *n; i++)
    if (v[i].body && v[i].id && v[i].tlp)
      rc = extract(&v[i], &w, &arena, err);
  if (init && !rc)
    rc = intel_rows_flush(&w, err); /* before the sources and values they borrow go */
  if (init)
    intel_rows_release(&w);
  fs_arena_release(&arena);
  if (*n)
    *last = v[*n - 1].seq;
  for (size_t i = 0; i < *n; i++)
    source_free(&v[i]);
  free(v);
  return rc;
}

int intel_ioc_update(struct store_conn *c, size_t *added, struct fs_err *err)
{
  if (added)
    *added = 0;
  for (;;) {
    int64_t pos = 0, top = 0;
    bool found;
    int rc =
        store_query_int(c, &pos, &found, err,
                        "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = 'ioc_seq'", "");
    if (!rc)
      rc =
          store_query_int(c, &top, NULL, err, "SELECT COALESCE(MAX(seq), 0) FROM intel_object", "");
    if (rc || top <= pos)
      return rc;
    bool owned;
    if ((rc = store_tx_enter(c, &owned, err)))
      return rc;
    /* Read again inside the write transaction: another writer may have moved it. */
    pos = 0;
    rc = store_query_int(c, &pos, &found, err,
                         "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = 'ioc_seq'", "");
    int64_t last = pos;
    size_t n = 0;
    if (!rc)
      rc = ioc_batch(c, pos, &last, &n, err);
    if (!rc && !n)
      last = top; /* no indicator after pos: the rest are other types */
    if (!rc) {
      char v[24];
      snprintf(v, sizeof(v), "%lld", (long long)last);
      rc = store_exec(c, NULL, err,
                      "INSERT INTO intel_meta (key, value) VALUES ('ioc_seq', ?) ON CONFLICT (key)"
                      " DO UPDATE SET value = excluded.value",
                      "s", v);
    }
    rc = store_tx_leave(c, owned, rc, err);
    if (rc)
      return rc;
    if (added)
      *added += n;
    if (!owned)
      return FS_OK; /* inside the caller's transaction: one batch */
  }
}

/* ---- reading an export -------------------------------------------------------------------- */

/* An entry of a readable collection: seq and the collection's index. */
struct entry_ref {
  int64_t seq;
  size_t col;
};

static int cmp_entry(const void *a, const void *b)
{
  const struct entry_ref *x = a, *y = b;
  if (x->seq != y->seq)
    return x->seq < y->seq ? -1 : 1;
  return x->col < y->col ? -1 : x->col > y->col;
}

static int read_entries(struct store_conn *c, const struct intel_collection *cols, size_t ncols,
                        struct entry_ref **out, size_t *n, struct fs_err *err)
{
  size_t cap = 0;
  bool sorted = true;
  int rc = FS_OK;
  for (size_t k = 0; !rc && k < ncols; k++) {
    struct store_stmt *s;
    rc = store_query(c, &s, err, "SELECT seq FROM intel_entry WHERE coll = ? AND is_latest = 1",
                     "i", cols[k].num);
    if (rc)
      break;
    bool row;
    while (!(rc = store_step(s, &row, err)) && row) {
      if (FS_VEC_GROW(*out, *n, cap, 1024)) {
        rc = fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
        break;
      }
      struct entry_ref e = {store_col_int(s, 0), k};
      if (*n && cmp_entry(&(*out)[*n - 1], &e) > 0)
        sorted = false;
      (*out)[(*n)++] = e;
    }
    store_done(s);
  }
  if (!rc && !sorted)
    qsort(*out, *n, sizeof(**out), cmp_entry);
  return rc;
}

/* A set of (kind, value) already written, kept as two independent 64-bit hashes of each (no
 * copy of the values: a million values take 32 MiB; two values are taken for one only when both
 * hashes agree, about 1 in 2^128 for a pair). */
struct value_set {
  uint64_t (*slots)[2];
  size_t cap, n;
};

static void hash_value(int kind, const char *s, uint64_t out[2])
{
  uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind, g = 0x9e3779b97f4a7c15ULL + (uint64_t)kind;
  for (; *s; s++) {
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    g = (g + (unsigned char)*s) * 0xbf58476d1ce4e5b9ULL;
    g ^= g >> 29;
  }
  out[0] = h ? h : 1;
  out[1] = g;
}

static bool set_grow(struct value_set *vs, size_t want)
{
  size_t cap = vs->cap ? vs->cap * 2 : 4096;
  while (cap < want)
    cap *= 2;
  uint64_t(*slots)[2] = calloc(cap, sizeof(*slots));
  if (!slots)
    return false;
  for (size_t i = 0; i < vs->cap; i++) {
    if (!vs->slots[i][0])
      continue;
    size_t j = vs->slots[i][0] & (cap - 1);
    while (slots[j][0])
      j = (j + 1) & (cap - 1);
    slots[j][0] = vs->slots[i][0];
    slots[j][1] = vs->slots[i][1];
  }
  free(vs->slots);
  vs->slots = slots;
  vs->cap = cap;
  /* probed at random, a million values' 32 MiB: huge pages spare the page faults of filling it
   * and the TLB misses of probing it (most of the export's own time) */
  if (cap * sizeof(*slots) >= FS_MEM_HUGE_MIN)
    fs_mem_prefer_huge_pages(slots, cap * sizeof(*slots));
  return true;
}

/* Asks the processor for the slot where h's search starts, ahead of set_add_hashed. */
static void set_prefetch(const struct value_set *vs, const uint64_t h[2])
{
  __builtin_prefetch(&vs->slots[h[0] & (vs->cap - 1)]);
}

/* Adds the value of hashes h (hash_value); *fresh tells whether it was new. false when out of
 * memory. */
static bool set_add_hashed(struct value_set *vs, const uint64_t h[2], bool *fresh)
{
  if ((vs->n + 1) * 2 > vs->cap && !set_grow(vs, 0))
    return false;
  size_t j = h[0] & (vs->cap - 1);
  while (vs->slots[j][0]) {
    if (vs->slots[j][0] == h[0] && vs->slots[j][1] == h[1]) {
      *fresh = false;
      return true;
    }
    j = (j + 1) & (vs->cap - 1);
  }
  vs->slots[j][0] = h[0];
  vs->slots[j][1] = h[1];
  vs->n++;
  *fresh = true;
  return true;
}

/* Values waiting for their turn in the set: a million values probe a set of 32 MiB at random,
 * and waiting for each probe's memory was a quarter of an export. Each row's slot is asked for
 * (set_prefetch) a few rows before it is probed, while SQLite steps to the next rows, so the
 * memory arrives in the meantime. Rows keep their order: the values are written as read. */
#define PIPE_DEPTH 8
struct pending {
  uint64_t h[2];
  struct intel_export_item it;
  char tlp[16];
  char text[240]; /* the value, then the id */
};
struct pipe {
  struct pending q[PIPE_DEPTH];
  size_t head, n;
};

/* Probes the oldest waiting value and writes it when it is new. */
static int pipe_pop(struct value_set *vs, struct pipe *pp, struct export_writer *w,
                    struct fs_err *err)
{
  struct pending *p = &pp->q[pp->head];
  pp->head = (pp->head + 1) % PIPE_DEPTH;
  pp->n--;
  bool fresh;
  if (!set_add_hashed(vs, p->h, &fresh))
    return fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
  if (!fresh)
    return FS_OK;
  w->res->values++;
  return export_write_value(w, &p->it, p->tlp);
}

/* Adds an eligible row's value: queued behind the others, or, when its texts do not fit a
 * place in the queue, after the queue has been emptied. */
static int pipe_push(struct value_set *vs, struct pipe *pp, struct export_writer *w,
                     const struct intel_export_item *it, const char *tlp, struct fs_err *err)
{
  int rc = FS_OK;
  if (pp->n == PIPE_DEPTH && (rc = pipe_pop(vs, pp, w, err)))
    return rc;
  size_t vn = strlen(it->value), in = strlen(it->id), tn = strlen(tlp);
  struct pending *p = &pp->q[(pp->head + pp->n) % PIPE_DEPTH];
  hash_value(it->kind, it->value, p->h);
  if (vn + in + 2 > sizeof(p->text) || tn >= sizeof(p->tlp)) {
    while (!rc && pp->n)
      rc = pipe_pop(vs, pp, w, err);
    bool fresh;
    uint64_t h[2];
    hash_value(it->kind, it->value, h);
    if (!rc && !set_add_hashed(vs, h, &fresh))
      rc = fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
    else if (!rc && fresh) {
      w->res->values++;
      rc = export_write_value(w, it, tlp);
    }
    return rc;
  }
  memcpy(p->text, it->value, vn + 1);
  memcpy(p->text + vn + 1, it->id, in + 1);
  memcpy(p->tlp, tlp, tn + 1);
  p->it = *it;
  p->it.value = p->text;
  p->it.id = p->text + vn + 1;
  set_prefetch(vs, p->h);
  pp->n++;
  return FS_OK;
}

static void set_free(struct value_set *vs)
{
  free(vs->slots);
}

/* The kinds a format writes (bit per enum stix_observable). */
static unsigned format_kinds(const struct intel_export_options *opt)
{
  const unsigned ips = 1u << STIX_OBS_IPV4 | 1u << STIX_OBS_IPV6;
  switch (opt->format) {
  case INTEL_EXPORT_IPS:
    return ips;
  case INTEL_EXPORT_DOMAINS:
    return 1u << STIX_OBS_DOMAIN;
  case INTEL_EXPORT_URLS:
    return 1u << STIX_OBS_URL;
  case INTEL_EXPORT_SURICATA:
    return ips | 1u << STIX_OBS_DOMAIN | 1u << STIX_OBS_URL;
  case INTEL_EXPORT_SURICATA_DATASET:
    if (!strcmp(opt->dataset, "domains"))
      return 1u << STIX_OBS_DOMAIN;
    if (!strcmp(opt->dataset, "urls"))
      return 1u << STIX_OBS_URL;
    if (!strcmp(opt->dataset, "ips"))
      return ips;
    if (!strcmp(opt->dataset, "md5"))
      return 1u << STIX_OBS_MD5;
    return 1u << STIX_OBS_SHA256;
  default:
    return ~0u;
  }
}

/* Whether the row's object may be seen through one of the collections holding it as latest:
 * entries [*at, ...) with its seq (advanced past smaller seqs). */
static bool row_visible(const struct actor *who, const struct intel_collection *cols,
                        const struct entry_ref *e, size_t ne, size_t *at, int64_t seq,
                        const char *tlp, const char *porg, const char *puser, const char *rorgs,
                        const char *rusers, bool withheld)
{
  while (*at < ne && e[*at].seq < seq)
    (*at)++;
  for (size_t i = *at; i < ne && e[i].seq == seq; i++)
    if (intel_row_visible(who, &cols[e[i].col], tlp, porg, puser, rorgs, rusers, withheld))
      return true;
  return false;
}

static int scan_values(struct store_conn *c, const struct actor *who,
                       const struct intel_collection *cols, const struct entry_ref *e, size_t ne,
                       struct export_writer *w, struct fs_err *err)
{
  unsigned kinds = format_kinds(w->opt);
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT seq, kind, value, id, tlp, producer_org, producer_user,"
                       " recipient_orgs, recipient_users, valid_until, revoked, withheld"
                       " FROM intel_ioc"
                       " WHERE seq >= ? ORDER BY seq, kind, value",
                       "i", ne ? e[0].seq : INT64_MAX);
  if (rc)
    return rc;
  struct value_set vs = {0};
  /* sized for about one value an entry from the start: growing rehashes every value */
  if (!set_grow(&vs, ne * 2 < (1u << 26) ? ne * 2 : (1u << 26))) {
    store_done(s);
    return fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
  }
  /* A list of values is about 16 bytes a value: made room for once, in huge pages when large,
   * instead of doubling through a dozen reallocations and a page fault every 4 KiB. */
  size_t guess =
      w->opt->format == INTEL_EXPORT_IPS || w->opt->format == INTEL_EXPORT_DOMAINS ? ne * 16 : 0;
  if (guess >= FS_MEM_HUGE_MIN && guess < w->out->max - w->out->len &&
      fs_buf_reserve(w->out, guess) == FS_OK)
    fs_mem_prefer_huge_pages(w->out->data + w->out->len, w->out->cap - w->out->len);
  struct pipe pipe = {.n = 0};
  size_t at = 0;
  int64_t cur = -1;
  bool visible = false;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    int64_t seq = store_col_int(s, 0);
    int kind = (int)store_col_int(s, 1);
    if (!(kinds & (1u << kind)))
      continue;
    if (seq != cur) {
      cur = seq;
      visible = row_visible(who, cols, e, ne, &at, seq, store_col_text(s, 4),
                            store_col_null(s, 5) ? NULL : store_col_text(s, 5),
                            store_col_null(s, 6) ? NULL : store_col_text(s, 6),
                            store_col_text(s, 7), store_col_text(s, 8), store_col_int(s, 11) != 0);
    }
    if (!visible)
      continue;
    struct intel_export_item it = {.id = store_col_text(s, 3),
                                   .kind = kind,
                                   .value = store_col_text(s, 2),
                                   .valid_until_ms = store_col_int(s, 9),
                                   .revoked = store_col_int(s, 10) != 0};
    if (!intel_export_eligible(&it, who->now_ms))
      continue;
    rc = pipe_push(&vs, &pipe, w, &it, store_col_text(s, 4), err);
  }
  while (!rc && pipe.n)
    rc = pipe_pop(&vs, &pipe, w, err);
  store_done(s);
  set_free(&vs);
  return rc;
}

/* STIX: the latest versions of the visible, eligible indicators themselves. */
static int scan_objects(struct store_conn *c, const struct actor *who,
                        const struct intel_collection *cols, const struct entry_ref *e, size_t ne,
                        struct export_writer *w, struct fs_err *err)
{
  int rc = FS_OK;
  size_t at = 0;
  for (size_t i = 0; !rc && i < ne; i++) {
    if (i && e[i].seq == e[i - 1].seq)
      continue;
    struct store_stmt *s;
    rc = store_query(c, &s, err,
                     "SELECT id, tlp, producer_org, producer_user, recipient_orgs,"
                     " recipient_users, COALESCE(valid_until, 0), revoked, body, withheld"
                     " FROM intel_object"
                     " WHERE seq = ? AND type = 'indicator'",
                     "i", e[i].seq);
    if (rc)
      break;
    bool row;
    if (!(rc = store_step(s, &row, err)) && row &&
        row_visible(who, cols, e, ne, &at, e[i].seq, store_col_text(s, 1),
                    store_col_null(s, 2) ? NULL : store_col_text(s, 2),
                    store_col_null(s, 3) ? NULL : store_col_text(s, 3), store_col_text(s, 4),
                    store_col_text(s, 5), store_col_int(s, 9) != 0)) {
      struct intel_export_item it = {.id = store_col_text(s, 0),
                                     .kind = -1,
                                     .value = "",
                                     .valid_until_ms = store_col_int(s, 6),
                                     .revoked = store_col_int(s, 7) != 0};
      size_t len;
      const char *body = store_col_blob(s, 8, &len);
      if (intel_export_eligible(&it, who->now_ms)) {
        rc = export_write_object(w, body, len);
        w->res->values++;
      }
    }
    store_done(s);
  }
  return rc;
}

int intel_export(struct store_conn *c, const struct actor *who,
                 const struct intel_export_options *opt, struct fs_buf *out,
                 struct intel_export_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  if (opt->format == INTEL_EXPORT_SURICATA_DATASET) {
    bool known = false;
    for (size_t i = 0; intel_export_datasets[i] && opt->dataset; i++)
      known |= !strcmp(opt->dataset, intel_export_datasets[i]);
    if (!known)
      return fs_err_set(err, FS_ERR_INVALID, "dataset",
                        "give the dataset: domains, ips, md5 or sha256");
  }
  int rc = intel_ioc_update(c, NULL, err);
  if (rc)
    return rc;
  bool own_tx = !store_in_tx(c);
  bool scan = opt->format != INTEL_EXPORT_STIX; /* a scan of every value: a small page cache */
  if (scan && (rc = store_scan_mode(c, true, err)))
    return rc;
  if (own_tx && (rc = store_begin(c, false, err))) {
    struct fs_err e2;
    if (scan)
      (void)store_scan_mode(c, false, &e2);
    return rc;
  }
  struct intel_collection *cols = NULL;
  size_t ncols = 0;
  if (opt->collection) {
    cols = calloc(1, sizeof(*cols));
    rc = cols ? intel_collection_find(c, who, opt->collection, cols, err)
              : fs_err_set(err, FS_ERR_NOMEM, "export", "out of memory");
    ncols = 1;
    if (!rc && !cols->can_read)
      rc = fs_err_set(err, FS_ERR_NOT_FOUND, "collection", "no collection \"%.64s\"",
                      opt->collection);
  } else {
    rc = intel_collections_readable(c, who, &cols, &ncols, err);
  }
  if (!rc)
    rc = intel_position(c, &res->last_seq, &res->deletes, err);
  struct entry_ref *e = NULL;
  size_t ne = 0;
  if (!rc)
    rc = read_entries(c, cols, ncols, &e, &ne, err);
  struct export_writer w = {.opt = opt, .out = out, .res = res};
  if (!rc)
    rc = export_begin(&w);
  if (!rc)
    rc = opt->format == INTEL_EXPORT_STIX ? scan_objects(c, who, cols, e, ne, &w, err)
                                          : scan_values(c, who, cols, e, ne, &w, err);
  if (!rc)
    rc = export_end(&w);
  if (rc == FS_ERR_TOO_LARGE || (rc == FS_ERR_NOMEM && out->len >= out->max && out->max))
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, "export", "the export is larger than %zu bytes",
                    out->max);
  free(e);
  free(cols);
  if (own_tx)
    store_rollback(c); /* a read: nothing to keep */
  if (scan) {
    struct fs_err e2;
    int r2 = store_scan_mode(c, false, &e2);
    if (!rc && r2) {
      *err = e2;
      rc = r2;
    }
  }
  return rc;
}
