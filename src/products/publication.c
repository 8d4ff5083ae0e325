/* Publications: drafts, review, publication as a STIX report into a collection, revisions, the
 * products published before the hub (imported records), and subscriptions. */
#include "products/internal.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "intel/intel.h"
#include "stix/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const products_type_names[] = {
#define PRODUCTS_X_NAME(id, name, en, zh) name,
    PRODUCTS_TYPE_MAP(PRODUCTS_X_NAME)
#undef PRODUCTS_X_NAME
        NULL};

const char *products_type_label(int type, enum fs_lang lang)
{
  static const char *const en[] = {
#define PRODUCTS_X_EN(id, name, e, zh) e,
      PRODUCTS_TYPE_MAP(PRODUCTS_X_EN)
#undef PRODUCTS_X_EN
  };
  static const char *const zh[] = {
#define PRODUCTS_X_ZH(id, name, e, z) z,
      PRODUCTS_TYPE_MAP(PRODUCTS_X_ZH)
#undef PRODUCTS_X_ZH
  };
  if (type < 0 || type >= PRODUCTS__COUNT)
    return "?";
  return lang == FS_LANG_EN ? en[type] : zh[type];
}

static const char *const ref_prefix[] = {"ADV", "TI", "RPT", "ANA"};
static const char *const tlps[] = {"clear", "green", "amber", NULL};

bool products_may_write(const struct actor *who)
{
  return policy_allows(who, POLICY_PRODUCT_WRITE, NULL);
}

int64_t products_local_day(int64_t ms)
{
  int64_t t = ms + 8 * 3600000LL; /* Asia/Taipei has no daylight saving time */
  return t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
}

void products_day_text(int64_t day, char out[16])
{
  int64_t y;
  unsigned m, d;
  fs_civil_from_days(day, &y, &m, &d);
  snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* A publication's TLP (one of tlps: clear, green, amber) as a level. */
static enum tlp_level tlp_of(const char *tlp)
{
  enum tlp_level t = stix_tlp_from_token(tlp);
  return t == TLP_NONE ? TLP_AMBER : t;
}

bool products_tlp_visible(const struct actor *who, const char *hub_org, const char *tlp)
{
  struct policy_intel_object o = {.tlp = tlp_of(tlp), .producer_org = hub_org};
  return policy_intel_visible(who, &o);
}

static int need_hub(const struct actor *who, struct fs_err *err)
{
  if (products_may_write(who))
    return FS_OK;
  return fs_err_set(err, FS_ERR_FORBIDDEN, "publication",
                    "only the hub's analysts write, review and publish publications");
}

/* The fields a body may set, checked; merged into fields (a JSON object). */
static int take_fields(json_t *body, json_t *fields, bool create, int *type, const char **tlp,
                       struct fs_err *err)
{
  static const char *const keys[] = {
      "type",    "tlp",  "title_zh", "title_en", "summary_zh",     "summary_en",     "body_zh",
      "body_en", "cves", "cvss",     "cpes",     "remediation_zh", "remediation_en", NULL};
  static const char *const texts[] = {"title_zh", "title_en", "summary_zh",     "summary_en",
                                      "body_zh",  "body_en",  "remediation_zh", "remediation_en"};
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc)
    rc = jsonx_enum(body, "type", create ? JSONX_REQUIRED : 0, products_type_names, type, err);
  int t = -1;
  if (!rc)
    rc = jsonx_enum(body, "tlp", 0, tlps, &t, err);
  if (!rc && t >= 0)
    *tlp = tlps[t];
  for (size_t i = 0; !rc && i < FS_ARRAY_SIZE(texts); i++) {
    const char *v = NULL;
    rc = jsonx_string(body, texts[i], 0, i < 2 ? 300 : 60000, &v, err);
    if (!rc && v)
      json_object_set_new(fields, texts[i], json_string(v));
  }
  const json_t *cves = json_object_get(body, "cves");
  if (!rc && cves) {
    size_t i;
    const json_t *cv;
    if (!json_is_array(cves) || json_array_size(cves) > 200)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.cves", "cves is a list of at most 200 CVE ids");
    json_array_foreach(cves, i, cv)
    {
      const char *s = json_string_value(cv);
      size_t len = s ? strlen(s) : 0,
             digits = s ? strspn(s + (len > 9 ? 9 : len), "0123456789") : 0;
      bool cve = s && len >= 13 && len <= 20 && !strncmp(s, "CVE-", 4) &&
                 strspn(s + 4, "0123456789") == 4 && s[8] == '-' && digits >= 4 &&
                 9 + digits == len;
      if (!rc && !cve)
        rc = fs_err_set(err, FS_ERR_INVALID, "$.cves", "\"%.40s\" is not a CVE id (CVE-2026-12345)",
                        s ? s : "?");
    }
    if (!rc)
      json_object_set(fields, "cves", (json_t *)(uintptr_t)cves);
  }
  const json_t *cvss = json_object_get(body, "cvss");
  if (!rc && cvss) {
    const json_t *score = json_object_get(cvss, "score");
    const char *vector = json_string_value(json_object_get(cvss, "vector"));
    if (!json_is_object(cvss) || !json_is_number(score) || json_number_value(score) < 0 ||
        json_number_value(score) > 10 || (vector && strncmp(vector, "CVSS:", 5)))
      rc = fs_err_set(err, FS_ERR_INVALID, "$.cvss",
                      "cvss is {score: 0.0 to 10.0, vector: \"CVSS:3.1/...\"}");
    else
      json_object_set(fields, "cvss", (json_t *)(uintptr_t)cvss);
  }
  const json_t *cpes = json_object_get(body, "cpes");
  if (!rc && cpes) {
    size_t i;
    const json_t *cp;
    if (!json_is_array(cpes) || json_array_size(cpes) > 500)
      rc = fs_err_set(err, FS_ERR_INVALID, "$.cpes", "cpes is a list of at most 500 CPE names");
    json_array_foreach(cpes, i, cp)
    {
      const char *s = json_string_value(cp);
      if (!rc && (!s || strncmp(s, "cpe:2.3:", 8) || strlen(s) > 400))
        rc = fs_err_set(err, FS_ERR_INVALID, "$.cpes",
                        "\"%.60s\" is not a CPE 2.3 name (cpe:2.3:...)", s ? s : "?");
    }
    if (!rc)
      json_object_set(fields, "cpes", (json_t *)(uintptr_t)cpes);
  }
  return rc;
}

