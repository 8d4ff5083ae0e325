/* Ingest: valid objects of a document into a collection, with their visibility columns, version
 * flags, observable index, one audit record and the TAXII status resource. */
#include "intel/store_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/user.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "intel/pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hub's control properties: read, acted on, and not published. */
#define PROP_RECIPIENTS "x_finshield_recipients"
#define PROP_ANONYMOUS "x_finshield_anonymous"

/* An observable to index, kept until the end of the ingest so that all are inserted in key order
 * (B-tree inserts in order touch each page once). */
struct pending_obs {
  const char *key;
  int64_t seq;
};

struct ingest {
  struct fs_arena arena; /* keys of pending observables */
  struct pending_obs *obs;
  size_t n_obs, cap_obs;
  struct store_conn *c;
  const struct actor *who;
  const struct intel_collection *col;
  int64_t next_seq;
  int64_t next_added;
  char hub_identity[INTEL_STIX_ID_MAX];
  struct fs_err *err;
};

static int fail(struct intel_ingest_result *res, const struct intel_stix_result *r, const char *msg)
{
  json_t *f = json_pack("{s:s?,s:I,s:s}", "id", r->id, "index", (json_int_t)r->index, "message", msg);
  json_array_append_new(res->failures, f);
  res->failure++;
  return FS_OK;
}

/* Resolves recipient names (organisation codes or ids; user names or ids) to ids. */
static int resolve_recipients(struct ingest *g, json_t *spec, struct fs_buf *orgs,
                              struct fs_buf *users, char *why, size_t why_n)
{
  if (!spec)
    return FS_OK;
  if (!json_is_object(spec)) {
    snprintf(why, why_n, PROP_RECIPIENTS ": must be {\"orgs\": [...], \"users\": [...]}");
    return FS_ERR_INVALID;
  }
  static const char *const lists[] = {"orgs", "users"};
  for (int k = 0; k < 2; k++) {
    json_t *arr = json_object_get(spec, lists[k]);
    if (!arr)
      continue;
    if (!json_is_array(arr) || json_array_size(arr) > 60) {
      snprintf(why, why_n, PROP_RECIPIENTS ".%s: must be a list of at most 60 names", lists[k]);
      return FS_ERR_INVALID;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
      const char *name = json_string_value(v);
      char id[37];
      struct fs_err e;
      int rc = !name ? FS_ERR_INVALID
               : k == 0 ? org_resolve(g->c, name, id, &e)
                        : user_resolve(g->c, name, id, NULL, &e);
      if (rc == FS_ERR_NOT_FOUND || rc == FS_ERR_INVALID) {
        snprintf(why, why_n, PROP_RECIPIENTS ".%s[%zu]: no %s \"%.64s\"", lists[k], i,
                 k == 0 ? "organisation" : "user", name ? name : "?");
        return FS_ERR_INVALID;
      }
      if (rc) {
        *g->err = e;
        return rc;
      }
      struct fs_buf *b = k == 0 ? orgs : users;
      if (b->len)
        fs_buf_append_char(b, ',');
      fs_buf_append_str(b, id);
    }
  }
  return FS_OK;
}

static int index_value(struct ingest *g, int64_t seq, const char *value, size_t len)
{
  char key[1024];
  if (!intel_observable_key(value, len, key, sizeof(key)))
    return FS_OK; /* too long to be a useful search key */
  if (g->n_obs == g->cap_obs) {
    size_t cap = g->cap_obs ? g->cap_obs * 2 : 1024;
    struct pending_obs *p = realloc(g->obs, cap * sizeof(*p));
    if (!p)
      return fs_err_set(g->err, FS_ERR_NOMEM, "intel", "out of memory");
    g->obs = p;
    g->cap_obs = cap;
  }
  const char *k = fs_arena_strndup(&g->arena, key, len);
  if (!k)
    return fs_err_set(g->err, FS_ERR_NOMEM, "intel", "out of memory");
  g->obs[g->n_obs++] = (struct pending_obs){k, seq};
  return FS_OK;
}

