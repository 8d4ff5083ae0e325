/* Alerts: deduplicated storage (handing indicator hits to sightings.c), sector alerts (with a
 * draft incident), an alert's JSON and the sector alerts' pages through the one policy (review.c
 * pages the alerts). */
#include "soc/soc_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "intel/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"ioc", "sigma", "correlation"};

int soc_hub_actor(struct store_conn *c, struct soc_engine *e, struct actor *a, struct fs_err *err)
{
  memset(a, 0, sizeof(*a));
  snprintf(a->username, sizeof(a->username), "soc");
  snprintf(a->source, sizeof(a->source), "soc");
  a->role = AUTH_ROLE_HUB_ADMIN;
  a->local = true;
  a->now_ms = fs_clock_now_ms(e->env.clock);
  return org_hub_id(c, a->org_id, err);
}

void soc_hub_reader_of(const struct actor *hub, struct actor *reader)
{
  *reader = *hub;
  reader->local = false;
  reader->role = AUTH_ROLE_HUB_ANALYST;
}

int soc_hub_reader(struct store_conn *c, struct soc_engine *e, struct actor *a, struct fs_err *err)
{
  struct actor hub;
  int rc = soc_hub_actor(c, e, &hub, err);
  soc_hub_reader_of(&hub, a);
  return rc;
}

static int count_row(const struct intel_row *row, void *ctx)
{
  (void)row;
  (*(size_t *)ctx)++;
  return FS_OK;
}

bool soc_sees_ref(struct store_conn *c, const struct actor *who, const char *kind, const char *ref)
{
  if (strcmp(kind, "ioc"))
    return true;
  size_t n = 0;
  struct fs_err err;
  return !intel_read_object(c, who, NULL, ref, count_row, &n, &err) && n > 0;
}

/* Queues the JSON of something new for soc.webhook_url (nothing when it is not set), through
 * the queue_webhook hook (the notification outbox, wired by hub/). */
static int webhook(struct store_conn *c, struct soc_engine *e, const char *event, json_t *body,
                   int64_t now, struct fs_err *err)
{
  int rc = FS_OK;
  const char *url = e->env.cfg->soc_webhook_url;
  if (url[0] && e->env.hooks.queue_webhook) {
    json_object_set_new(body, "event", json_string(event));
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    rc = text ? e->env.hooks.queue_webhook(e->env.hooks.ctx, c, url, event, text, now, err)
              : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
    free(text);
  }
  json_decref(body);
  return rc;
}

/* The title of a sector alert's case (at most 200 characters, as a case's title). */
static void draft_title(const char *ref_name, int64_t orgs, char out[256])
{
  snprintf(out, 256, "Sector alert: %.140s at %lld organisations", ref_name, (long long)orgs);
}

/* The sector alert's case follows its count (the follow_draft hook: its title while it is still
 * the one the hub gave it, and a timeline entry). A case closed or merged meanwhile, or any
 * failure, leaves the case as it is: the sector alert stands. */
static void retitle(struct store_conn *c, struct soc_engine *e, const char *incident,
                    const char *ref_name, int64_t before, int64_t orgs)
{
  if (!e->env.hooks.follow_draft)
    return;
  struct fs_err err;
  struct actor hub;
  char old_title[256], new_title[256], note[120];
  draft_title(ref_name, before, old_title);
  draft_title(ref_name, orgs, new_title);
  snprintf(note, sizeof(note), "sector alert: now at %lld organisations", (long long)orgs);
  int rc = soc_hub_actor(c, e, &hub, &err);
  if (!rc)
    rc = e->env.hooks.follow_draft(e->env.hooks.ctx, c, &hub, incident, old_title, new_title, note,
                                   &err);
  if (rc)
    FS_LOG(e->env.log, FS_LOG_WARN, "soc.draft_not_updated", FS_KV_STR("incident", incident),
           FS_KV_STR("msg", err.msg));
}

/* The same indicator or rule at enough organisations within the window: a sector alert (one
 * per window), and a draft incident for the hub to coordinate. */
