/* Matching a case to the shared response teams, help requests, offers and answers. */
#include "audit/audit.h"
#include "core/i18n.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "incident/internal.h"
#include "incident/team.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 64

struct candidate {
  char id[37];
  char code[40];
  char name_en[128];
  char email[256];
  const char *kind;
  int tier;   /* 1 group, 2 support, 3 CERT */
  int covers; /* requested skills the team has */
  int64_t load, capacity;
  json_t *covered; /* skill names */
  json_t *missing;
};

static bool json_has(json_t *arr, const char *s)
{
  size_t i;
  json_t *v;
  json_array_foreach(arr, i,
                     v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
  return false;
}

static int cmp_candidates(const void *a, const void *b)
{
  const struct candidate *x = a, *y = b;
  if (x->tier != y->tier)
    return x->tier - y->tier;
  if (x->covers != y->covers)
    return y->covers - x->covers;
  if (x->load != y->load)
    return x->load < y->load ? -1 : 1;
  return strcmp(x->code, y->code);
}

/* Why a team is left out of a ranking (shown in both languages: the words have entries in the
 * message catalogue). */
enum { EX_GROUP, EX_INDUSTRY, EX_UNAVAILABLE, EX_FULL, EX_DECLINED, EX_ASKED, EX_SKILLS };
static const char *const exclusion_reasons[] = {"another holding group's team",
                                                "does not serve this industry",
                                                "not available",
                                                "at capacity",
                                                "declined this case",
                                                "already offered or assigned",
                                                "has none of the skills asked for",
                                                NULL};

/* Ranks the teams for case r and the skills asked for; excluded teams go to `excluded` with
 * their reason. The caller frees the candidates' JSON with release_candidates. */
static int rank(struct store_conn *c, const struct incident_row *r, json_t *skills,
                struct candidate *out, size_t *n, json_t *excluded, struct fs_err *err)
{
  *n = 0;
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err,
      "SELECT t.id, t.code, t.name_en, t.kind, t.org_id, t.skills, t.serves, t.available,"
      " t.capacity, t.contact_email,"
      " (SELECT COUNT(*) FROM incident_assignment a JOIN incident i ON i.id = a.incident_id WHERE"
      " a.team_id = t.id AND a.status = 'accepted' AND i.status NOT IN ('closed', 'merged')),"
      " (SELECT COUNT(*) FROM incident_assignment a WHERE a.team_id = t.id AND a.incident_id = ?"
      " AND a.status = 'declined'),"
      " (SELECT COUNT(*) FROM incident_assignment a WHERE a.team_id = t.id AND a.incident_id = ?"
      " AND a.status IN ('offered', 'accepted'))"
      " FROM incident_team t ORDER BY t.code",
      "ss", r->id, r->id);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row && *n < MAX_CANDIDATES) {
    const char *kind = store_col_text(s, 3), *org = store_col_text(s, 4);
    struct candidate *k = &out[*n];
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "%s", store_col_text(s, 0));
    snprintf(k->code, sizeof(k->code), "%s", store_col_text(s, 1));
    snprintf(k->name_en, sizeof(k->name_en), "%s", store_col_text(s, 2));
    const char *email = store_col_text(s, 9);
    snprintf(k->email, sizeof(k->email), "%s", email ? email : "");
    k->load = store_col_int(s, 10);
    k->capacity = store_col_int(s, 8);
    const char *why = NULL;
    if (!strcmp(kind, "group")) {
      k->kind = "group";
      k->tier = 1;
      if (strcmp(org, r->org_id) && strcmp(org, r->org.parent_id))
        why = exclusion_reasons[EX_GROUP];
    } else if (!strcmp(kind, "support")) {
      k->kind = "support";
      k->tier = 2;
      json_t *serves = json_loads(store_col_text(s, 6), 0, NULL);
      if (json_array_size(serves) && !json_has(serves, r->org.industry))
        why = exclusion_reasons[EX_INDUSTRY];
      json_decref(serves);
    } else {
      k->kind = "cert";
      k->tier = 3;
    }
    json_t *team_skills = json_loads(store_col_text(s, 5), 0, NULL);
    k->covered = json_array();
    k->missing = json_array();
    size_t i;
    json_t *sk;
    json_array_foreach(skills, i, sk)
    {
      if (json_has(team_skills, json_string_value(sk))) {
        k->covers++;
        json_array_append(k->covered, sk);
      } else {
        json_array_append(k->missing, sk);
      }
    }
    json_decref(team_skills);
    if (!why && !store_col_int(s, 7))
      why = exclusion_reasons[EX_UNAVAILABLE];
    if (!why && k->load >= k->capacity)
      why = exclusion_reasons[EX_FULL];
    if (!why && store_col_int(s, 11))
      why = exclusion_reasons[EX_DECLINED];
    if (!why && store_col_int(s, 12))
      why = exclusion_reasons[EX_ASKED];
    if (!why && json_array_size(skills) && !k->covers && k->tier != 3)
      why = exclusion_reasons[EX_SKILLS];
    if (why) {
      if (why != exclusion_reasons[EX_GROUP])
        json_array_append_new(excluded,
                              json_pack("{s:s,s:s,s:s}", "team", k->code, "reason", why,
                                        "reason_zh", fs_msg_zh(why) ? fs_msg_zh(why) : why));
      json_decref(k->covered);
      json_decref(k->missing);
      continue;
    }
    (*n)++;
  }
  store_done(s);
  qsort(out, *n, sizeof(*out), cmp_candidates);
  return rc;
}

