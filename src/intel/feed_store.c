/* The registry of sources (intel_feed) and their run history (intel_feed_run). */
#include "intel/feed_int.h"

#include "audit/audit.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "intel/csvmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"taxii", "misp", "csv", "submissions", NULL};

const char *intel_feed_kind_name(enum intel_feed_kind k)
{
  return (unsigned)k <= INTEL_FEED_SUBMISSIONS ? kind_names[k] : "";
}

int intel_feed_kind_parse(const char *s)
{
  for (int i = 0; s && kind_names[i]; i++)
    if (!strcmp(s, kind_names[i]))
      return i;
  return -1;
}

#define FEED_COLUMNS                                                                               \
  "id, name, kind, url, remote_collection, collection, reliability, default_tlp, every_s,"         \
  " mapping, secret_file, enabled, created_at, position, next_run, last_run, last_ok,"             \
  " last_error, runs, objects"

static void read_feed(struct store_stmt *s, struct intel_feed *f)
{
  memset(f, 0, sizeof(*f));
  snprintf(f->id, sizeof(f->id), "%s", store_col_text(s, 0));
  snprintf(f->name, sizeof(f->name), "%s", store_col_text(s, 1));
  int k = intel_feed_kind_parse(store_col_text(s, 2));
  f->kind = k < 0 ? INTEL_FEED_CSV : (enum intel_feed_kind)k;
  snprintf(f->url, sizeof(f->url), "%s", store_col_text(s, 3));
  snprintf(f->remote_collection, sizeof(f->remote_collection), "%s", store_col_text(s, 4));
  snprintf(f->collection, sizeof(f->collection), "%s", store_col_text(s, 5));
  const char *r = store_col_text(s, 6);
  f->reliability = r && *r ? r[0] : 'F';
  f->default_tlp = stix_tlp_from_token(store_col_text(s, 7));
  f->every_s = store_col_int(s, 8);
  snprintf(f->mapping, sizeof(f->mapping), "%s", store_col_text(s, 9));
  snprintf(f->secret_file, sizeof(f->secret_file), "%s", store_col_text(s, 10));
  f->enabled = store_col_int(s, 11) != 0;
  f->created_at = store_col_int(s, 12);
  snprintf(f->position, sizeof(f->position), "%s", store_col_text(s, 13));
  f->next_run = store_col_int(s, 14);
  f->last_run = store_col_int(s, 15);
  f->last_ok = store_col_int(s, 16);
  snprintf(f->last_error, sizeof(f->last_error), "%s", store_col_text(s, 17));
  f->runs = store_col_int(s, 18);
  f->objects = store_col_int(s, 19);
}

int intel_feed_load(struct store_conn *c, const char *id_or_name, struct intel_feed *out,
                    struct fs_err *err)
{
  struct store_stmt *s;
  int rc =
      store_query(c, &s, err, "SELECT " FEED_COLUMNS " FROM intel_feed WHERE id = ? OR name = ?",
                  "ss", id_or_name, id_or_name);
  bool row = false;
  if (!rc && !(rc = store_step(s, &row, err)) && row)
    read_feed(s, out);
  store_done(s);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "feed", "no source \"%.64s\"", id_or_name);
  return rc;
}

int intel_feed_get(struct store_conn *c, const struct actor *who, const char *id_or_name,
                   struct intel_feed *out, struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_READ, NULL, "the intelligence sources", err);
  return rc ? rc : intel_feed_load(c, id_or_name, out, err);
}

static bool valid_name(const char *s)
{
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n >= INTEL_FEED_NAME_MAX)
    return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              (i && (ch == '.' || ch == '_' || ch == '-'));
    if (!ok)
      return false;
  }
  return true;
}

static void time_json(json_t *o, const char *key, int64_t ms)
{
  json_object_set_new(o, key, ms ? jsonx_time_new(ms) : json_null());
}

json_t *intel_feed_json(const struct intel_feed *f)
{
  char rel[2] = {f->reliability, '\0'};
  json_t *o =
      json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "id", f->id, "name", f->name, "kind",
                intel_feed_kind_name(f->kind), "url", f->url, "collection", f->collection,
                "reliability", rel, "default_tlp", stix_tlp_token(f->default_tlp), "every_seconds",
                (json_int_t)f->every_s, "enabled", f->enabled);
  if (!o)
    return NULL;
  if (f->kind == INTEL_FEED_TAXII)
    json_object_set_new(o, "remote_collection", json_string(f->remote_collection));
  if (f->kind == INTEL_FEED_CSV)
    json_object_set_new(o, "mapping", json_string(f->mapping));
  if (f->secret_file[0])
    json_object_set_new(o, "secret_file", json_string(f->secret_file));
  time_json(o, "created", f->created_at);
  json_t *h =
      json_pack("{s:I,s:I,s:s?}", "runs", (json_int_t)f->runs, "objects", (json_int_t)f->objects,
                "last_error", f->last_error[0] ? f->last_error : NULL);
  if (h) {
    time_json(h, "last_run", f->last_run);
    time_json(h, "last_ok", f->last_ok);
    time_json(h, "next_run", f->enabled && f->every_s ? f->next_run : 0);
    json_object_set_new(h, "position", f->position[0] ? json_string(f->position) : json_null());
    json_object_set_new(o, "health", h);
  }
  return o;
}

