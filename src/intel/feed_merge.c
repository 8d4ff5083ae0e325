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
#include <unistd.h>

#define FEED_BATCH 20000

void feed_indicator_id(const uint8_t secret[32], const char *collection, enum tlp_level level,
                       enum intel_obs kind, const char *value, char out[FEED_ID_MAX])
{
  static const char label[] = "finshield source indicator ids";
  uint8_t key[32], h[16];
  crypto_generichash(key, sizeof(key), (const unsigned char *)label, sizeof(label) - 1, secret, 32);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, sizeof(key), sizeof(h));
  const char *parts[] = {collection, stix_tlp_token(level), intel_obs_name(kind), value};
  for (size_t i = 0; i < FS_ARRAY_SIZE(parts); i++)
    crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
  crypto_generichash_final(&st, h, sizeof(h));
  sodium_memzero(key, sizeof(key));
  char uuid[37];
  fs_uuid_v4_from(h, uuid);
  snprintf(out, FEED_ID_MAX, "indicator--%s", uuid);
}

struct item {
  char id[FEED_ID_MAX];
  enum intel_obs kind;
  enum tlp_level level;
  const char *value, *detail; /* in the merger's arena */
  int64_t first_seen, last_seen;
  const char *list; /* the flagging warninglist, or NULL */
  /* filled when the batch is written */
  bool exists, has_prov, refused;
  int64_t created, modified, old_first, old_last;
  bool old_withheld;
  int64_t reports;
  struct intel_score_state st;
};

struct event_done {
  char uuid[37];
  int64_t timestamp;
};

struct feed_merger {
  struct store_conn *c;
  const struct actor *who;
  const struct intel_feed *f;
  const struct intel_feed_env *env;
  const struct intel_wl_set *wl;
  int64_t now;
  struct intel_feed_stats *st;
  struct intel_collection col;
  char hub_identity[STIX_ID_MAX];
  struct fs_arena arena;
  struct item *items;
  size_t n, cap;
  struct item **sorted; /* the batch's items in id order, when it is written */
  uint32_t *slots;      /* open addressing on the ids: index + 1, 0 for empty */
  size_t n_slots;
  struct fs_buf objects; /* other objects: ",{...},{...}" */
  size_t n_objects;
  struct event_done *events;
  size_t n_events, cap_events;
};

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
  fs_buf_init(&m->objects, 0);
  m->n_slots = 1u << 16;
  while (m->n_slots < 2 * FEED_BATCH)
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
  free(m->items);
  free(m->sorted);
  free(m->slots);
  free(m->events);
  fs_buf_release(&m->objects);
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

static void note_problem(struct intel_feed_stats *st, const char *where, const char *msg)
{
  if (!st->first_problem[0])
    snprintf(st->first_problem, sizeof(st->first_problem), "%s: %s", where, msg);
}

