/* Running a source: MISP feeds and CSV lists are merged into the hub's indicators (feed_merge.c);
 * a partner's TAXII collection is pulled page by page, and its indicators, like the members'
 * submissions, are kept as their producers wrote them and scored with their source. */
#include "intel/feed_int.h"

#include "audit/audit.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/vec.h"
#include "intel/csvmap.h"
#include "intel/misp.h"
#include "stix/pattern.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum tlp_level stricter(enum tlp_level a, enum tlp_level b)
{
  return a > b ? a : b;
}

/* ---- MISP ------------------------------------------------------------------------------------ */

struct refs {
  char (*ids)[FEED_ID_MAX];
  size_t n, cap;
};

static int cmp_ref(const void *a, const void *b)
{
  return strcmp(a, b);
}

/* The event as a STIX report (published) or grouping (not yet), referring to its indicators. */
static int event_object(struct feed_merger *m, const struct intel_feed *f, const char *hub,
                        const struct misp_event *ev, struct refs *r, enum tlp_level level,
                        struct fs_err *err)
{
  if (!r->n)
    return FS_OK; /* STIX wants at least one reference */
  qsort(r->ids, r->n, sizeof(*r->ids), cmp_ref);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  char created[32], modified[32], published[32], date[40];
  int64_t ts = ev->timestamp * 1000, day = 0;
  snprintf(date, sizeof(date), "%.10sT00:00:00Z", ev->date);
  if (fs_time_parse_ms(date, strlen(date), &day, NULL) || day > ts)
    day = ts;
  fs_time_format_ms(day, created);
  fs_time_format_ms(ts, modified);
  fs_time_format_ms(ev->publish_timestamp ? ev->publish_timestamp * 1000 : ts, published);
  const char *type = ev->published ? "report" : "grouping";
  fs_buf_appendf(&b,
                 "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s--%s\",\"created\":\"%s\","
                 "\"modified\":\"%s\",\"created_by_ref\":\"%s\",\"name\":",
                 type, type, ev->uuid, created, modified, hub);
  fs_buf_append_json_string(&b, ev->info[0] ? ev->info : ev->uuid);
  char desc[300];
  snprintf(desc, sizeof(desc), "MISP event %s%s%s", ev->uuid, ev->org[0] ? " of " : "", ev->org);
  fs_buf_append_str(&b, ",\"description\":");
  fs_buf_append_json_string(&b, desc);
  if (ev->published)
    fs_buf_appendf(&b, ",\"published\":\"%s\",\"report_types\":[\"threat-report\"]", published);
  else
    fs_buf_append_str(&b, ",\"context\":\"suspicious-activity\"");
  fs_buf_append_str(&b, ",\"object_refs\":[");
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (i && !strcmp(r->ids[i], r->ids[i - 1]))
      continue;
    fs_buf_appendf(&b, "%s\"%s\"", n++ ? "," : "", r->ids[i]);
  }
  fs_buf_appendf(&b,
                 "],\"object_marking_refs\":[\"%s\"],\"external_references\":[{\"source_name\":",
                 stix_tlp_marking_id(level));
  fs_buf_append_json_string(&b, f->name);
  int rc = fs_buf_appendf(&b, ",\"external_id\":\"%s\"}]}", ev->uuid);
  if (!rc)
    rc = feed_merger_add_object(m, b.data, b.len, err);
  else
    rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
  fs_buf_release(&b);
  return rc;
}