static int audit(struct store_conn *c, const struct actor *who, const char *action, const char *id,
                 json_t *detail, struct fs_err *err)
{
  int rc = audit_append(c, who, action, "publication", id, detail, err);
  json_decref(detail);
  return rc;
}

int products_pub_create(struct store_conn *c, const struct actor *who, json_t *body,
                        char id_out[37], struct fs_err *err)
{
  int rc = need_hub(who, err);
  if (rc)
    return rc;
  json_t *fields = json_object();
  int type = -1;
  const char *tlp = "green";
  rc = take_fields(body, fields, true, &type, &tlp, err);
  if (!rc && !json_object_get(fields, "title_zh") && !json_object_get(fields, "title_en"))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.title_zh", "give a title (title_zh or title_en)");
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  else {
    json_decref(fields);
    return rc;
  }
  char year[8], like[32], ref[40];
  char now[32];
  fs_time_format_ms(who->now_ms, now);
  snprintf(year, sizeof(year), "%.4s", now);
  snprintf(like, sizeof(like), "FS-%s-%s-%%", ref_prefix[type], year);
  int64_t n = 0;
  if (!rc)
    rc = store_query_int(c, &n, NULL, err,
                         "SELECT COUNT(*) FROM products_publication WHERE ref LIKE ?", "s", like);
  snprintf(ref, sizeof(ref), "FS-%s-%s-%04lld", ref_prefix[type], year, (long long)n + 1);
  fs_uuid_v4(id_out);
  char *text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "INSERT INTO products_publication (id, ref, type, status, version, tlp, fields,"
                    " author, created_at, updated_at) VALUES (?,?,?,'draft',1,?,?,?,?,?)",
                    "ssssssii", id_out, ref, products_type_names[type], tlp, text ? text : "{}",
                    who->username, who->now_ms, who->now_ms);
  free(text);
  json_decref(fields);
  if (!rc)
    rc = audit(c, who, "publication.create", id_out,
               json_pack("{s:s,s:s}", "ref", ref, "type", products_type_names[type]), err);
  return store_tx_leave(c, owned, rc, err);
}

