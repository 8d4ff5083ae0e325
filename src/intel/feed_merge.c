/* One indicator per observable: what sources report is merged, by canonical value, into indicators
 * the hub produces (one per collection, TLP level and value, under an id keyed with the hub's
 * secret), each with every source that reported it (intel_provenance), its first and last
 * sighting by a source, and its score (intel_score). A value reported again only moves its last
 * seen; a value one more source reports gets a new version naming every source. */
#include "intel/feed_int.h"

#include "core/uuid.h"
#include "core/vec.h"
#include "detect/hash.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values merged a transaction (a batch; feeds.batch, intel_feed_env.batch); their new texts are
 * made and stored FEED_PART at a time. Each transaction rewrites every page of the indexes keyed
 * by random ids (the indicators', their scores' and provenance's) that its values touch, so fewer,
 * larger ones write far less; a larger one holds the write lock longer (docs/intel.md). 250,000:
 * a 1,000,000-value run in 4 transactions took about a fifth less CPU than in 10 (100,000), and
 * 500,000 little less again for 100 MB more (docs/benchmarks.md, feeds).
 * feed_flush.c writes a batch. */
#define FEED_BATCH_DEFAULT 250000

/* The sub-key of the hub's secret that ids are made with (derived once a merger). */
static void id_key(const uint8_t secret[32], uint8_t key[32])
{
  static const char label[] = "finshield source indicator ids";
  crypto_generichash(key, 32, (const unsigned char *)label, sizeof(label) - 1, secret, 32);
}

static void id_with_key(const uint8_t key[32], const char *collection, enum tlp_level level,
                        enum intel_obs kind, const char *value, char out[FEED_ID_MAX])
{
  uint8_t h[16];
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, 32, sizeof(h));
  const char *parts[] = {collection, stix_tlp_token(level), intel_obs_name(kind), value};
  for (size_t i = 0; i < FS_ARRAY_SIZE(parts); i++)
    crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
  crypto_generichash_final(&st, h, sizeof(h));
  char uuid[37];
  fs_uuid_v4_from(h, uuid);
  memcpy(out, "indicator--", 11);
  memcpy(out + 11, uuid, 37);
}

void feed_indicator_id(const uint8_t secret[32], const char *collection, enum tlp_level level,
                       enum intel_obs kind, const char *value, char out[FEED_ID_MAX])
{
  uint8_t key[32];
  id_key(secret, key);
  id_with_key(key, collection, level, kind, value, out);
  sodium_memzero(key, sizeof(key));
}

int feed_merger_new(struct store_conn *c, const struct actor *who, const struct intel_feed *f,
                    const struct intel_feed_env *env, const struct intel_wl_set *wl, int64_t now,
                    struct intel_feed_stats *st, struct feed_merger **out, struct fs_err *err)
{
  struct feed_merger *m = calloc(1, sizeof(*m));
  if (!m)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  m->c = c;
  m->who = who;
  m->f = f;
  m->env = env;
  m->wl = wl;
  m->now = now;
  m->st = st;
  fs_arena_init(&m->arena, 1 << 20, 0);
  fs_arena_init(&m->part_arena, 1 << 20, 0);
  fs_buf_init(&m->objects, 0);
  fs_buf_init(&m->bodies, 0);
  fs_buf_init(&m->envelope, 0);
  id_key(env->secret, m->id_key);
  m->n_slots = 1u << 16;
  m->batch = env->batch ? env->batch : FEED_BATCH_DEFAULT;
  while (m->n_slots < 2 * m->batch)
    m->n_slots <<= 1;
  int rc = (m->slots = calloc(m->n_slots, sizeof(*m->slots)))
               ? FS_OK
               : fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  if (!rc)
    rc = intel_collection_find(c, who, f->collection, &m->col, err);
  if (!rc && !m->col.can_write)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, f->collection, "no right to write to collection %s",
                    f->collection);
  if (!rc)
    rc = intel_hub_identity(c, m->hub_identity, err);
  if (rc) {
    feed_merger_free(m);
    return rc;
  }
  *out = m;
  return FS_OK;
}

void feed_merger_free(struct feed_merger *m)
{
  if (!m)
    return;
  fs_arena_release(&m->arena);
  fs_arena_release(&m->part_arena);
  free(m->items);
  free(m->object_ends);
  free(m->sorted);
  free(m->slots);
  free(m->events);
  fs_buf_release(&m->objects);
  fs_buf_release(&m->bodies);
  fs_buf_release(&m->envelope);
  sodium_memzero(m->id_key, sizeof(m->id_key));
  free(m);
}