static int misp_event(struct feed_merger *m, const struct intel_feed *f, const char *hub,
                      const struct misp_event *ev, struct intel_feed_stats *st, struct fs_err *err)
{
  struct refs r = {0};
  enum tlp_level ev_level = ev->tlp;
  enum tlp_level report_level = stricter(ev->tlp != TLP_NONE ? ev->tlp : f->default_tlp,
                                         misp_distribution_tlp(ev->distribution));
  int rc = FS_OK;
  char where[96]; /* and the attribute's number */
  snprintf(where, sizeof(where), "event %s, attribute", ev->uuid);
  for (size_t i = 0; !rc && i < ev->n_attrs; i++) {
    const struct misp_attribute *a = &ev->attrs[i];
    struct misp_observables obs;
    struct fs_err e;
    st->read++;
    enum misp_attr_use use = misp_attribute_observables(a, &obs, &e);
    if (use == MISP_USE_INVALID) {
      st->invalid++;
      char at[192];
      snprintf(at, sizeof(at), "event %s: %s", ev->uuid, e.where);
      feed_note(st, at, e.msg);
      continue;
    }
    if (use != MISP_USE_INDICATOR) {
      st->skipped++;
      continue;
    }
    enum tlp_level level = stricter(a->tlp, ev_level);
    if (level == TLP_NONE)
      level = f->default_tlp;
    int dist = a->distribution == MISP_DIST_INHERIT ? ev->distribution : a->distribution;
    level = stricter(level, misp_distribution_tlp(dist));
    if (level == TLP_RED)
      level = TLP_AMBER_STRICT;
    int64_t fallback = (a->timestamp ? a->timestamp : ev->timestamp) * 1000;
    int64_t first = a->first_seen_ms ? a->first_seen_ms : fallback;
    int64_t last = a->last_seen_ms ? a->last_seen_ms : fallback;
    char detail[400]; /* "%s%s%.200s": the observables' rest, then the comment */
    size_t dn = strlen(obs.detail), cn = strnlen(a->comment, 200);
    memcpy(detail, obs.detail, dn);
    if (dn && cn) {
      memcpy(detail + dn, "; ", 2);
      dn += 2;
    }
    memcpy(detail + dn, a->comment, cn);
    detail[dn + cn] = '\0';
    for (size_t k = 0; !rc && k < obs.n; k++) {
      char id[FEED_ID_MAX];
      enum feed_verdict v;
      rc = feed_merger_add(m, obs.obs[k].kind, obs.obs[k].value, level, first, last, detail, where,
                           a->index, id, &v, err);
      if (rc || v != FEED_KEPT)
        continue;
      if (FS_VEC_GROW(r.ids, r.n, r.cap, 64)) {
        rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
        break;
      }
      memcpy(r.ids[r.n++], id, FEED_ID_MAX);
      report_level = stricter(report_level, level);
    }
  }
  if (!rc)
    rc = event_object(m, f, hub, ev, &r, report_level, err);
  free(r.ids);
  return rc;
}

static bool sha256_matches(const struct fs_buf *b, const char *hex)
{
  uint8_t h[32];
  char text[65];
  crypto_hash_sha256(h, (const unsigned char *)(b->data ? b->data : ""), b->len);
  fs_hex_encode(h, sizeof(h), text);
  return !strcmp(text, hex);
}

static int run_misp(struct store_conn *c, struct feed_merger *m, const struct intel_feed *f,
                    const struct intel_feed_env *env, struct intel_feed_stats *st,
                    struct fs_err *err)
{
  char hub[STIX_ID_MAX];
  int rc = intel_hub_identity(c, hub, err);
  struct fs_buf b;
  fs_buf_init(&b, env->max_bytes ? env->max_bytes : MISP_MAX_EVENT_BYTES);
  struct misp_manifest_entry *list = NULL;
  size_t n = 0;
  if (!rc)
    rc = intel_feed_fetch(env, f->url, "manifest.json", &b, err);
  if (!rc && (rc = misp_manifest_parse(b.data ? b.data : "", b.len, &list, &n, err)))
    fs_err_wrap_where(err, "manifest.json");
  for (size_t i = 0; !rc && i < n; i++) {
    int64_t known = 0;
    if ((rc = feed_event_timestamp(c, f->id, list[i].uuid, &known, err)))
      break;
    if (known >= list[i].timestamp)
      continue; /* unchanged since the last run */
    char name[48], where[64];
    snprintf(name, sizeof(name), "%s.json", list[i].uuid);
    snprintf(where, sizeof(where), "event %s", list[i].uuid);
    struct fs_err e;
    int erc = intel_feed_fetch(env, f->url, name, &b, &e);
    if (erc == FS_ERR_NOT_FOUND || erc == FS_ERR_TOO_LARGE) {
      st->invalid++;
      feed_note(st, where, e.msg);
      continue; /* listed but not there, or too large: the others are read, this one next time */
    }
    if (erc) {
      rc = erc;
      *err = e;
      break;
    }
    if (list[i].sha256[0] && !sha256_matches(&b, list[i].sha256)) {
      st->invalid++;
      feed_note(st, where, "its SHA-256 is not the manifest's integrity:sha256");
      continue;
    }
    struct misp_event ev;
    if (misp_event_parse(b.data ? b.data : "", b.len, &ev, &e)) {
      st->invalid++;
      char msg[300];
      snprintf(msg, sizeof(msg), "%s: %s", e.where, e.msg);
      feed_note(st, where, msg);
      misp_event_release(&ev);
      continue;
    }
    st->events++;
    rc = misp_event(m, f, hub, &ev, st, err);
    if (!rc)
      rc = feed_merger_event_done(m, list[i].uuid, list[i].timestamp, err);
    misp_event_release(&ev);
  }
  free(list);
  fs_buf_release(&b);
  return rc;
}