static void release_candidates(struct candidate *k, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    json_decref(k[i].covered);
    json_decref(k[i].missing);
  }
}

static json_t *candidates_json(const struct candidate *k, size_t n)
{
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr,
                          json_pack("{s:s,s:s,s:s,s:i,s:O,s:O,s:I,s:I}", "team", k[i].code,
                                    "name_en", k[i].name_en, "kind", k[i].kind, "tier", k[i].tier,
                                    "covers", k[i].covered, "missing", k[i].missing, "load",
                                    (json_int_t)k[i].load, "capacity", (json_int_t)k[i].capacity));
  return arr;
}

static int parse_skills(json_t *skills, struct fs_err *err)
{
  if (!json_is_array(skills) || json_array_size(skills) > 16)
    return fs_err_set(err, FS_ERR_INVALID, "$.skills",
                      "field \"skills\" must be an array of at most 16");
  size_t i;
  json_t *v;
  json_array_foreach(skills, i, v)
  {
    bool ok = false;
    for (int k = 0; json_is_string(v) && team_skill_names[k] && !ok; k++)
      ok = !strcmp(team_skill_names[k], json_string_value(v));
    if (!ok)
      return fs_err_set(err, FS_ERR_INVALID, "$.skills", "\"%.40s\" is not a known skill",
                        json_is_string(v) ? json_string_value(v) : "(not a string)");
  }
  return FS_OK;
}

int incident_match_json(struct store_conn *c, const struct actor *who, const char *id,
                        const char *const *skills, json_t **out, struct fs_err *err)
{
  json_t *sk = json_array();
  for (size_t i = 0; skills && skills[i]; i++)
    json_array_append_new(sk, json_string(skills[i]));
  struct incident_row r;
  int rc = parse_skills(sk, err);
  if (!rc)
    rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  struct candidate *k = calloc(MAX_CANDIDATES, sizeof(*k));
  size_t n = 0;
  json_t *excluded = json_array();
  if (!rc && !k)
    rc = fs_err_set(err, FS_ERR_NOMEM, "match", "out of memory");
  if (!rc)
    rc = rank(c, &r, sk, k, &n, excluded, err);
  if (!rc)
    *out = json_pack("{s:s,s:O,s:o,s:O}", "incident", r.ref, "skills", sk, "candidates",
                     candidates_json(k, n), "excluded", excluded);
  if (k)
    release_candidates(k, n);
  free(k);
  json_decref(excluded);
  json_decref(sk);
  return rc;
}

/* Offers case r to team k: the assignment, a timeline event, the audit record and the team's
 * notification, in the caller's transaction. */