static int sector(struct store_conn *c, struct soc_engine *e, const struct soc_found *f,
                  const char *org_id, const char *alert_id, int64_t now, struct fs_err *err)
{
  const struct fs_config *cfg = e->env.cfg;
  int64_t since = now - cfg->soc_sector_window_s * 1000, orgs = 0;
  const char *kind = kind_names[f->kind];
  char sid[40] = "";
  bool found = false, counted = false;
  /* Only an organisation new to this indicator or rule within the window changes the count. When
   * this one already has another alert of it there, the sector alert (if any) just takes the new
   * hit: a burst of one member's alerts (a scanner's many addresses) costs a lookup each instead
   * of a count over all of them (index soc_alert_ref_org). */
  /* One statement (a round trip on a database server) answers all three: whether this one was
   * counted, the window's sector alert, and the count when it was not counted. */
  struct store_stmt *s = NULL;
  int rc = store_query(
      c, &s, err,
      "SELECT (SELECT 1 FROM soc_alert WHERE kind = ? AND ref = ? AND org_id = ? AND last_at >= ?"
      " AND id <> ? LIMIT 1),"
      " (SELECT id FROM soc_sector_alert WHERE kind = ? AND ref = ? AND last_at >= ?"
      " ORDER BY last_at DESC LIMIT 1),"
      " CASE WHEN EXISTS (SELECT 1 FROM soc_alert WHERE kind = ? AND ref = ? AND org_id = ?"
      " AND last_at >= ? AND id <> ?) THEN -1"
      " ELSE (SELECT COUNT(DISTINCT org_id) FROM soc_alert WHERE kind = ? AND ref = ?"
      " AND last_at >= ?) END",
      "sssis"
      "ssi"
      "sssis"
      "ssi",
      kind, f->ref, org_id, since, alert_id, kind, f->ref, since, kind, f->ref, org_id, since,
      alert_id, kind, f->ref, since);
  bool row = false;
  if (!rc && !(rc = store_step(s, &row, err)) && row) {
    counted = !store_col_null(s, 0);
    found = !store_col_null(s, 1);
    if (found)
      snprintf(sid, sizeof(sid), "%s", store_col_text(s, 1));
    orgs = store_col_int(s, 2);
  }
  store_done(s);
  if (!rc && counted) {
    if (!found)
      return FS_OK;
    rc = store_exec(c, NULL, err, "UPDATE soc_sector_alert SET last_at = ? WHERE id = ?", "is", now,
                    sid);
    return rc ? rc
              : store_exec(c, NULL, err, "UPDATE soc_alert SET sector_id = ? WHERE id = ?", "ss",
                           sid, alert_id);
  }
  if (rc || orgs < cfg->soc_sector_threshold)
    return rc;
  if (found) {
    int64_t before = 0;
    char incident[40] = "";
    rc = store_query_int(c, &before, NULL, err, "SELECT orgs FROM soc_sector_alert WHERE id = ?",
                         "s", sid);
    if (!rc)
      rc = store_query_text(c, incident, sizeof(incident), NULL, err,
                            "SELECT COALESCE(incident_id, '') FROM soc_sector_alert WHERE id = ?",
                            "s", sid);
    if (!rc)
      rc =
          store_exec(c, NULL, err, "UPDATE soc_sector_alert SET orgs = ?, last_at = ? WHERE id = ?",
                     "iis", orgs, now, sid);
    if (!rc && incident[0] && orgs != before)
      retitle(c, e, incident, f->ref_name, before, orgs);
  } else if (!rc) {
    fs_uuid_v4(sid);
    struct actor hub, reader;
    rc = soc_hub_actor(c, e, &hub, err);
    if (!rc)
      rc = soc_hub_reader(c, e, &reader, err);
    /* An indicator the hub may not read (AMBER+STRICT, AMBER not shared with it) still makes a
     * sector alert, but its case, audit record, webhook and log do not name it. */
    bool named = !rc && soc_sees_ref(c, &reader, kind, f->ref);
    const char *ref = named ? f->ref : "(not visible to the hub)";
    char incident[37] = "";
    if (!rc && named && e->env.hooks.open_draft) {
      /* The hub's coordination case, opened as a draft; an analyst confirms or closes it. */
      char title[256], first[32], hub_code[40] = "hub";
      struct fs_err cerr;
      if (org_code(c, hub.org_id, hub_code, &cerr))
        snprintf(hub_code, sizeof(hub_code), "hub");
      draft_title(f->ref_name, orgs, title);
      fs_time_format_ms(now, first);
      json_t *summary =
          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "alert_id", sid, "org", hub_code, "title", title,
                    "category", "other", "summary", f->ref, "first_seen", first);
      rc = summary ? e->env.hooks.open_draft(e->env.hooks.ctx, c, &hub, summary, incident, err)
                   : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
      json_decref(summary);
      if (rc) {
        FS_LOG(e->env.log, FS_LOG_WARN, "soc.draft_failed", FS_KV_STR("msg", err->msg));
        rc = FS_OK; /* the sector alert stands even if the draft cannot be opened */
        incident[0] = '\0';
      }
    }
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "INSERT INTO soc_sector_alert (id, kind, ref, ref_name, orgs, first_at,"
                      " last_at, incident_id) VALUES (?,?,?,?,?,?,?,?)",
                      "ssssiiis", sid, kind, f->ref, f->ref_name, orgs, now, now,
                      incident[0] ? incident : NULL);
    if (!rc) {
      json_t *d = json_pack("{s:s,s:s,s:I,s:s?}", "kind", kind, "ref", ref, "orgs",
                            (json_int_t)orgs, "incident", incident[0] ? incident : NULL);
      rc = audit_append(c, &hub, "soc.sector_alert", "sector_alert", sid, d, err);
      json_decref(d);
    }
    if (!rc && named)
      rc = webhook(c, e, "soc.sector_alert",
                   json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:s?}", "id", sid, "kind", kind, "ref",
                             f->ref, "ref_name", f->ref_name, "organisations", (json_int_t)orgs,
                             "first_at", jsonx_time_new(now), "incident",
                             incident[0] ? incident : NULL),
                   now, err);
    FS_LOG(e->env.log, FS_LOG_WARN, "soc.sector_alert", FS_KV_STR("kind", kind),
           FS_KV_STR("ref", ref), FS_KV_INT("orgs", orgs));
  }
  if (!rc)
    rc = store_exec(c, NULL, err, "UPDATE soc_alert SET sector_id = ? WHERE id = ?", "ss", sid,
                    alert_id);
  return rc;
}

