/* Hub-to-hub synchronisation over TAXII: pull and push with a stored position (kept by intel:
 * intel_sync_position). */
#include "taxii/client.h"

#include "auth/org.h"
#include "core/buf.h"
#include "core/progress.h"
#include "intel/intel.h"
#include "taxii/reply.h"

#include <stdio.h>
#include <string.h>

int taxii_pull(struct store_conn *c, const struct actor *who, struct taxii_client *cl,
               const char *api_root, const char *collection, const char *into, size_t limit,
               struct taxii_sync_stats *st, struct fs_err *err)
{
  memset(st, 0, sizeof(*st));
  struct intel_collection col;
  int rc = intel_collection_find(c, who, into, &col, err);
  if (!rc && !col.can_write)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, into, "no right to write to collection %s", into);
  if (!rc)
    rc = intel_sync_position(c, api_root, collection, "pull", st->position, err);
  if (rc)
    return rc;
  struct fs_buf body;
  fs_buf_init(&body, 256 << 20);
  char next[TAXII_REPLY_CURSOR_MAX] = "";
  for (;;) {
    char last[64];
    rc = taxii_client_get_objects(cl, collection, st->position, next[0] ? next : NULL, limit, &body,
                                  last, err);
    if (rc)
      break;
    struct taxii_page page;
    if ((rc = taxii_reply_page(fs_buf_cstr(&body), body.len, &page, err)))
      break;
    size_t got = page.n;
    st->pages++;
    st->received += got;
    fs_progress_add(taxii_client_progress(cl), got);
    bool more = page.more;
    memcpy(next, page.next, sizeof(next));
    /* The page and the new position commit together. */
    struct intel_ingest_result ir = {0};
    rc = store_begin(c, true, err);
    if (!rc && got)
      rc = intel_ingest(c, who, &col, &page.doc, NULL, &ir, err);
    if (!rc && last[0]) {
      snprintf(st->position, sizeof(st->position), "%s", last);
      rc = intel_sync_position_set(c, api_root, collection, "pull", st->position, who->now_ms, err);
    }
    if (!rc)
      rc = store_commit(c, err);
    else
      store_rollback(c);
    st->stored += ir.success;
    st->refused += ir.failure;
    intel_ingest_result_release(&ir);
    taxii_page_release(&page);
    if (rc || !more || !got)
      break;
  }
  fs_buf_release(&body);
  return rc;
}

struct envelope {
  struct fs_buf *out;
  size_t n;
};

static int add_object(const struct intel_row *r, void *ctx)
{
  struct envelope *e = ctx;
  if (e->n++)
    fs_buf_append_char(e->out, ',');
  return fs_buf_append(e->out, r->body, r->body_len);
}

int taxii_push(struct store_conn *c, const struct actor *who, struct taxii_client *cl,
               const char *api_root, const char *collection, const char *from, const char *for_org,
               size_t limit, struct taxii_sync_stats *st, struct fs_err *err)
{
  memset(st, 0, sizeof(*st));
  /* What the partner may see here: its organisation's view, as one of its analysts would. */
  struct actor partner = {.role = AUTH_ROLE_MEMBER_ANALYST, .now_ms = who->now_ms};
  snprintf(partner.username, sizeof(partner.username), "partner-view");
  snprintf(partner.source, sizeof(partner.source), "%s", who->source);
  int rc = org_resolve(c, for_org, partner.org_id, err);
  struct intel_collection col;
  if (!rc)
    rc = intel_collection_find(c, &partner, from, &col, err);
  if (rc == FS_ERR_NOT_FOUND)
    return fs_err_set(err, FS_ERR_FORBIDDEN, from, "organisation %s may not read collection %s",
                      for_org, from);
  if (!rc)
    rc = intel_sync_position(c, api_root, collection, "push", st->position, err);
  if (rc)
    return rc;
  long long after = 0;
  sscanf(st->position, "%lld", &after);
  struct fs_buf env, status;
  fs_buf_init(&env, 256 << 20);
  fs_buf_init(&status, 16 << 20);
  for (;;) {
    struct intel_page page = {.limit = limit ? limit : 1000,
                              .has_cursor = after > 0,
                              .after_date = after,
                              .after_seq = INT64_MAX};
    fs_buf_reset(&env);
    fs_buf_append_str(&env, "{\"objects\":[");
    struct envelope e = {&env, 0};
    rc = intel_read_collection(c, &partner, &col, &page, add_object, &e, err);
    if (rc)
      break;
    fs_buf_append_str(&env, "]}");
    if (e.n) {
      rc = taxii_client_post_objects(cl, collection, fs_buf_cstr(&env), env.len, &status, err);
      if (rc)
        break;
      size_t ok, refused;
      if ((rc = taxii_reply_status(fs_buf_cstr(&status), status.len, &ok, &refused, err)))
        break;
      st->stored += ok;
      st->refused += refused;
      st->pages++;
      st->received += e.n;
      fs_progress_add(taxii_client_progress(cl), e.n);
    }
    /* Positions are whole rows (date_added is unique across the hub): resume after the last. */
    if (page.last_date > after) {
      after = page.last_date;
      snprintf(st->position, sizeof(st->position), "%lld", after);
      rc = intel_sync_position_set(c, api_root, collection, "push", st->position, who->now_ms, err);
      if (rc)
        break;
    }
    if (!page.more)
      break;
  }
  fs_buf_release(&env);
  fs_buf_release(&status);
  return rc;
}
