/* Rows inserted many to a statement: INSERT ... VALUES (...), (...), ... with up to
 * INTEL_ROWS_MAX rows, the remainder one by one (two statement texts per table, both kept in the
 * connection's statement cache). The same B-tree work in fewer statements. */
#include "intel/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int intel_rows_init(struct intel_rows *w, struct store_conn *c, const char *head, const char *tuple,
                    const char *tail, const char *types, struct fs_err *err)
{
  memset(w, 0, sizeof(*w));
  w->c = c;
  w->types = types;
  w->cols = strlen(types);
  fs_buf_init(&w->many, 0);
  fs_buf_init(&w->one, 0);
  fs_buf_appendf(&w->one, "%s%s%s", head, tuple, tail);
  fs_buf_append_str(&w->many, head);
  for (size_t i = 0; i < INTEL_ROWS_MAX; i++)
    fs_buf_appendf(&w->many, "%s%s", i ? "," : "", tuple);
  if (fs_buf_append_str(&w->many, tail) || !w->one.len ||
      !(w->vals = calloc(INTEL_ROWS_MAX * w->cols, sizeof(*w->vals)))) {
    intel_rows_release(w);
    return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
  }
  return FS_OK;
}

void intel_rows_release(struct intel_rows *w)
{
  fs_buf_release(&w->many);
  fs_buf_release(&w->one);
  free(w->vals);
  w->vals = NULL;
  w->n = 0;
}

/* Runs sql with rows [from, from + k) bound. */
static int run(struct intel_rows *w, const char *sql, size_t from, size_t k, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_prepare(w->c, sql, &s, err);
  if (rc)
    return rc;
  int idx = 1;
  for (size_t r = from; r < from + k; r++)
    for (size_t col = 0; col < w->cols; col++) {
      const struct intel_rows_val *v = &w->vals[r * w->cols + col];
      if (w->types[col] == 'i')
        store_bind_int(s, idx++, v->i);
      else /* borrowed until the flush: no copy */
        store_bind_text_ref(s, idx++, v->s, v->s ? (v->n ? v->n : strlen(v->s)) : 0);
    }
  bool row = true;
  while (!rc && row)
    rc = store_step(s, &row, err);
  store_done(s);
  return rc;
}

int intel_rows_flush(struct intel_rows *w, struct fs_err *err)
{
  int rc = FS_OK;
  if (w->n == INTEL_ROWS_MAX)
    rc = run(w, fs_buf_cstr(&w->many), 0, w->n, err);
  else
    for (size_t r = 0; !rc && r < w->n; r++)
      rc = run(w, fs_buf_cstr(&w->one), r, 1, err);
  w->n = 0;
  return rc;
}

struct intel_rows_val *intel_rows_add(struct intel_rows *w, int *rc, struct fs_err *err)
{
  *rc = FS_OK;
  if (w->n == INTEL_ROWS_MAX && (*rc = intel_rows_flush(w, err)))
    return NULL;
  struct intel_rows_val *v = &w->vals[w->n++ * w->cols];
  memset(v, 0, w->cols * sizeof(*v));
  return v;
}
