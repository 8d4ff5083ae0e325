/* Sightings: indicator hits written back into intelligence as STIX sightings, per organisation
 * (for the hub) and for the whole sector (for everyone who may see the indicator), under ids
 * keyed with the hub's secret, counting hits in versions written at most once per
 * soc.sighting_interval; and the renaming of sightings hubs wrote under computable ids. */
#include "soc/soc_int.h"

#include "core/buf.h"
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

/* The sightings' new versions of one flush, gathered as an envelope per collection they go to
 * and stored with one ingest each (every SIGHTINGS_PER_INGEST objects at most): a transaction's
 * sightings cost the ingest's fixed work (the collection, its sequence and generation, the audit
 * record, the notice to other nodes) once per envelope instead of once per sighting. */
#define SIGHTINGS_PER_INGEST 1000

struct envelope_out {
  const char *collection;
  struct fs_buf text; /* {"objects":[... while open */
  size_t n;           /* objects in it */
};

struct sighting_out {
  const struct actor *hub, *reader; /* the SOC's actors (soc_hub_actor, soc_hub_reader) */
  char hub_ident[STIX_ID_MAX];      /* the hub's identity ("" until read) */
  struct envelope_out hub_only;     /* into "sightings": who sighted what, for the hub only */
  struct envelope_out sector;       /* into "sector": how often, for whoever sees the indicator */
};

static void out_init(struct sighting_out *o, const struct actor *hub, const struct actor *reader)
{
  memset(o, 0, sizeof(*o));
  o->hub = hub;
  o->reader = reader;
  o->hub_only.collection = "sightings";
  o->sector.collection = "sector";
  fs_buf_init(&o->hub_only.text, 0);
  fs_buf_init(&o->sector.text, 0);
}

/* Stores the envelope's objects (in the caller's transaction) and empties it. */
static int out_ingest(struct store_conn *c, const struct sighting_out *o, struct envelope_out *env,
                      struct fs_err *err)
{
  if (!env->n)
    return FS_OK;
  int rc =
      fs_buf_append_str(&env->text, "]}")
          ? fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory")
          : intel_ingest_text(c, o->hub, env->collection, env->text.data, env->text.len, NULL, err);
  fs_buf_reset(&env->text);
  env->n = 0;
  return rc;
}

/* Adds one object's text to an envelope, storing it when full. */
static int out_add(struct store_conn *c, const struct sighting_out *o, struct envelope_out *env,
                   const char *text, struct fs_err *err)
{
  if (fs_buf_append_str(&env->text, env->n ? "," : "{\"objects\":[") ||
      fs_buf_append_str(&env->text, text))
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  return ++env->n < SIGHTINGS_PER_INGEST ? FS_OK : out_ingest(c, o, env, err);
}

/* Stores what is left (when rc is FS_OK) and frees the envelopes; returns rc or the failure. */
static int out_finish(struct store_conn *c, struct sighting_out *o, int rc, struct fs_err *err)
{
  if (!rc)
    rc = out_ingest(c, o, &o->hub_only, err);
  if (!rc)
    rc = out_ingest(c, o, &o->sector, err);
  fs_buf_release(&o->hub_only.text);
  fs_buf_release(&o->sector.text);
  return rc;
}

/* A new version of sighting `sid` of `ref`, counting `count` hits (at organisation org, or at all
 * when org is "") since `first` (the indicator's first hit anywhere: a sighting's versions keep
 * one created time), added to the envelope `into`: stored through intel's ingest so that TLP and
 * the policy apply to it like to any object. */
static int add_version(struct store_conn *c, struct sighting_out *o, struct envelope_out *into,
                       const char *sid, const char *ref, const char *org, int64_t count,
                       int64_t first, const char *tlp_marking, struct fs_err *err)
{
  int rc = o->hub_ident[0] ? FS_OK : intel_hub_identity(c, o->hub_ident, err);
  if (rc)
    return rc;
  char created[32], now[32];
  int64_t at = o->hub->now_ms;
  fs_time_format_ms(first ? first : at, created);
  fs_time_format_ms(at > first ? at : first + 1, now);
  json_t *s = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:[s]}", "type", "sighting", "spec_version", "2.1",
      "id", sid, "created", created, "modified", now, "sighting_of_ref", ref, "count",
      (json_int_t)(count > 999999999 ? 999999999 : count), "first_seen", created, "last_seen", now,
      "created_by_ref", o->hub_ident, "object_marking_refs", tlp_marking);
  if (s && org[0]) {
    char ident[STIX_ID_MAX];
    intel_org_identity(org, ident);
    json_object_set_new(s, "where_sighted_refs", json_pack("[s]", ident));
  }
  char *text = s ? json_dumps(s, JSON_COMPACT) : NULL;
  json_decref(s);
  rc =
      text ? out_add(c, o, into, text, err) : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  free(text);
  return rc;
}

/* ---- a chunk of sightings of one organisation (or of all: "") at once ---- */

