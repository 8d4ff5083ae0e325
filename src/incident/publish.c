/* Sharing a case's indicators as intelligence: a sanitized STIX 2.1 bundle (indicators only,
 * no free text of the case, no internal assets, the reporter replaced by the hub's identity when
 * asked), marked with its TLP 2.0 marking definition, kept in incident_publication and handed to
 * the intelligence hook. */
#include "audit/audit.h"
#include "core/jsonx.h"
#include "core/time.h"
#include "core/uuid.h"
#include "intel/intel.h"
#include "stix/tlp.h"
#include "incident/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Identities: intel_org_identity, the same organisation always has the same STIX identity. */
static int identity_id(const char *org_id, char out[64])
{
  char id[STIX_ID_MAX];
  int rc = intel_org_identity(org_id, id);
  snprintf(out, 64, "%s", id);
  return rc;
}

static int observable_type(const char *name)
{
  for (int i = 0; incident_observable_types[i]; i++)
    if (!strcmp(incident_observable_types[i], name))
      return i;
  return -1;
}

int incident_publish(struct store_conn *c, const struct actor *who, const struct incident_env *env,
                     const char *id, json_t *body, json_t **out, struct fs_err *err)
{
  static const char *const keys[] = {"tlp", "hide_reporter", "observables", NULL};
  enum tlp_level tlp;
  bool hide = false, has_hide;
  int rc = jsonx_only_keys(body, keys, "$", err);
  if (!rc)
    rc = stix_tlp_json(body, "tlp", 0, &tlp, err);
  if (!rc)
    rc = jsonx_bool(body, "hide_reporter", 0, &hide, &has_hide, err);
  json_t *pick = json_object_get(body, "observables");
  if (!rc && pick && (!json_is_array(pick) || json_array_size(pick) > INCIDENT_MAX_INDICATORS))
    rc = fs_err_set(err, FS_ERR_INVALID, "$.observables", "an array of observable ids");
  if (rc)
    return rc;
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err)))
    return rc;
  /* Everything below is undone by the transaction when a step fails; the first failure ends the
   * publication (goto out), and out: releases what was made. */
  struct store_stmt *s = NULL;
  json_t *objects = NULL, *bundle = NULL;
  char *text = NULL;
  size_t count = 0;
  bool handed = false;
  char pid[37], bundle_id[64];
  struct incident_row r;
  rc = incident_check(c, who, id, POLICY_INCIDENT_PUBLISH, &r, err);
  if (!rc && (r.status == INCIDENT_DRAFT || r.status == INCIDENT_MERGED))
    rc = fs_err_set(err, FS_ERR_CONFLICT, "status", "incident %s is %s", r.ref,
                    incident_status_names[r.status]);
  if (rc)
    goto out;
  if (tlp == TLP_NONE)
    tlp = r.tlp != TLP_NONE ? r.tlp : TLP_AMBER;
  if (!has_hide)
    hide = r.hide_reporter;
  /* The creator: the hub standing in for a hidden reporter, or the reporting organisation. */
  char creator_org[37], ident[64], name_en[256] = "";
  snprintf(creator_org, sizeof(creator_org), "%s", hide ? who->org_id : r.org_id);
  if (hide) {
    rc = org_hub_id(c, creator_org, err);
    snprintf(name_en, sizeof(name_en), "%s", env->hub_name);
  } else {
    snprintf(name_en, sizeof(name_en), "%s", r.org.name_en);
  }
  if (rc || (rc = identity_id(creator_org, ident)))
    goto out;
  char now[32];
  fs_time_format_ms(who->now_ms, now);
  objects = json_array();
  if (!objects || json_array_append_new(
                      objects, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}", "type", "identity",
                                         "spec_version", "2.1", "id", ident, "created", now,
                                         "modified", now, "name", name_en, "identity_class",
                                         "organization", "sectors", "financial-services"))) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "publication", "out of memory");
    goto out;
  }
  if ((rc = store_query(c, &s, err,
                        "SELECT id, type, value, internal FROM incident_observable WHERE"
                        " incident_id = ? ORDER BY created_at, type, value",
                        "s", r.id)))
    goto out;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    const char *oid = store_col_text(s, 0);
    bool chosen = !pick;
    size_t i;
    json_t *v;
    json_array_foreach(pick, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), oid))
        chosen = true;
    if (!chosen)
      continue;
    if (store_col_int(s, 3)) {
      if (!pick)
        continue;
      rc = fs_err_set(err, FS_ERR_INVALID, "$.observables",
                      "observable %.40s is the reporter's own asset (internal) and is never "
                      "shared",
                      oid);
      goto out;
    }
    int type = observable_type(store_col_text(s, 1));
    char pattern[1200], iid[37], sid[64], name[160], desc[300];
    if (type < 0 ||
        incident_indicator_pattern(type, store_col_text(s, 2), pattern, sizeof(pattern)))
      continue;
    fs_uuid_v4(iid);
    snprintf(sid, sizeof(sid), "indicator--%s", iid);
    snprintf(name, sizeof(name), "%s seen in a %s incident", incident_observable_types[type],
             incident_category_names[r.category >= 0 ? r.category : INCIDENT_CAT_OTHER]);
    snprintf(desc, sizeof(desc),
             "Observed during a level %d %s incident in the financial sector, shared through the "
             "sector CERT.",
             r.level, incident_category_label(r.category, false));
    if (json_array_append_new(
            objects,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:s,s:s,s:s,s:[s],s:[s]}", "type",
                      "indicator", "spec_version", "2.1", "id", sid, "created", now, "modified",
                      now, "created_by_ref", ident, "name", name, "description", desc,
                      "indicator_types", "malicious-activity", "pattern", pattern, "pattern_type",
                      "stix", "valid_from", now, "labels",
                      incident_category_names[r.category >= 0 ? r.category : INCIDENT_CAT_OTHER],
                      "object_marking_refs", stix_tlp_marking_id(tlp)))) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "publication", "out of memory");
      goto out;
    }
    count++;
  }
  if (rc)
    goto out;
  if (!count) {
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.observables",
                    "incident %s has no shareable observables (internal assets are never shared)",
                    r.ref);
    goto out;
  }
  char bid[37];
  fs_uuid_v4(bid);
  snprintf(bundle_id, sizeof(bundle_id), "bundle--%s", bid);
  bundle = json_pack("{s:s,s:s,s:O}", "type", "bundle", "id", bundle_id, "objects", objects);
  if (!bundle || !(text = json_dumps(bundle, JSON_COMPACT))) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "publication", "out of memory");
    goto out;
  }
  fs_uuid_v4(pid);
  if (env->publish.fn) {
    if ((rc = env->publish.fn(env->publish.ctx, r.id, bundle, hide, err)))
      goto out;
    handed = true;
  }
  if ((rc = store_exec(c, NULL, err,
                       "INSERT INTO incident_publication (id, incident_id, tlp, hide_reporter,"
                       " bundle, indicators, created_at, handed_over) VALUES (?,?,?,?,?,?,?,?)",
                       "sssisiii", pid, r.id, stix_tlp_token(tlp), (int64_t)hide, text,
                       (int64_t)count, who->now_ms, (int64_t)handed)))
    goto out;
  rc = hide ? incident_event_addf(c, who, r.id, "published", who->now_ms, err,
                                  "%zu indicators published as %s, reporter hidden", count,
                                  stix_tlp_name(tlp))
            : incident_event_addf(c, who, r.id, "published", who->now_ms, err,
                                  "%zu indicators published as %s", count, stix_tlp_name(tlp));
  if (rc)
    goto out;
  json_t *d =
      json_pack("{s:s,s:s,s:b,s:I,s:s}", "ref", r.ref, "tlp", stix_tlp_token(tlp), "hide_reporter",
                hide, "indicators", (json_int_t)count, "bundle", bundle_id);
  rc = audit_append(c, who, "incident.publish", "incident_publication", pid, d, err);
  json_decref(d);
