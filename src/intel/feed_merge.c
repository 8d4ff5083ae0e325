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
 * larger ones write far less; a larger one holds the write lock longer (docs/intel.md). */
#define FEED_BATCH_DEFAULT 100000
#define FEED_PART 20000

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
  /* the judgement: intel_score_state's inputs and verdict (its reasons are made again where they
   * are written, item_state: an item stays small, so that a batch may be large) */
  int sources, sightings, base, score;
  int64_t judged_last_seen;
  bool withheld;
  size_t body_off, body_len; /* its new version's text in the merger's bodies */
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
  size_t batch;           /* values a transaction */
  uint8_t id_key[32];     /* id_key of the hub's secret */
  struct fs_buf bodies;   /* the batch's new indicator versions, one after the other */
  struct fs_buf envelope; /* the other objects as an envelope, while the batch is written */
  struct fs_buf objects;  /* other objects: ",{...},{...}" */
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
  free(m->items);
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

static void note_problem(struct intel_feed_stats *st, const char *where, const char *msg)
{
  if (!st->first_problem[0])
    snprintf(st->first_problem, sizeof(st->first_problem), "%s: %s", where, msg);
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
    note_problem(m->st, at, msg);
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
    struct item *it = &m->items[m->slots[slot] - 1];
    it->first_seen = FS_MIN(it->first_seen, first_seen);
    it->last_seen = FS_MAX(it->last_seen, last_seen);
    return FS_OK;
  }
  if (FS_VEC_GROW(m->items, m->n, m->cap, 1024))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct item *it = &m->items[m->n];
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
  it->sources = (int)store_col_int(s, 5);
  it->sightings = (int)store_col_int(s, 6);
  it->base = (int)store_col_int(s, 7);
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

/* The sources named on an indicator's new version: those before, then this one. Appends that
 * fail (out of memory) set *bad. */
static int append_sources(struct feed_merger *m, const struct item *it, struct fs_buf *out,
                          int *bad, struct fs_err *err)
{
  char rel[2] = {m->f->reliability, '\0'};
  *bad |= fs_buf_append_str(out, "\"external_references\":[");
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
      *bad |= fs_buf_append_str(out, n++ ? ",{\"source_name\":" : "{\"source_name\":");
      *bad |= fs_buf_append_json_string(out, store_col_text(s, 0));
      *bad |= fs_buf_appendf(out, ",\"description\":\"reliability %.1s\"}", store_col_text(s, 1));
    }
    store_done(s);
  }
  *bad |= fs_buf_append_str(out, n ? ",{\"source_name\":" : "{\"source_name\":");
  *bad |= fs_buf_append_json_string(out, m->f->name);
  *bad |= fs_buf_append_str(out, ",\"description\":\"reliability ");
  *bad |= fs_buf_append_str(out, rel);
  *bad |= fs_buf_append_str(out, "\"}],");
  return rc;
}

/* Appends the decimal digits of n (a score or a count: small, not negative). */
static int append_count(struct fs_buf *out, int n)
{
  char d[12];
  size_t k = sizeof(d);
  unsigned v = n < 0 ? 0u : (unsigned)n;
  do
    d[--k] = (char)('0' + v % 10);
  while ((v /= 10) && k);
  return fs_buf_append(out, d + k, sizeof(d) - k);
}

/* The text of an item's new version. Its text is stored as written (intel_batch_add_own): every
 * part is a checked value, and an append that fails fails the whole. Written piece by piece, not
 * through a format: this runs once for each new indicator of a run. */