/* A publication's row. */
struct pub {
  char id[37], ref[40], type[16], status[16], tlp[16], stix_id[80], author[80];
  int64_t version, created, updated, published, first_published;
  bool imported;
  json_t *fields;
};

static int load(struct store_conn *c, const char *id_or_ref, struct pub *p, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, ref, type, status, tlp, COALESCE(stix_id, ''), author, version,"
                       " created_at, updated_at, COALESCE(published_at, 0),"
                       " COALESCE(first_published_at, 0), imported, fields"
                       " FROM products_publication WHERE id = ? OR ref = ?",
                       "ss", id_or_ref, id_or_ref);
  if (rc)
    return rc;
  bool row;
  memset(p, 0, sizeof(*p));
  if (!(rc = store_step(s, &row, err)) && row) {
    snprintf(p->id, sizeof(p->id), "%s", store_col_text(s, 0));
    snprintf(p->ref, sizeof(p->ref), "%s", store_col_text(s, 1));
    snprintf(p->type, sizeof(p->type), "%s", store_col_text(s, 2));
    snprintf(p->status, sizeof(p->status), "%s", store_col_text(s, 3));
    snprintf(p->tlp, sizeof(p->tlp), "%s", store_col_text(s, 4));
    snprintf(p->stix_id, sizeof(p->stix_id), "%s", store_col_text(s, 5));
    snprintf(p->author, sizeof(p->author), "%s", store_col_text(s, 6));
    p->version = store_col_int(s, 7);
    p->created = store_col_int(s, 8);
    p->updated = store_col_int(s, 9);
    p->published = store_col_int(s, 10);
    p->first_published = store_col_int(s, 11);
    p->imported = store_col_int(s, 12) != 0;
    p->fields = json_loads(store_col_text(s, 13), 0, NULL);
  }
  store_done(s);
  if (!rc && !row)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "publication", "no publication \"%.80s\"", id_or_ref);
  return rc;
}

static bool may_see(struct store_conn *c, const struct actor *who, const struct pub *p)
{
  if (products_may_write(who))
    return true;
  if (strcmp(p->status, "published") && strcmp(p->status, "revised"))
    return false;
  char hub[37] = "";
  struct fs_err e;
  if (org_hub_id(c, hub, &e))
    return false;
  return products_tlp_visible(who, hub, p->tlp);
}

static json_t *pub_json(const struct pub *p)
{
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:b}", "id", p->id, "ref", p->ref,
                        "type", p->type, "status", p->status, "version", (json_int_t)p->version,
                        "tlp", p->tlp, "author", p->author, "created", jsonx_time_new(p->created),
                        "updated", jsonx_time_new(p->updated), "imported", p->imported);
  if (p->published)
    json_object_set_new(o, "published", jsonx_time_new(p->published));
  if (p->first_published)
    json_object_set_new(o, "first_published", jsonx_time_new(p->first_published));
  if (p->stix_id[0])
    json_object_set_new(o, "stix_id", json_string(p->stix_id));
  json_object_update(o, p->fields);
  return o;
}

int products_pub_get(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                     struct fs_err *err)
{
  struct pub p;
  int rc = load(c, id, &p, err);
  if (!rc && !may_see(c, who, &p))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "publication", "no publication \"%.80s\"", id);
  if (!rc)
    *out = pub_json(&p);
  json_decref(p.fields);
  return rc;
}