static bool url_ok(const char *u)
{
  return !strncmp(u, "https://", 8) || !strncmp(u, "http://", 7) || u[0] == '/' ||
         !strncmp(u, "file://", 7);
}

int intel_feed_add(struct store_conn *c, const struct actor *who, const struct intel_feed_input *in,
                   char id_out[37], struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_MANAGE, NULL, "the intelligence sources", err);
  if (rc)
    return rc;
  const char *url = in->url ? in->url : "";
  const char *coll = in->collection && *in->collection    ? in->collection
                     : in->kind == INTEL_FEED_SUBMISSIONS ? "submissions"
                                                          : "sector";
  char rel = in->reliability ? in->reliability : 'C';
  enum tlp_level tlp = in->default_tlp == TLP_NONE ? TLP_AMBER : in->default_tlp;
  char mapping[INTEL_CSV_MAP_MAX] = "";
  if (!valid_name(in->name))
    return fs_err_set(err, FS_ERR_INVALID, "name",
                      "a name of 2 to 63 characters: a-z, 0-9, then also '.', '_', '-'");
  if ((unsigned)in->kind > INTEL_FEED_SUBMISSIONS)
    return fs_err_set(err, FS_ERR_INVALID, "kind", "kind must be taxii, misp, csv or submissions");
  if (in->kind != INTEL_FEED_SUBMISSIONS &&
      (!*url || strlen(url) >= INTEL_FEED_URL_MAX || !url_ok(url)))
    return fs_err_set(
        err, FS_ERR_INVALID, "url",
        "give the source's location: an https:// or http:// URL, or an absolute path");
  if (in->kind == INTEL_FEED_TAXII && strncmp(url, "http", 4))
    return fs_err_set(err, FS_ERR_INVALID, "url", "a TAXII source is the API root's URL");
  if (in->kind == INTEL_FEED_TAXII &&
      (!in->remote_collection || !*in->remote_collection || strlen(in->remote_collection) >= 128))
    return fs_err_set(err, FS_ERR_INVALID, "remote_collection",
                      "a TAXII source needs the remote collection (id or alias)");
  if (rel < 'A' || rel > 'F')
    return fs_err_set(err, FS_ERR_INVALID, "reliability",
                      "reliability is an Admiralty grade from A (completely reliable) to F "
                      "(cannot be judged)");
  if (in->every_s && (in->every_s < 60 || in->every_s > 366 * 86400))
    return fs_err_set(err, FS_ERR_INVALID, "every",
                      "a schedule of 60 seconds to a year, or 0 for runs on demand");
  if (in->kind == INTEL_FEED_CSV) {
    struct intel_csv_map m;
    if ((rc = intel_csv_map_parse(in->mapping ? in->mapping : "", &m, err)))
      return rc;
    intel_csv_map_format(&m, mapping, sizeof(mapping));
  }
  if (in->secret_file && strlen(in->secret_file) >= INTEL_FEED_URL_MAX)
    return fs_err_set(err, FS_ERR_INVALID, "secret_file", "path too long");
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct intel_collection col;
  rc = intel_collection_find(c, who, coll, &col, err);
  if (!rc && in->kind != INTEL_FEED_SUBMISSIONS && !col.can_write)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, coll, "no right to write to collection %s", coll);
  int64_t dup = 0;
  if (!rc)
    rc = store_query_int(c, &dup, NULL, err, "SELECT COUNT(*) FROM intel_feed WHERE name = ?", "s",
                         in->name);
  if (!rc && dup)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "name", "a source \"%s\" exists", in->name);
  char rels[2] = {rel, '\0'};
  if (!rc) {
    fs_uuid_v4(id_out);
    rc =
        store_exec(c, NULL, err,
                   "INSERT INTO intel_feed (" FEED_COLUMNS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?,'',"
                   "?,0,0,'',0,0)",
                   "ssssssssissii", id_out, in->name, intel_feed_kind_name(in->kind), url,
                   in->kind == INTEL_FEED_TAXII ? in->remote_collection : "", col.alias, rels,
                   stix_tlp_token(tlp), in->every_s, mapping,
                   in->secret_file ? in->secret_file : "", who->now_ms, who->now_ms);
  }
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", in->name, "kind",
                          intel_feed_kind_name(in->kind), "url", url, "collection", col.alias,
                          "reliability", rels, "every_seconds", (json_int_t)in->every_s);
    rc = audit_append(c, who, "intel.feed.add", "feed", id_out, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int intel_feed_list_json(struct store_conn *c, const struct actor *who, json_t **out,
                         struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_READ, NULL, "the intelligence sources", err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err, "SELECT " FEED_COLUMNS " FROM intel_feed ORDER BY name", "");
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct intel_feed f;
    read_feed(s, &f);
    json_array_append_new(items, intel_feed_json(&f));
  }
  store_done(s);
  if (rc)
    json_decref(items);
  else
    *out = items;
  return rc;
}

