/* What a publication sends out: its STIX report (and the vulnerability objects of its CVEs)
 * ingested into the products' collection when it is published or revised, the notifications of
 * the subscriptions that want its type (through the hub's outbox hook), and the subscriptions
 * themselves. The lifecycle that decides when is publication.c's. */
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

/* The STIX report of a publication (and the vulnerability objects of its CVEs). */
static json_t *stix_of(struct store_conn *c, const struct pub *p, int64_t now, struct fs_err *err)
{
  char hub_ident[STIX_ID_MAX];
  if (intel_hub_identity(c, hub_ident, err))
    return NULL;
  const char *mark = stix_tlp_marking_id(products_tlp_level(p->tlp));
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
  int type = products_type_index(p->type);
  type = type < 0 ? 0 : type;
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
  int type = products_type_index(p->type);
  type = type < 0 ? 0 : type;
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

int products_publish(struct store_conn *c, const struct actor *who, const struct products_env *env,
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
      if (products_type_index(tok) < 0)
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