static int cmp_obs(const void *a, const void *b)
{
  const struct pending_obs *x = a, *y = b;
  int r = strcmp(x->key, y->key);
  return r ? r : (x->seq > y->seq) - (x->seq < y->seq);
}

static int flush_observables(struct ingest *g)
{
  if (g->n_obs > 1)
    qsort(g->obs, g->n_obs, sizeof(*g->obs), cmp_obs);
  int rc = FS_OK;
  for (size_t i = 0; i < g->n_obs && !rc; i++)
    rc = store_exec(g->c, NULL, g->err,
                    "INSERT INTO intel_observable (value, seq) VALUES (?, ?)"
                    " ON CONFLICT (value, seq) DO NOTHING",
                    "si", g->obs[i].key, g->obs[i].seq);
  return rc;
}

/* Every string compared with '=' or IN in a pattern, wherever it is. */
static int index_cmp(struct ingest *g, int64_t seq, const struct intel_pattern_cmp *cmp)
{
  if (!cmp)
    return FS_OK;
  if (cmp->kind != INTEL_PATTERN_CMP_TEST) {
    int rc = index_cmp(g, seq, cmp->left);
    return rc ? rc : index_cmp(g, seq, cmp->right);
  }
  if (cmp->negated || (cmp->op != INTEL_PATTERN_EQ && cmp->op != INTEL_PATTERN_IN))
    return FS_OK;
  const struct intel_pattern_lit *lit = &cmp->lit;
  if (lit->kind == INTEL_PATTERN_LIT_STRING)
    return index_value(g, seq, lit->s, lit->len);
  for (size_t i = 0; lit->kind == INTEL_PATTERN_LIT_SET && i < lit->n; i++)
    if (lit->items[i].kind == INTEL_PATTERN_LIT_STRING) {
      int rc = index_value(g, seq, lit->items[i].s, lit->items[i].len);
      if (rc)
        return rc;
    }
  return FS_OK;
}

static int index_obs(struct ingest *g, int64_t seq, const struct intel_pattern_obs *o)
{
  if (!o)
    return FS_OK;
  if (o->kind == INTEL_PATTERN_OBS_LEAF)
    return index_cmp(g, seq, o->cmp);
  if (o->kind == INTEL_PATTERN_OBS_GROUP)
    return index_obs(g, seq, o->inner);
  int rc = index_obs(g, seq, o->left);
  return rc ? rc : index_obs(g, seq, o->right);
}

/* Observables of an object: SCO values and hashes, and the values an indicator's pattern names. */
static int index_object(struct ingest *g, int64_t seq, json_t *obj, const char *type)
{
  int rc = FS_OK;
  const char *value = json_string_value(json_object_get(obj, "value"));
  if (value)
    rc = index_value(g, seq, value, strlen(value));
  json_t *hashes = json_object_get(obj, "hashes");
  if (!rc && json_is_object(hashes)) {
    const char *k;
    json_t *h;
    json_object_foreach(hashes, k, h)
    {
      if (json_is_string(h) && (rc = index_value(g, seq, json_string_value(h), json_string_length(h))))
        break;
    }
  }
  const char *pattern = json_string_value(json_object_get(obj, "pattern"));
  const char *ptype = json_string_value(json_object_get(obj, "pattern_type"));
  if (!rc && !strcmp(type, "indicator") && pattern && ptype && !strcmp(ptype, "stix")) {
    struct intel_pattern p;
    struct fs_err e;
    if (!intel_pattern_parse(&p, pattern, strlen(pattern), NULL, &e)) {
      rc = index_obs(g, seq, p.root);
      intel_pattern_release(&p);
    }
  }
  return rc;
}

/* Keeps the version flags of (collection, id) right after adding an entry with key vk. */
/* new_object: the object id had no version stored before, so it is in no collection yet and the
 * lookups below can be skipped (the common case of an import). */