/* ---- CSV and plain lists --------------------------------------------------------------------- */

struct csv_run {
  struct feed_merger *m;
  const struct intel_csv_map *map;
  struct intel_feed_stats *st;
  int64_t now;
  struct fs_err *err;
};

static int csv_row(const struct intel_csv_row *row, void *arg)
{
  struct csv_run *r = arg;
  char where[40];
  snprintf(where, sizeof(where), "line %zu", row->line);
  r->st->read++;
  if (row->problem) {
    r->st->invalid++;
    feed_note(r->st, where, row->problem);
    return 0;
  }
  struct misp_observables obs = {0};
  struct fs_err e;
  enum intel_obs kind = r->map->kind;
  if (row->kind && *row->kind) {
    kind = intel_obs_parse(row->kind);
    if (kind == INTEL_OBS_NONE && strcmp(row->kind, "auto")) {
      /* A MISP attribute type ("ip-dst", "filename|sha256"). */
      struct misp_attribute a = {.type = row->kind,
                                 .value = row->value,
                                 .to_ids = true,
                                 .index = row->line,
                                 .comment = ""};
      enum misp_attr_use use = misp_attribute_observables(&a, &obs, &e);
      if (use == MISP_USE_OTHER_TYPE) {
        r->st->skipped++;
        return 0;
      }
      if (use == MISP_USE_INVALID) {
        r->st->invalid++;
        feed_note(r->st, where, e.msg);
        return 0;
      }
    }
  }
  if (!obs.n) {
    obs.obs[0].kind = kind;
    if (!intel_canon(&obs.obs[0].kind, row->value, strlen(row->value), obs.obs[0].value, where,
                     &e)) {
      r->st->invalid++;
      feed_note(r->st, where, e.msg);
      return 0;
    }
    obs.n = 1;
  }
  char comment[400] = "";
  if (row->comment) {
    snprintf(comment, sizeof(comment), "%s", row->comment);
    fs_utf8_scrub(comment, strlen(comment));
  }
  for (size_t k = 0; k < obs.n; k++) {
    char id[FEED_ID_MAX];
    enum feed_verdict v;
    /* A value a list carries now is seen now, unless the list says when it was last seen. */
    int rc = feed_merger_add(r->m, obs.obs[k].kind, obs.obs[k].value, row->tlp,
                             row->first_seen_ms ? row->first_seen_ms : r->now,
                             row->last_seen_ms ? row->last_seen_ms : r->now,
                             comment[0] ? comment : NULL, "line", row->line, id, &v, r->err);
    if (rc)
      return rc;
  }
  return 0;
}

