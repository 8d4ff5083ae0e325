/* Case work: the timeline, tasks with owners and due times, observables, and the closing report
 * with its seven parts. */
#include "incident/internal.h"

#include "audit/audit.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/uuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int incident_event_add(struct store_conn *c, const struct actor *who, const char *incident_id,
                       const char *kind, int64_t at, const char *text, const char *text_zh,
                       json_t *data, struct fs_err *err)
{
  int64_t n = 0;
  int rc = store_query_int(c, &n, NULL, err,
                           "SELECT COALESCE(MAX(n), 0) FROM incident_event WHERE incident_id = ?",
                           "s", incident_id);
  char id[37];
  fs_uuid_v4(id);
  char *d = data ? json_dumps(data, JSON_COMPACT) : NULL;
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_event (id, incident_id, n, at, kind, actor_name,"
                    " actor_org, text, text_zh, data, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    "ssiissssssi", id, incident_id, n + 1, at, kind, who->username,
                    who->org_id[0] ? who->org_id : NULL, text ? text : "",
                    text_zh && *text_zh ? text_zh : NULL, d, who->now_ms);
  free(d);
  return rc;
}

int incident_event_addf(struct store_conn *c, const struct actor *who, const char *incident_id,
                        const char *kind, int64_t at, struct fs_err *err, const char *fmt, ...)
{
  char en[700], zh[1000];
  va_list ap;
  va_start(ap, fmt);
  fs_msg_vformat(en, sizeof(en), zh, sizeof(zh), fmt, ap);
  va_end(ap);
  return incident_event_add(c, who, incident_id, kind, at, en, zh, NULL, err);
}

int incident_note_add(struct store_conn *c, const struct actor *who, const char *id,
                      const char *text, int64_t at, struct fs_err *err)
{
  if (!text || !*text)
    return fs_err_set(err, FS_ERR_INVALID, "$.text", "the note is empty");
  if (at > who->now_ms + 120000)
    return fs_err_set(err, FS_ERR_INVALID, "$.at", "the time is in the future");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && at && at < r.discovered - 30LL * 86400000)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.at", "more than 30 days before the discovery");
  if (!rc)
    rc = incident_event_add(c, who, r.id, "note", at ? at : who->now_ms, text, NULL, NULL, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:I}", "ref", r.ref, "length", (json_int_t)strlen(text));
    rc = audit_append(c, who, "incident.note", "incident", r.id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int incident_items_json(struct store_conn *c, const struct actor *who, const char *id,
                        enum policy_action act, const char *sql, incident_item_fn item,
                        json_t **out, struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id, act, &r, err);
  struct store_stmt *s;
  if (!rc)
    rc = store_query(c, &s, err, sql, "s", r.id);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    json_t *it = item(s, who);
    if (!it || json_array_append_new(items, it)) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "incident", "out of memory");
      break;
    }
  }
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o}", "items", items);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, "incident", "out of memory");
}

static json_t *event_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  char local[48];
  incident_local_time(store_col_int(s, 1), local);
  return json_pack("{s:I,s:o,s:s,s:s,s:s,s:s,s:s?,s:o}", "n", (json_int_t)store_col_int(s, 0), "at",
                   jsonx_time_new(store_col_int(s, 1)), "at_local", local, "kind",
                   store_col_text(s, 2), "actor", store_col_text(s, 3), "text",
                   store_col_text(s, 4), "text_zh", store_col_text(s, 6), "recorded_at",
                   jsonx_time_new(store_col_int(s, 5)));
}

int incident_timeline_json(struct store_conn *c, const struct actor *who, const char *id,
                           json_t **out, struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_READ,
                             "SELECT n, at, kind, actor_name, text, recorded_at, text_zh FROM"
                             " incident_event WHERE incident_id = ? ORDER BY at, n",
                             event_item, out, err);
}

/* ---- tasks ------------------------------------------------------------------------------ */

static const char *const task_status_names[] = {"open", "done", "cancelled", NULL};

