/* Reads of the intelligence store: collection pages (TAXII objects and manifest), versions of one
 * object, search by observable, and deletion. Every row read passes intel_row_visible. */
#include "intel/store_int.h"

#include "audit/audit.h"
#include "core/buf.h"
#include "core/time.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROW_COLUMNS                                                                                \
  "e.date_added, e.seq, o.id, o.version, o.type, o.spec_version, o.tlp, o.producer_org,"           \
  " o.producer_user, o.recipient_orgs, o.recipient_users, o.anonymous, o.body, o.withheld"

static void read_row(struct store_stmt *s, struct intel_row *r, const char **rorgs,
                     const char **rusers)
{
  r->date_added = store_col_int(s, 0);
  r->seq = store_col_int(s, 1);
  r->id = store_col_text(s, 2);
  r->version = store_col_text(s, 3);
  r->type = store_col_text(s, 4);
  r->spec_version = store_col_text(s, 5);
  r->tlp = store_col_text(s, 6);
  r->producer_org = store_col_text(s, 7);
  r->producer_user = store_col_text(s, 8);
  *rorgs = store_col_text(s, 9);
  *rusers = store_col_text(s, 10);
  r->anonymous = store_col_int(s, 11) != 0;
  size_t n;
  r->body = store_col_blob(s, 12, &n);
  r->body_len = n;
  r->withheld = store_col_int(s, 13) != 0;
}

void intel_format_added(int64_t us, char out[40])
{
  struct fs_time t = {.sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000)};
  t.nsec = (int32_t)((us - t.sec * 1000000) * 1000);
  t.frac_digits = 6;
  fs_time_format(&t, out);
}

int intel_parse_added(const char *s, int64_t *us, struct fs_err *err)
{
  struct fs_time t;
  int rc = fs_time_parse(s, strlen(s), FS_TIME_REQUIRE_Z, &t, err);
  if (!rc)
    *us = t.sec * 1000000 + t.nsec / 1000;
  return rc;
}

/* Appends " AND <column> IN (?,?,...)" for n values and their binding types. */
static void add_in(struct fs_buf *sql, struct fs_buf *types, const char *column, size_t n)
{
  if (!n)
    return;
  fs_buf_appendf(sql, " AND %s IN (", column);
  store_sql_placeholders(sql, n);
  fs_buf_append_char(sql, ')');
  for (size_t i = 0; i < n; i++)
    fs_buf_append_char(types, 's');
}

/* The filters of a TAXII query as SQL and the values to bind, in order. */
struct filter_sql {
  struct fs_buf sql, types;
  const char *values[512];
  size_t n;
  char keys[100][40]; /* version keys of match[version] timestamps */
};

static void build_filters(struct filter_sql *f, const struct stix_taxii_query *q, bool versions_all)
{
  fs_buf_init(&f->sql, 64 * 1024);
  fs_buf_init(&f->types, 1024);
  f->n = 0;
  static const struct stix_taxii_query none; /* no filters */
  if (!q)
    q = &none;
  add_in(&f->sql, &f->types, "o.id", q->n_ids);
  for (size_t i = 0; i < q->n_ids && f->n < 512; i++)
    f->values[f->n++] = q->ids[i];
  add_in(&f->sql, &f->types, "o.type", q->n_types);
  for (size_t i = 0; i < q->n_types && f->n < 512; i++)
    f->values[f->n++] = q->types[i];
  add_in(&f->sql, &f->types, "o.spec_version", q->n_spec_versions);
  for (size_t i = 0; i < q->n_spec_versions && f->n < 512; i++)
    f->values[f->n++] = q->spec_versions[i];
  unsigned v = q->versions;
  if (!v && !q->n_version_times && !versions_all)
    v = STIX_TAXII_V_LAST; /* TAXII's default */
  if (!(v & STIX_TAXII_V_ALL) && !versions_all && (v || q->n_version_times)) {
    fs_buf_append_str(&f->sql, " AND (1 = 0");
    if (v & STIX_TAXII_V_LAST)
      fs_buf_append_str(&f->sql, " OR e.is_latest = 1");
    if (v & STIX_TAXII_V_FIRST)
      fs_buf_append_str(&f->sql, " OR e.is_first = 1");
    for (size_t i = 0; i < q->n_version_times && i < 100 && f->n < 512; i++) {
      fs_buf_append_str(&f->sql, " OR o.version_key = ?");
      fs_buf_append_char(&f->types, 's');
      intel_version_key(q->version_times[i], f->keys[i]);
      f->values[f->n++] = f->keys[i];
    }
    fs_buf_append_char(&f->sql, ')');
  }
}

