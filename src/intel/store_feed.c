/* What the hub's own readers (the SOC's indicator index) read of the store to follow it: its
 * position, the objects changed since a sequence number, their latest versions with the
 * collections holding them, and every collection with its members. No policy is asked here: the
 * reader decides visibility itself, with the one policy, per organisation (soc/feed.c). */
#include "intel/store_int.h"

#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int intel_position(struct store_conn *c, int64_t *last_seq, int64_t *deletes, struct fs_err *err)
{
  bool found;
  *deletes = 0;
  int rc =
      store_query_int(c, last_seq, NULL, err, "SELECT COALESCE(MAX(seq), 0) FROM intel_object", "");
  if (!rc)
    rc = store_query_int(c, deletes, &found, err,
                         "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = 'deletes'", "");
  return rc;
}

int intel_changed_ids(struct store_conn *c, const char *type, int64_t after, intel_id_fn fn,
                      void *ctx, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err, "SELECT DISTINCT id FROM intel_object WHERE type = ? AND seq > ? ORDER BY id",
      "si", type, after);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if ((rc = fn(store_col_text(s, 0), ctx)))
      break;
  }
  store_done(s);
  return rc;
}

/* The version being gathered: its columns, copied, and its collections. */
struct gather {
  struct intel_latest v;
  char id[STIX_ID_MAX], tlp[16], producer[40];
  char *recipients, *body;
  int64_t colls[INTEL_LATEST_MAX_COLLS];
};

static void gather_take(struct gather *g, struct store_stmt *s)
{
  g->v.seq = store_col_int(s, 0);
  snprintf(g->id, sizeof(g->id), "%s", store_col_text(s, 1));
  snprintf(g->tlp, sizeof(g->tlp), "%s", store_col_text(s, 2));
  snprintf(g->producer, sizeof(g->producer), "%s", store_col_text(s, 3));
  g->recipients = strdup(store_col_text(s, 4) ? store_col_text(s, 4) : "");
  g->body = strdup(store_col_text(s, 5) ? store_col_text(s, 5) : "{}");
  g->v.n_colls = 0;
}

static int gather_emit(struct gather *g, intel_latest_fn fn, void *ctx)
{
  g->v.id = g->id;
  g->v.tlp = g->tlp;
  g->v.producer_org = g->producer;
  g->v.recipient_orgs = g->recipients ? g->recipients : "";
  g->v.body = g->body ? g->body : "{}";
  g->v.colls = g->colls;
  int rc = fn(&g->v, ctx);
  free(g->recipients);
  free(g->body);
  g->recipients = g->body = NULL;
  return rc;
}

int intel_latest_each(struct store_conn *c, const char *type, int64_t after, intel_latest_fn fn,
                      void *ctx, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT o.seq, o.id, o.tlp, COALESCE(o.producer_org, ''), o.recipient_orgs,"
                       " o.body, e.coll FROM intel_object o JOIN intel_entry e ON e.seq = o.seq"
                       " WHERE o.type = ? AND e.is_latest = 1 AND o.seq > ?"
                       " ORDER BY o.seq",
                       "si", type, after);
  if (rc)
    return rc;
  struct gather *g = calloc(1, sizeof(*g));
  if (!g) {
    store_done(s);
    return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
  }
  int64_t cur = -1;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err))) {
    int64_t seq = row ? store_col_int(s, 0) : -2;
    if (seq != cur && cur >= 0)
      rc = gather_emit(g, fn, ctx);
    if (!row || rc)
      break;
    if (seq != cur) {
      cur = seq;
      gather_take(g, s);
    }
    if (g->v.n_colls < INTEL_LATEST_MAX_COLLS)
      g->colls[g->v.n_colls++] = store_col_int(s, 6);
  }
  free(g->recipients);
  free(g->body);
  free(g);
  store_done(s);
  return rc;
}