static int run_csv(struct feed_merger *m, const struct intel_feed *f,
                   const struct intel_feed_env *env, int64_t now, struct intel_feed_stats *st,
                   struct fs_err *err)
{
  struct intel_csv_map map;
  int rc = intel_csv_map_parse(f->mapping, &map, err);
  struct fs_buf b;
  fs_buf_init(&b, env->max_bytes ? env->max_bytes : (256u << 20));
  if (!rc)
    rc = intel_feed_fetch(env, f->url, NULL, &b, err);
  struct csv_run r = {m, &map, st, now, err};
  if (!rc) {
    st->events = 1;
    rc = intel_csv_read(b.data ? b.data : "", b.len, &map, csv_row, &r, err);
  }
  fs_buf_release(&b);
  return rc;
}

/* ---- indicators stored by others: TAXII sources and submissions ------------------------------ */

static enum intel_obs obs_of_stix(enum stix_observable k)
{
  switch (k) {
  case STIX_OBS_IPV4:
    return INTEL_OBS_IPV4;
  case STIX_OBS_IPV6:
    return INTEL_OBS_IPV6;
  case STIX_OBS_DOMAIN:
    return INTEL_OBS_DOMAIN;
  case STIX_OBS_URL:
    return INTEL_OBS_URL;
  case STIX_OBS_EMAIL:
    return INTEL_OBS_EMAIL;
  case STIX_OBS_MD5:
    return INTEL_OBS_MD5;
  case STIX_OBS_SHA1:
    return INTEL_OBS_SHA1;
  case STIX_OBS_SHA256:
    return INTEL_OBS_SHA256;
  case STIX_OBS_SHA512:
    return INTEL_OBS_SHA512;
  default:
    return INTEL_OBS_NONE;
  }
}

/* What an indicator someone else stored tells: its first simple observable, canonical, and the
 * list (blocking first) any of its observables is on. false when it has none the hub scores. */
struct followed {
  enum intel_obs kind;
  char value[INTEL_CANON_MAX + 1];
  char list[INTEL_WL_NAME_MAX + 1];
  bool blocked;
};

static bool follow_pattern(const char *pattern, const struct intel_wl_set *wl, struct followed *out)
{
  struct stix_pattern p;
  memset(&p, 0, sizeof(p));
  struct stix_pattern_simple simple = {0};
  memset(out, 0, sizeof(*out));
  if (!pattern || stix_pattern_parse(&p, pattern, strlen(pattern), NULL, NULL) ||
      stix_pattern_extract(&p, 64, &simple, NULL) || simple.compound) {
    stix_pattern_release(&p);
    return false;
  }
  for (size_t i = 0; i < simple.n; i++) {
    enum intel_obs k = obs_of_stix(simple.items[i].kind);
    char canon[INTEL_CANON_MAX + 1];
    if (k == INTEL_OBS_NONE ||
        !intel_canon(&k, simple.items[i].value, simple.items[i].len, canon, "", NULL))
      continue;
    if (out->kind == INTEL_OBS_NONE) {
      out->kind = k;
      snprintf(out->value, sizeof(out->value), "%s", canon);
    }
    struct intel_wl_hit hit;
    if (wl && intel_wl_set_match(wl, k, canon, &hit) &&
        (!out->list[0] || hit.action == INTEL_WL_BLOCK)) {
      snprintf(out->list, sizeof(out->list), "%s", hit.list);
      out->blocked = hit.action == INTEL_WL_BLOCK;
    }
  }
  stix_pattern_release(&p);
  return out->kind != INTEL_OBS_NONE;
}