static void release_filters(struct filter_sql *f)
{
  fs_buf_release(&f->sql);
  fs_buf_release(&f->types);
}

int intel_read_collection(struct store_conn *c, const struct actor *who,
                          const struct intel_collection *col, struct intel_page *page,
                          intel_row_fn fn, void *ctx, struct fs_err *err)
{
  page->more = false;
  page->returned = 0;
  page->first_added = page->last_added = 0;
  page->all_public = true;
  if (!col->can_read)
    return fs_err_set(err, FS_ERR_FORBIDDEN, "collection", "no right to read collection %s",
                      col->alias);
  size_t limit = page->limit ? page->limit : 100;
  int64_t after_date = page->after_date, after_seq = page->has_cursor ? page->after_seq : INT64_MAX;
  if (!page->has_cursor && page->q && page->q->added_after) {
    if (intel_parse_added(page->q->added_after, &after_date, err))
      return FS_ERR_INVALID;
    after_seq = INT64_MAX; /* strictly after that time */
  } else if (!page->has_cursor) {
    after_date = INT64_MIN;
  }
  struct filter_sql f;
  build_filters(&f, page->q, false);
  struct fs_buf sql;
  fs_buf_init(&sql, 128 * 1024);
  fs_buf_appendf(&sql,
                 "SELECT " ROW_COLUMNS " FROM intel_entry e JOIN intel_object o ON o.seq = e.seq"
                 " WHERE e.coll = ? AND e.date_added >= ?"
                 " AND (e.date_added > ? OR e.seq > ?)%s ORDER BY e.date_added, e.seq LIMIT ?",
                 fs_buf_cstr(&f.sql));
  /* Scan in batches until the page is full and one more visible row is seen, with a budget so
   * that a collection full of rows the actor may not see cannot make one request unbounded. */
  size_t batch = limit + 1 < 200 ? 200 : limit + 1;
  size_t budget = 20 * limit + 2000, scanned = 0;
  int rc = FS_OK;
  bool exhausted = false;
  while (!rc && !exhausted && !page->more && scanned < budget) {
    struct store_stmt *s;
    if ((rc = store_prepare(c, fs_buf_cstr(&sql), &s, err)))
      break;
    int idx = 1;
    store_bind_int(s, idx++, col->num);
    store_bind_int(s, idx++, after_date);
    store_bind_int(s, idx++, after_date);
    store_bind_int(s, idx++, after_seq);
    for (size_t i = 0; i < f.n; i++)
      store_bind_text(s, idx++, f.values[i]);
    store_bind_int(s, idx++, (int64_t)batch);
    bool row;
    size_t got = 0;
    while (!rc && !(rc = store_step(s, &row, err)) && row) {
      struct intel_row r;
      const char *rorgs, *rusers;
      read_row(s, &r, &rorgs, &rusers);
      got++;
      scanned++;
      if (page->all_public && (r.withheld || !tlp_is_community(stix_tlp_from_token(r.tlp))))
        page->all_public = false;
      if (!intel_row_visible(who, col, r.tlp, r.producer_org, r.producer_user, rorgs, rusers,
                             r.withheld)) {
        after_date = r.date_added;
        after_seq = r.seq;
        continue;
      }
      if (page->returned == limit) {
        page->more = true; /* a visible row beyond the page */
        break;
      }
      rc = fn(&r, ctx);
      if (!page->returned)
        page->first_added = r.date_added;
      page->last_added = r.date_added;
      page->returned++;
      after_date = r.date_added;
      after_seq = r.seq;
    }
    store_done(s);
    if (got < batch)
      exhausted = true;
  }
  if (!rc && !exhausted && !page->more)
    page->more = true; /* budget spent: the client continues from the cursor */
  page->last_date = after_date;
  page->last_seq = after_seq;
  fs_buf_release(&sql);
  release_filters(&f);
  return rc;
}

