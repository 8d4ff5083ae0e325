/* Sightings: indicator hits written back into intelligence as STIX sightings, per organisation
 * (for the hub) and for the whole sector (for everyone who may see the indicator), under ids
 * keyed with the hub's secret, counting hits in versions written at most once per
 * soc.sighting_interval; and the renaming of sightings hubs wrote under computable ids. */
#include "soc/soc_int.h"

#include "core/uuid.h"
#include "core/vec.h"
#include "intel/intel.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The id of the hub's sighting of `ref` at organisation org ("" for all organisations): a UUID
 * from BLAKE2b keyed with a sub-key of the hub's secret, so that nobody without the secret can
 * compute which organisation sighted what from ids they can all read (an indicator's, an
 * organisation's). */
static void keyed_sighting_id(const struct soc_engine *e, const char *ref, const char *org,
                              char out[64])
{
  static const char label[] = "finshield sighting ids";
  uint8_t key[32], h[16];
  crypto_generichash(key, sizeof(key), (const unsigned char *)label, sizeof(label) - 1,
                     e->env.secret, SOC_SECRET_BYTES);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, sizeof(key), sizeof(h));
  crypto_generichash_update(&st, (const unsigned char *)ref, strlen(ref) + 1);
  crypto_generichash_update(&st, (const unsigned char *)org, strlen(org));
  crypto_generichash_final(&st, h, sizeof(h));
  sodium_memzero(key, sizeof(key));
  char uuid[37];
  fs_uuid_v4_from(h, uuid);
  snprintf(out, 64, "sighting--%s", uuid);
}

/* The sighting of (ref, org) as soc_sighting records it (its id and when its last version was
 * written, 0 for never), recorded now when it is not. */
static int sighting_state(struct store_conn *c, const struct soc_engine *e, const char *ref,
                          const char *org, char id[64], int64_t *written_at, struct fs_err *err)
{
  struct store_stmt *s = NULL;
  int rc = store_query(c, &s, err,
                       "SELECT id, written_at FROM soc_sighting WHERE ref = ? AND org_id = ?", "ss",
                       ref, org);
  bool row = false;
  if (!rc && !(rc = store_step(s, &row, err)) && row) {
    snprintf(id, 64, "%s", store_col_text(s, 0));
    *written_at = store_col_int(s, 1);
  }
  store_done(s);
  if (rc || row)
    return rc;
  keyed_sighting_id(e, ref, org, id);
  *written_at = 0;
  return store_exec(c, NULL, err, "INSERT INTO soc_sighting (ref, org_id, id) VALUES (?, ?, ?)",
                    "sss", ref, org, id);
}

/* A new version of sighting `sid` of `ref`, counting every hit so far (at organisation org, or
 * at all when org is ""), stored through intel's ingest so that TLP and the policy apply to it
 * like to any object. */
static int store_version(struct store_conn *c, const struct actor *hub, const char *sid,
                         const char *ref, const char *org, const char *tlp_marking,
                         const char *collection, struct fs_err *err)
{
  int64_t count = 0, first = 0;
  int rc = store_query_int(c, &count, NULL, err,
                           "SELECT COALESCE(SUM(count), 0) FROM soc_alert WHERE kind = 'ioc'"
                           " AND ref = ? AND (? = '' OR org_id = ?)",
                           "sss", ref, org, org);
  /* created (and first_seen) is the indicator's first hit anywhere, as it always was: a
   * sighting's versions keep one created time. */
  if (!rc)
    rc = store_query_int(c, &first, NULL, err,
                         "SELECT COALESCE(MIN(first_at), 0) FROM soc_alert WHERE kind = 'ioc'"
                         " AND ref = ?",
                         "s", ref);
  char hub_ident[STIX_ID_MAX], created[32], now[32];
  if (!rc)
    rc = intel_hub_identity(c, hub_ident, err);
  if (rc)
    return rc;
  fs_time_format_ms(first ? first : hub->now_ms, created);
  fs_time_format_ms(hub->now_ms > first ? hub->now_ms : first + 1, now);
  json_t *s = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:[s]}", "type", "sighting", "spec_version", "2.1",
      "id", sid, "created", created, "modified", now, "sighting_of_ref", ref, "count",
      (json_int_t)(count > 999999999 ? 999999999 : count), "first_seen", created, "last_seen", now,
      "created_by_ref", hub_ident, "object_marking_refs", tlp_marking);
  if (s && org[0]) {
    char ident[STIX_ID_MAX];
    intel_org_identity(org, ident);
    json_object_set_new(s, "where_sighted_refs", json_pack("[s]", ident));
  }
  char *text = s ? json_dumps(s, JSON_COMPACT) : NULL;
  json_decref(s);
  if (!text)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  rc = intel_ingest_text(c, hub, collection, text, strlen(text), NULL, err);
  free(text);
  return rc;
}