int products_pub_update(struct store_conn *c, const struct actor *who, const char *id, json_t *body,
                        struct fs_err *err)
{
  int rc = need_hub(who, err);
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct pub p;
  rc = load(c, id, &p, err);
  if (!rc && strcmp(p.status, "draft"))
    rc = fs_err_set(err, FS_ERR_CONFLICT, p.ref,
                    "only a draft changes; a published one is revised (action revise)");
  int type = -1;
  const char *tlp = p.tlp;
  if (!rc)
    rc = take_fields(body, p.fields, false, &type, &tlp, err);
  char *text = !rc ? json_dumps(p.fields, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE products_publication SET fields = ?, tlp = ?, type = ?, updated_at = ?"
                    " WHERE id = ?",
                    "sssis", text ? text : "{}", tlp,
                    type >= 0 ? products_type_names[type] : p.type, who->now_ms, p.id);
  free(text);
  if (!rc)
    rc = audit(c, who, "publication.update", p.id, json_pack("{s:s}", "ref", p.ref), err);
  json_decref(p.fields);
  return store_tx_leave(c, owned, rc, err);
}

/* The STIX report of a publication (and the vulnerability objects of its CVEs). */
static json_t *stix_of(struct store_conn *c, const struct pub *p, int64_t now, struct fs_err *err)
{
  char hub_ident[STIX_ID_MAX];
  if (intel_hub_identity(c, hub_ident, err))
    return NULL;
  const char *mark = stix_tlp_marking_id(tlp_of(p->tlp));
  char uuid[37], created[32], modified[32];
  fs_uuid_v5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", p->id, strlen(p->id), uuid);
  char rid[64];
  snprintf(rid, sizeof(rid), "report--%s", uuid);
  fs_time_format_ms(p->created, created);
  fs_time_format_ms(now, modified); /* publish() chose it: later than every earlier version */
  json_t *objects = json_array(), *refs = json_array(), *ext = json_array();
  const json_t *f = p->fields;
  size_t i;
  json_t *cv;
  json_array_foreach(json_object_get(f, "cves"), i, cv)
  {
    char vu[37], vid[64];
    fs_uuid_v5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", json_string_value(cv),
               json_string_length(cv), vu);
    snprintf(vid, sizeof(vid), "vulnerability--%s", vu);
    json_array_append_new(objects,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:[{s:s,s:O}],s:[s]}", "type",
                                    "vulnerability", "spec_version", "2.1", "id", vid, "created",
                                    created, "modified", created, "created_by_ref", hub_ident,
                                    "name", cv, "external_references", "source_name", "cve",
                                    "external_id", cv, "object_marking_refs", mark));
    json_array_append_new(refs, json_string(vid));
    json_array_append_new(ext, json_pack("{s:s,s:O}", "source_name", "cve", "external_id", cv));
  }
  if (!json_array_size(refs))
    json_array_append_new(refs, json_string(hub_ident)); /* a report refers to something */
  json_array_append_new(ext,
                        json_pack("{s:s,s:s}", "source_name", "finshield", "external_id", p->ref));
  const char *title_en = json_string_value(json_object_get(f, "title_en"));
  const char *title_zh = json_string_value(json_object_get(f, "title_zh"));
  static const char *const rtype[] = {"vulnerability", "threat-report", "threat-report",
                                      "threat-report"};
  int type = 0;
  for (int k = 0; products_type_names[k]; k++)
    if (!strcmp(products_type_names[k], p->type))
      type = k;
  json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:o,s:o,s:[s],s:s,s:s,s:I}", "type",
                        "report", "spec_version", "2.1", "id", rid, "created", created, "modified",
                        modified, "published", modified, "created_by_ref", hub_ident, "name",
                        title_en ? title_en : title_zh, "report_types", rtype[type], "object_refs",
                        refs, "external_references", ext, "object_marking_refs", mark,
                        "x_finshield_product", p->type, "x_finshield_reference", p->ref,
                        "x_finshield_version", (json_int_t)p->version);
  static const char *const copy[] = {"title_zh",       "summary_zh", "summary_en", "remediation_zh",
                                     "remediation_en", "cvss",       "cpes"};
  for (size_t k = 0; k < FS_ARRAY_SIZE(copy); k++) {
    json_t *v = json_object_get(f, copy[k]);
    char key[64];
    snprintf(key, sizeof(key), "x_finshield_%s", copy[k]);
    if (v)
      json_object_set(r, key, v);
  }
  const char *summary = json_string_value(json_object_get(f, "summary_en"));
  if (!summary)
    summary = json_string_value(json_object_get(f, "summary_zh"));
  if (summary)
    json_object_set_new(r, "description", json_string(summary));
  json_array_append_new(objects, r);
  return json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", rid, "objects", objects);
}