static int run_taxii(struct store_conn *c, const struct actor *who, const struct intel_feed *f,
                     const struct intel_feed_env *env, const struct intel_wl_set *wl, int64_t now,
                     struct intel_feed_stats *st, struct fs_err *err)
{
  if (!env->taxii_get)
    return fs_err_set(err, FS_ERR_UNSUPPORTED, f->name, "no TAXII client in this program");
  struct intel_collection col;
  int rc = intel_collection_find(c, who, f->collection, &col, err);
  if (!rc && !col.can_write)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, f->collection, "no right to write to collection %s",
                    f->collection);
  if (rc)
    return rc;
  struct fs_buf body, kept;
  fs_buf_init(&body, env->max_bytes ? env->max_bytes : (256u << 20));
  fs_buf_init(&kept, 0);
  char position[64], next[512] = "";
  snprintf(position, sizeof(position), "%s", f->position);
  for (;;) {
    char last[64];
    rc = env->taxii_get(env->taxii_ctx, f, position[0] ? position : NULL, next[0] ? next : NULL,
                        1000, &body, last, err);
    if (rc)
      break;
    struct stix_doc doc;
    if ((rc = stix_doc_parse(&doc, body.data ? body.data : "", body.len, NULL, err))) {
      fs_err_wrap_where(err, "the server's envelope");
      break;
    }
    /* An empty collection may be answered {} (no objects list): an empty page. */
    bool empty = doc.kind == STIX_DOC_OBJECT && !json_object_get(doc.root, "type");
    size_t got = empty ? 0 : doc.n;
    st->events++;
    st->read += got;
    bool more = doc.more && doc.next;
    snprintf(next, sizeof(next), "%s", more ? doc.next : "");
    /* The page without what a blocking list refuses; the indicators to score. */
    struct followed *fol = got ? calloc(got, sizeof(*fol)) : NULL;
    bool *follow = got ? calloc(got, sizeof(*follow)) : NULL;
    fs_buf_reset(&kept);
    fs_buf_append_str(&kept, "{\"objects\":[");
    size_t n_kept = 0;
    for (size_t i = 0; i < got && fol && follow; i++) {
      const struct stix_result *r = &doc.results[i];
      if (r->valid && r->type && !strcmp(r->type, "indicator") &&
          follow_pattern(json_string_value(json_object_get(r->object, "pattern")), wl, &fol[i])) {
        st->indicators++;
        if (fol[i].blocked) {
          st->blocked++;
          char msg[300];
          snprintf(msg, sizeof(msg), "%.120s is on the blocking warninglist %s", fol[i].value,
                   fol[i].list);
          feed_note(st, r->id ? r->id : "object", msg);
          continue;
        }
        follow[i] = true;
      }
      if (n_kept++)
        fs_buf_append_char(&kept, ',');
      fs_buf_append(&kept, r->raw, r->raw_len);
    }
    fs_buf_append_str(&kept, "]}");
    if (got && (!fol || !follow))
      rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
    /* The page, its scores and the new position commit together. */
    struct intel_batch *batch = NULL;
    struct intel_ingest_result ir = {0};
    bool moved = false;
    if (!rc)
      rc = store_begin(c, true, err);
    if (!rc && n_kept && !(rc = intel_batch_read(kept.data, kept.len, NULL, 1, &batch, err)))
      rc = intel_ingest_batch(c, who, &col, batch, NULL, &ir, err);
    for (size_t i = 0; !rc && i < got; i++) {
      if (!follow[i])
        continue;
      const struct stix_result *r = &doc.results[i];
      bool changed;
      /* A partner sharing an indicator reports it now, whenever its producer last changed it. */
      rc = feed_follow_indicator(c, f, env, r->id, fol[i].kind, fol[i].value, now,
                                 fol[i].list[0] ? fol[i].list : NULL, now, &changed, err);
      moved |= changed;
      if (!rc && fol[i].list[0])
        st->flagged++;
      else if (!rc)
        st->merged++;
    }
    if (!rc && moved)
      rc = intel_withheld_moved(c, err);
    if (!rc && last[0]) {
      snprintf(position, sizeof(position), "%s", last);
      rc = store_exec(c, NULL, err, "UPDATE intel_feed SET position = ? WHERE id = ?", "ss",
                      position, f->id);
    }
    if (!rc)
      rc = store_commit(c, err);
    else if (store_in_tx(c))
      store_rollback(c);
    st->stored += ir.success;
    st->refused += ir.failure;
    if (ir.failure && ir.failures && !st->first_problem[0]) {
      const json_t *f0 = json_array_get(ir.failures, 0);
      feed_note(st,
                json_string_value(json_object_get(f0, "id"))
                    ? json_string_value(json_object_get(f0, "id"))
                    : "object",
                json_string_value(json_object_get(f0, "message"))
                    ? json_string_value(json_object_get(f0, "message"))
                    : "refused");
    }
    intel_ingest_result_release(&ir);
    intel_batch_free(batch);
    free(fol);
    free(follow);
    stix_doc_release(&doc);
    if (rc || !more || !got)
      break;
  }
  fs_buf_release(&body);
  fs_buf_release(&kept);
  return rc;
}