/* Whether the actor may see an object version through at least one collection holding it. */
int intel_visible_anywhere(struct store_conn *c, const struct actor *who, int64_t seq,
                           const char *tlp, const char *porg, const char *puser, const char *rorgs,
                           const char *rusers, bool withheld, bool *visible, struct fs_err *err)
{
  *visible = false;
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT ic.id, ic.kind, ic.owner_org, ic.member_can_write FROM intel_entry e"
                       " JOIN intel_collection ic ON ic.num = e.coll WHERE e.seq = ?",
                       "i", seq);
  if (rc)
    return rc;
  struct intel_collection cols[16];
  size_t n = 0;
  bool row;
  while (n < FS_ARRAY_SIZE(cols) && !(rc = store_step(s, &row, err)) && row) {
    memset(&cols[n], 0, sizeof(cols[n]));
    snprintf(cols[n].id, sizeof(cols[n].id), "%s", store_col_text(s, 0));
    const char *kind = store_col_text(s, 1);
    for (int k = 0; intel_collection_kinds[k]; k++)
      if (!strcmp(kind, intel_collection_kinds[k]))
        cols[n].kind = (enum policy_collection_kind)k;
    snprintf(cols[n].owner_org, sizeof(cols[n].owner_org), "%s",
             store_col_null(s, 2) ? "" : store_col_text(s, 2));
    cols[n].member_can_write = store_col_int(s, 3) != 0;
    n++;
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n && !*visible; i++) {
    rc = intel_collection_rights(c, who, &cols[i], err);
    *visible = !rc && cols[i].can_read &&
               intel_row_visible(who, &cols[i], tlp, porg, puser, rorgs, rusers, withheld);
  }
  return rc;
}

/* Runs sql (binding text a, and b when not NULL) and calls fn on the rows visible to the actor
 * (through col when given, else through any collection holding them). Rows are copied out first
 * because the visibility check queries the same connection. */
struct held_row {
  struct intel_row r;
  char *strings; /* one allocation for the row's texts */
  char *rorgs, *rusers;
};

static int collect_rows(struct store_conn *c, const char *sql, const char *a, const char *b,
                        int64_t limit, struct held_row **out, size_t *n_out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = b ? store_query(c, &s, err, sql, "ssi", a, b, limit)
             : store_query(c, &s, err, sql, "si", a, limit);
  if (rc)
    return rc;
  struct held_row *rows = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(rows, n, cap, 8)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
      break;
    }
    struct intel_row r;
    const char *ro, *ru;
    read_row(s, &r, &ro, &ru);
    const char *texts[] = {
        r.id, r.version, r.type, r.spec_version, r.tlp, r.producer_org, r.producer_user, ro, ru};
    size_t total = r.body_len + 1;
    for (size_t i = 0; i < FS_ARRAY_SIZE(texts); i++)
      total += (texts[i] ? strlen(texts[i]) : 0) + 1;
    char *mem = malloc(total), *p = mem;
    if (!mem) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
      break;
    }
    const char *copies[FS_ARRAY_SIZE(texts)];
    for (size_t i = 0; i < FS_ARRAY_SIZE(texts); i++) {
      size_t l = texts[i] ? strlen(texts[i]) : 0;
      memcpy(p, texts[i] ? texts[i] : "", l + 1);
      copies[i] = texts[i] ? p : NULL;
      p += l + 1;
    }
    memcpy(p, r.body, r.body_len);
    p[r.body_len] = '\0';
    struct held_row *h = &rows[n++];
    h->strings = mem;
    h->r = r;
    h->r.id = copies[0];
    h->r.version = copies[1];
    h->r.type = copies[2];
    h->r.spec_version = copies[3];
    h->r.tlp = copies[4];
    h->r.producer_org = copies[5];
    h->r.producer_user = copies[6];
    h->rorgs = (char *)(uintptr_t)copies[7];
    h->rusers = (char *)(uintptr_t)copies[8];
    h->r.body = p;
  }
  store_done(s);
  *out = rows;
  *n_out = n;
  return rc;
}