int soc_alerts_store(struct store_conn *c, struct soc_engine *e, const char *org_id,
                     const char *source, struct soc_found *found, size_t n, size_t *new_alerts,
                     struct fs_err *err)
{
  int64_t now = fs_clock_now_ms(e->env.clock);
  int64_t since = now - e->env.cfg->soc_dedup_window_s * 1000;
  bool webhooks = e->env.cfg->soc_webhook_url[0] && e->env.hooks.queue_webhook;
  const char **hits = malloc((n ? n : 1) * sizeof(*hits)); /* indicators hit, in found order */
  size_t n_hits = 0;
  int64_t seq = 0; /* the last alert's number: read once, the write lock held meanwhile */
  struct actor hub, reader;
  int rc =
      hits ? soc_hub_actor(c, e, &hub, err) : fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  if (!rc) {
    soc_hub_reader_of(&hub, &reader);
    rc = store_query_int(c, &seq, NULL, err, "SELECT COALESCE(MAX(seq), 0) FROM soc_alert", "");
  }
  for (size_t i = 0; !rc && i < n; i++) {
    struct soc_found *f = &found[i];
    char id[40] = "";
    bool dup = false;
    rc = store_query_text(c, id, sizeof(id), &dup, err,
                          "SELECT id FROM soc_alert WHERE dedup = ? AND org_id = ? AND last_at >= ?"
                          " ORDER BY last_at DESC LIMIT 1",
                          "ssi", f->dedup, org_id, since);
    if (!rc && dup) {
      rc = store_exec(c, NULL, err,
                      "UPDATE soc_alert SET count = count + 1, last_at = ? WHERE id = ?", "is", now,
                      id);
      if (f->kind == DETECT_ALERT_IOC)
        hits[n_hits++] = f->ref;
      continue;
    }
    if (!rc) {
      fs_uuid_v4(id);
      rc = store_exec(c, NULL, err,
                      "INSERT INTO soc_alert (id, seq, org_id, kind, ref, ref_name, severity,"
                      " dedup, field, value, event, source, event_at, first_at, last_at, count,"
                      " tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?)",
                      "si"
                      "ssssssssss"
                      "iii"
                      "s",
                      id, ++seq, org_id, kind_names[f->kind], f->ref, f->ref_name, f->severity,
                      f->dedup, f->field[0] ? f->field : NULL, f->value[0] ? f->value : NULL,
                      f->event ? f->event : "", source,
                      f->event_ms == INT64_MIN ? (int64_t)0 : f->event_ms, now, now, f->tags);
    }
    if (!rc)
      (*new_alerts)++;
    /* The webhook (when one is set) names only what the hub itself may see. */
    if (!rc && webhooks && soc_sees_ref(c, &reader, kind_names[f->kind], f->ref)) {
      char code[40] = "";
      struct fs_err cerr;
      if (org_code(c, org_id, code, &cerr))
        code[0] = '\0';
      rc = webhook(c, e, "soc.alert",
                   json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s,s:o}", "id", id, "seq",
                             (json_int_t)seq, "org_id", org_id, "org_code", code, "kind",
                             kind_names[f->kind], "ref", f->ref, "ref_name", f->ref_name,
                             "severity", f->severity, "field", f->field[0] ? f->field : NULL,
                             "value", f->value[0] ? f->value : NULL, "source", source, "first_at",
                             jsonx_time_new(now)),
                   now, err);
    }
    if (!rc && f->kind == DETECT_ALERT_IOC)
      hits[n_hits++] = f->ref;
    if (!rc)
      rc = sector(c, e, f, org_id, id, now, err);
  }
  /* The sightings of the indicators hit, once for the whole batch. */
  if (!rc)
    rc = soc_sightings_hits(c, e, &hub, &reader, org_id, hits, n_hits, err);
  free(hits);
  return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