/* The indicators members submitted to the collection since the last run. */
struct submitted {
  int64_t seq;
  char id[STIX_ID_MAX];
  struct followed fol;
};

struct submissions {
  int64_t coll;
  const struct intel_wl_set *wl;
  struct submitted *v;
  size_t n, cap;
  int64_t last_seq;
  struct fs_err *err;
};

static int take_submitted(const struct intel_latest *l, void *arg)
{
  struct submissions *s = arg;
  if (l->seq > s->last_seq)
    s->last_seq = l->seq;
  bool here = false;
  for (size_t i = 0; i < l->n_colls && !here; i++)
    here = l->colls[i] == s->coll;
  if (!here)
    return FS_OK;
  json_t *o = json_loads(l->body, 0, NULL);
  struct followed fol;
  bool ok = o && follow_pattern(json_string_value(json_object_get(o, "pattern")), s->wl, &fol);
  json_decref(o);
  if (!ok)
    return FS_OK;
  if (FS_VEC_GROW(s->v, s->n, s->cap, 64))
    return fs_err_set(s->err, FS_ERR_NOMEM, "feed", "out of memory");
  struct submitted *x = &s->v[s->n++];
  x->seq = l->seq;
  snprintf(x->id, sizeof(x->id), "%s", l->id);
  x->fol = fol;
  return FS_OK;
}

static int run_submissions(struct store_conn *c, const struct actor *who,
                           const struct intel_feed *f, const struct intel_feed_env *env,
                           const struct intel_wl_set *wl, int64_t now, struct intel_feed_stats *st,
                           struct fs_err *err)
{
  struct intel_collection col;
  int rc = intel_collection_find(c, who, f->collection, &col, err);
  if (rc)
    return rc;
  struct submissions s = {.coll = col.num, .wl = wl, .err = err};
  s.last_seq = strtoll(f->position, NULL, 10);
  int64_t after = s.last_seq;
  rc = intel_latest_each(c, "indicator", after, take_submitted, &s, err);
  bool moved = false;
  if (!rc)
    rc = store_begin(c, true, err);
  for (size_t i = 0; !rc && i < s.n; i++) {
    struct submitted *x = &s.v[i];
    bool changed;
    st->read++;
    st->indicators++;
    /* Stored already: a blocking list can only withhold it. A member submitting it reports it
     * now (the run follows the submission), whenever it was last changed. */
    rc = feed_follow_indicator(c, f, env, x->id, x->fol.kind, x->fol.value, now,
                               x->fol.list[0] ? x->fol.list : NULL, now, &changed, err);
    moved |= changed;
    if (x->fol.blocked)
      st->blocked++;
    else if (x->fol.list[0])
      st->flagged++;
    else
      st->merged++;
  }
  if (!rc && moved)
    rc = intel_withheld_moved(c, err);
  char pos[32];
  snprintf(pos, sizeof(pos), "%lld", (long long)s.last_seq);
  if (!rc)
    rc = store_exec(c, NULL, err, "UPDATE intel_feed SET position = ? WHERE id = ?", "ss", pos,
                    f->id);
  if (!rc)
    rc = store_commit(c, err);
  else if (store_in_tx(c))
    store_rollback(c);
  free(s.v);
  return rc;
}

/* ---- one run --------------------------------------------------------------------------------- */