static size_t slot_of(const struct feed_merger *m, const char *id, bool *found)
{
  size_t mask = m->n_slots - 1, i = (size_t)detect_hash(id, strlen(id), 7) & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t v = m->slots[i];
    if (!v) {
      *found = false;
      return i;
    }
    if (!strcmp(m->items[v - 1].id, id)) {
      *found = true;
      return i;
    }
  }
}

void feed_note(struct intel_feed_stats *st, const char *where, const char *msg)
{
  if (!st->first_problem[0])
    snprintf(st->first_problem, sizeof(st->first_problem), "%s: %s", where, msg);
}

struct feed_item *feed_merger_item(struct feed_merger *m, const char *id)
{
  bool found;
  size_t slot = slot_of(m, id, &found);
  return found ? &m->items[m->slots[slot] - 1] : NULL;
}

int feed_merger_add(struct feed_merger *m, enum intel_obs kind, const char *value,
                    enum tlp_level level, int64_t first_seen, int64_t last_seen, const char *detail,
                    const char *where, size_t where_n, char id_out[FEED_ID_MAX],
                    enum feed_verdict *verdict, struct fs_err *err)
{
  m->st->indicators++;
  struct intel_wl_hit hit = {0};
  if (m->wl && intel_wl_set_match(m->wl, kind, value, &hit) && hit.action == INTEL_WL_BLOCK) {
    m->st->blocked++;
    char msg[300], at[160];
    snprintf(msg, sizeof(msg), "%.120s is on the blocking warninglist %s", value, hit.list);
    snprintf(at, sizeof(at), "%s %zu", where, where_n);
    feed_note(m->st, at, msg);
    *verdict = FEED_BLOCKED;
    return FS_OK;
  }
  if (level == TLP_NONE)
    level = m->f->default_tlp;
  if (level == TLP_RED)
    level = TLP_AMBER_STRICT; /* RED names people: from a source, the hub's organisation */
  if (!first_seen)
    first_seen = last_seen ? last_seen : m->now;
  if (!last_seen || last_seen < first_seen)
    last_seen = FS_MAX(first_seen, last_seen);
  char id[FEED_ID_MAX];
  id_with_key(m->id_key, m->col.alias, level, kind, value, id);
  memcpy(id_out, id, FEED_ID_MAX);
  *verdict = hit.list ? FEED_FLAGGED : FEED_KEPT;
  if (hit.list)
    m->st->flagged++;
  bool found;
  size_t slot = slot_of(m, id, &found);
  if (found) { /* the same value twice in the batch: reported again */
    m->st->merged++;
    struct feed_item *it = &m->items[m->slots[slot] - 1];
    it->first_seen = FS_MIN(it->first_seen, first_seen);
    it->last_seen = FS_MAX(it->last_seen, last_seen);
    return FS_OK;
  }
  if (FS_VEC_GROW(m->items, m->n, m->cap, 1024))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct feed_item *it = &m->items[m->n];
  memset(it, 0, sizeof(*it));
  memcpy(it->id, id, sizeof(it->id));
  it->kind = kind;
  it->level = level;
  it->value = fs_arena_strdup(&m->arena, value);
  it->detail = detail && *detail ? fs_arena_strdup(&m->arena, detail) : NULL;
  it->first_seen = first_seen;
  it->last_seen = last_seen;
  it->list = hit.list;
  if (!it->value)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  m->slots[slot] = (uint32_t)++m->n;
  return m->n >= m->batch ? feed_merger_flush(m, err) : FS_OK;
}

int feed_merger_add_object(struct feed_merger *m, const char *json, size_t len, struct fs_err *err)
{
  int rc = FS_VEC_GROW(m->object_ends, m->n_objects, m->cap_objects, 64);
  if (!rc)
    rc = fs_buf_append_char(&m->objects, ',');
  if (!rc)
    rc = fs_buf_append(&m->objects, json, len);
  if (rc)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  m->object_ends[m->n_objects++] = m->objects.len;
  return FS_OK;
}

int feed_merger_event_done(struct feed_merger *m, const char *uuid, int64_t timestamp,
                           struct fs_err *err)
{
  if (FS_VEC_GROW(m->events, m->n_events, m->cap_events, 64))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct event_done *e = &m->events[m->n_events++];
  snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
  e->timestamp = timestamp;
  return FS_OK;
}

