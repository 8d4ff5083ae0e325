/* Writing a source's batch (intel/feed_int.h, feed_merger_flush): the items sorted by id, their
 * stored scores and provenance read, each judged, the new versions' texts written by the hub and
 * stored through the ingest a part at a time, then the provenance, score and withheld rows and
 * the events read, all in one transaction. feed_merge.c collects the batch. */
#include "intel/feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* New texts made and stored at a time (the part's texts are dropped after it). */
#define FEED_PART 20000
/* The events' reports and groupings are read and stored about this many bytes of their text at a
 * time (at least one), so that their envelope and what reading it makes stay bounded however
 * large the batch. */
#define FEED_OBJECTS_PART ((size_t)4 << 20)

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
  store_sql_placeholders(&sql, k);
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
  struct feed_item *it = feed_merger_item(m, store_col_text(s, 0));
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
  struct feed_item *it = feed_merger_item(m, store_col_text(s, 0));
  if (!it)
    return;
  it->has_prov = true;
  it->reports = store_col_int(s, 1);
}

/* The sources named on an indicator's new version: those before, then this one. Appends that
 * fail (out of memory) set *bad. */
static int append_sources(struct feed_merger *m, const struct feed_item *it, struct fs_buf *out,
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
static int append_indicator(struct feed_merger *m, const struct feed_item *it, struct fs_buf *out,
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
    struct feed_item *it = id ? feed_merger_item(m, id) : NULL;
    if (it)
      it->refused = true;
    feed_note(m->st, id ? id : "object", msg ? msg : "refused");
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
    struct feed_item *it = m->sorted[i];
    if (it->exists && it->has_prov)
      continue; /* reported again: no new version */
    it->body_off = m->bodies.len;
    rc = append_indicator(m, it, &m->bodies, err);
    it->body_len = m->bodies.len - it->body_off;
  }
  for (size_t i = from; !rc && i < to; i++) { /* the texts no longer move */
    struct feed_item *it = m->sorted[i];
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
        .version = fs_arena_strdup(&m->part_arena, version),
        .version_key = fs_arena_strdup(&m->part_arena, vk),
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
  fs_arena_release(&m->part_arena); /* the part's version strings */
  fs_arena_init(&m->part_arena, 1 << 20, 0);
  return rc;
}

/* The other objects (the events' reports and groupings) [from, to), read from their text as any
 * STIX. */
static int store_objects_part(struct feed_merger *m, size_t from, size_t to, struct fs_err *err)
{
  struct fs_buf *env = &m->envelope; /* the items' raw point into it */
  size_t start = from ? m->object_ends[from - 1] : 0, end = m->object_ends[to - 1];
  fs_buf_reset(env);
  fs_buf_append_str(env, "{\"objects\":[");
  fs_buf_append(env, m->objects.data + start + 1, end - start - 1); /* a comma before each */
  if (fs_buf_append_str(env, "]}"))
    return fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  struct stix_limits lim;
  stix_limits_default(&lim);
  lim.max_bytes = env->len + 1;
  lim.max_objects = to - from + 1;
  struct intel_batch *b = NULL;
  int rc = intel_batch_read(env->data, env->len, &lim, 1, &b, err);
  if (!rc)
    rc = ingest(m, b, err);
  intel_batch_free(b);
  return rc;
}

static int store_objects(struct feed_merger *m, struct fs_err *err)
{
  int rc = FS_OK;
  for (size_t from = 0, to; !rc && from < m->n_objects; from = to) {
    size_t start = from ? m->object_ends[from - 1] : 0;
    for (to = from + 1; to < m->n_objects && m->object_ends[to] - start <= FEED_OBJECTS_PART; to++)
      ;
    rc = store_objects_part(m, from, to, err);
  }
  return rc;
}

/* The score state of an item as judged (its reasons made again). */
static void item_state(const struct feed_merger *m, const struct feed_item *it,
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
    struct feed_item *it = m->sorted[i];
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
    struct feed_item *it = &m->items[i];
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
  struct feed_item *it;
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
  struct feed_item **sorted = m->n ? realloc(m->sorted, m->n * sizeof(*sorted)) : m->sorted;
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
    struct feed_item *it = &m->items[i];
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