/* Writes the sighting (ref, org) as the indicator's level and visibility allow now: who saw it
 * (org set) for the hub only, and only for what the hub may see; how often (org "") for everybody
 * who may see the indicator itself, so for CLEAR and GREEN ones only, at its level. */
static int write_sighting(struct store_conn *c, struct soc_engine *e, const char *ref,
                          const char *org, const char *sid, struct fs_err *err)
{
  enum tlp_level t;
  int rc = intel_latest_level(c, ref, &t, err);
  if (rc || t == TLP_NONE)
    return rc; /* an indicator from a list loaded elsewhere: nothing to sight */
  struct actor hub, reader;
  if ((rc = soc_hub_actor(c, e, &hub, err)) || (rc = soc_hub_reader(c, e, &reader, err)))
    return rc;
  if (org[0])
    return soc_sees_ref(c, &reader, "ioc", ref)
               ? store_version(c, &hub, sid, ref, org, stix_tlp_marking_id(TLP_AMBER_STRICT),
                               "sightings", err)
               : FS_OK;
  return tlp_is_community(t)
             ? store_version(c, &hub, sid, ref, org, stix_tlp_marking_id(t), "sector", err)
             : FS_OK;
}

/* New hits on the sighting (ref, org): a version now when none was written within the interval,
 * else the sighting is left pending for a later flush or the engine's tick. */
static int hit(struct store_conn *c, struct soc_engine *e, const char *ref, const char *org,
               int64_t now, struct fs_err *err)
{
  char sid[64];
  int64_t written_at = 0;
  int rc = sighting_state(c, e, ref, org, sid, &written_at, err);
  if (rc)
    return rc;
  if (written_at && now - written_at < e->env.cfg->soc_sighting_interval_s * 1000)
    return store_exec(c, NULL, err,
                      "UPDATE soc_sighting SET pending = 1 WHERE ref = ? AND org_id = ?", "ss", ref,
                      org);
  rc = write_sighting(c, e, ref, org, sid, err);
  if (!rc)
    rc = store_exec(
        c, NULL, err,
        "UPDATE soc_sighting SET written_at = ?, pending = 0 WHERE ref = ? AND org_id = ?", "iss",
        now, ref, org);
  return rc;
}

static int cmp_ref(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int soc_sightings_hits(struct store_conn *c, struct soc_engine *e, const char *org_id,
                       const char *const *refs, size_t n, struct fs_err *err)
{
  int64_t now = fs_clock_now_ms(e->env.clock);
  /* each indicator once, however many hits the batch brought (sorted: a batch may be large) */
  const char **sorted = malloc((n ? n : 1) * sizeof(*sorted));
  if (!sorted)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  if (n)
    memcpy(sorted, refs, n * sizeof(*sorted));
  qsort(sorted, n, sizeof(*sorted), cmp_ref);
  int rc = FS_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    if (i && !strcmp(sorted[i], sorted[i - 1]))
      continue;
    rc = hit(c, e, sorted[i], org_id, now, err);
    if (!rc)
      rc = hit(c, e, sorted[i], "", now, err);
  }
  free(sorted);
  return rc;
}