static void free_rows(struct held_row *rows, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(rows[i].strings);
  free(rows);
}

static int emit_visible(struct store_conn *c, const struct actor *who,
                        const struct intel_collection *col, struct held_row *rows, size_t n,
                        size_t limit, intel_row_fn fn, void *ctx, size_t *emitted,
                        struct fs_err *err)
{
  int rc = FS_OK;
  *emitted = 0;
  for (size_t i = 0; !rc && i < n && *emitted < limit; i++) {
    struct held_row *h = &rows[i];
    bool visible;
    if (col) {
      visible = intel_row_visible(who, col, h->r.tlp, h->r.producer_org, h->r.producer_user,
                                  h->rorgs, h->rusers, h->r.withheld);
    } else {
      rc = intel_visible_anywhere(c, who, h->r.seq, h->r.tlp, h->r.producer_org, h->r.producer_user,
                                  h->rorgs, h->rusers, h->r.withheld, &visible, err);
    }
    if (!rc && visible) {
      rc = fn(&h->r, ctx);
      (*emitted)++;
    }
  }
  return rc;
}

int intel_read_object(struct store_conn *c, const struct actor *who,
                      const struct intel_collection *col, const char *id, intel_row_fn fn,
                      void *ctx, struct fs_err *err)
{
  struct held_row *rows = NULL;
  size_t n = 0, emitted = 0;
  int rc = col ? collect_rows(c,
                              "SELECT " ROW_COLUMNS " FROM intel_object o CROSS JOIN intel_entry e"
                              " WHERE o.id = ? AND e.seq = o.seq AND e.coll ="
                              " (SELECT num FROM intel_collection WHERE alias = ?)"
                              " ORDER BY o.version_key LIMIT ?",
                              id, col->alias, 10000, &rows, &n, err)
               : collect_rows(c,
                              "SELECT 0, o.seq, o.id, o.version, o.type, o.spec_version, o.tlp,"
                              " o.producer_org, o.producer_user, o.recipient_orgs,"
                              " o.recipient_users, o.anonymous, o.body, o.withheld"
                              " FROM intel_object o"
                              " WHERE o.id = ? ORDER BY o.version_key LIMIT ?",
                              id, NULL, 10000, &rows, &n, err);
  if (!rc)
    rc = emit_visible(c, who, col, rows, n, SIZE_MAX, fn, ctx, &emitted, err);
  free_rows(rows, n);
  if (!rc && !emitted)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "object", "no object \"%.300s\"", id);
  return rc;
}

int intel_latest_level(struct store_conn *c, const char *id, enum tlp_level *level,
                       struct fs_err *err)
{
  char tlp[16] = "";
  bool found = false;
  int rc = store_query_text(c, tlp, sizeof(tlp), &found, err,
                            "SELECT tlp FROM intel_object WHERE id = ? ORDER BY version_key DESC"
                            " LIMIT 1",
                            "s", id);
  *level = !rc && found ? stix_tlp_from_token(tlp) : TLP_NONE;
  return rc;
}

int intel_latest_levels(struct store_conn *c, const char *const *ids, size_t n,
                        enum tlp_level *levels, struct fs_err *err)
{
  enum { CHUNK = 64 };  /* ids a query; a short last chunk repeats its last id (one statement) */
  char best[CHUNK][40]; /* the latest version key (intel_version_key) seen of the chunk's id i */
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  fs_buf_append_str(&sql, "SELECT id, tlp, version_key FROM intel_object WHERE id IN (");
  int rc = store_sql_placeholders(&sql, CHUNK) || fs_buf_append_char(&sql, ')')
               ? fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory")
               : FS_OK;
  for (size_t from = 0; !rc && from < n; from += CHUNK) {
    size_t k = n - from < CHUNK ? n - from : CHUNK;
    struct store_stmt *s;
    if ((rc = store_prepare(c, fs_buf_cstr(&sql), &s, err)))
      break;
    for (size_t i = 0; i < CHUNK; i++) {
      const char *id = ids[from + (i < k ? i : k - 1)];
      store_bind_text_ref(s, (int)i + 1, id, strlen(id));
      best[i][0] = '\0';
      if (i < k)
        levels[from + i] = TLP_NONE;
    }
    bool row;
    while (!(rc = store_step(s, &row, err)) && row) {
      const char *id = store_col_text(s, 0), *vk = store_col_text(s, 2);
      for (size_t i = 0; i < k; i++)
        if (!strcmp(ids[from + i], id) && strcmp(vk, best[i]) > 0) {
          snprintf(best[i], sizeof(best[i]), "%s", vk);
          levels[from + i] = stix_tlp_from_token(store_col_text(s, 1));
        }
    }
    store_done(s);
  }
  fs_buf_release(&sql);
  return rc;
}

