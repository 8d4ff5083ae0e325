/* Stored TLP levels made right in hubs that stored objects before granular markings counted: the
 * one-time pass intel_bootstrap runs (intel_meta key "levels"). */
#include "intel/store_int.h"

#include "core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One version whose stored level is below its granular markings' level. */
struct raise {
  int64_t seq;
  char id[STIX_ID_MAX];
  enum tlp_level level;
};

static int nomem(struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
}

/* The versions carrying granular markings stricter than their stored level. */
static int find_low(struct store_conn *c, struct raise **out, size_t *n, struct fs_err *err)
{
  struct store_stmt *s = NULL;
  int rc = store_query(c, &s, err,
                       "SELECT seq, id, tlp, body FROM intel_object"
                       " WHERE body LIKE '%\"granular\\_markings\"%' ESCAPE '\\'",
                       "");
  size_t cap = 0;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    json_t *obj = json_loads(store_col_text(s, 3), 0, NULL);
    enum tlp_level g = stix_tlp_granular_strictest(json_object_get(obj, "granular_markings"));
    json_decref(obj);
    if (g <= stix_tlp_from_token(store_col_text(s, 2)))
      continue;
    if (FS_VEC_GROW(*out, *n, cap, 16)) {
      rc = nomem(err);
      break;
    }
    struct raise *r = &(*out)[(*n)++];
    r->seq = store_col_int(s, 0);
    snprintf(r->id, sizeof(r->id), "%s", store_col_text(s, 1));
    r->level = g;
  }
  store_done(s);
  return rc;
}

/* The hub's own sightings of indicator id take at least the level of its latest version, as a
 * sighting made now would (a sector sighting of an indicator that is no longer CLEAR or GREEN
 * would tell everyone about hits on it). */
static int raise_sightings(struct store_conn *c, const char *hub_org, const char *id,
                           int64_t *changed, struct fs_err *err)
{
  char pattern[STIX_ID_MAX + 40];
  enum tlp_level level;
  int rc = intel_latest_level(c, id, &level, err);
  if (rc || level == TLP_NONE)
    return rc;
  snprintf(pattern, sizeof(pattern), "%%\"sighting_of_ref\":\"%s\"%%", id);
  struct store_stmt *s = NULL;
  rc = store_query(c, &s, err,
                   "SELECT seq, tlp FROM intel_object WHERE type = 'sighting' AND producer_org = ?"
                   " AND body LIKE ?",
                   "ss", hub_org, pattern);
  int64_t *seqs = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    if (stix_tlp_from_token(store_col_text(s, 1)) >= level)
      continue;
    if (FS_VEC_GROW(seqs, n, cap, 16)) {
      rc = nomem(err);
      break;
    }
    seqs[n++] = store_col_int(s, 0);
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "UPDATE intel_object SET tlp = ? WHERE seq = ?", "si",
                    stix_tlp_token(level), seqs[i]);
  *changed += (int64_t)n;
  free(seqs);
  return rc;
}

int intel_levels_upgrade(struct store_conn *c, const char *hub_org, struct fs_err *err)
{
  int64_t done = 0;
  bool found;
  int rc = store_query_int(c, &done, &found, err,
                           "SELECT CAST(value AS BIGINT) FROM intel_meta WHERE key = 'levels'", "");
  if (rc || done >= 1)
    return rc;
  struct raise *low = NULL;
  size_t n = 0;
  int64_t changed = 0;
  rc = find_low(c, &low, &n, err);
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "UPDATE intel_object SET tlp = ? WHERE seq = ?", "si",
                    stix_tlp_token(low[i].level), low[i].seq);
  changed += (int64_t)n;
  /* (an indicator with several such versions is looked at again: raising is idempotent) */
  for (size_t i = 0; !rc && i < n; i++)
    if (!strncmp(low[i].id, "indicator--", 11))
      rc = raise_sightings(c, hub_org, low[i].id, &changed, err);
  free(low);
  /* Readers that keep derived state rebuild: the SOC's indicator index from scratch (the
   * deletion counter), cached TAXII pages (every collection's generation). */
  if (!rc && changed)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES ('deletes', '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                    "");
  if (!rc && changed)
    rc = store_exec(c, NULL, err,
                    "UPDATE intel_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT)"
                    " WHERE key LIKE 'gen:%'",
                    "");
  if (!rc && changed)
    rc = store_notify(c, "intel", err);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES ('levels', '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = '1'",
                    "");
  return rc;
}