static int append_indicator(struct feed_merger *m, const struct item *it, struct fs_buf *out,
                            struct fs_err *err)
{
  char created[32], modified[32], pattern[INTEL_CANON_MAX * 2 + 64];
  fs_time_format_ms(it->created, created);
  fs_time_format_ms(it->modified, modified);
  if (!intel_canon_pattern(it->kind, it->value, pattern, sizeof(pattern)))
    return fs_err_set(err, FS_ERR_INVALID, it->id, "a value too long for a pattern");
  const char *kind = intel_obs_name(it->kind);
  char name[300];
  size_t kn = strlen(kind), vn = strlen(it->value);
  memcpy(name, kind, kn);
  name[kn] = ' ';
  vn = vn > 250 ? 250 : vn;
  memcpy(name + kn + 1, it->value, vn); /* "%s %.250s" */
  name[kn + 1 + vn] = '\0';
  int bad = 0;
  bad |= fs_buf_append_str(out, "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"");
  bad |= fs_buf_append_str(out, it->id);
  bad |= fs_buf_append_str(out, "\",\"created\":\"");
  bad |= fs_buf_append_str(out, created);
  bad |= fs_buf_append_str(out, "\",\"modified\":\"");
  bad |= fs_buf_append_str(out, modified);
  bad |= fs_buf_append_str(out, "\",\"created_by_ref\":\"");
  bad |= fs_buf_append_str(out, m->hub_identity);
  bad |= fs_buf_append_str(out, "\",\"name\":");
  bad |= fs_buf_append_json_string(out, name);
  if (it->detail) {
    bad |= fs_buf_append_str(out, ",\"description\":");
    bad |= fs_buf_append_json_string(out, it->detail);
  }
  bad |= fs_buf_append_str(out, ",\"indicator_types\":[\"malicious-activity\"],\"pattern\":");
  bad |= fs_buf_append_json_string(out, pattern);
  bad |= fs_buf_append_str(out, ",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
                                "\"valid_from\":\"");
  bad |= fs_buf_append_str(out, created);
  bad |= fs_buf_append_str(out, "\",\"confidence\":");
  bad |= append_count(out, it->score);
  bad |= fs_buf_append_str(out, ",\"object_marking_refs\":[\"");
  bad |= fs_buf_append_str(out, stix_tlp_marking_id(it->level));
  bad |= fs_buf_append_str(out, "\"],");
  int rc = append_sources(m, it, out, &bad, err);
  bad |= fs_buf_append_str(out, "\"x_finshield_sources\":");
  bad |= append_count(out, it->sources);
  bad |= fs_buf_append_char(out, '}');
  if (!rc && bad)
    rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  return rc;
}

/* The ids the store refused (rare: the objects are made here). */
static void note_refusals(struct feed_merger *m, const struct intel_ingest_result *res)
{
  size_t i;
  const json_t *f;
  json_array_foreach(res->failures, i, f)
  {
    const char *id = json_string_value(json_object_get(f, "id"));
    const char *msg = json_string_value(json_object_get(f, "message"));
    struct item *it = id ? item_of(m, id) : NULL;
    if (it)
      it->refused = true;
    note_problem(m->st, id ? id : "object", msg ? msg : "refused");
  }
}

/* Stores a part of the batch through the ingest (validation's verdicts, ownership, the
 * audit record, the collection's generation), in the batch's transaction. */
static int ingest(struct feed_merger *m, struct intel_batch *b, struct fs_err *err)
{
  if (!b->n)
    return FS_OK;
  struct intel_ingest_options opt = {.failures_only = true};
  struct intel_ingest_result res = {0};
  int rc = intel_ingest_batch(m->c, m->who, &m->col, b, &opt, &res, err);
  if (!rc) {
    m->st->stored += res.success;
    m->st->refused += res.failure;
    if (res.failure)
      note_refusals(m, &res);
  }
  intel_ingest_result_release(&res);
  return rc;
}

/* The new indicators and new versions of items [from, to) in id order: the hub writes them
 * itself from canonical values (intel_canon_pattern) and adds them with what validation would
 * find in their text (intel_batch_add_own), instead of reading and validating that text again.
 * A part at a time, so that the texts of a large batch are not all held at once. */
static int store_indicators(struct feed_merger *m, size_t from, size_t to, struct fs_err *err)
{
  struct intel_batch *b = intel_batch_new();
  if (!b)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  fs_buf_reset(&m->bodies);
  int rc = FS_OK;
  for (size_t i = from; !rc && i < to; i++) {
    struct item *it = m->sorted[i];
    if (it->exists && it->has_prov)
      continue; /* reported again: no new version */
    it->body_off = m->bodies.len;
    rc = append_indicator(m, it, &m->bodies, err);
    it->body_len = m->bodies.len - it->body_off;
  }
  for (size_t i = from; !rc && i < to; i++) { /* the texts no longer move */
    struct item *it = m->sorted[i];
    if (it->exists && it->has_prov)
      continue;
    char version[32], vk[40];
    fs_time_format_ms(it->modified, version);
    intel_version_key(version, vk);
    struct intel_batch_item own = {
        .id = it->id,
        .created_by_ref = m->hub_identity,
        .kind = STIX_SDO,
        .type = "indicator",
        .version = fs_arena_strdup(&m->arena, version),
        .version_key = fs_arena_strdup(&m->arena, vk),
        .spec_version = "2.1",
        .tlp = it->level,
        .valid_from_ms = it->created,
        .raw = m->bodies.data + it->body_off,
        .raw_len = it->body_len,
    };
    if (!own.version || !own.version_key)
      rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
    if (!rc)
      rc = intel_batch_add_own(b, &own, &it->value, 1, err);
  }
  if (!rc)
    rc = ingest(m, b, err);
  intel_batch_free(b);
  return rc;
}

/* The other objects (the events' reports and groupings), read from their text as any STIX. */
static int store_objects(struct feed_merger *m, struct fs_err *err)
{
  if (!m->n_objects)
    return FS_OK;
  struct fs_buf *env = &m->envelope; /* the items' raw point into it */
  fs_buf_reset(env);
  fs_buf_append_str(env, "{\"objects\":[");
  fs_buf_append(env, m->objects.data + 1, m->objects.len - 1); /* kept with a comma before each */
  if (fs_buf_append_str(env, "]}"))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct stix_limits lim;
  stix_limits_default(&lim);
  lim.max_bytes = env->len + 1;
  lim.max_objects = m->n_objects + 1;
  struct intel_batch *b = NULL;
  int rc = intel_batch_read(env->data, env->len, &lim, 1, &b, err);
  if (!rc)
    rc = ingest(m, b, err);
  intel_batch_free(b);
  return rc;
}

/* The score state of an item as judged (its reasons made again). */
static void item_state(const struct feed_merger *m, const struct item *it,
                       struct intel_score_state *st)
{
  st->sources = it->sources; /* the inputs: judge sets the rest (no memset of its reasons) */
  st->sightings = it->sightings;
  st->base = it->base;
  st->last_seen = it->judged_last_seen;
  st->warninglist[0] = '\0';
  if (it->list)
    snprintf(st->warninglist, sizeof(st->warninglist), "%s", it->list);
  intel_score_judge(&m->env->score, it->kind, st, m->now);
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
    v[4].i = it->judged_last_seen;
    v[5].i = it->created;
    v[6].i = it->modified;
    v[7].i = it->sources;
    v[8].i = it->sightings;
    v[9].i = it->base;
    v[10].i = it->score;
    v[11].s = it->list ? it->list : "";
    v[12].i = it->withheld;
    v[13].s = v[14].s = "";
    v[15].i = m->now;
    if (it->withheld) { /* the reasons, kept until the rows are written */
      struct intel_score_state st;
      item_state(m, it, &st);
      v[13].s = fs_arena_strdup(&m->arena, st.reason);
      v[14].s = fs_arena_strdup(&m->arena, st.reason_zh);
      if (!v[13].s || !v[14].s)
        rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
    }
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
    if (!it->exists) {
      it->sources = 1;
      it->sightings = 0;
      it->base = intel_score_base(&rel, 1, 0);
      it->judged_last_seen = it->last_seen;
      it->created = FS_MIN(it->first_seen, m->now);
      it->modified = FS_MAX(m->now, it->created);
      m->st->created++;
    } else {
      it->judged_last_seen = FS_MAX(it->last_seen, it->old_last);
      m->st->merged++;
      if (!it->has_prov) { /* one more source: a new version names it */
        char grades[64];
        int k = intel_provenance_grades(m->c, it->id, grades, sizeof(grades) - 1, err);
        if (k < 0)
          return err ? (int)err->code : FS_ERR_INTERNAL;
        grades[k++] = rel;
        it->sources = k;
        it->base = intel_score_base(grades, (size_t)k, it->sightings);
        it->modified = FS_MAX(m->now, it->modified + 1);
      }
    }
    struct intel_score_state st;
    item_state(m, it, &st);
    it->score = st.score;
    it->withheld = st.withheld;
  }
  return FS_OK;
}