/* A page, newest first, of the rows that sql selects below a seq (bound: a, then the seq as
 * text, then the batch size) that the actor sees (through any collection) and keep (may be NULL)
 * accepts: at most limit to fn. *next (may be NULL) becomes the seq of the last one given when
 * another such row follows, else 0: neither the page nor its cursor tells of rows the actor may
 * not see. Batches are read until then, within a budget, so that many rows the actor may not see
 * cannot make one request unbounded; a spent budget gives the last row read as the cursor. */
static int page_rows(struct store_conn *c, const struct actor *who, const char *sql, const char *a,
                     int64_t before, size_t limit, intel_row_fn keep, void *kctx, intel_row_fn fn,
                     void *ctx, int64_t *next, struct fs_err *err)
{
  int64_t bound = before > 0 ? before : INT64_MAX, last = 0;
  size_t batch = limit + 1 < 200 ? 200 : limit + 1, budget = 20 * limit + 2000;
  size_t scanned = 0, emitted = 0;
  bool more = false, exhausted = false;
  int rc = FS_OK;
  while (!rc && !more && !exhausted && scanned < budget) {
    char b[24];
    snprintf(b, sizeof(b), "%lld", (long long)bound);
    struct held_row *rows = NULL;
    size_t n = 0;
    rc = collect_rows(c, sql, a, b, (int64_t)batch, &rows, &n, err);
    for (size_t i = 0; !rc && i < n && !more; i++) {
      struct held_row *h = &rows[i];
      bool visible;
      bound = h->r.seq;
      scanned++;
      rc = intel_visible_anywhere(c, who, h->r.seq, h->r.tlp, h->r.producer_org, h->r.producer_user,
                                  h->rorgs, h->rusers, h->r.withheld, &visible, err);
      if (rc || !visible || (keep && keep(&h->r, kctx) != FS_OK))
        continue;
      if (emitted == limit) {
        more = true;
        break;
      }
      rc = fn(&h->r, ctx);
      emitted++;
      last = h->r.seq;
    }
    free_rows(rows, n);
    exhausted = n < batch;
  }
  if (next)
    *next = rc ? 0 : more ? last : exhausted ? 0 : bound;
  return rc;
}

int intel_search_page(struct store_conn *c, const struct actor *who, const char *value,
                      int64_t before, size_t limit, intel_row_fn fn, void *ctx, int64_t *next,
                      struct fs_err *err)
{
  char key[1024];
  if (!intel_observable_key(value, strlen(value), key, sizeof(key)))
    return fs_err_set(err, FS_ERR_INVALID, "value", "search for 1 to 1023 bytes");
  return page_rows(c, who,
                   "SELECT 0, o.seq, o.id, o.version, o.type, o.spec_version, o.tlp,"
                   " o.producer_org, o.producer_user, o.recipient_orgs, o.recipient_users,"
                   " o.anonymous, o.body, o.withheld FROM intel_observable v JOIN intel_object o"
                   " ON o.seq = v.seq WHERE v.value = ? AND o.seq < CAST(? AS BIGINT)"
                   " ORDER BY o.seq DESC LIMIT ?",
                   key, before, limit, NULL, NULL, fn, ctx, next, err);
}

int intel_search(struct store_conn *c, const struct actor *who, const char *value, size_t limit,
                 intel_row_fn fn, void *ctx, struct fs_err *err)
{
  return intel_search_page(c, who, value, 0, limit, fn, ctx, NULL, err);
}

