/* Publications' lifecycle: drafts and their fields, review, publication and revision (what goes
 * out then is publication_out.c's), withdrawal, lists, and the products published before the
 * hub (imported records). */
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

int products_type_index(const char *name)
{
  for (int k = 0; name && products_type_names[k]; k++)
    if (!strcmp(name, products_type_names[k]))
      return k;
  return -1;
}

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

enum tlp_level products_tlp_level(const char *tlp)
{
  enum tlp_level t = stix_tlp_from_token(tlp);
  return t == TLP_NONE ? TLP_AMBER : t;
}

bool products_tlp_visible(const struct actor *who, const char *hub_org, const char *tlp)
{
  struct policy_intel_object o = {.tlp = products_tlp_level(tlp), .producer_org = hub_org};
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
      rc = products_publish(c, who, env, &p, "published", err);
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
      rc = products_publish(c, who, env, &p, "revised", err);
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