/* Queues the notifications of a publication for the subscriptions that want its type. */
static int notify_subscribers(struct store_conn *c, const struct products_env *env,
                              const struct pub *p, const char *event, int64_t now,
                              struct fs_err *err)
{
  if (!env || !env->hooks.notify)
    return FS_OK;
  struct store_stmt *s;
  int rc = store_query(
      c, &s, err, "SELECT channel, target, types FROM products_subscription ORDER BY created_at",
      "");
  if (rc)
    return rc;
  json_t *todo = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    const char *types = store_col_text(s, 2);
    char pat[24];
    snprintf(pat, sizeof(pat), ",%s,", p->type);
    char wrapped[128];
    snprintf(wrapped, sizeof(wrapped), ",%s,", types);
    if (*types && !strstr(wrapped, pat))
      continue;
    json_array_append_new(todo, json_pack("{s:s,s:s}", "channel", store_col_text(s, 0), "target",
                                          store_col_text(s, 1)));
  }
  store_done(s);
  const char *tz = json_string_value(json_object_get(p->fields, "title_zh"));
  const char *te = json_string_value(json_object_get(p->fields, "title_en"));
  char subject[400];
  snprintf(subject, sizeof(subject), "[finshield] %s %.150s / %.150s", p->ref, tz ? tz : "",
           te ? te : "");
  json_t *payload =
      json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s?,s:s?,s:s}", "event", event, "id", p->id, "ref",
                p->ref, "type", p->type, "version", (json_int_t)p->version, "tlp", p->tlp,
                "title_zh", tz, "title_en", te, "stix_id", p->stix_id);
  char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(payload);
  int type = 0;
  for (int k = 0; products_type_names[k]; k++)
    if (!strcmp(products_type_names[k], p->type))
      type = k;
  char mail[1200];
  snprintf(mail, sizeof(mail),
           "新發布：%s（%s）\n%s\n\nPublished: %s (%s)\n%s\n\nTLP:%s — finshield "
           "/api/v1/publications/%s\n",
           p->ref, products_type_label(type, FS_LANG_ZH_TW), tz ? tz : "", p->ref,
           products_type_label(type, FS_LANG_EN), te ? te : "", p->tlp, p->id);
  size_t i;
  json_t *t;
  json_array_foreach(todo, i, t)
  {
    const char *ch = json_string_value(json_object_get(t, "channel"));
    if (!rc)
      rc = env->hooks.notify(env->hooks.ctx, c, ch, json_string_value(json_object_get(t, "target")),
                             event, subject, !strcmp(ch, "webhook") ? (text ? text : "{}") : mail,
                             now, err);
  }
  free(text);
  json_decref(todo);
  return rc;
}

static int publish(struct store_conn *c, const struct actor *who, const struct products_env *env,
                   struct pub *p, const char *status, struct fs_err *err)
{
  /* The report's version: now, but later than its creation and than every earlier version, even
   * on a clock that stands still. */
  int64_t at = who->now_ms > p->created ? who->now_ms : p->created + 1;
  if (p->published && at <= p->published)
    at = p->published + 1;
  json_t *bundle = stix_of(c, p, at, err);
  if (!bundle)
    return FS_ERR_INTERNAL;
  snprintf(p->stix_id, sizeof(p->stix_id), "%s", json_string_value(json_object_get(bundle, "id")));
  /* the bundle's id is the report's: give the bundle its own */
  char bid[64], u[37];
  fs_uuid_v4(u);
  snprintf(bid, sizeof(bid), "bundle--%s", u);
  json_object_set_new(bundle, "id", json_string(bid));
  char *text = json_dumps(bundle, JSON_COMPACT);
  json_decref(bundle);
  const char *coll = env && env->cfg ? env->cfg->products_collection : "sector";
  size_t failures = 0;
  int rc = text ? intel_ingest_text(c, who, coll, text, strlen(text), &failures, err)
                : fs_err_set(err, FS_ERR_NOMEM, "publication", "out of memory");
  free(text);
  if (!rc && failures)
    rc = fs_err_set(err, FS_ERR_INVALID, p->ref,
                    "intelligence refused the publication's STIX report (%zu objects)", failures);
  snprintf(p->status, sizeof(p->status), "%s", status);
  p->published = at;
  if (!p->first_published)
    p->first_published = who->now_ms;
  if (!rc)
    rc = store_exec(c, NULL, err,
                    "UPDATE products_publication SET status = ?, stix_id = ?, collection = ?,"
                    " published_at = ?, first_published_at = ?, updated_at = ?, version = ?"
                    " WHERE id = ?",
                    "sssiiiis", status, p->stix_id, coll, p->published, p->first_published,
                    who->now_ms, p->version, p->id);
  if (!rc)
    rc = notify_subscribers(
        c, env, p, !strcmp(status, "revised") ? "publication.revised" : "publication.published",
        who->now_ms, err);
  return rc;
}