static int offer(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                 const struct incident_row *r, const char *team_id, const char *team_code,
                 const char *team_email, const char *help_id, char aid[37], struct fs_err *err)
{
  fs_uuid_v4(aid);
  int rc = store_exec(c, NULL, err,
                      "INSERT INTO incident_assignment (id, incident_id, team_id, help_id, status,"
                      " offered_at, offered_by, version) VALUES (?,?,?,?,'offered',?,?,1)",
                      "ssssis", aid, r->id, team_id, help_id, who->now_ms, who->username);
  if (!rc)
    rc = incident_event_addf(c, who, r->id, "team_offered", who->now_ms, err,
                             "offered to response team %s", team_code);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s?}", "ref", r->ref, "team", team_code, "help_id", help_id);
    rc = audit_append(c, who, "incident.offer", "incident_assignment", aid, d, err);
    json_decref(d);
  }
  if (!rc) {
    char en[200], zh[200];
    snprintf(en, sizeof(en), "Your response team %s is asked to help; accept or decline.",
             team_code);
    snprintf(zh, sizeof(zh), "請貴應變小組 %s 協助處理本事件，請回覆接受或婉拒。", team_code);
    rc = notify_incident(c, env, r, "incident.team_offered",
                         team_email && *team_email ? NOTIFY_TO_TEAM : 0, team_email, en, zh,
                         who->now_ms, err);
  }
  return rc;
}

/* Offers the help request to its best remaining candidate, or marks it unserved. */
static int offer_next(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                      const struct incident_row *r, const char *help_id, json_t *skills,
                      json_t **ranking, char aid[37], struct fs_err *err)
{
  struct candidate *k = calloc(MAX_CANDIDATES, sizeof(*k));
  if (!k)
    return fs_err_set(err, FS_ERR_NOMEM, "match", "out of memory");
  size_t n = 0;
  json_t *excluded = json_array();
  int rc = rank(c, r, skills, k, &n, excluded, err);
  aid[0] = '\0';
  if (!rc && n)
    rc = offer(c, who, env, r, k[0].id, k[0].code, k[0].email, help_id, aid, err);
  if (!rc && !n) {
    rc = store_exec(c, NULL, err, "UPDATE incident_help SET status = 'unserved' WHERE id = ?", "s",
                    help_id);
    if (!rc)
      rc = incident_event_addf(c, who, r->id, "help_unserved", who->now_ms, err,
                               "no response team is free to help");
    if (!rc)
      rc = notify_incident(c, env, r, "incident.help_unserved", NOTIFY_TO_HUB, NULL,
                           "No registered response team is free to help; the hub must step in.",
                           "目前無可協助的應變小組，請中樞介入。", who->now_ms, err);
  }
  if (!rc && ranking)
    *ranking = json_pack("{s:o,s:O}", "candidates", candidates_json(k, n), "excluded", excluded);
  release_candidates(k, n);
  free(k);
  json_decref(excluded);
  return rc;
}

int incident_help_request(struct store_conn *c, const struct actor *who,
                          const struct incident_env *env, const char *id, json_t *body,
                          json_t **out, struct fs_err *err)
{
  static const char *const keys[] = {"skills", "note", NULL};
  const char *note;
  int rc = jsonx_only_keys(body, keys, "$", err);
  json_t *skills = json_object_get(body, "skills");
  if (!rc && !skills)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.skills", "missing required field \"skills\"");
  if (!rc)
    rc = parse_skills(skills, err);
  if (!rc)
    rc = jsonx_string(body, "note", JSONX_MULTILINE | JSONX_NULLABLE, 2000, &note, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_WORK, &r, err);
  if (!rc && (r.status == INCIDENT_DRAFT || r.status >= INCIDENT_CLOSED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  char help_id[37], aid[37] = "";
  char *sk = json_dumps(skills, JSON_COMPACT);
  if (!rc) {
    fs_uuid_v4(help_id);
    rc =
        store_exec(c, NULL, err,
                   "INSERT INTO incident_help (id, incident_id, skills, note, requested_by, status,"
                   " created_at) VALUES (?,?,?,?,?,'open',?)",
                   "sssssi", help_id, r.id, sk ? sk : "[]", note, who->username, who->now_ms);
  }
  if (!rc)
    rc = incident_event_addf(c, who, r.id, "help_requested", who->now_ms, err,
                             "help requested: %.200s", sk ? sk : "[]");
  free(sk);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:O}", "ref", r.ref, "skills", skills);
    rc = audit_append(c, who, "incident.help", "incident_help", help_id, d, err);
    json_decref(d);
  }
  json_t *ranking = NULL;
  if (!rc)
    rc = offer_next(c, who, env, &r, help_id, skills, &ranking, aid, err);
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc) {
    *out = json_pack("{s:s,s:s,s:O,s:s?,s:o}", "id", help_id, "incident", r.ref, "skills", skills,
                     "offered_assignment", aid[0] ? aid : NULL, "ranking", ranking);
    ranking = NULL;
  }
  json_decref(ranking);
  return rc;
}

