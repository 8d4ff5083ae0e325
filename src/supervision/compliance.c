/* Tiered requirements (依不同業別、規模及業務，給予不同資安要求，循序推動): which of the hub's
 * requirement sets apply to an institution on a date, and whether it meets each requirement. */
#include "supervision/internal.h"

#include "auth/org.h"
#include "resilience/register.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool listed(const json_t *list, const char *x)
{
  if (!json_array_size(list))
    return true; /* empty: all */
  size_t i;
  const json_t *v;
  json_array_foreach(list, i,
                     v) if (json_string_value(v) && !strcmp(json_string_value(v), x)) return true;
  return false;
}

struct sets {
  json_t *items;
};

static int set_row(const char *id, int64_t version, const json_t *f, void *ctx, struct fs_err *err)
{
  struct sets *s = ctx;
  json_t *o = json_deep_copy(f);
  char ref[160];
  snprintf(ref, sizeof(ref), "requirement-sets/%s@%lld", id, (long long)version);
  json_object_set_new(o, "_ref", json_string(ref));
  json_array_append_new(s->items, o);
  return FS_OK;
}

int sup_compliance(struct store_conn *c, const char *org_id, const char *industry, const char *tier,
                   int64_t at, const json_t *facts, json_t **out, struct fs_err *err)
{
  char hub[37];
  int rc = org_hub_id(c, hub, err);
  struct sets s = {.items = json_array()};
  if (!rc)
    rc = reg_scan(c, reg_find("requirement-sets"), hub, at, set_row, &s, err);
  if (rc) {
    json_decref(s.items);
    return rc;
  }
  const char *business =
      json_string_value(json_object_get(json_object_get(facts, "org.business"), "value"));
  int64_t today = reg_today(at);
  json_t *sets = json_array();
  int total = 0, met = 0;
  size_t i;
  json_t *set;
  json_array_foreach(s.items, i, set)
  {
    const char *b = json_string_value(json_object_get(set, "business"));
    if (!listed(json_object_get(set, "industries"), industry) ||
        !listed(json_object_get(set, "tiers"), tier) ||
        (b && strcmp(b, "any") && strcmp(b, business ? business : "general")) ||
        reg_date_days(json_string_value(json_object_get(set, "effective_from"))) > today)
      continue;
    json_t *reqs = json_array();
    size_t k;
    json_t *rq;
    json_array_foreach(json_object_get(set, "requirements"), k, rq)
    {
      const char *text = json_string_value(rq);
      const char *colon = text ? strstr(text, ": ") : NULL;
      if (!colon)
        continue;
      json_t *read = json_object(), *records = json_array();
      struct expr_value v;
      struct fs_err e;
      bool ok = !sup_eval(colon + 2, facts, read, records, &v, &e) && expr_truthy(&v);
      total++;
      met += ok;
      json_array_append_new(reqs, json_pack("{s:s%,s:s,s:b,s:o,s:o}", "name", text,
                                            (size_t)(colon - text), "expression", colon + 2, "met",
                                            ok, "facts", read, "records", records));
    }
    json_array_append_new(sets, json_pack("{s:O,s:{s:O,s:O},s:O,s:O,s:o}", "code",
                                          json_object_get(set, "code"), "title", "en",
                                          json_object_get(set, "title_en"), "zh-TW",
                                          json_object_get(set, "title_zh"), "effective_from",
                                          json_object_get(set, "effective_from"), "record",
                                          json_object_get(set, "_ref"), "requirements", reqs));
  }
  json_decref(s.items);
  *out = json_pack("{s:o,s:i,s:i,s:f}", "sets", sets, "requirements", total, "met", met, "ratio",
                   total ? round(1000.0 * met / total) / 10 : 100.0);
  return FS_OK;
}