int products_pub_action(struct store_conn *c, const struct actor *who,
                        const struct products_env *env, const char *id, const char *action,
                        json_t *body, struct fs_err *err)
{
  int rc = need_hub(who, err);
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct pub p;
  rc = load(c, id, &p, err);
  const char *from = p.status;
  if (rc) {
  } else if (!strcmp(action, "review")) {
    if (strcmp(from, "draft"))
      rc = fs_err_set(err, FS_ERR_CONFLICT, p.ref, "%s is %s: only a draft goes to review", p.ref,
                      from);
    else
      rc = store_exec(
          c, NULL, err,
          "UPDATE products_publication SET status = 'review', updated_at = ? WHERE id = ?", "is",
          who->now_ms, p.id);
  } else if (!strcmp(action, "withdraw")) {
    if (strcmp(from, "review"))
      rc = fs_err_set(err, FS_ERR_CONFLICT, p.ref,
                      "%s is %s: only one in review goes back to draft", p.ref, from);
    else
      rc = store_exec(
          c, NULL, err,
          "UPDATE products_publication SET status = 'draft', updated_at = ? WHERE id = ?", "is",
          who->now_ms, p.id);
  } else if (!strcmp(action, "publish")) {
    if (strcmp(from, "review"))
      rc = fs_err_set(err, FS_ERR_CONFLICT, p.ref, "%s is %s: only one in review is published",
                      p.ref, from);
    else
      rc = publish(c, who, env, &p, "published", err);
  } else if (!strcmp(action, "revise")) {
    int type = -1;
    const char *tlp = p.tlp;
    if (strcmp(from, "published") && strcmp(from, "revised"))
      rc = fs_err_set(err, FS_ERR_CONFLICT, p.ref, "%s is %s: only a published one is revised",
                      p.ref, from);
    if (!rc && body)
      rc = take_fields(body, p.fields, false, &type, &tlp, err);
    if (!rc && type >= 0 && strcmp(products_type_names[type], p.type))
      rc = fs_err_set(err, FS_ERR_INVALID, "$.type", "a revision keeps its product type");
    if (tlp != p.tlp)
      snprintf(p.tlp, sizeof(p.tlp), "%s", tlp);
    char *text = !rc ? json_dumps(p.fields, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "UPDATE products_publication SET fields = ?, tlp = ? WHERE id = ?", "sss",
                      text ? text : "{}", p.tlp, p.id);
    free(text);
    p.version++;
    if (!rc)
      rc = publish(c, who, env, &p, "revised", err);
  } else {
    rc = fs_err_set(err, FS_ERR_INVALID, "action",
                    "the actions are review, withdraw, publish and revise");
  }
  if (!rc)
    rc = audit(c, who, "publication.action", p.id,
               json_pack("{s:s,s:s,s:I}", "ref", p.ref, "action", action, "version",
                         (json_int_t)p.version),
               err);
  json_decref(p.fields);
  return store_tx_leave(c, owned, rc, err);
}