int incident_offer(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                   const char *id, const char *team, char assignment_id[37], struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_GRADE, &r, err);
  if (!rc && (r.status == INCIDENT_DRAFT || r.status >= INCIDENT_CLOSED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  struct store_stmt *s = NULL;
  char team_id[37] = "", code[40] = "", email[256] = "";
  bool row = false;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT id, code, contact_email FROM incident_team WHERE id = ? OR code = ?",
                     "ss", team, team);
  if (!rc)
    rc = store_step(s, &row, err);
  if (!rc && row) {
    snprintf(team_id, sizeof(team_id), "%s", store_col_text(s, 0));
    snprintf(code, sizeof(code), "%s", store_col_text(s, 1));
    const char *e = store_col_text(s, 2);
    snprintf(email, sizeof(email), "%s", e ? e : "");
  }
  store_done(s);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.team", "no response team \"%.64s\"", team);
  int64_t active = 0;
  if (!rc)
    rc = store_query_int(c, &active, NULL, err,
                         "SELECT COUNT(*) FROM incident_assignment WHERE incident_id = ? AND"
                         " team_id = ? AND status IN ('offered', 'accepted')",
                         "ss", r.id, team_id);
  if (!rc && active)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.team", "team %s is already offered or assigned", code);
  if (!rc)
    rc = offer(c, who, env, &r, team_id, code, email, NULL, assignment_id, err);
  return store_tx_leave(c, owned, rc, err);
}