int incident_task_add(struct store_conn *c, const struct actor *who, const char *id, json_t *body,
                      char task_id[37], struct fs_err *err)
{
  static const char *const keys[] = {"title", "owner", "due_at", NULL};
  const char *title, *owner;
  int64_t due = 0;
  bool has_due;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc)
    rc = jsonx_string(body, "title", JSONX_REQUIRED, 300, &title, err);
  if (!rc)
    rc = jsonx_string(body, "owner", JSONX_NULLABLE, 100, &owner, err);
  if (!rc)
    rc = jsonx_time(body, "due_at", JSONX_NULLABLE, &due, &has_due, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && has_due && due < r.discovered)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.due_at", "the due time is before the discovery");
  if (!rc) {
    fs_uuid_v4(task_id);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_task (id, incident_id, title, owner, due_at, status,"
                    " created_at, updated_at, version) VALUES (?,?,?,?,?,'open',?,?,1)",
                    "ssss"
                    "iii",
                    task_id, r.id, title, owner, has_due ? due : 0, who->now_ms, who->now_ms);
  }
  if (!rc && owner)
    rc = incident_event_addf(c, who, r.id, "task", who->now_ms, err, "task: %.300s (owner %.60s)",
                             title, owner);
  else if (!rc)
    rc = incident_event_addf(c, who, r.id, "task", who->now_ms, err, "task: %.300s", title);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s?}", "ref", r.ref, "title", title, "owner", owner);
    rc = audit_append(c, who, "incident.task.add", "incident_task", task_id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int incident_task_update(struct store_conn *c, const struct actor *who, const char *id,
                         const char *task_id, json_t *body, struct fs_err *err)
{
  static const char *const keys[] = {"status", "owner", "due_at", "version", NULL};
  int status;
  const char *owner;
  int64_t due = 0, version = 0;
  bool has_due, has_version;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc)
    rc = jsonx_enum(body, "status", 0, task_status_names, &status, err);
  if (!rc)
    rc = jsonx_string(body, "owner", 0, 100, &owner, err);
  if (!rc)
    rc = jsonx_time(body, "due_at", 0, &due, &has_due, err);
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &version, &has_version, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  int64_t cur = 0;
  bool found = false;
  if (!rc)
    rc = store_query_int(c, &cur, &found, err,
                         "SELECT version FROM incident_task WHERE id = ? AND incident_id = ?", "ss",
                         task_id, r.id);
  if (!rc && !found)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "task", "no task \"%.64s\" in %s", task_id, r.ref);
  if (!rc && has_version && version != cur)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "the task was changed meanwhile (version %lld, not %lld); reload and try again",
                    (long long)cur, (long long)version);
  int64_t n = 0;
  if (!rc)
    rc = store_exec(c, &n, err,
                    "UPDATE incident_task SET status = COALESCE(?, status),"
                    " owner = COALESCE(?, owner), due_at = CASE WHEN ? = 1 THEN ? ELSE due_at END,"
                    " done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END, updated_at = ?,"
                    " version = version + 1 WHERE id = ? AND version = ?",
                    "ssiisiisi", status >= 0 ? task_status_names[status] : NULL, owner,
                    (int64_t)has_due, due, status >= 0 ? task_status_names[status] : "",
                    who->now_ms, who->now_ms, task_id, cur);
  if (!rc && n != 1)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "the task was changed meanwhile");
  if (!rc && status >= 0) {
    rc = incident_event_addf(c, who, r.id, "task", who->now_ms, err, "task %s",
                             task_status_names[status]);
  }
  if (!rc) {
    json_t *d =
        json_pack("{s:s,s:s?,s:I}", "ref", r.ref, "status",
                  status >= 0 ? task_status_names[status] : NULL, "version", (json_int_t)cur + 1);
    rc = audit_append(c, who, "incident.task.update", "incident_task", task_id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

static json_t *task_item(struct store_stmt *s, const struct actor *who)
{
  int64_t due = store_col_int(s, 3);
  bool open = !strcmp(store_col_text(s, 4), "open");
  return json_pack(
      "{s:s,s:s,s:s?,s:o,s:s,s:b,s:o,s:o,s:I}", "id", store_col_text(s, 0), "title",
      store_col_text(s, 1), "owner", store_col_text(s, 2), "due_at", incident_time_json(due),
      "status", store_col_text(s, 4), "overdue", open && due && due < who->now_ms, "created_at",
      jsonx_time_new(store_col_int(s, 5)), "done_at", incident_time_json(store_col_int(s, 6)),
      "version", (json_int_t)store_col_int(s, 7));
}

int incident_tasks_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                        struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_READ,
                             "SELECT id, title, owner, due_at, status, created_at, done_at, version"
                             " FROM incident_task WHERE incident_id = ? ORDER BY created_at, id",
                             task_item, out, err);
}