int soc_sightings_tick(struct soc_engine *e, struct fs_err *err)
{
  struct store_conn *c;
  int rc = store_acquire(e->env.store, &c, err);
  if (rc)
    return rc;
  int64_t now = fs_clock_now_ms(e->env.clock);
  int64_t due = now - e->env.cfg->soc_sighting_interval_s * 1000;
  /* What is due is read first; a write transaction is taken only when something is. */
  int64_t n = 0;
  rc = store_query_int(c, &n, NULL, err,
                       "SELECT COUNT(*) FROM soc_sighting WHERE pending = 1 AND written_at <= ?",
                       "i", due);
  bool owned = false;
  if (!rc && n)
    rc = store_tx_enter(c, &owned, err);
  struct store_stmt *s = NULL;
  if (!rc && n)
    rc =
        store_query(c, &s, err,
                    "SELECT ref, org_id, id FROM soc_sighting WHERE pending = 1 AND written_at <= ?"
                    " LIMIT 1000",
                    "i", due);
  char(*rows)[3][300] = NULL;
  size_t k = 0, cap = 0;
  bool row;
  while (s && !rc && !(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(rows, k, cap, 16)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
      break;
    }
    for (int col = 0; col < 3; col++)
      snprintf(rows[k][col], sizeof(rows[k][col]), "%s", store_col_text(s, col));
    k++;
  }
  store_done(s);
  for (size_t i = 0; !rc && i < k; i++) {
    rc = write_sighting(c, e, rows[i][0], rows[i][1], rows[i][2], err);
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "UPDATE soc_sighting SET written_at = ?, pending = 0"
                      " WHERE ref = ? AND org_id = ?",
                      "iss", now, rows[i][0], rows[i][1]);
  }
  free(rows);
  if (owned)
    rc = store_tx_leave(c, owned, rc, err);
  store_release(e->env.store, c);
  return rc;
}

/* The namespace of the sighting ids of hubs before they were keyed (UUIDv5 of "ref|org"). */
#define LEGACY_SIGHTING_NS "00abedb4-aa42-466c-9c01-fed23315a9b7"

/* Sightings written under the ids of the old formula take their keyed ids (the (ref, org) pairs of
 * indicator alerts that soc_sighting does not know yet; its row ('', '') records that this ran). */
static int upgrade_sightings(struct store_conn *c, struct soc_engine *e, struct fs_err *err)
{
  int64_t done = 0;
  int rc = store_query_int(c, &done, NULL, err,
                           "SELECT COUNT(*) FROM soc_sighting WHERE ref = '' AND org_id = ''", "");
  if (rc || done)
    return rc;
  struct actor hub;
  if ((rc = soc_hub_actor(c, e, &hub, err)))
    return rc;
  struct store_stmt *s = NULL;
  rc = store_query(c, &s, err,
                   "SELECT DISTINCT ref, org_id FROM soc_alert WHERE kind = 'ioc'"
                   " UNION SELECT DISTINCT ref, '' FROM soc_alert WHERE kind = 'ioc'",
                   "");
  char(*pairs)[2][300] = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!rc && !(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(pairs, n, cap, 64)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
      break;
    }
    snprintf(pairs[n][0], sizeof(pairs[n][0]), "%s", store_col_text(s, 0));
    snprintf(pairs[n][1], sizeof(pairs[n][1]), "%s", store_col_text(s, 1));
    n++;
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n; i++) {
    const char *ref = pairs[i][0], *org = pairs[i][1];
    char name[700], uuid[37], old_id[64], new_id[64];
    snprintf(name, sizeof(name), "%s|%s", ref, org[0] ? org : "all");
    fs_uuid_v5(LEGACY_SIGHTING_NS, name, strlen(name), uuid);
    snprintf(old_id, sizeof(old_id), "sighting--%s", uuid);
    bool known = false;
    int64_t one = 0;
    rc = store_query_int(c, &one, &known, err,
                         "SELECT 1 FROM soc_sighting WHERE ref = ? AND org_id = ?", "ss", ref, org);
    if (rc || known)
      continue;
    int64_t written_at;
    if ((rc = sighting_state(c, e, ref, org, new_id, &written_at, err)))
      break;
    rc = intel_object_rename(c, &hub, old_id, new_id, err);
    if (rc == FS_ERR_NOT_FOUND)
      rc = FS_OK; /* that pair had no sighting */
  }
  free(pairs);
  if (!rc)
    rc = store_exec(c, NULL, err, "INSERT INTO soc_sighting (ref, org_id, id) VALUES ('', '', '')",
                    "");
  return rc;
}

int soc_sightings_upgrade(struct soc_engine *e, struct fs_err *err)
{
  struct store_conn *c;
  int rc = store_acquire(e->env.store, &c, err);
  if (rc)
    return rc;
  bool owned;
  if (!(rc = store_tx_enter(c, &owned, err)))
    rc = store_tx_leave(c, owned, upgrade_sightings(c, e, err), err);
  store_release(e->env.store, c);
  return rc;
}