int feed_merger_add(struct feed_merger *m, enum intel_obs kind, const char *value,
                    enum tlp_level level, int64_t first_seen, int64_t last_seen, const char *detail,
                    const char *where, char id_out[FEED_ID_MAX], enum feed_verdict *verdict,
                    struct fs_err *err)
{
  m->st->indicators++;
  struct intel_wl_hit hit = {0};
  if (m->wl && intel_wl_set_match(m->wl, kind, value, &hit) && hit.action == INTEL_WL_BLOCK) {
    m->st->blocked++;
    char msg[300];
    snprintf(msg, sizeof(msg), "%.120s is on the blocking warninglist %s", value, hit.list);
    note_problem(m->st, where, msg);
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
  feed_indicator_id(m->env->secret, m->col.alias, level, kind, value, id);
  snprintf(id_out, FEED_ID_MAX, "%s", id);
  *verdict = hit.list ? FEED_FLAGGED : FEED_KEPT;
  if (hit.list)
    m->st->flagged++;
  bool found;
  size_t slot = slot_of(m, id, &found);
  if (found) { /* the same value twice in the batch: reported again */
    m->st->merged++;
    struct item *it = &m->items[m->slots[slot] - 1];
    it->first_seen = FS_MIN(it->first_seen, first_seen);
    it->last_seen = FS_MAX(it->last_seen, last_seen);
    return FS_OK;
  }
  if (FS_VEC_GROW(m->items, m->n, m->cap, 1024))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct item *it = &m->items[m->n];
  memset(it, 0, sizeof(*it));
  snprintf(it->id, sizeof(it->id), "%s", id);
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
  return m->n >= FEED_BATCH ? feed_merger_flush(m, err) : FS_OK;
}

int feed_merger_add_object(struct feed_merger *m, const char *json, size_t len, struct fs_err *err)
{
  int rc = fs_buf_append_char(&m->objects, ',');
  if (!rc)
    rc = fs_buf_append(&m->objects, json, len);
  if (rc)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  m->n_objects++;
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

/* ---- writing a batch ------------------------------------------------------------------------- */

static struct item *item_of(struct feed_merger *m, const char *id)
{
  bool found;
  size_t slot = slot_of(m, id, &found);
  return found ? &m->items[m->slots[slot] - 1] : NULL;
}

/* Runs `head` + " IN (?,...)" + `tail` for ids [from, from + k) of the batch (after the
 * parameters of `pre`), calling fn on each row. */
static int select_in(struct feed_merger *m, const char *head, const char *pre, size_t from,
                     size_t k, void (*fn)(struct feed_merger *, struct store_stmt *),
                     struct fs_err *err)
{
  struct fs_buf sql;
  fs_buf_init(&sql, 0);
  fs_buf_append_str(&sql, head);
  fs_buf_append_str(&sql, " IN (");
  for (size_t i = 0; i < k; i++)
    fs_buf_append_str(&sql, i ? ",?" : "?");
  fs_buf_append_char(&sql, ')');
  struct store_stmt *s;
  int rc = store_prepare(m->c, fs_buf_cstr(&sql), &s, err);
  fs_buf_release(&sql);
  if (rc)
    return rc;
  int idx = 1;
  if (pre)
    store_bind_text(s, idx++, pre);
  for (size_t i = 0; i < k; i++)
    store_bind_text_ref(s, idx++, m->sorted[from + i]->id, strlen(m->sorted[from + i]->id));
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    fn(m, s);
  store_done(s);
  return rc;
}

static void take_score(struct feed_merger *m, struct store_stmt *s)
{
  struct item *it = item_of(m, store_col_text(s, 0));
  if (!it)
    return;
  it->exists = true;
  it->old_first = store_col_int(s, 1);
  it->old_last = store_col_int(s, 2);
  it->created = store_col_int(s, 3);
  it->modified = store_col_int(s, 4);
  it->st.sources = (int)store_col_int(s, 5);
  it->st.sightings = (int)store_col_int(s, 6);
  it->st.base = (int)store_col_int(s, 7);
  it->old_withheld = store_col_int(s, 8) != 0;
}

static void take_provenance(struct feed_merger *m, struct store_stmt *s)
{
  struct item *it = item_of(m, store_col_text(s, 0));
  if (!it)
    return;
  it->has_prov = true;
  it->reports = store_col_int(s, 1);
}

/* The sources named on an indicator's new version: those before, then this one. */
static int append_sources(struct feed_merger *m, const struct item *it, struct fs_buf *out,
                          struct fs_err *err)
{
  char rel[2] = {m->f->reliability, '\0'};
  fs_buf_append_str(out, "\"external_references\":[");
  size_t n = 0;
  int rc = FS_OK;
  if (it->exists) {
    struct store_stmt *s;
    rc = store_query(m->c, &s, err,
                     "SELECT source, reliability FROM intel_provenance WHERE indicator = ?"
                     " AND feed <> ? ORDER BY first_seen, source",
                     "ss", it->id, m->f->id);
    bool row;
    while (!rc && !(rc = store_step(s, &row, err)) && row) {
      fs_buf_append_str(out, n++ ? ",{\"source_name\":" : "{\"source_name\":");
      fs_buf_append_json_string(out, store_col_text(s, 0));
      fs_buf_appendf(out, ",\"description\":\"reliability %.1s\"}", store_col_text(s, 1));
    }
    store_done(s);
  }
  fs_buf_append_str(out, n ? ",{\"source_name\":" : "{\"source_name\":");
  fs_buf_append_json_string(out, m->f->name);
  fs_buf_appendf(out, ",\"description\":\"reliability %s\"}],", rel);
  return rc;
}

static int append_indicator(struct feed_merger *m, const struct item *it, struct fs_buf *out,
                            struct fs_err *err)
{
  char created[32], modified[32], valid[32], pattern[INTEL_CANON_MAX * 2 + 64];
  fs_time_format_ms(it->created, created);
  fs_time_format_ms(it->modified, modified);
  fs_time_format_ms(it->created, valid);
  if (!intel_canon_pattern(it->kind, it->value, pattern, sizeof(pattern)))
    return fs_err_set(err, FS_ERR_INVALID, it->id, "a value too long for a pattern");
  fs_buf_appendf(out,
                 "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
                 "\"created\":\"%s\",\"modified\":\"%s\",\"created_by_ref\":\"%s\",\"name\":",
                 it->id, created, modified, m->hub_identity);
  char name[300];
  snprintf(name, sizeof(name), "%s %.250s", intel_obs_name(it->kind), it->value);
  fs_buf_append_json_string(out, name);
  if (it->detail) {
    fs_buf_append_str(out, ",\"description\":");
    fs_buf_append_json_string(out, it->detail);
  }
  fs_buf_append_str(out, ",\"indicator_types\":[\"malicious-activity\"],\"pattern\":");
  fs_buf_append_json_string(out, pattern);
  fs_buf_appendf(out,
                 ",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\",\"valid_from\":\"%s\","
                 "\"confidence\":%d,\"object_marking_refs\":[\"%s\"],",
                 valid, it->st.score, stix_tlp_marking_id(it->level));
  int rc = append_sources(m, it, out, err);
  fs_buf_appendf(out, "\"x_finshield_sources\":%d}", it->st.sources);
  return rc;
}

/* The batch's objects as a TAXII envelope: new indicators, new versions, then the others. */
static int build_envelope(struct feed_merger *m, struct fs_buf *env, size_t *count,
                          struct fs_err *err)
{
  fs_buf_append_str(env, "{\"objects\":[");
  size_t n = 0;
  int rc = FS_OK;
  for (size_t i = 0; !rc && i < m->n; i++) {
    struct item *it = &m->items[i];
    if (it->exists && it->has_prov)
      continue; /* reported again: no new version */
    if (n++)
      fs_buf_append_char(env, ',');
    rc = append_indicator(m, it, env, err);
  }
  /* The other objects were kept with a comma before each. */
  if (!rc && m->objects.len)
    rc = n ? fs_buf_append(env, m->objects.data, m->objects.len)
           : fs_buf_append(env, m->objects.data + 1, m->objects.len - 1);
  if (!rc)
    rc = fs_buf_append_str(env, "]}");
  *count = n + m->n_objects;
  return rc;
}

static int write_rows(struct feed_merger *m, struct fs_err *err)
{
  struct intel_rows prov, score;
  char rel[2] = {m->f->reliability, '\0'};
  int rc = intel_rows_init(
      &prov, m->c,
      "INSERT INTO intel_provenance (indicator, feed, source, reliability, first_seen, last_seen,"
      " reports) VALUES ",
      "(?,?,?,?,?,?,?)",
      " ON CONFLICT (indicator, feed) DO UPDATE SET source = excluded.source,"
      " reliability = excluded.reliability, first_seen = CASE WHEN excluded.first_seen <"
      " intel_provenance.first_seen THEN excluded.first_seen ELSE intel_provenance.first_seen END,"
      " last_seen = CASE WHEN excluded.last_seen > intel_provenance.last_seen THEN"
      " excluded.last_seen ELSE intel_provenance.last_seen END, reports = excluded.reports",
      "ssssiii", err);
  if (rc)
    return rc;
  if ((rc = intel_rows_init(
           &score, m->c,
           "INSERT INTO intel_score (indicator, kind, value, first_seen, last_seen, created,"
           " modified, sources, sightings, base, score, warninglist, withheld, reason, reason_zh,"
           " scored_at) VALUES ",
           "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
           " ON CONFLICT (indicator) DO UPDATE SET first_seen = excluded.first_seen,"
           " last_seen = excluded.last_seen, modified = excluded.modified,"
           " sources = excluded.sources, base = excluded.base, score = excluded.score,"
           " warninglist = excluded.warninglist, withheld = excluded.withheld,"
           " reason = excluded.reason, reason_zh = excluded.reason_zh,"
           " scored_at = excluded.scored_at",
           "sssiiiiiiiisissi", err))) {
    intel_rows_release(&prov);
    return rc;
  }
  for (size_t i = 0; !rc && i < m->n; i++) {
    struct item *it = m->sorted[i];
    if (it->refused)
      continue;
    struct intel_rows_val *p = intel_rows_add(&prov, &rc, err);
    if (!p)
      break;
    p[0].s = it->id;
    p[1].s = m->f->id;
    p[2].s = m->f->name;
    p[3].s = rel;
    p[4].i = it->first_seen;
    p[5].i = it->last_seen;
    p[6].i = it->reports + 1;
    struct intel_rows_val *v = intel_rows_add(&score, &rc, err);
    if (!v)
      break;
    v[0].s = it->id;
    v[1].s = intel_obs_name(it->kind);
    v[2].s = it->value;
    v[3].i = it->exists ? FS_MIN(it->first_seen, it->old_first) : it->first_seen;
    v[4].i = it->st.last_seen;
    v[5].i = it->created;
    v[6].i = it->modified;
    v[7].i = it->st.sources;
    v[8].i = it->st.sightings;
    v[9].i = it->st.base;
    v[10].i = it->st.score;
    v[11].s = it->st.warninglist;
    v[12].i = it->st.withheld;
    v[13].s = it->st.reason;
    v[14].s = it->st.reason_zh;
    v[15].i = m->now;
  }
  if (!rc)
    rc = intel_rows_flush(&prov, err);
  if (!rc)
    rc = intel_rows_flush(&score, err);
  intel_rows_release(&prov);
  intel_rows_release(&score);
  return rc;
}

/* Decides, for each item, what it becomes: its score, whether it is withheld, its versions. */
static int judge_items(struct feed_merger *m, struct fs_err *err)
{
  char rel = m->f->reliability;
  for (size_t i = 0; i < m->n; i++) {
    struct item *it = &m->items[i];
    snprintf(it->st.warninglist, sizeof(it->st.warninglist), "%s", it->list ? it->list : "");
    if (!it->exists) {
      it->st.sources = 1;
      it->st.sightings = 0;
      it->st.base = intel_score_base(&rel, 1, 0);
      it->st.last_seen = it->last_seen;
      it->created = FS_MIN(it->first_seen, m->now);
      it->modified = FS_MAX(m->now, it->created);
      m->st->created++;
    } else {
      it->st.last_seen = FS_MAX(it->last_seen, it->old_last);
      m->st->merged++;
      if (!it->has_prov) { /* one more source: a new version names it */
        char grades[64];
        int k = intel_provenance_grades(m->c, it->id, grades, sizeof(grades) - 1, err);
        if (k < 0)
          return err ? (int)err->code : FS_ERR_INTERNAL;
        grades[k++] = rel;
        it->st.sources = k;
        it->st.base = intel_score_base(grades, (size_t)k, it->st.sightings);
        it->modified = FS_MAX(m->now, it->modified + 1);
      }
    }
    intel_score_judge(&m->env->score, it->kind, &it->st, m->now);
  }
  return FS_OK;
}

/* The ids the store refused, from the status resource (rare: the objects are made here). */
static void note_refusals(struct feed_merger *m, const struct intel_ingest_result *res)
{
  json_t *status = res->status ? json_loadb(res->status, res->status_len, 0, NULL) : NULL;
  const json_t *fails = json_object_get(status, "failures");
  size_t i;
  const json_t *f;
  json_array_foreach(fails, i, f)
  {
    const char *id = json_string_value(json_object_get(f, "id"));
    const char *msg = json_string_value(json_object_get(f, "message"));
    struct item *it = id ? item_of(m, id) : NULL;
    if (it)
      it->refused = true;
    note_problem(m->st, id ? id : "object", msg ? msg : "refused");
  }
  json_decref(status);
}

static int cmp_item_id(const void *a, const void *b)
{
  return strcmp((*(struct item *const *)a)->id, (*(struct item *const *)b)->id);
}

int feed_merger_flush(struct feed_merger *m, struct fs_err *err)
{
  if (!m->n && !m->n_objects && !m->n_events)
    return FS_OK;
  /* In id order: the score and provenance rows are keyed by the (random) ids, and B-trees take
   * keys in order page by page, where random ones would touch a page each (as the ingest sorts
   * its objects). */
  struct item **sorted = m->n ? realloc(m->sorted, m->n * sizeof(*sorted)) : m->sorted;
  if (m->n && !sorted)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  m->sorted = sorted;
  for (size_t i = 0; i < m->n; i++)
    sorted[i] = &m->items[i];
  if (m->n > 1)
    qsort(sorted, m->n, sizeof(*sorted), cmp_item_id);
  int rc = store_begin(m->c, true, err);
  if (rc)
    return rc;
  for (size_t from = 0; !rc && from < m->n; from += 64) {
    size_t k = FS_MIN((size_t)64, m->n - from);
    rc = select_in(m,
                   "SELECT indicator, first_seen, last_seen, created, modified, sources, sightings,"
                   " base, withheld FROM intel_score WHERE indicator",
                   NULL, from, k, take_score, err);
    if (!rc)
      rc = select_in(m,
                     "SELECT indicator, reports FROM intel_provenance WHERE feed = ? AND indicator",
                     m->f->id, from, k, take_provenance, err);
  }
  if (!rc)
    rc = judge_items(m, err);
  struct fs_buf env;
  fs_buf_init(&env, 0);
  size_t count = 0;
  if (!rc)
    rc = build_envelope(m, &env, &count, err);
  struct intel_batch *batch = NULL;
  struct intel_ingest_result res = {0};
  if (!rc && count) {
    struct stix_limits lim;
    stix_limits_default(&lim);
    lim.max_bytes = env.len + 1;
    lim.max_objects = count + 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = env.len >= (1u << 20) && cpus > 1 ? (size_t)cpus : 1;
    rc = intel_batch_read(env.data, env.len, &lim, threads, &batch, err);
    char status_id[37];
    fs_uuid_v4(status_id);
    struct intel_ingest_options opt = {.status_id = status_id, .status_only = true};
    if (!rc)
      rc = intel_ingest_batch(m->c, m->who, &m->col, batch, &opt, &res, err);
    if (!rc) {
      m->st->stored += res.success;
      m->st->refused += res.failure;
      if (res.failure)
        note_refusals(m, &res);
    }
  }
  if (!rc)
    rc = write_rows(m, err);
  bool moved = false;
  for (size_t i = 0; !rc && i < m->n; i++) {
    struct item *it = &m->items[i];
    /* New rows are stored released; older rows change only when the decision does. */
    bool new_rows = !it->exists || !it->has_prov;
    bool changes = it->exists && it->st.withheld != it->old_withheld;
    if (it->refused || !(changes || (new_rows && it->st.withheld)))
      continue;
    rc = intel_withheld_set(m->c, it->id, it->st.withheld, err);
    moved |= it->exists && it->st.withheld != it->old_withheld;
  }
  if (!rc && moved)
    rc = intel_withheld_moved(m->c, err);
  for (size_t i = 0; !rc && i < m->n_events; i++)
    rc = store_exec(m->c, NULL, err,
                    "INSERT INTO intel_feed_event (feed, uuid, timestamp) VALUES (?,?,?)"
                    " ON CONFLICT (feed, uuid) DO UPDATE SET timestamp = excluded.timestamp",
                    "ssi", m->f->id, m->events[i].uuid, m->events[i].timestamp);
  if (!rc)
    rc = store_commit(m->c, err);
  else
    store_rollback(m->c);
  intel_ingest_result_release(&res);
  intel_batch_free(batch);
  fs_buf_release(&env);
  /* The next batch starts empty. */
  memset(m->slots, 0, m->n_slots * sizeof(*m->slots));
  m->n = 0;
  m->n_events = 0;
  m->n_objects = 0;
  fs_buf_reset(&m->objects);
  fs_arena_release(&m->arena);
  fs_arena_init(&m->arena, 1 << 20, 0);
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
