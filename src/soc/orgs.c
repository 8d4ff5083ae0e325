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

struct load {
  struct soc_orgs *o;
  size_t cap;
  struct fs_err *err;
};

static int add_id(const char *id, void *ctx)
{
  struct load *l = ctx;
  if (FS_VEC_GROW(l->o->ids, l->o->n, l->cap, 512))
    return fs_err_set(l->err, FS_ERR_NOMEM, "soc", "out of memory");
  snprintf(l->o->ids[l->o->n++], 37, "%s", id);
  return FS_OK;
}

static int cmp_id(const void *a, const void *b)
{
  return strcmp((const char *)a, (const char *)b);
}

int soc_orgs_load(struct store_conn *c, struct soc_orgs *o, struct fs_err *err)
{
  memset(o, 0, sizeof(*o));
  struct load l = {o, 0, err};
  int rc = org_ids_each(c, NULL, add_id, &l, err);
  if (!rc && o->n) /* numbered in the order of the ids (soc_orgs_number searches them) */
    qsort(o->ids, o->n, sizeof(*o->ids), cmp_id);
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