int products_pub_list(struct store_conn *c, const struct actor *who, const char *type,
                      const char *status, int64_t limit, json_t **out, struct fs_err *err)
{
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id FROM products_publication WHERE (? IS NULL OR type = ?)"
                       " AND (? IS NULL OR status = ?)"
                       " ORDER BY COALESCE(first_published_at, created_at) DESC, ref DESC",
                       "ssss", type, type, status, status);
  if (rc)
    return rc;
  json_t *ids = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(ids, json_string(store_col_text(s, 0)));
  store_done(s);
  json_t *items = json_array();
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id)
  {
    if (rc || (int64_t)json_array_size(items) >= limit)
      break;
    struct pub p;
    if ((rc = load(c, json_string_value(id), &p, err)))
      break;
    if (may_see(c, who, &p)) {
      json_t *o = pub_json(&p);
      /* the list shows the heading; the texts come with one publication */
      static const char *const drop[] = {"body_zh", "body_en", "remediation_zh", "remediation_en"};
      for (size_t k = 0; k < FS_ARRAY_SIZE(drop); k++)
        json_object_del(o, drop[k]);
      json_array_append_new(items, o);
    }
    json_decref(p.fields);
  }
  json_decref(ids);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o}", "items", items);
  return FS_OK;
}

int products_pub_import(struct store_conn *c, const struct actor *who, json_t *items, size_t *added,
                        struct fs_err *err)
{
  *added = 0;
  if (!policy_allows(who, POLICY_PRODUCT_IMPORT, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "publication",
                      "only a hub administrator imports past products");
  if (!json_is_array(items))
    return fs_err_set(err, FS_ERR_INVALID, "$", "give a list of products");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it)
  {
    if (rc)
      break;
    char where[32];
    snprintf(where, sizeof(where), "$[%zu]", i);
    static const char *const keys[] = {"type",      "ref", "title_zh", "title_en",
                                       "published", "tlp", NULL};
    int type = -1, t = 1;
    const char *ref = NULL, *tz = NULL, *te = NULL;
    int64_t published = 0;
    rc = json_is_object(it) ? jsonx_only_keys(it, keys, where, err)
                            : fs_err_set(err, FS_ERR_INVALID, where, "each product is an object");
    if (!rc)
      rc = jsonx_enum(it, "type", JSONX_REQUIRED, products_type_names, &type, err);
    if (!rc)
      rc = jsonx_enum(it, "tlp", 0, tlps, &t, err);
    if (t < 0)
      t = 1; /* green */
    if (!rc)
      rc = jsonx_string(it, "ref", 0, 39, &ref, err);
    if (!rc)
      rc = jsonx_string(it, "title_zh", 0, 300, &tz, err);
    if (!rc)
      rc = jsonx_string(it, "title_en", 0, 300, &te, err);
    const char *pub = json_string_value(json_object_get(it, "published"));
    int64_t day;
    if (!rc && !pub)
      rc = fs_err_set(err, FS_ERR_INVALID, where, "give the date it was published");
    if (!rc && strlen(pub) == 10) {
      rc = products_parse_day(pub, where, &day, err);
      published = day * 86400000 - 8 * 3600000LL + 12 * 3600000LL; /* noon in Taipei */
    } else if (!rc) {
      rc = fs_time_parse_ms(pub, strlen(pub), &published, err);
    }
    if (rc) {
      fs_err_wrap_where(err, where);
      break;
    }
    char id[37], gen[40];
    fs_uuid_v4(id);
    if (!ref) {
      snprintf(gen, sizeof(gen), "FS-%s-IMP-%s", ref_prefix[type], id);
      gen[sizeof(gen) - 1] = '\0';
      ref = gen;
    }
    json_t *fields = json_pack("{s:s?,s:s?}", "title_zh", tz, "title_en", te);
    char *text = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(fields);
    rc = store_exec(c, NULL, err,
                    "INSERT INTO products_publication (id, ref, type, status, version, tlp, fields,"
                    " author, created_at, updated_at, published_at, first_published_at, imported)"
                    " VALUES (?,?,?,'published',1,?,?,?,?,?,?,?,1)",
                    "ssssssiiii", id, ref, products_type_names[type], tlps[t], text ? text : "{}",
                    who->username, published, who->now_ms, published, published);
    free(text);
    if (!rc)
      (*added)++;
  }
  if (!rc)
    rc = audit(c, who, "publication.import", "", json_pack("{s:I}", "count", (json_int_t)*added),
               err);
  return store_tx_leave(c, owned, rc, err);
}