static int add_entry(struct ingest *g, int64_t seq, const char *id, const char *vk, bool new_object,
                     bool *added)
{
  *added = false;
  int rc;
  if (new_object) {
    rc = store_exec(g->c, NULL, g->err,
                    "INSERT INTO intel_entry (coll, date_added, seq, id, version_key,"
                    " is_latest, is_first) VALUES (?,?,?,?,?,1,1)",
                    "iiiss", g->col->num, g->next_added++, seq, id, vk);
    *added = !rc;
    return rc;
  }
  int64_t exists = 0;
  rc = store_query_int(g->c, &exists, NULL, g->err,
                       "SELECT COUNT(*) FROM intel_entry WHERE seq = ? AND coll = ?", "ii", seq,
                       g->col->num);
  if (rc || exists)
    return rc;
  struct store_stmt *s;
  rc = store_query(g->c, &s, g->err,
                   "SELECT COUNT(*), MIN(version_key), MAX(version_key) FROM intel_entry"
                   " WHERE coll = ? AND id = ?",
                   "is", g->col->num, id);
  if (rc)
    return rc;
  bool row;
  int64_t n = 0;
  char minv[40] = "", maxv[40] = "";
  rc = store_step(s, &row, g->err);
  if (!rc && row) {
    n = store_col_int(s, 0);
    snprintf(minv, sizeof(minv), "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "");
    snprintf(maxv, sizeof(maxv), "%s", store_col_text(s, 2) ? store_col_text(s, 2) : "");
  }
  store_done(s);
  if (rc)
    return rc;
  bool latest = n == 0 || strcmp(vk, maxv) > 0;
  bool first = n == 0 || strcmp(vk, minv) < 0;
  if (latest && n)
    rc = store_exec(g->c, NULL, g->err,
                    "UPDATE intel_entry SET is_latest = 0 WHERE coll = ? AND id = ? AND is_latest = 1",
                    "is", g->col->num, id);
  if (!rc && first && n)
    rc = store_exec(g->c, NULL, g->err,
                    "UPDATE intel_entry SET is_first = 0 WHERE coll = ? AND id = ? AND is_first = 1",
                    "is", g->col->num, id);
  if (!rc)
    rc = store_exec(g->c, NULL, g->err,
                    "INSERT INTO intel_entry (coll, date_added, seq, id, version_key,"
                    " is_latest, is_first) VALUES (?,?,?,?,?,?,?)",
                    "iiissii", g->col->num, g->next_added++, seq, id, vk, (int64_t)latest,
                    (int64_t)first);
  *added = !rc;
  return rc;
}

/* Stores one valid object. A recoverable refusal (another organisation's object, unknown
 * recipient) is reported in why with FS_ERR_INVALID or FS_ERR_FORBIDDEN; storage errors are
 * returned as they are and abort the whole ingest. */
static int store_one(struct ingest *g, json_t *obj, const char *raw, size_t raw_len,
                     bool anonymous, char *why, size_t why_n, char version_out[40])
{
  struct intel_stix_meta m;
  struct fs_err e;
  if (intel_stix_meta_get(obj, &m, &e)) {
    snprintf(why, why_n, "%s: %s", e.where, e.msg);
    return FS_ERR_INVALID;
  }
  const char *version = intel_stix_meta_version(&m);
  snprintf(version_out, 40, "%s", version ? version : "");
  char vk[40];
  intel_version_key(version, vk);

  /* One look at the object's stored versions: is this version there, who produced the object,
   * and how widely may the version travel. A version already stored is only added to this
   * collection, keeping how it was first stored (producer, TLP, recipients). Another organisation
   * may re-share only what is CLEAR or GREEN: adding someone's AMBER object to a group would
   * widen its audience; and only the producer (or the hub) may add new versions. */
  int64_t seq = 0;
  bool found = false, any = false, widen = false;
  char owner[40] = "";
  bool hub = g->who->local || auth_role_is_hub(g->who->role);
  struct store_stmt *s;
  int rc = store_query(g->c, &s, g->err,
                       "SELECT seq, version, COALESCE(producer_org, ''), tlp FROM intel_object"
                       " WHERE id = ?",
                       "s", m.id);
  if (rc)
    return rc;
  bool row;
  while (!(rc = store_step(s, &row, g->err)) && row) {
    if (!any)
      snprintf(owner, sizeof(owner), "%s", store_col_text(s, 2));
    any = true;
    if (!strcmp(store_col_text(s, 1), version ? version : "")) {
      found = true;
      seq = store_col_int(s, 0);
      enum intel_tlp have = intel_tlp_from_column(store_col_text(s, 3));
      widen = !hub && strcmp(store_col_text(s, 2), g->who->org_id) && have != INTEL_TLP_CLEAR &&
              have != INTEL_TLP_GREEN;
    }
  }
  store_done(s);
  if (rc)
    return rc;
  if (widen) {
    snprintf(why, why_n, "%s is another organisation's object beyond TLP:GREEN; only it or the hub "
             "may share it further", m.id);
    return FS_ERR_FORBIDDEN;
  }
  if (found) {
    bool added = false;
    rc = add_entry(g, seq, m.id, vk, false, &added);
    if (!rc && !added)
      snprintf(why, why_n, "already present");
    return rc;
  }
  if (any && owner[0] && strcmp(owner, g->who->org_id) && !hub && m.kind != INTEL_STIX_SCO &&
      m.kind != INTEL_STIX_META) {
    snprintf(why, why_n, "%s belongs to another organisation; only it or the hub may version it", m.id);
    return FS_ERR_FORBIDDEN;
  }

  enum intel_tlp tlp = !strcmp(m.type, "marking-definition") ? INTEL_TLP_CLEAR
                                                             : intel_tlp_strictest(m.object_marking_refs);
  if (tlp == INTEL_TLP_NONE)
    tlp = g->col->default_tlp;

  struct fs_buf orgs, users;
  fs_buf_init(&orgs, 4096);
  fs_buf_init(&users, 4096);
  json_t *publish = obj;
  json_t *recipients = json_object_get(obj, PROP_RECIPIENTS);
  anonymous = anonymous || json_is_true(json_object_get(obj, PROP_ANONYMOUS));
  rc = resolve_recipients(g, recipients, &orgs, &users, why, why_n);
  const char *source_ref = m.created_by_ref;
  if (!rc && (recipients || json_object_get(obj, PROP_ANONYMOUS) || (anonymous && source_ref))) {
    publish = json_deep_copy(obj);
    json_object_del(publish, PROP_RECIPIENTS);
    json_object_del(publish, PROP_ANONYMOUS);
    if (anonymous && source_ref)
      json_object_set_new(publish, "created_by_ref", json_string(g->hub_identity));
  }
  /* An object stored unchanged is kept exactly as it was sent; a changed one is serialized. */
  char *body = NULL;
  if (!rc && publish == obj && raw)
    body = strndup(raw, raw_len);
  else if (!rc)
    body = json_dumps(publish, JSON_COMPACT);
  if (!rc && !body)
    rc = fs_err_set(g->err, FS_ERR_NOMEM, "intel", "out of memory");
  if (!rc) {
    seq = g->next_seq++;
    rc = store_exec(g->c, NULL, g->err,
                    "INSERT INTO intel_object (seq, id, version, version_key, type, spec_version,"
                    " tlp, producer_org, producer_user, anonymous, source_ref, recipient_orgs,"
                    " recipient_users, revoked, valid_from, valid_until, stored_at, body)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    "issssssssisssiiiis", seq, m.id, version ? version : "", vk, m.type,
                    m.spec_version ? m.spec_version : "2.1", intel_tlp_column(tlp),
                    g->who->org_id[0] ? g->who->org_id : NULL,
                    g->who->user_id[0] ? g->who->user_id : NULL, (int64_t)anonymous,
                    anonymous ? source_ref : NULL, fs_buf_cstr(&orgs), fs_buf_cstr(&users),
                    (int64_t)m.revoked, m.valid_from_ms, m.valid_until_ms, g->who->now_ms, body);
  }
  if (!rc)
    rc = index_object(g, seq, publish, m.type);
  bool added = false;
  if (!rc)
    rc = add_entry(g, seq, m.id, vk, !any, &added);
  free(body);
  if (publish != obj)
    json_decref(publish);
  fs_buf_release(&orgs);
  fs_buf_release(&users);
  return rc;
}

static int start(struct ingest *g, struct fs_err *err)
{
  int rc = store_query_int(g->c, &g->next_seq, NULL, err,
                           "SELECT COALESCE(MAX(seq), 0) + 1 FROM intel_object", "");
  int64_t last = 0;
  if (!rc)
    rc = store_query_int(g->c, &last, NULL, err,
                         "SELECT COALESCE(MAX(date_added), 0) FROM intel_entry", "");
  int64_t now_us = g->who->now_ms * 1000;
  g->next_added = now_us > last ? now_us : last + 1;
  if (!rc && intel_hub_identity(g->c, g->hub_identity, err))
    g->hub_identity[0] = '\0';
  return rc;
}

/* Identity objects an anonymous submission would reveal: those its anonymous objects name as
 * their creator. */
static bool withheld_identity(const struct intel_stix_doc *doc, const json_t *obj, bool all_anonymous,
                              const char *hub_identity)
{
  const char *id = json_string_value(json_object_get(obj, "id"));
  const char *type = json_string_value(json_object_get(obj, "type"));
  if (!id || !type || strcmp(type, "identity") || !strcmp(id, hub_identity))
    return false;
  for (size_t i = 0; i < doc->n; i++) {
    const json_t *o = doc->results[i].object;
    const char *by = json_string_value(json_object_get(o, "created_by_ref"));
    bool anonymous = all_anonymous || json_is_true(json_object_get(o, PROP_ANONYMOUS));
    if (anonymous && by && !strcmp(by, id))
      return true;
  }
  return false;
}

static int cmp_result_id(const void *a, const void *b)
{
  const struct intel_stix_result *x = *(const struct intel_stix_result *const *)a;
  const struct intel_stix_result *y = *(const struct intel_stix_result *const *)b;
  if (!x->id || !y->id)
    return (x->id == NULL) - (y->id == NULL);
  int r = strcmp(x->id, y->id);
  return r ? r : (x->index > y->index) - (x->index < y->index);
}

int intel_ingest(struct store_conn *c, const struct actor *who, const struct intel_collection *col,
                 struct intel_stix_doc *doc, const struct intel_ingest_options *opt,
                 struct intel_ingest_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  res->successes = json_array();
  res->failures = json_array();
  if (!col->can_write)
    return fs_err_set(err, FS_ERR_FORBIDDEN, "collection", "no right to write to collection %s",
                      col->alias);
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct ingest g = {.c = c, .who = who, .col = col, .err = err};
  fs_arena_init(&g.arena, 256 * 1024, 0);
  rc = start(&g, err);
  /* Objects are stored in id order: the indexes keyed by id then grow page by page. */
  const struct intel_stix_result **order = malloc((doc->n ? doc->n : 1) * sizeof(*order));
  if (!order)
    rc = fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
  for (size_t i = 0; !rc && i < doc->n; i++)
    order[i] = &doc->results[i];
  if (!rc && doc->n > 1)
    qsort(order, doc->n, sizeof(*order), cmp_result_id);
  size_t withheld = 0;
  for (size_t i = 0; !rc && i < doc->n; i++) {
    const struct intel_stix_result *r = order[i];
    res->total++;
    if (!r->valid) {
      char msg[512] = "invalid object";
      struct intel_stix_report rep;
      memset(&rep, 0, sizeof(rep));
      if (r->n_findings) {
        snprintf(rep.id, sizeof(rep.id), "%s", r->id ? r->id : "");
        rep.n = 1;
        rep.items[0] = r->findings[0];
        intel_stix_finding_format(&rep, 0, msg, sizeof(msg));
      }
      fail(res, r, msg);
      continue;
    }
    bool anonymous = opt && opt->anonymous;
    if (withheld_identity(doc, r->object, anonymous, g.hub_identity)) {
      json_array_append_new(res->successes, json_pack("{s:s,s:s}", "id", r->id, "message",
                                                      "withheld: the submission is anonymous"));
      res->success++;
      withheld++;
      continue;
    }
    char why[256] = "", version[40] = "";
    int one = store_one(&g, r->object, r->raw, r->raw_len, anonymous, why, sizeof(why), version);
    if (one == FS_ERR_INVALID || one == FS_ERR_FORBIDDEN) {
      fail(res, r, why);
    } else if (one) {
      rc = one;
    } else {
      json_t *ok = json_pack("{s:s,s:s}", "id", r->id, "version", version);
      if (why[0])
        json_object_set_new(ok, "message", json_string(why));
      json_array_append_new(res->successes, ok);
      res->success++;
    }
  }
  if (!rc)
    rc = flush_observables(&g);
  free(order);
  free(g.obs);
  fs_arena_release(&g.arena);
  if (!rc && res->success) {
    char key[48];
    snprintf(key, sizeof(key), "gen:%lld", (long long)col->num);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO intel_meta (key, value) VALUES (?, '1') ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(intel_meta.value AS BIGINT) + 1 AS TEXT)",
                    "s", key);
  }
  if (!rc && res->success) {
    json_t *d = json_pack("{s:s,s:I,s:I,s:b}", "collection", col->alias, "stored",
                          (json_int_t)res->success, "refused", (json_int_t)res->failure,
                          "anonymous", opt && opt->anonymous);
    rc = audit_append(c, who, "intel.ingest", "collection", col->id, d, err);
    json_decref(d);
  }
  if (!rc && opt && opt->status_id) {
    char ts[32];
    fs_time_format_ms(who->now_ms, ts);
    json_t *status = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:i,s:O,s:O,s:[]}", "id", opt->status_id,
                               "status", "complete", "request_timestamp", ts, "total_count",
                               (json_int_t)res->total, "success_count", (json_int_t)res->success,
                               "failure_count", (json_int_t)res->failure, "pending_count", 0,
                               "successes", res->successes, "failures", res->failures, "pendings");
    char *text = status ? json_dumps(status, JSON_COMPACT) : NULL;
    json_decref(status);
    rc = text ? store_exec(c, NULL, err,
                           "INSERT INTO intel_status (id, org_id, user_id, created_at, body)"
                           " VALUES (?,?,?,?,?)",
                           "sssis", opt->status_id, who->org_id[0] ? who->org_id : NULL,
                           who->user_id[0] ? who->user_id : NULL, who->now_ms, text)
              : fs_err_set(err, FS_ERR_NOMEM, "intel", "out of memory");
    free(text);
  }
  (void)withheld;
  return store_tx_leave(c, owned, rc, err);
}