int intel_feed_runs_json(struct store_conn *c, const struct actor *who, const char *id_or_name,
                         size_t limit, json_t **out, struct fs_err *err)
{
  struct intel_feed f;
  int rc = intel_feed_get(c, who, id_or_name, &f, err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT started, finished, ok, stats, error FROM intel_feed_run WHERE feed = ?"
                     " ORDER BY started DESC LIMIT ?",
                     "si", f.id, (int64_t)limit);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    json_t *stats = json_loads(store_col_text(s, 3), 0, NULL);
    json_t *r = json_pack("{s:o,s:o,s:b,s:o}", "started", jsonx_time_new(store_col_int(s, 0)),
                          "finished", jsonx_time_new(store_col_int(s, 1)), "ok",
                          store_col_int(s, 2) != 0, "stats", stats ? stats : json_object());
    const char *e = store_col_text(s, 4);
    if (r && e && *e)
      json_object_set_new(r, "error", json_string(e));
    json_array_append_new(items, r);
  }
  store_done(s);
  if (rc)
    json_decref(items);
  else
    *out = items;
  return rc;
}

int intel_feed_remove(struct store_conn *c, const struct actor *who, const char *id_or_name,
                      struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_MANAGE, NULL, "the intelligence sources", err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct intel_feed f;
  rc = intel_feed_load(c, id_or_name, &f, err);
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM intel_feed_run WHERE feed = ?", "s", f.id);
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM intel_feed_event WHERE feed = ?", "s", f.id);
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM intel_feed WHERE id = ?", "s", f.id);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s}", "name", f.name, "kind", intel_feed_kind_name(f.kind));
    rc = audit_append(c, who, "intel.feed.remove", "feed", f.id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int intel_feed_enable(struct store_conn *c, const struct actor *who, const char *id_or_name,
                      bool enabled, struct fs_err *err)
{
  int rc = policy_check(who, POLICY_FEED_MANAGE, NULL, "the intelligence sources", err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct intel_feed f;
  rc = intel_feed_load(c, id_or_name, &f, err);
  if (!rc)
    rc = store_exec(c, NULL, err, "UPDATE intel_feed SET enabled = ?, next_run = ? WHERE id = ?",
                    "iis", (int64_t)enabled, who->now_ms, f.id);
  if (!rc)
    rc = audit_append(c, who, enabled ? "intel.feed.enable" : "intel.feed.disable", "feed", f.id,
                      NULL, err);
  return store_tx_leave(c, owned, rc, err);
}

int intel_feed_record_run(struct store_conn *c, const struct intel_feed *f, int64_t started,
                          int64_t finished, int run_rc, const struct fs_err *run_err,
                          const struct intel_feed_stats *st, struct fs_err *err)
{
  json_t *stats =
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)st->events,
                "read", (json_int_t)st->read, "indicators", (json_int_t)st->indicators, "created",
                (json_int_t)st->created, "merged", (json_int_t)st->merged, "flagged",
                (json_int_t)st->flagged, "blocked", (json_int_t)st->blocked, "invalid",
                (json_int_t)st->invalid, "skipped", (json_int_t)st->skipped, "stored",
                (json_int_t)st->stored, "refused", (json_int_t)st->refused);
  if (stats && st->first_problem[0])
    json_object_set_new(stats, "first_problem", json_string(st->first_problem));
  char *text = stats ? json_dumps(stats, JSON_COMPACT) : NULL;
  json_decref(stats);
  char error[sizeof(run_err->msg) + sizeof(run_err->where) + 4] = "";
  if (run_rc && run_err)
    snprintf(error, sizeof(error), "%s%s%s", run_err->where, run_err->where[0] ? ": " : "",
             run_err->msg);
  else if (run_rc)
    snprintf(error, sizeof(error), "%s", fs_code_message((enum fs_code)run_rc, false));
  int rc = store_exec(c, NULL, err,
                      "INSERT INTO intel_feed_run (feed, started, finished, ok, stats, error)"
                      " VALUES (?,?,?,?,?,?) ON CONFLICT (feed, started) DO UPDATE SET"
                      " finished = excluded.finished, ok = excluded.ok, stats = excluded.stats,"
                      " error = excluded.error",
                      "siiiss", f->id, started, finished, (int64_t)(run_rc == 0),
                      text ? text : "{}", error);
  free(text);
  int64_t next = f->every_s ? started + f->every_s * 1000 : 0;
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE intel_feed SET runs = runs + 1, objects = objects + ?, last_run = ?,"
                    " last_ok = CASE WHEN ? THEN ? ELSE last_ok END, last_error = ?, next_run = ?"
                    " WHERE id = ?",
                    "iiiisis", (int64_t)(st->created + st->merged), started, (int64_t)(run_rc == 0),
                    finished, error, next, f->id);
  /* Keep the last 100 runs of a source. */
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "DELETE FROM intel_feed_run WHERE feed = ? AND started <"
                    " (SELECT MIN(started) FROM (SELECT started FROM intel_feed_run WHERE feed = ?"
                    " ORDER BY started DESC LIMIT 100) AS last_runs)",
                    "ss", f->id, f->id);
  return rc;
}