/* An item in id order: the first eight hex digits of its UUID, then the whole id. */
struct by_id {
  uint64_t prefix;
  struct item *it;
};

static int cmp_by_id(const void *a, const void *b)
{
  return strcmp(((const struct by_id *)a)->it->id, ((const struct by_id *)b)->it->id);
}

int feed_merger_flush(struct feed_merger *m, struct fs_err *err)
{
  if (!m->n && !m->n_objects && !m->n_events)
    return FS_OK;
  /* In id order: the score and provenance rows are keyed by the (random) ids, and B-trees take
   * keys in order page by page, where random ones would touch a page each (as the ingest sorts
   * its objects). */
  struct item **sorted = m->n ? realloc(m->sorted, m->n * sizeof(*sorted)) : m->sorted;
  struct by_id *order = malloc((m->n ? m->n : 1) * sizeof(*order));
  if ((m->n && !sorted) || !order) {
    free(order);
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  }
  m->sorted = sorted;
  for (size_t i = 0; i < m->n; i++) {
    const char *hex = m->items[i].id + 11; /* after "indicator--": the UUID's first 8 digits */
    uint64_t k = 0;
    for (size_t d = 0; d < 8; d++)
      k = k << 8 | (unsigned char)hex[d];
    order[i] = (struct by_id){k, &m->items[i]};
  }
  bool ok = intel_prefix_sort(order, m->n, sizeof(*order), cmp_by_id);
  for (size_t i = 0; i < m->n; i++)
    sorted[i] = order[i].it;
  free(order);
  if (!ok)
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
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
  for (size_t from = 0; !rc && from < m->n; from += FEED_PART)
    rc = store_indicators(m, from, FS_MIN(m->n, from + FEED_PART), err);
  if (!rc)
    rc = store_objects(m, err);
  if (!rc)
    rc = write_rows(m, err);
  bool moved = false;
  for (size_t i = 0; !rc && i < m->n; i++) {
    struct item *it = &m->items[i];
    /* New rows are stored released; older rows change only when the decision does. */
    bool new_rows = !it->exists || !it->has_prov;
    bool changes = it->exists && it->withheld != it->old_withheld;
    if (it->refused || !(changes || (new_rows && it->withheld)))
      continue;
    rc = intel_withheld_set(m->c, it->id, it->withheld, err);
    moved |= changes;
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