int incident_answer(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                    const char *id, const char *assignment_id, bool accept, json_t *body,
                    struct fs_err *err)
{
  static const char *const keys[] = {"note", "version", NULL};
  const char *note = NULL;
  int64_t version = 0;
  bool has_version = false;
  int rc = body ? jsonx_only_keys(body, keys, "$", err) : FS_OK;
  if (!rc && body)
    rc = jsonx_string(body, "note", JSONX_NULLABLE, 2000, &note, err);
  if (!rc && body)
    rc = jsonx_int(body, "version", 0, 1, INT64_MAX, &version, &has_version, err);
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_READ, &r, err);
  struct store_stmt *s = NULL;
  char team_id[37] = "", code[40] = "", status[16] = "", help_id[37] = "";
  int64_t cur = 0;
  bool row = false;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT a.team_id, t.code, a.status, a.help_id, a.version, t.org_id FROM"
                     " incident_assignment a JOIN incident_team t ON t.id = a.team_id"
                     " WHERE a.id = ? AND a.incident_id = ?",
                     "ss", assignment_id, r.id);
  if (!rc)
    rc = store_step(s, &row, err);
  char team_org[37] = "";
  if (!rc && row) {
    snprintf(team_id, sizeof(team_id), "%s", store_col_text(s, 0));
    snprintf(code, sizeof(code), "%s", store_col_text(s, 1));
    snprintf(status, sizeof(status), "%s", store_col_text(s, 2));
    const char *h = store_col_text(s, 3);
    snprintf(help_id, sizeof(help_id), "%s", h ? h : "");
    cur = store_col_int(s, 4);
    snprintf(team_org, sizeof(team_org), "%s", store_col_text(s, 5));
  }
  store_done(s);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "assignment", "no assignment \"%.64s\" in %s",
                    assignment_id, r.ref);
  int64_t member = 0;
  if (!rc && who->user_id[0])
    rc = store_query_int(c, &member, NULL, err,
                         "SELECT COUNT(*) FROM incident_team_member WHERE team_id = ? AND"
                         " user_id = ?",
                         "ss", team_id, who->user_id);
  struct policy_target t = {
      .org_id = team_org, .role = -1, .rel = member ? POLICY_REL_TEAM_MEMBER : 0};
  char what[64];
  fs_msg_format(what, sizeof(what), NULL, 0, "response team %.40s", code);
  if (!rc)
    rc = policy_check(who, POLICY_TEAM_ANSWER, &t, what, err);
  if (!rc && has_version && version != cur)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version",
                    "the assignment was changed meanwhile (version %lld, not %lld)", (long long)cur,
                    (long long)version);
  if (!rc && strcmp(status, "offered"))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "the offer to %s is already %s", code, status);
  int64_t n = 0;
  if (!rc)
    rc = store_exec(c, &n, err,
                    "UPDATE incident_assignment SET status = ?, answered_at = ?, answered_by = ?,"
                    " note = ?, version = version + 1 WHERE id = ? AND version = ?",
                    "sisssi", accept ? "accepted" : "declined", who->now_ms, who->username, note,
                    assignment_id, cur);
  if (!rc && n != 1)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.version", "the assignment was changed meanwhile");
  const char *kind = accept ? "team_accepted" : "team_declined";
  if (!rc && accept)
    rc = note ? incident_event_addf(c, who, r.id, kind, who->now_ms, err,
                                    "response team %s accepted: %.200s", code, note)
              : incident_event_addf(c, who, r.id, kind, who->now_ms, err,
                                    "response team %s accepted", code);
  else if (!rc)
    rc = note ? incident_event_addf(c, who, r.id, kind, who->now_ms, err,
                                    "response team %s declined: %.200s", code, note)
              : incident_event_addf(c, who, r.id, kind, who->now_ms, err,
                                    "response team %s declined", code);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "ref", r.ref, "team", code, "answer",
                          accept ? "accepted" : "declined");
    rc = audit_append(c, who, accept ? "incident.accept" : "incident.decline",
                      "incident_assignment", assignment_id, d, err);
    json_decref(d);
  }
  if (!rc && accept && help_id[0])
    rc = store_exec(c, NULL, err, "UPDATE incident_help SET status = 'served' WHERE id = ?", "s",
                    help_id);
  if (!rc && accept) {
    char en[200], zh[200];
    snprintf(en, sizeof(en), "Response team %s accepted the case and is assigned to it.", code);
    snprintf(zh, sizeof(zh), "應變小組 %s 已接受並指派處理本事件。", code);
    rc = notify_incident(c, env, &r, "incident.team_assigned", NOTIFY_TO_CISO | NOTIFY_TO_HUB, NULL,
                         en, zh, who->now_ms, err);
  }
  if (!rc && !accept && help_id[0]) {
    char skills[1024] = "[]";
    rc = store_query_text(c, skills, sizeof(skills), NULL, err,
                          "SELECT skills FROM incident_help WHERE id = ?", "s", help_id);
    json_t *sk = json_loads(skills, 0, NULL);
    char aid[37];
    if (!rc)
      rc = offer_next(c, who, env, &r, help_id, sk ? sk : json_array(), NULL, aid, err);
    json_decref(sk);
  }
  return store_tx_leave(c, owned, rc, err);
}

static json_t *assignment_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:s?,s:s?,s:s?,s:I}", "id", store_col_text(s, 0),
                   "team", store_col_text(s, 1), "kind", store_col_text(s, 2), "status",
                   store_col_text(s, 3), "offered_at", jsonx_time_new(store_col_int(s, 4)),
                   "offered_by", store_col_text(s, 5), "answered_at",
                   incident_time_json(store_col_int(s, 6)), "answered_by", store_col_text(s, 7),
                   "note", store_col_text(s, 8), "help_id", store_col_text(s, 9), "version",
                   (json_int_t)store_col_int(s, 10));
}

int incident_assignments_json(struct store_conn *c, const struct actor *who, const char *id,
                              json_t **out, struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_READ,
                             "SELECT a.id, t.code, t.kind, a.status, a.offered_at, a.offered_by,"
                             " a.answered_at, a.answered_by, a.note, a.help_id, a.version FROM"
                             " incident_assignment a JOIN incident_team t ON t.id = a.team_id WHERE"
                             " a.incident_id = ? ORDER BY a.offered_at, a.id",
                             assignment_item, out, err);
}