/* References a statement names at once; a shorter chunk repeats its last one, so that each
 * statement has one text (prepared once per connection). */
#define CHUNK 64

struct sight {
  const char *ref;
  char id[64];        /* the sighting's id */
  int64_t written_at; /* its last version's time, 0 for never */
  bool known;         /* soc_sighting has its row */
  bool due;           /* no version written within soc.sighting_interval */
  int64_t count, first;
};

/* Runs `head` + " IN (?,...)" + `tail` over the chunk's references (after the text parameters
 * pre[0..npre)), calling fn on each row. */
static int each_in(struct store_conn *c, const char *head, const char *tail, const char *const *pre,
                   int npre, struct sight *ch, size_t k,
                   void (*fn)(struct sight *ch, size_t k, struct store_stmt *s), struct fs_err *err)
{
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  fs_buf_append_str(&sql, head);
  fs_buf_append_str(&sql, " IN (");
  int rc = store_sql_placeholders(&sql, CHUNK) || fs_buf_append_char(&sql, ')') ||
                   fs_buf_append_str(&sql, tail)
               ? fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory")
               : FS_OK;
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_prepare(c, fs_buf_cstr(&sql), &s, err);
  fs_buf_release(&sql);
  if (rc)
    return rc;
  int idx = 1;
  for (int i = 0; i < npre; i++)
    store_bind_text(s, idx++, pre[i]);
  for (size_t i = 0; i < CHUNK; i++) {
    const char *ref = ch[i < k ? i : k - 1].ref;
    store_bind_text_ref(s, idx++, ref, strlen(ref));
  }
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    if (fn)
      fn(ch, k, s);
  store_done(s);
  return rc;
}

/* Runs `head` + " IN (...)" over the chunk's references whose `due` is `due` (none: nothing). */
static int each_in_due(struct store_conn *c, const char *head, const char *const *pre, int npre,
                       const struct sight *ch, size_t k, bool due, struct fs_err *err)
{
  struct sight part[CHUNK];
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (ch[i].due == due)
      part[m++] = ch[i];
  return m ? each_in(c, head, "", pre, npre, part, m, NULL, err) : FS_OK;
}

static struct sight *find(struct sight *ch, size_t k, const char *ref)
{
  for (size_t i = 0; i < k; i++)
    if (!strcmp(ch[i].ref, ref))
      return &ch[i];
  return NULL;
}

static void take_state(struct sight *ch, size_t k, struct store_stmt *s)
{
  struct sight *x = find(ch, k, store_col_text(s, 0));
  if (x) {
    snprintf(x->id, sizeof(x->id), "%s", store_col_text(s, 1));
    x->written_at = store_col_int(s, 2);
    x->known = true;
  }
}

static void take_counts(struct sight *ch, size_t k, struct store_stmt *s)
{
  struct sight *x = find(ch, k, store_col_text(s, 0));
  if (x) {
    x->count = store_col_int(s, 1);
    x->first = store_col_int(s, 2);
  }
}

/* New hits on the sightings (ref, org) of the chunk ch[0..k): a version now of each for which none
 * was written within the interval; the others are left pending for a later flush or the engine's
 * tick. Writes the sighting as the indicator's level and visibility allow now: who saw it (org
 * set) for the hub only, and only for what the hub may see; how often (org "") for everybody who
 * may see the indicator itself, so for CLEAR and GREEN ones only, at its level. */