json_t *soc_alert_json(struct store_stmt *s, const char *org_code, bool with_seq)
{
  int64_t event_at = store_col_int(s, 11), reviewed_at = store_col_int(s, 18);
  json_t *a = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s,s:s,s:o,s:o,s:o,s:I,s:s?}", "id",
      store_col_text(s, 1), "org_id", store_col_text(s, 2), "org_code", org_code, "kind",
      store_col_text(s, 3), "ref", store_col_text(s, 4), "ref_name", store_col_text(s, 5),
      "severity", store_col_text(s, 6), "field", store_col_text(s, 7), "value",
      store_col_text(s, 8), "event", store_col_text(s, 9), "source", store_col_text(s, 10),
      "event_at", event_at ? jsonx_time_new(event_at) : json_null(), "first_at",
      jsonx_time_new(store_col_int(s, 12)), "last_at", jsonx_time_new(store_col_int(s, 13)),
      "count", (json_int_t)store_col_int(s, 14), "sector_alert", store_col_text(s, 15));
  if (a)
    json_object_set_new(a, "review",
                        json_pack("{s:s,s:s?,s:o,s:s?}", "status", store_col_text(s, 16), "by",
                                  store_col_text(s, 17), "at",
                                  reviewed_at ? jsonx_time_new(reviewed_at) : json_null(), "note",
                                  store_col_text(s, 19)));
  if (a) { /* the rule's tags (attack.tNNNN, attack.<tactic>), comma-separated in the row */
    json_t *tags = json_array();
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", store_col_text(s, 20) ? store_col_text(s, 20) : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
      json_array_append_new(tags, json_string(t));
    json_object_set_new(a, "tags", tags);
  }
  if (a && with_seq)
    json_object_set_new(a, "seq", json_integer(store_col_int(s, 0)));
  return a;
}