/* FS_OK for a row whose object refers to id (ctx) as its source_ref, target_ref or
 * sighting_of_ref (the LIKE that found it only knows that the id is in the text); 1 for another. */
static int refers_to(const struct intel_row *r, void *ctx)
{
  const char *id = ctx;
  json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
  static const char *const keys[] = {"source_ref", "target_ref", "sighting_of_ref"};
  bool refers = false;
  for (size_t i = 0; o && i < FS_ARRAY_SIZE(keys); i++) {
    const char *v = json_string_value(json_object_get(o, keys[i]));
    refers |= v && !strcmp(v, id);
  }
  json_decref(o);
  return refers ? FS_OK : 1;
}

int intel_related_page(struct store_conn *c, const struct actor *who, const char *id,
                       int64_t before, size_t limit, intel_row_fn fn, void *ctx, int64_t *next,
                       struct fs_err *err)
{
  char pattern[STIX_ID_MAX + 8];
  if (strlen(id) >= STIX_ID_MAX || strpbrk(id, "%\"\\"))
    return fs_err_set(err, FS_ERR_NOT_FOUND, "object", "no object \"%.300s\"", id);
  snprintf(pattern, sizeof(pattern), "%%\"%s\"%%", id);
  return page_rows(c, who,
                   "SELECT 0, o.seq, o.id, o.version, o.type, o.spec_version, o.tlp,"
                   " o.producer_org, o.producer_user, o.recipient_orgs, o.recipient_users,"
                   " o.anonymous, o.body, o.withheld FROM intel_object o"
                   " WHERE o.type IN ('relationship', 'sighting') AND o.body LIKE ?"
                   " AND o.seq < CAST(? AS BIGINT) ORDER BY o.seq DESC LIMIT ?",
                   pattern, before, limit, refers_to, (void *)(uintptr_t)id, fn, ctx, next, err);
}

int intel_related(struct store_conn *c, const struct actor *who, const char *id, size_t limit,
                  intel_row_fn fn, void *ctx, struct fs_err *err)
{
  return intel_related_page(c, who, id, 0, limit, fn, ctx, NULL, err);
}

/* The entries of object id in a collection (bound: id, then the collection's number), reached
 * through intel_object's (id, version, copy) index and then intel_entry_seq. CROSS JOIN keeps that
 * order: SQLite joins a CROSS JOIN as written, and without statistics it would otherwise walk
 * the collection's entries; for other engines it is an ordinary join. */
#define VERSIONS_OF " WHERE o.id = ? AND e.seq = o.seq AND e.coll = ?"

struct entry_version {
  int64_t seq;
  char key[40];
  bool latest, first;
};

int intel_entry_flags(struct store_conn *c, int64_t coll, const char *id, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT o.seq, o.version_key, e.is_latest, e.is_first FROM intel_object o"
                       " CROSS JOIN intel_entry e" VERSIONS_OF,
                       "si", id, coll);
  if (rc)
    return rc;
  struct entry_version *v = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(v, n, cap, 8)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
      break;
    }
    v[n].seq = store_col_int(s, 0);
    snprintf(v[n].key, sizeof(v[n].key), "%s", store_col_text(s, 1));
    v[n].latest = store_col_int(s, 2) != 0;
    v[n].first = store_col_int(s, 3) != 0;
    n++;
  }
  store_done(s);
  const char *min = n ? v[0].key : "", *max = min;
  for (size_t i = 1; i < n; i++) {
    if (strcmp(v[i].key, min) < 0)
      min = v[i].key;
    if (strcmp(v[i].key, max) > 0)
      max = v[i].key;
  }
  for (size_t i = 0; !rc && i < n; i++) {
    bool latest = !strcmp(v[i].key, max), first = !strcmp(v[i].key, min);
    if (latest != v[i].latest || first != v[i].first)
      rc = store_exec(
          c, NULL, err,
          "UPDATE intel_entry SET is_latest = ?, is_first = ? WHERE seq = ? AND coll = ?", "iiii",
          (int64_t)latest, (int64_t)first, v[i].seq, coll);
  }
  free(v);
  return rc;
}