/* ---- subscriptions ------------------------------------------------------------------------ */

int products_subscribe(struct store_conn *c, const struct actor *who, const char *org,
                       const char *channel, const char *target, const char *types, char id_out[37],
                       struct fs_err *err)
{
  char org_id[37];
  int rc = org_resolve(c, org ? org : who->org_id, org_id, err);
  struct policy_target t = {.org_id = org_id, .role = -1};
  if (!rc && !policy_allows(who, POLICY_PRODUCT_SUBSCRIBE, &t))
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, "subscription",
                    "an organisation's administrator subscribes it (or the hub's administrator)");
  if (!rc && strcmp(channel, "webhook") && strcmp(channel, "email"))
    rc = fs_err_set(err, FS_ERR_INVALID, "channel", "the channel is webhook or email");
  if (!rc && !strcmp(channel, "webhook") && strncmp(target, "https://", 8) &&
      strncmp(target, "http://", 7))
    rc = fs_err_set(err, FS_ERR_INVALID, "target", "a webhook is an http(s) URL");
  if (!rc && !strcmp(channel, "email") && (!strchr(target, '@') || strlen(target) > 254))
    rc = fs_err_set(err, FS_ERR_INVALID, "target", "give an e-mail address");
  char list[128] = "";
  if (!rc && types && *types) {
    /* a comma-separated list of product types */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", types);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); !rc && tok; tok = strtok_r(NULL, ",", &save)) {
      bool known = false;
      for (int k = 0; products_type_names[k]; k++)
        known |= !strcmp(tok, products_type_names[k]);
      if (!known)
        rc = fs_err_set(err, FS_ERR_INVALID, "types",
                        "the types are advisory, intel, periodic and analysis");
      else
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? "," : "", tok);
    }
  }
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  else
    return rc;
  fs_uuid_v4(id_out);
  rc = store_exec(c, NULL, err,
                  "INSERT INTO products_subscription (id, org_id, channel, target, types,"
                  " created_at) VALUES (?,?,?,?,?,?)",
                  "sssssi", id_out, org_id, channel, target, list, who->now_ms);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "org", org_id, "channel", channel, "types", list);
    rc = audit_append(c, who, "publication.subscribe", "subscription", id_out, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int products_subscriptions_json(struct store_conn *c, const struct actor *who, json_t **out,
                                struct fs_err *err)
{
  struct policy_target every = {.org_id = NULL, .role = -1};
  bool all = policy_allows(who, POLICY_PRODUCT_SUBS_READ, &every);
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id, org_id, channel, target, types, created_at"
                       " FROM products_subscription WHERE ? = 1 OR org_id = ? ORDER BY created_at",
                       "is", (int64_t)all, who->org_id);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(items,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", store_col_text(s, 0),
                                    "org_id", store_col_text(s, 1), "channel", store_col_text(s, 2),
                                    "target", store_col_text(s, 3), "types", store_col_text(s, 4),
                                    "created", jsonx_time_new(store_col_int(s, 5))));
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o}", "items", items);
  return FS_OK;
}

int products_unsubscribe(struct store_conn *c, const struct actor *who, const char *id,
                         struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  char org[40] = "";
  bool found = false;
  if (!rc)
    rc = store_query_text(c, org, sizeof(org), &found, err,
                          "SELECT org_id FROM products_subscription WHERE id = ?", "s", id);
  /* one the caller may not see is answered as one that does not exist */
  struct policy_target t = {.org_id = org, .role = -1};
  bool may = policy_allows(who, POLICY_PRODUCT_SUBSCRIBE, &t);
  if (!rc && (!found || !policy_allows(who, POLICY_PRODUCT_SUBS_READ, &t)))
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "subscription", "no subscription \"%.40s\"", id);
  else if (!rc && !may)
    rc = fs_err_set(err, FS_ERR_FORBIDDEN, "subscription",
                    "an organisation's administrator subscribes it (or the hub's administrator)");
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM products_subscription WHERE id = ?", "s", id);
  if (!rc)
    rc = audit_append(c, who, "publication.unsubscribe", "subscription", id, NULL, err);
  return store_tx_leave(c, owned, rc, err);
}