bool soc_alert_shown(struct store_conn *c, const struct actor *who, const char *org,
                     const char *kind, const char *ref)
{
  return policy_alert_visible(who, org, false) ||
         policy_alert_visible(who, org, soc_sees_ref(c, who, kind, ref));
}

/* Whether the reader may read any organisation's alerts (POLICY_SOC_ALERTS_READ), and *all
 * whether every organisation's (the hub) or only its own. */
static bool alerts_reach(const struct actor *who, bool *all)
{
  struct policy_target every = {.org_id = NULL, .role = -1};
  struct policy_target own = {.org_id = who->org_id, .role = -1};
  *all = policy_allows(who, POLICY_SOC_ALERTS_READ, &every);
  return *all || policy_allows(who, POLICY_SOC_ALERTS_READ, &own);
}

int soc_alerts_head(struct store_conn *c, int64_t *seq, struct fs_err *err)
{
  return store_query_int(c, seq, NULL, err, "SELECT COALESCE(MAX(seq), 0) FROM soc_alert", "");
}

int soc_sector_alerts_json(struct store_conn *c, const struct actor *who,
                           const struct auth_page *page, json_t **out, struct fs_err *err)
{
  if (!policy_allows(who, POLICY_SOC_SECTOR_ALERTS, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "sector alerts",
                      "sector alerts are for the hub and the supervisor");
  /* The supervisor sees the threat and how widely, not incidents. */
  bool names = policy_allows(who, POLICY_SOC_SECTOR_CASE, NULL);
  /* Newest first by when each started (first_at, which later hits leave as it is), then id; the
   * cursor is "first_at.id" of the last row shown. */
  int64_t after_at = INT64_MAX;
  char after_id[40] = "";
  if (page->after) {
    const char *dot = strchr(page->after, '.');
    char *end = NULL;
    if (dot && dot > page->after && dot - page->after <= 19)
      after_at = strtoll(page->after, &end, 10);
    if (!dot || end != dot || !dot[1] || strlen(dot + 1) > 36)
      return fs_err_set(err, FS_ERR_INVALID, "after", "not a cursor of this list");
    snprintf(after_id, sizeof(after_id), "%s", dot + 1);
  }
  /* Sector alerts from indicators the reader may not see are read past, not counted against the
   * limit (a short page would tell that some were left out), and never named by the cursor: it
   * is the last row shown, given only when another row the reader sees follows. Sector alerts
   * are few (one per indicator or rule and window), so the reading is not bounded. */
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, kind, ref, ref_name, orgs, first_at, last_at, incident_id"
                       " FROM soc_sector_alert WHERE first_at < ? OR (first_at = ? AND id < ?)"
                       " ORDER BY first_at DESC, id DESC",
                       "iis", after_at, after_at, after_id);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row, more = false;
  int64_t last_at = 0;
  char last_id[40] = "";
  while (!(rc = store_step(s, &row, err)) && row) {
    if (!soc_alert_shown(c, who, NULL, store_col_text(s, 1), store_col_text(s, 2)))
      continue;
    if ((int64_t)json_array_size(items) == page->limit) {
      more = true;
      break;
    }
    last_at = store_col_int(s, 5);
    snprintf(last_id, sizeof(last_id), "%s", store_col_text(s, 0));
    json_array_append_new(
        items, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:s?}", "id", store_col_text(s, 0), "kind",
                         store_col_text(s, 1), "ref", store_col_text(s, 2), "ref_name",
                         store_col_text(s, 3), "organisations", (json_int_t)store_col_int(s, 4),
                         "first_at", jsonx_time_new(store_col_int(s, 5)), "last_at",
                         jsonx_time_new(store_col_int(s, 6)), "incident",
                         names ? store_col_text(s, 7) : NULL));
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  char next[64];
  snprintf(next, sizeof(next), "%lld.%s", (long long)last_at, last_id);
  *out = auth_page_json(items, more ? next : NULL);
  return FS_OK;
}