static int count_row(const struct intel_row *r, void *ctx)
{
  (void)r;
  (*(size_t *)ctx)++;
  return FS_OK;
}

int intel_delete(struct store_conn *c, const struct actor *who, const struct intel_collection *col,
                 const char *id, const struct stix_taxii_query *q, struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  size_t visible = 0;
  rc = intel_read_object(c, who, col, id, count_row, &visible, err);
  int64_t produced = 0;
  bool hub = policy_allows(who, POLICY_INTEL_CURATE, NULL);
  if (!rc && !hub)
    rc = store_query_int(c, &produced, NULL, err,
                         "SELECT COUNT(*) FROM intel_object WHERE id = ? AND producer_org = ?",
                         "ss", id, who->org_id);
  if (!rc && (!col->can_write || (!hub && !produced)))
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, "object",
                    "only the hub or the organisation that shared %.200s may delete it", id);
  struct filter_sql f;
  build_filters(&f, q, !(q && (q->versions || q->n_version_times)));
  struct fs_buf sql;
  fs_buf_init(&sql, 64 * 1024);
  /* An organisation deletes its own copy of an SCO (copy: its id), never another's. */
  fs_buf_appendf(&sql,
                 "SELECT o.seq FROM intel_object o CROSS JOIN intel_entry e" VERSIONS_OF "%s%s",
                 hub ? "" : " AND o.copy IN ('', ?)", fs_buf_cstr(&f.sql));
  /* The versions to delete are chosen first, then deleted one by one through intel_entry_seq. */
  int64_t *seqs = NULL;
  size_t n = 0, cap = 0;
  if (!rc) {
    struct store_stmt *s;
    rc = store_prepare(c, fs_buf_cstr(&sql), &s, err);
    if (!rc) {
      int idx = 1;
      store_bind_text(s, idx++, id);
      store_bind_int(s, idx++, col->num);
      if (!hub)
        store_bind_text(s, idx++, who->org_id);
      /* build_filters skipped o.id for a NULL query; ids bound here are the query's */
      for (size_t i = 0; i < f.n; i++)
        store_bind_text(s, idx++, f.values[i]);
      bool row;
      while (!(rc = store_step(s, &row, err)) && row) {
        if (FS_VEC_GROW(seqs, n, cap, 16)) {
          rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
          break;
        }
        seqs[n++] = store_col_int(s, 0);
      }
      store_done(s);
    }
  }
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "DELETE FROM intel_entry WHERE seq = ? AND coll = ?", "ii",
                    seqs[i], col->num);
  free(seqs);
  /* The remaining versions get their first and latest flags back. */
  if (!rc)
    rc = intel_entry_flags(c, col->num, id, err);
  /* Deleting an anonymous object is an anonymous action: the audit trail must not name its
   * producer to those who may not know it. */
  int64_t anonymous = 0;
  if (!rc)
    rc = store_query_int(c, &anonymous, NULL, err,
                         "SELECT COUNT(*) FROM intel_object WHERE id = ? AND anonymous = 1", "s",
                         id);
  if (!rc) {
    json_t *d =
        json_pack("{s:s,s:s,s:b}", "collection", col->alias, "id", id, "anonymous", anonymous > 0);
    rc = audit_append(c, who, "intel.delete", "object", id, d, err);
    json_decref(d);
  }
  /* Readers that keep derived state (the SOC's indicator index) rebuild after a deletion. */
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES ('deletes', '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                    "");
  if (!rc) {
    char key[48];
    snprintf(key, sizeof(key), "gen:%lld", (long long)col->num);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES (?, '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                    "s", key);
  }
  if (!rc)
    rc = store_notify(c, "intel", err); /* other nodes' readers of derived state look again */
  fs_buf_release(&sql);
  release_filters(&f);
  return store_tx_leave(c, owned, rc, err);
}

int intel_collection_generation(struct store_conn *c, const struct intel_collection *col,
                                int64_t *gen, struct fs_err *err)
{
  char key[48];
  snprintf(key, sizeof(key), "gen:%lld", (long long)col->num);
  bool found;
  *gen = 0;
  return store_query_int(c, gen, &found, err,
                         "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = ?", "s", key);
}
