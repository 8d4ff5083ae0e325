/* What other modules read of organisations, so that none names auth's tables in SQL (one owner
 * per table, docs/internals/layout.md): an organisation's brief (code, names, industry, parent),
 * its contacts, the ids and the number of organisations, and a small cache for reads that name
 * the same organisations row after row. No policy here: the caller decides what it shows. */
#include "auth/org.h"

#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(char *dst, size_t n, struct store_stmt *s, int i)
{
  const char *v = store_col_text(s, i);
  snprintf(dst, n, "%s", v ? v : "");
}

/* Runs sql (binding id_or_code twice) and steps to its one row: *s is left on the row (give it
 * back with store_done), or FS_ERR_NOT_FOUND naming the organisation. */
static int org_row(struct store_conn *c, const char *sql, const char *id_or_code,
                   struct store_stmt **s, struct fs_err *err)
{
  bool row;
  int rc = store_query(c, s, err, sql, "ss", id_or_code, id_or_code);
  if (rc)
    return rc;
  rc = store_step(*s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "organisation", "no organisation \"%.64s\"", id_or_code);
  if (rc)
    store_done(*s);
  return rc;
}

int org_brief(struct store_conn *c, const char *id_or_code, struct org_brief *out,
              struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  struct store_stmt *s;
  int rc = org_row(c,
                   "SELECT id, code, name_zh, name_en, industry, parent_id FROM org"
                   " WHERE id = ? OR code = ?",
                   id_or_code, &s, err);
  if (rc)
    return rc;
  copy_col(out->id, sizeof(out->id), s, 0);
  copy_col(out->code, sizeof(out->code), s, 1);
  copy_col(out->name_zh, sizeof(out->name_zh), s, 2);
  copy_col(out->name_en, sizeof(out->name_en), s, 3);
  copy_col(out->industry, sizeof(out->industry), s, 4);
  copy_col(out->parent_id, sizeof(out->parent_id), s, 5);
  store_done(s);
  return FS_OK;
}

int org_briefs_get(struct store_conn *c, struct org_briefs *cache, const char *id,
                   struct org_brief *out, struct fs_err *err)
{
  for (size_t i = 0; id && i < cache->n; i++) {
    if (!strcmp(cache->v[i].id, id) || !strcmp(cache->v[i].code, id)) {
      *out = cache->v[i];
      return FS_OK;
    }
  }
  int rc = org_brief(c, id ? id : "", out, err);
  if (!rc && !FS_VEC_GROW(cache->v, cache->n, cache->cap, 16))
    cache->v[cache->n++] = *out; /* without room, the next row reads it again */
  return rc;
}

void org_briefs_release(struct org_briefs *cache)
{
  free(cache->v);
  memset(cache, 0, sizeof(*cache));
}

int org_contacts(struct store_conn *c, const char *id_or_code, json_t **out, struct fs_err *err)
{
  *out = NULL;
  struct store_stmt *s;
  int rc = org_row(c, "SELECT contacts FROM org WHERE id = ? OR code = ?", id_or_code, &s, err);
  if (rc)
    return rc;
  json_t *a = json_loads(store_col_text(s, 0), 0, NULL);
  store_done(s);
  *out = json_is_array(a) ? a : json_array();
  if (*out != a)
    json_decref(a);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "organisation", "out of memory");
}

/* The WHERE clause of a selection and its two bindings (industry twice, sample once). */
#define SELECT_WHERE " WHERE (? IS NULL OR industry = ?) AND (? = 0 OR sample = 1)"

int org_count(struct store_conn *c, const struct org_select *sel, int64_t *n, struct fs_err *err)
{
  const char *industry = sel ? sel->industry : NULL;
  int64_t sample = sel && sel->sample_only;
  *n = 0;
  return store_query_int(c, n, NULL, err, "SELECT COUNT(*) FROM org" SELECT_WHERE, "ssi", industry,
                         industry, sample);
}

int org_ids_each(struct store_conn *c, const struct org_select *sel, org_id_fn fn, void *ctx,
                 struct fs_err *err)
{
  const char *industry = sel ? sel->industry : NULL;
  int64_t sample = sel && sel->sample_only;
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT id FROM org" SELECT_WHERE " ORDER BY code", "ssi",
                       industry, industry, sample);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    if ((rc = fn(store_col_text(s, 0), ctx)))
      break;
  store_done(s);
  return rc;
}