static int sight_chunk(struct store_conn *c, struct soc_engine *e, struct sighting_out *o,
                       const char *org, struct sight *ch, size_t k, int64_t now, struct fs_err *err)
{
  const char *pre[2] = {org, org};
  int rc = each_in(c, "SELECT ref, id, written_at FROM soc_sighting WHERE org_id = ? AND ref", "",
                   pre, 1, ch, k, take_state, err);
  /* The pairs seen for the first time get their rows (one statement; a repeated last one is
   * nothing new). */
  bool fresh = false;
  for (size_t i = 0; i < k; i++)
    if (!ch[i].known) {
      keyed_sighting_id(e, ch[i].ref, org, ch[i].id);
      fresh = true;
    }
  if (!rc && fresh) {
    char sql[1024];
    size_t at =
        (size_t)snprintf(sql, sizeof(sql), "INSERT INTO soc_sighting (ref, org_id, id) VALUES");
    for (int i = 0; i < CHUNK; i++)
      at += (size_t)snprintf(sql + at, sizeof(sql) - at, "%s(?,?,?)", i ? "," : " ");
    snprintf(sql + at, sizeof(sql) - at, " ON CONFLICT DO NOTHING");
    struct store_stmt *s;
    if (!(rc = store_prepare(c, sql, &s, err))) {
      int idx = 1;
      for (size_t i = 0; i < CHUNK; i++) {
        const struct sight *x = &ch[i < k ? i : k - 1];
        store_bind_text(s, idx++, x->ref);
        store_bind_text(s, idx++, org);
        store_bind_text(s, idx++, x->id);
      }
      bool row;
      rc = store_step(s, &row, err);
      store_done(s);
    }
  }
  /* What is due: counted, leveled and written. */
  bool due_any = false;
  int64_t interval = e->env.cfg->soc_sighting_interval_s * 1000;
  for (size_t i = 0; i < k; i++) {
    ch[i].due = !ch[i].written_at || now - ch[i].written_at >= interval;
    due_any |= ch[i].due;
  }
  if (!rc && due_any)
    rc = each_in(
        c,
        "SELECT ref, COALESCE(SUM(CASE WHEN ? = '' OR org_id = ? THEN count ELSE 0 END), 0),"
        " COALESCE(MIN(first_at), 0) FROM soc_alert WHERE kind = 'ioc' AND ref",
        " GROUP BY ref", pre, 2, ch, k, take_counts, err);
  const char *refs[CHUNK];
  enum tlp_level levels[CHUNK];
  for (size_t i = 0; i < k; i++)
    refs[i] = ch[i].ref;
  if (!rc && due_any)
    rc = intel_latest_levels(c, refs, k, levels, err);
  for (size_t i = 0; !rc && i < k; i++) {
    struct sight *x = &ch[i];
    if (!x->due || levels[i] == TLP_NONE)
      continue; /* TLP_NONE: an indicator from a list loaded elsewhere, nothing to sight */
    if (org[0] && soc_sees_ref(c, o->reader, "ioc", x->ref))
      rc = add_version(c, o, &o->hub_only, x->id, x->ref, org, x->count, x->first,
                       stix_tlp_marking_id(TLP_AMBER_STRICT), err);
    else if (!org[0] && tlp_is_community(levels[i]))
      rc = add_version(c, o, &o->sector, x->id, x->ref, org, x->count, x->first,
                       stix_tlp_marking_id(levels[i]), err);
  }
  /* Their rows: written now (the due ones), or pending (the others). */
  char at[24];
  snprintf(at, sizeof(at), "%lld", (long long)now);
  const char *written[2] = {at, org};
  if (!rc)
    rc = each_in_due(c,
                     "UPDATE soc_sighting SET written_at = CAST(? AS BIGINT), pending = 0"
                     " WHERE org_id = ? AND ref",
                     written, 2, ch, k, true, err);
  if (!rc)
    rc = each_in_due(c, "UPDATE soc_sighting SET pending = 1 WHERE org_id = ? AND ref", &org, 1, ch,
                     k, false, err);
  return rc;
}

/* The sightings (refs[i], org) for refs[0..n) (sorted, each once), a chunk at a time. */
static int sight_refs(struct store_conn *c, struct soc_engine *e, struct sighting_out *o,
                      const char *org, const char *const *refs, size_t n, int64_t now,
                      struct fs_err *err)
{
  struct sight ch[CHUNK];
  int rc = FS_OK;
  for (size_t from = 0; !rc && from < n; from += CHUNK) {
    size_t k = n - from < CHUNK ? n - from : CHUNK;
    for (size_t i = 0; i < k; i++)
      ch[i] = (struct sight){.ref = refs[from + i]};
    rc = sight_chunk(c, e, o, org, ch, k, now, err);
  }
  return rc;
}

static int cmp_ref(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int soc_sightings_hits(struct store_conn *c, struct soc_engine *e, const struct actor *hub,
                       const struct actor *reader, const char *org_id, const char *const *refs,
                       size_t n, struct fs_err *err)
{
  int64_t now = fs_clock_now_ms(e->env.clock);
  /* each indicator once, however many hits the batch brought (sorted: a batch may be large) */
  const char **sorted = malloc((n ? n : 1) * sizeof(*sorted));
  if (!sorted)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  size_t m = 0;
  if (n)
    memcpy(sorted, refs, n * sizeof(*sorted));
  qsort(sorted, n, sizeof(*sorted), cmp_ref);
  for (size_t i = 0; i < n; i++)
    if (!m || strcmp(sorted[i], sorted[m - 1]))
      sorted[m++] = sorted[i];
  struct sighting_out o;
  out_init(&o, hub, reader);
  int rc = sight_refs(c, e, &o, org_id, sorted, m, now, err);
  if (!rc)
    rc = sight_refs(c, e, &o, "", sorted, m, now, err);
  free(sorted);
  return out_finish(c, &o, rc, err);
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
  struct actor hub, reader;
  if (!rc && k && !(rc = soc_hub_actor(c, e, &hub, err))) {
    soc_hub_reader_of(&hub, &reader);
    struct sighting_out o;
    out_init(&o, &hub, &reader);
    for (size_t i = 0; !rc && i < k; i++) {
      const char *ref = rows[i][0];
      rc = sight_refs(c, e, &o, rows[i][1], &ref, 1, now, err);
    }
    rc = out_finish(c, &o, rc, err);
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