/* ---- observables ------------------------------------------------------------------------ */

int incident_observables_store(struct store_conn *c, const struct actor *who,
                               const char *incident_id, const struct incident_indicator *ind,
                               size_t n, struct fs_err *err)
{
  int rc = FS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    char id[37];
    fs_uuid_v4(id);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_observable (id, incident_id, type, value, internal,"
                    " note, created_at) VALUES (?,?,?,?,?,?,?)"
                    " ON CONFLICT (incident_id, type, value) DO NOTHING",
                    "ssssisi", id, incident_id, incident_observable_types[ind[i].type],
                    ind[i].value, (int64_t)ind[i].internal, ind[i].note, who->now_ms);
  }
  return rc;
}

int incident_observables_add(struct store_conn *c, const struct actor *who, const char *id,
                             json_t *body, struct fs_err *err)
{
  static const char *const keys[] = {"indicators", NULL};
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (rc)
    return rc;
  json_t *arr = json_object_get(body, "indicators");
  if (!arr)
    return fs_err_set(err, FS_ERR_INVALID, "$.indicators", "missing required field \"indicators\"");
  /* Reuse the report's parser for the indicators alone. */
  json_t *wrap = json_pack("{s:O}", "indicators", arr);
  struct incident_input *in = malloc(sizeof(*in));
  if (!in || !wrap) {
    free(in);
    json_decref(wrap);
    return fs_err_set(err, FS_ERR_NOMEM, "observables", "out of memory");
  }
  rc = incident_input_from_json(wrap, true, in, err);
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  struct incident_row r;
  if (!rc) {
    rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
    if (!rc)
      rc = incident_observables_store(c, who, r.id, in->indicators, in->nindicators, err);
    if (!rc)
      rc = incident_event_addf(c, who, r.id, "observables", who->now_ms, err,
                               "%zu observables added", in->nindicators);
    if (!rc) {
      json_t *d = json_pack("{s:s,s:I}", "ref", r.ref, "count", (json_int_t)in->nindicators);
      rc = audit_append(c, who, "incident.observables", "incident", r.id, d, err);
      json_decref(d);
    }
    rc = store_tx_leave(c, owned, rc, err);
  }
  free(in);
  json_decref(wrap);
  return rc;
}

static json_t *observable_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  return json_pack("{s:s,s:s,s:s,s:b,s:s?,s:o}", "id", store_col_text(s, 0), "type",
                   store_col_text(s, 1), "value", store_col_text(s, 2), "internal",
                   (int)store_col_int(s, 3), "note", store_col_text(s, 4), "created_at",
                   jsonx_time_new(store_col_int(s, 5)));
}

int incident_observables_json(struct store_conn *c, const struct actor *who, const char *id,
                              json_t **out, struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_READ,
                             "SELECT id, type, value, internal, note, created_at FROM"
                             " incident_observable WHERE incident_id = ? ORDER BY created_at, type,"
                             " value",
                             observable_item, out, err);
}

/* ---- closing report ----------------------------------------------------------------------- */