out:
  store_done(s);
  rc = store_tx_leave(c, owned, rc, err);
  if (!rc)
    *out = json_pack("{s:s,s:s,s:s,s:b,s:I,s:b,s:o,s:O}", "id", pid, "incident", r.ref, "tlp",
                     stix_tlp_token(tlp), "hide_reporter", hide, "indicators", (json_int_t)count,
                     "handed_over", handed, "created_at", jsonx_time_new(who->now_ms), "bundle",
                     bundle);
  free(text);
  json_decref(bundle);
  json_decref(objects);
  return rc;
}

static json_t *publication_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  json_t *b = json_loads(store_col_text(s, 6), 0, NULL);
  return json_pack("{s:s,s:s,s:b,s:I,s:b,s:o,s:o}", "id", store_col_text(s, 0), "tlp",
                   store_col_text(s, 1), "hide_reporter", (int)store_col_int(s, 2), "indicators",
                   (json_int_t)store_col_int(s, 3), "handed_over", (int)store_col_int(s, 4),
                   "created_at", jsonx_time_new(store_col_int(s, 5)), "bundle",
                   b ? b : json_null());
}

int incident_publications_json(struct store_conn *c, const struct actor *who, const char *id,
                               json_t **out, struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_READ,
                             "SELECT id, tlp, hide_reporter, indicators, handed_over, created_at,"
                             " bundle FROM incident_publication WHERE incident_id = ?"
                             " ORDER BY created_at, id",
                             publication_item, out, err);
}
