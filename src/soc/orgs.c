/* Organisations numbered for the indicator index. */
#include "soc/soc_int.h"

#include "auth/org.h"
#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void soc_orgs_release(struct soc_orgs *o)
{
  free(o->ids);
  memset(o, 0, sizeof(*o));
}

int soc_orgs_load(struct store_conn *c, struct soc_orgs *o, struct fs_err *err)
{
  memset(o, 0, sizeof(*o));
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT id FROM org ORDER BY id", "");
  if (rc)
    return rc;
  size_t cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(o->ids, o->n, cap, 512)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
      break;
    }
    snprintf(o->ids[o->n++], 37, "%s", store_col_text(s, 0));
  }
  store_done(s);
  char hub[37];
  if (!rc && !org_hub_id(c, hub, err))
    o->hub = soc_orgs_number(o, hub);
  if (rc)
    soc_orgs_release(o);
  return rc;
}

uint32_t soc_orgs_number(const struct soc_orgs *o, const char *id)
{
  size_t lo = 0, hi = o->n;
  while (id && lo < hi) {
    size_t mid = (lo + hi) / 2;
    int r = strcmp(o->ids[mid], id);
    if (!r)
      return (uint32_t)mid + 1;
    if (r < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

const char *soc_orgs_id(const struct soc_orgs *o, uint32_t num)
{
  return num >= 1 && num <= o->n ? o->ids[num - 1] : NULL;
}