int incident_closing_report_save(struct store_conn *c, const struct actor *who,
                                 const struct incident_env *env, const char *id, json_t *body,
                                 struct fs_err *err)
{
  static const char *const keys[] = {"parts", "version", NULL};
  int64_t version = 0;
  bool has_version;
  int rc = jsonx_only_keys(body, keys, "$", err);
  json_t *parts = json_object_get(body, "parts");
  if (!rc && !json_is_object(parts))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.parts", "field \"parts\" must be an object");
  if (!rc)
    rc = jsonx_only_keys(parts, incident_report_parts, "$.parts", err);
  for (int i = 0; !rc && incident_report_parts[i]; i++) {
    const char *v;
    rc = jsonx_string(parts, incident_report_parts[i], JSONX_MULTILINE, 50000, &v, err);
    if (rc) {
      char where[sizeof(err->where)];
      snprintf(where, sizeof(where), "$.parts.%s", incident_report_parts[i]);
      memcpy(err->where, where, sizeof(where));
    }
  }
  if (!rc)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &version, &has_version, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && !r.recovered)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status",
                    "the closing report follows the recovery; incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  if (!rc && r.status == INCIDENT_CLOSED)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is closed", r.ref);
  struct store_stmt *s = NULL;
  json_t *merged = NULL;
  int64_t cur = 0;
  bool row = false;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT parts, version FROM incident_closing_report WHERE incident_id = ?",
                     "s", r.id);
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc) {
    merged = row ? json_loads(store_col_text(s, 0), 0, NULL) : NULL;
    cur = row ? store_col_int(s, 1) : 0;
  }
  store_done(s);
  if (!merged)
    merged = json_object();
  if (!rc && has_version && version != cur)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "the closing report was changed meanwhile (version %lld, not %lld); reload "
                    "and try again",
                    (long long)cur, (long long)version);
  if (!rc)
    json_object_update(merged, parts);
  bool complete = true;
  json_t *missing = json_array();
  for (int i = 0; incident_report_parts[i]; i++) {
    const char *v = json_string_value(json_object_get(merged, incident_report_parts[i]));
    if (!v || !*v) {
      complete = false;
      json_array_append_new(missing, json_string(incident_report_parts[i]));
    }
  }
  char *ptext = json_dumps(merged, JSON_COMPACT);
  int64_t n = 0;
  if (!rc && row)
    rc = store_exec(c, &n, err,
                    "UPDATE incident_closing_report SET parts = ?, complete = ?, updated_at = ?,"
                    " updated_by = ?, version = version + 1 WHERE incident_id = ? AND version = ?",
                    "siissi", ptext, (int64_t)complete, who->now_ms, who->username, r.id, cur);
  else if (!rc)
    rc = store_exec(c, &n, err,
                    "INSERT INTO incident_closing_report (incident_id, parts, complete,"
                    " updated_at, updated_by, version) VALUES (?,?,?,?,?,1)",
                    "ssiis", r.id, ptext, (int64_t)complete, who->now_ms, who->username);
  free(ptext);
  if (!rc && n != 1)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "the closing report was changed meanwhile");
  if (!rc && complete && !r.report_done)
    rc = store_exec(c, NULL, err, "UPDATE incident SET report_done_at = ? WHERE id = ?", "is",
                    who->now_ms, r.id);
  if (!rc)
    rc = complete ? incident_event_addf(c, who, r.id, "closing_report", who->now_ms, err,
                                        "closing report complete (all seven parts)")
                  : incident_event_addf(c, who, r.id, "closing_report", who->now_ms, err,
                                        "closing report saved (incomplete)");
  if (!rc) {
    json_t *d = json_pack("{s:s,s:b,s:O}", "ref", r.ref, "complete", complete, "missing", missing);
    rc = audit_append(c, who, "incident.closing_report", "incident", r.id, d, err);
    json_decref(d);
  }
  if (!rc && complete && !r.report_done)
    rc = notify_incident(c, env, &r, "incident.closing_report", NOTIFY_TO_HUB, NULL,
                         "The closing (investigation and improvement) report is complete.",
                         "調查、處理及改善報告已完成。", who->now_ms, err);
  json_decref(missing);
  json_decref(merged);
  return store_tx_leave(c, owned, rc, err);
}

int incident_closing_report_json(struct store_conn *c, const struct actor *who, const char *id,
                                 json_t **out, struct fs_err *err)
{
  struct incident_row r;
  int rc = incident_check(c, who, id, POLICY_INCIDENT_READ, &r, err);
  struct store_stmt *s;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT parts, complete, updated_at, updated_by, version FROM"
                     " incident_closing_report WHERE incident_id = ?",
                     "s", r.id);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "closing report", "%s has no closing report yet", r.ref);
  if (!rc) {
    json_t *parts = json_loads(store_col_text(s, 0), 0, NULL);
    json_t *missing = json_array();
    for (int i = 0; incident_report_parts[i]; i++) {
      const char *v = json_string_value(json_object_get(parts, incident_report_parts[i]));
      if (!v || !*v)
        json_array_append_new(missing, json_string(incident_report_parts[i]));
    }
    *out = json_pack("{s:s,s:o,s:b,s:o,s:o,s:s,s:I}", "incident", r.ref, "parts",
                     parts ? parts : json_object(), "complete", (int)store_col_int(s, 1), "missing",
                     missing, "updated_at", jsonx_time_new(store_col_int(s, 2)), "updated_by",
                     store_col_text(s, 3), "version", (json_int_t)store_col_int(s, 4));
  }
  store_done(s);
  return rc;
}