int feed_event_timestamp(struct store_conn *c, const char *feed, const char *uuid, int64_t *ts,
                         struct fs_err *err)
{
  bool found;
  *ts = 0;
  int rc = store_query_int(c, ts, &found, err,
                           "SELECT timestamp FROM intel_feed_event WHERE feed = ? AND uuid = ?",
                           "ss", feed, uuid);
  if (!found)
    *ts = 0;
  return rc;
}

/* ---- indicators stored by others ------------------------------------------------------------- */

int feed_follow_indicator(struct store_conn *c, const struct intel_feed *f,
                          const struct intel_feed_env *env, const char *id, enum intel_obs kind,
                          const char *value, int64_t seen, const char *list, int64_t now,
                          bool *withheld_changed, struct fs_err *err)
{
  *withheld_changed = false;
  char rel[2] = {f->reliability, '\0'};
  int rc = store_exec(
      c, NULL, err,
      "INSERT INTO intel_provenance (indicator, feed, source, reliability,"
      " first_seen, last_seen, reports) VALUES (?,?,?,?,?,?,1)"
      " ON CONFLICT (indicator, feed) DO UPDATE SET reports = intel_provenance.reports + 1,"
      " last_seen = CASE WHEN excluded.last_seen > intel_provenance.last_seen THEN"
      " excluded.last_seen ELSE intel_provenance.last_seen END",
      "ssssii", id, f->id, f->name, rel, seen, seen);
  struct intel_score_state st;
  memset(&st, 0, sizeof(st));
  struct store_stmt *s = NULL;
  bool row = false, old_withheld = false;
  int64_t first = seen, created = seen;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT first_seen, last_seen, created, sightings, withheld FROM intel_score"
                     " WHERE indicator = ?",
                     "s", id);
  if (!rc && !(rc = store_step(s, &row, err)) && row) {
    first = FS_MIN(store_col_int(s, 0), seen);
    st.last_seen = FS_MAX(store_col_int(s, 1), seen);
    created = store_col_int(s, 2);
    st.sightings = (int)store_col_int(s, 3);
    old_withheld = store_col_int(s, 4) != 0;
  } else {
    st.last_seen = seen;
  }
  store_done(s);
  char grades[64];
  int k = rc ? -1 : intel_provenance_grades(c, id, grades, sizeof(grades), err);
  if (!rc && k < 0)
    rc = err ? (int)err->code : FS_ERR_INTERNAL;
  if (rc)
    return rc;
  st.sources = k;
  st.base = intel_score_base(grades, (size_t)k, st.sightings);
  snprintf(st.warninglist, sizeof(st.warninglist), "%s", list ? list : "");
  intel_score_judge(&env->score, kind, &st, now);
  rc = store_exec(c, NULL, err,
                  "INSERT INTO intel_score (indicator, kind, value, first_seen, last_seen, created,"
                  " modified, sources, sightings, base, score, warninglist, withheld, reason,"
                  " reason_zh, scored_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                  " ON CONFLICT (indicator) DO UPDATE SET first_seen = excluded.first_seen,"
                  " last_seen = excluded.last_seen, sources = excluded.sources,"
                  " base = excluded.base, score = excluded.score,"
                  " warninglist = excluded.warninglist, withheld = excluded.withheld,"
                  " reason = excluded.reason, reason_zh = excluded.reason_zh,"
                  " scored_at = excluded.scored_at",
                  "sssiiiiiiiisissi", id, intel_obs_name(kind), value, first, st.last_seen, created,
                  now, (int64_t)st.sources, (int64_t)st.sightings, (int64_t)st.base,
                  (int64_t)st.score, st.warninglist, (int64_t)st.withheld, st.reason, st.reason_zh,
                  now);
  /* Its versions as stored now (a new version from the source comes in released). */
  int64_t released = 0;
  if (!rc)
    rc = store_query_int(c, &released, NULL, err,
                         "SELECT COUNT(*) FROM intel_object WHERE id = ? AND withheld <> ?", "si",
                         id, (int64_t)st.withheld);
  if (!rc && released)
    rc = intel_withheld_set(c, id, st.withheld, err);
  *withheld_changed = row && old_withheld != st.withheld;
  return rc;
}