/* ---- tags and counts (ATT&CK, periodic reports) ----------------------------------------- */

int soc_alert_tags_each(struct store_conn *c, const struct actor *who, int64_t from_ms,
                        int64_t to_ms, soc_alert_tags_fn fn, void *ctx, struct fs_err *err)
{
  bool all;
  if (!alerts_reach(who, &all))
    return FS_OK; /* the supervisor sees sector statistics, not members' alerts */
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, org_id, ref, ref_name, tags, count, first_at FROM soc_alert"
                       " WHERE kind <> 'ioc' AND tags <> '' AND (? = 1 OR org_id = ?)"
                       " AND (? = 0 OR first_at >= ?) AND (? = 0 OR first_at < ?) ORDER BY seq",
                       "isiiii", (int64_t)all, who->org_id, from_ms, from_ms, to_ms, to_ms);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    if ((rc = fn(ctx, store_col_text(s, 0), store_col_text(s, 1), store_col_text(s, 2),
                 store_col_text(s, 3), store_col_text(s, 4), store_col_int(s, 5),
                 store_col_int(s, 6))))
      break;
  store_done(s);
  return rc;
}

int soc_alert_visible(struct store_conn *c, const struct actor *who, const char *id,
                      struct fs_err *err)
{
  char org[40] = "", kind[16] = "", ref[320] = "";
  bool found = false;
  int rc = store_query_text(c, org, sizeof(org), &found, err,
                            "SELECT org_id FROM soc_alert WHERE id = ?", "s", id);
  if (!rc && found)
    rc = store_query_text(c, kind, sizeof(kind), NULL, err,
                          "SELECT kind FROM soc_alert WHERE id = ?", "s", id);
  if (!rc && found)
    rc = store_query_text(c, ref, sizeof(ref), NULL, err, "SELECT ref FROM soc_alert WHERE id = ?",
                          "s", id);
  if (rc)
    return rc;
  bool all;
  if (!found || !alerts_reach(who, &all) || (!all && strcmp(org, who->org_id)) ||
      !soc_alert_shown(c, who, org, kind, ref))
    return fs_err_set(err, FS_ERR_NOT_FOUND, "alert", "no alert \"%.40s\"", id);
  return FS_OK;
}

int soc_alert_counts_json(struct store_conn *c, const struct actor *who, int64_t from_ms,
                          int64_t to_ms, int64_t limit, json_t **out, struct fs_err *err)
{
  bool all;
  if (!alerts_reach(who, &all))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "alerts",
                      "the supervisor sees the sector's statistics, not members' alerts");
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT kind, ref, MAX(ref_name), COUNT(*), SUM(count),"
                       " COUNT(DISTINCT org_id) FROM soc_alert WHERE (? = 1 OR org_id = ?)"
                       " AND first_at >= ? AND first_at < ? GROUP BY kind, ref"
                       " ORDER BY COUNT(*) DESC, ref",
                       "isii", (int64_t)all, who->org_id, from_ms, to_ms);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row && (int64_t)json_array_size(items) < limit) {
    /* an indicator the reader may not see is not named (its alerts stay its members') */
    if (all && !soc_sees_ref(c, who, store_col_text(s, 0), store_col_text(s, 1)))
      continue;
    json_array_append_new(
        items, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "kind", store_col_text(s, 0), "ref",
                         store_col_text(s, 1), "ref_name", store_col_text(s, 2), "alerts",
                         (json_int_t)store_col_int(s, 3), "hits", (json_int_t)store_col_int(s, 4),
                         "organisations", (json_int_t)store_col_int(s, 5)));
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = items;
  return FS_OK;
}