int intel_feed_run(struct store_conn *c, const struct actor *who, const struct intel_feed_env *env,
                   const char *id_or_name, int64_t now, struct intel_feed_stats *st,
                   struct fs_err *err)
{
  memset(st, 0, sizeof(*st));
  int rc = policy_check(who, POLICY_FEED_RUN, NULL, "the intelligence sources", err);
  struct intel_feed f;
  if (!rc)
    rc = intel_feed_load(c, id_or_name, &f, err);
  if (rc)
    return rc;
  struct intel_wl_set *wl = NULL;
  struct feed_merger *m = NULL;
  struct fs_err run_err;
  fs_err_clear(&run_err);
  int run_rc = intel_warninglist_load(c, &wl, &run_err);
  bool merged = f.kind == INTEL_FEED_MISP || f.kind == INTEL_FEED_CSV;
  if (!run_rc && merged)
    run_rc = feed_merger_new(c, who, &f, env, wl, now, st, &m, &run_err);
  if (!run_rc) {
    switch (f.kind) {
    case INTEL_FEED_MISP:
      run_rc = run_misp(c, m, &f, env, st, &run_err);
      break;
    case INTEL_FEED_CSV:
      run_rc = run_csv(m, &f, env, now, st, &run_err);
      break;
    case INTEL_FEED_TAXII:
      run_rc = run_taxii(c, who, &f, env, wl, now, st, &run_err);
      break;
    case INTEL_FEED_SUBMISSIONS:
      run_rc = run_submissions(c, who, &f, env, wl, now, st, &run_err);
      break;
    }
  }
  /* What was read before a failure is stored: a run resumes where it stopped. */
  if (m) {
    struct fs_err ferr;
    int frc = feed_merger_flush(m, &ferr);
    if (frc && !run_rc) {
      run_rc = frc;
      run_err = ferr;
    }
  }
  feed_merger_free(m);
  intel_wl_set_free(wl);
  /* What the source answered (a refused token, a missing file) is the source's failure, not the
   * caller's: it is reported as such, not as the caller's own 401, 403 or 404. */
  if (run_rc == FS_ERR_UNAUTHENTICATED || run_rc == FS_ERR_FORBIDDEN || run_rc == FS_ERR_NOT_FOUND)
    run_rc = run_err.code = FS_ERR_IO;
  if (store_in_tx(c))
    store_rollback(c);
  rc = store_begin(c, true, err);
  if (!rc)
    rc = intel_feed_record_run(c, &f, now, now, run_rc, &run_err, st, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I}", "name", f.name, "ok", run_rc == 0, "created",
                          (json_int_t)st->created, "merged", (json_int_t)st->merged, "flagged",
                          (json_int_t)st->flagged, "blocked", (json_int_t)st->blocked);
    rc = audit_append(c, who, "intel.feed.run", "feed", f.id, d, err);
    json_decref(d);
  }
  if (!rc)
    rc = store_commit(c, err);
  else if (store_in_tx(c))
    store_rollback(c);
  if (run_rc) {
    if (err)
      *err = run_err;
    return run_rc;
  }
  return rc;
}

int intel_feed_run_due(struct store_conn *c, const struct actor *who,
                       const struct intel_feed_env *env, int64_t now, size_t *ran,
                       struct fs_err *err)
{
  if (ran)
    *ran = 0;
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err,
                  "SELECT id FROM intel_feed WHERE enabled = 1 AND every_s > 0 AND next_run <= ?"
                  " ORDER BY next_run",
                  "i", now);
  if (rc)
    return rc;
  char(*ids)[37] = NULL;
  size_t n = 0, cap = 0;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    if (FS_VEC_GROW(ids, n, cap, 8)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "feed", "out of memory");
      break;
    }
    snprintf(ids[n++], 37, "%s", store_col_text(s, 0));
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n; i++) {
    struct intel_feed_stats st;
    struct fs_err e;
    int r = intel_feed_run(c, who, env, ids[i], now, &st, &e);
    if (r == FS_ERR_FORBIDDEN) {
      rc = r;
      if (err)
        *err = e;
    }
    if (ran)
      (*ran)++;
  }
  free(ids);
  return rc;
}