void intel_ingest_result_release(struct intel_ingest_result *res)
{
  json_decref(res->successes);
  json_decref(res->failures);
  res->successes = res->failures = NULL;
}

int intel_ingest_text(struct store_conn *c, const struct actor *who, const char *collection,
                      const char *text, size_t len, size_t *failures, struct fs_err *err)
{
  struct intel_collection col;
  struct intel_stix_doc doc;
  int rc = intel_collection_find(c, who, collection, &col, err);
  if (!rc)
    rc = intel_stix_doc_parse(&doc, text, len, NULL, err);
  if (rc)
    return rc;
  struct intel_ingest_result res;
  rc = intel_ingest(c, who, &col, &doc, NULL, &res, err);
  if (!rc && failures)
    *failures = res.failure;
  intel_ingest_result_release(&res);
  intel_stix_doc_release(&doc);
  return rc;
}

int intel_status_get(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                     struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT org_id, body FROM intel_status WHERE id = ?", "s", id);
  if (rc)
    return rc;
  bool row;
  rc = store_step(s, &row, err);
  bool mine = !rc && row &&
              (who->local || auth_role_is_hub(who->role) ||
               (!store_col_null(s, 0) && !strcmp(store_col_text(s, 0), who->org_id)));
  if (!rc && mine)
    *out = json_loads(store_col_text(s, 1), 0, NULL);
  store_done(s);
  if (!rc && (!mine || !*out))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "status", "no status \"%.64s\"", id);
  return rc;
}
