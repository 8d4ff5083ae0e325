/* MITRE ATT&CK: the catalogue read from ATT&CK's STIX bundles (tactics, techniques and
 * sub-techniques of enterprise, mobile and ICS), techniques tagged on intelligence objects, SOC
 * alerts and incidents, and the counts per technique and tactic of what the caller may see
 * (Sigma alerts count their rules' attack.tNNNN tags). */
#include "products/internal.h"

#include "audit/audit.h"
#include "auth/policy.h"
#include "core/jsonx.h"
#include "incident/incident.h"
#include "intel/intel.h"
#include "soc/soc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ATT&CK id of an object ("T1566.001", "TA0001"): its mitre-* external reference. */
static const char *mitre_id(const json_t *o)
{
  size_t i;
  const json_t *r;
  json_array_foreach(json_object_get(o, "external_references"), i, r)
  {
    const char *src = json_string_value(json_object_get(r, "source_name"));
    const char *id = json_string_value(json_object_get(r, "external_id"));
    if (src && id && !strncmp(src, "mitre-", 6))
      return id;
  }
  return NULL;
}

static const char *domain_of(const json_t *o)
{
  const char *d = json_string_value(json_array_get(json_object_get(o, "x_mitre_domains"), 0));
  return d ? d : "enterprise-attack";
}

int products_attack_import(struct store_conn *c, const struct actor *who, const char *text,
                           size_t len, json_t **summary, struct fs_err *err)
{
  if (!policy_allows(who, POLICY_PRODUCT_IMPORT, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "attack",
                      "only a hub administrator imports the ATT&CK catalogue");
  json_t *doc;
  int rc = jsonx_parse_object(text, len, &doc, err);
  if (rc)
    return rc;
  const json_t *objects = json_object_get(doc, "objects");
  if (!json_is_array(objects)) {
    json_decref(doc);
    return fs_err_set(err, FS_ERR_INVALID, "$.objects", "an ATT&CK bundle has a list of objects");
  }
  bool owned;
  if ((rc = store_tx_enter(c, &owned, err))) {
    json_decref(doc);
    return rc;
  }
  int64_t tactics = 0, techniques = 0, revoked = 0;
  json_t *domains = json_object();
  size_t i;
  const json_t *o;
  json_array_foreach(objects, i, o)
  {
    if (rc)
      break;
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *id = mitre_id(o);
    const char *name = json_string_value(json_object_get(o, "name"));
    if (!type || !id || !name)
      continue;
    if (!strcmp(type, "x-mitre-tactic")) {
      const char *shortname = json_string_value(json_object_get(o, "x_mitre_shortname"));
      if (!shortname)
        continue;
      rc = store_exec(c, NULL, err,
                      "INSERT INTO products_attack_tactic (shortname, domain, tactic, name)"
                      " VALUES (?,?,?,?) ON CONFLICT (shortname, domain) DO UPDATE SET"
                      " tactic = excluded.tactic, name = excluded.name",
                      "ssss", shortname, domain_of(o), id, name);
      tactics++;
    } else if (!strcmp(type, "attack-pattern") && id[0] == 'T') {
      char phases[512] = "";
      size_t k;
      const json_t *ph;
      json_array_foreach(json_object_get(o, "kill_chain_phases"), k, ph)
      {
        const char *p = json_string_value(json_object_get(ph, "phase_name"));
        if (p && strlen(phases) + strlen(p) + 2 < sizeof(phases))
          snprintf(phases + strlen(phases), sizeof(phases) - strlen(phases), "%s%s",
                   phases[0] ? "," : "", p);
      }
      bool gone = json_is_true(json_object_get(o, "revoked")) ||
                  json_is_true(json_object_get(o, "x_mitre_deprecated"));
      rc = store_exec(c, NULL, err,
                      "INSERT INTO products_attack (technique, stix_id, name, tactics, domain,"
                      " revoked) VALUES (?,?,?,?,?,?) ON CONFLICT (technique) DO UPDATE SET"
                      " stix_id = excluded.stix_id, name = excluded.name,"
                      " tactics = excluded.tactics, domain = excluded.domain,"
                      " revoked = excluded.revoked",
                      "sssssi", id, json_string_value(json_object_get(o, "id")), name, phases,
                      domain_of(o), (int64_t)gone);
      techniques++;
      revoked += gone;
      json_object_set_new(domains, domain_of(o), json_true());
    }
  }
  if (!rc && !techniques)
    rc = fs_err_set(err, FS_ERR_INVALID, "$.objects",
                    "no ATT&CK technique in the bundle (attack-pattern with a mitre external id)");
  json_t *s = json_pack("{s:I,s:I,s:I,s:o}", "tactics", (json_int_t)tactics, "techniques",
                        (json_int_t)techniques, "revoked_or_deprecated", (json_int_t)revoked,
                        "domains", json_array());
  const char *key;
  json_t *v;
  json_object_foreach(domains, key, v)
      json_array_append_new(json_object_get(s, "domains"), json_string(key));
  json_decref(domains);
  if (!rc)
    rc = audit_append(c, who, "attack.import", "attack", "", s, err);
  json_decref(doc);
  rc = store_tx_leave(c, owned, rc, err);
  if (rc)
    json_decref(s);
  else
    *summary = s;
  return rc;
}

/* "t1566.001" or "T1566.001" as stored ("T1566.001"); false when it is not a technique id. */
static bool technique_id(const char *in, char out[16])
{
  size_t n = strlen(in);
  if (n < 5 || n > 9 || (in[0] != 't' && in[0] != 'T'))
    return false;
  out[0] = 'T';
  for (size_t i = 1; i < n; i++) {
    if (!isdigit((unsigned char)in[i]) && !(in[i] == '.' && i == 5))
      return false;
    out[i] = in[i];
  }
  out[n] = '\0';
  return n == 5 || n == 9;
}

static int count_row(const struct intel_row *r, void *ctx)
{
  (void)r;
  (*(size_t *)ctx)++;
  return FS_OK;
}

int products_attack_tag(struct store_conn *c, const struct actor *who, const char *kind,
                        const char *ref, const char *technique, struct fs_err *err)
{
  if (!products_may_write(who))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "attack", "only the hub's analysts tag techniques");
  char t[16];
  if (!technique_id(technique, t))
    return fs_err_set(err, FS_ERR_INVALID, "technique",
                      "\"%.20s\" is not an ATT&CK technique id (T1566 or T1566.001)", technique);
  int64_t known = 0;
  int rc = store_query_int(c, &known, NULL, err,
                           "SELECT COUNT(*) FROM products_attack WHERE technique = ?", "s", t);
  if (!rc && !known)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "technique",
                    "%s is not in the catalogue (finshield attack import BUNDLE)", t);
  char id[STIX_ID_MAX + 40] = "";
  if (!rc && !strcmp(kind, "object")) {
    size_t n = 0;
    rc = intel_read_object(c, who, NULL, ref, count_row, &n, err);
    snprintf(id, sizeof(id), "%s", ref);
  } else if (!rc && !strcmp(kind, "alert")) {
    rc = soc_alert_visible(c, who, ref, err);
    snprintf(id, sizeof(id), "%s", ref);
  } else if (!rc && !strcmp(kind, "incident")) {
    char org[37];
    rc = incident_visible(c, who, ref, id, org, err);
  } else if (!rc) {
    rc = fs_err_set(err, FS_ERR_INVALID, "kind", "tag an object, an alert or an incident");
  }
  bool owned = false;
  if (!rc)
    rc = store_tx_enter(c, &owned, err);
  else
    return rc;
  rc = store_exec(c, NULL, err,
                  "INSERT INTO products_attack_tag (kind, ref, technique, at, by_user)"
                  " VALUES (?,?,?,?,?) ON CONFLICT (kind, ref, technique) DO NOTHING",
                  "sssis", kind, id, t, who->now_ms, who->username);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s}", "kind", kind, "technique", t);
    rc = audit_append(c, who, "attack.tag", kind, id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

/* ---- counts ------------------------------------------------------------------------------ */

enum { K_OBJECT, K_ALERT, K_INCIDENT };

struct counts {
  json_t *by;          /* technique -> [objects, alerts, incidents] */
  json_t *tactic_tags; /* tactic shortname -> alerts tagged with the tactic itself */
};

static void bump(struct counts *k, const char *technique, int what, int64_t n)
{
  json_t *row = json_object_get(k->by, technique);
  if (!row) {
    row = json_pack("[i,i,i]", 0, 0, 0);
    json_object_set_new(k->by, technique, row);
  }
  json_array_set_new(row, (size_t)what,
                     json_integer(json_integer_value(json_array_get(row, (size_t)what)) + n));
}

static int alert_tags(void *ctx, const char *id, const char *org, const char *rule,
                      const char *title, const char *tags, int64_t count, int64_t first)
{
  (void)id, (void)org, (void)rule, (void)title, (void)count, (void)first;
  struct counts *k = ctx;
  char buf[512];
  snprintf(buf, sizeof(buf), "%s", tags);
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char tech[16];
    if (strncmp(t, "attack.", 7))
      continue;
    if (technique_id(t + 7, tech))
      bump(k, tech, K_ALERT, 1);
  }
  return FS_OK;
}

int products_attack_counts(struct store_conn *c, const struct actor *who, int64_t from_ms,
                           int64_t to_ms, json_t **out, struct fs_err *err)
{
  struct counts k = {json_object(), NULL};
  /* Tags of objects, alerts and incidents, each checked with the policy. */
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT kind, ref, technique FROM products_attack_tag"
                       " WHERE (? = 0 OR at >= ?) AND (? = 0 OR at < ?) ORDER BY kind, ref",
                       "iiii", from_ms, from_ms, to_ms, to_ms);
  if (rc) {
    json_decref(k.by);
    return rc;
  }
  json_t *tags = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(tags, json_pack("[s,s,s]", store_col_text(s, 0), store_col_text(s, 1),
                                          store_col_text(s, 2)));
  store_done(s);
  size_t i;
  json_t *t;
  json_array_foreach(tags, i, t)
  {
    if (rc)
      break;
    const char *kind = json_string_value(json_array_get(t, 0));
    const char *ref = json_string_value(json_array_get(t, 1));
    struct fs_err e2;
    bool visible;
    int what;
    if (!strcmp(kind, "object")) {
      size_t n = 0;
      visible = !intel_read_object(c, who, NULL, ref, count_row, &n, &e2) && n;
      what = K_OBJECT;
    } else if (!strcmp(kind, "alert")) {
      visible = !soc_alert_visible(c, who, ref, &e2);
      what = K_ALERT;
    } else {
      char id[37], org[37];
      visible = !incident_visible(c, who, ref, id, org, &e2);
      what = K_INCIDENT;
    }
    if (visible)
      bump(&k, json_string_value(json_array_get(t, 2)), what, 1);
  }
  json_decref(tags);
  /* Sigma alerts: their rules' tags. */
  if (!rc)
    rc = soc_alert_tags_each(c, who, from_ms, to_ms, alert_tags, &k, err);
  /* Per technique, with the catalogue's names and tactics; per tactic, the sum. */
  json_t *techniques = json_array(), *tactics = json_object();
  const char *tech;
  json_t *row_k;
  json_object_foreach(k.by, tech, row_k)
  {
    if (rc)
      break;
    char name[300] = "", phases[512] = "";
    bool found = false;
    rc = store_query_text(c, name, sizeof(name), &found, err,
                          "SELECT name FROM products_attack WHERE technique = ?", "s", tech);
    /* a sub-technique not in the catalogue takes its parent's tactics */
    char parent[16];
    snprintf(parent, sizeof(parent), "%.5s", tech);
    if (!rc)
      rc = store_query_text(c, phases, sizeof(phases), NULL, err,
                            "SELECT tactics FROM products_attack WHERE technique IN (?, ?)"
                            " ORDER BY technique = ? DESC LIMIT 1",
                            "sss", tech, parent, tech);
    int64_t o = json_integer_value(json_array_get(row_k, 0)),
            a = json_integer_value(json_array_get(row_k, 1)),
            n = json_integer_value(json_array_get(row_k, 2));
    json_t *tl = json_array();
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", phases);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
      json_array_append_new(tl, json_string(p));
      json_t *tr = json_object_get(tactics, p);
      if (!tr) {
        tr = json_pack("{s:s,s:I,s:I,s:I}", "tactic", p, "objects", (json_int_t)0, "alerts",
                       (json_int_t)0, "incidents", (json_int_t)0);
        json_object_set_new(tactics, p, tr);
      }
      json_object_set_new(tr, "objects",
                          json_integer(json_integer_value(json_object_get(tr, "objects")) + o));
      json_object_set_new(tr, "alerts",
                          json_integer(json_integer_value(json_object_get(tr, "alerts")) + a));
      json_object_set_new(tr, "incidents",
                          json_integer(json_integer_value(json_object_get(tr, "incidents")) + n));
    }
    json_array_append_new(techniques,
                          json_pack("{s:s,s:s?,s:o,s:I,s:I,s:I,s:I}", "technique", tech, "name",
                                    found ? name : NULL, "tactics", tl, "objects", (json_int_t)o,
                                    "alerts", (json_int_t)a, "incidents", (json_int_t)n, "total",
                                    (json_int_t)(o + a + n)));
  }
  json_decref(k.by);
  json_t *tlist = json_array();
  const char *tn;
  json_t *tr;
  json_object_foreach(tactics, tn, tr)
  {
    char name[200] = "", tid[16] = "";
    bool found = false;
    struct fs_err e2;
    store_query_text(c, name, sizeof(name), &found, &e2,
                     "SELECT name FROM products_attack_tactic WHERE shortname = ? LIMIT 1", "s",
                     tn);
    store_query_text(c, tid, sizeof(tid), NULL, &e2,
                     "SELECT tactic FROM products_attack_tactic WHERE shortname = ? LIMIT 1", "s",
                     tn);
    json_object_set_new(tr, "name", found ? json_string(name) : json_null());
    json_object_set_new(tr, "id", tid[0] ? json_string(tid) : json_null());
    json_object_set_new(tr, "total",
                        json_integer(json_integer_value(json_object_get(tr, "objects")) +
                                     json_integer_value(json_object_get(tr, "alerts")) +
                                     json_integer_value(json_object_get(tr, "incidents"))));
    json_array_append(tlist, tr);
  }
  json_decref(tactics);
  if (rc) {
    json_decref(techniques);
    json_decref(tlist);
    return rc;
  }
  *out = json_pack("{s:o,s:o}", "techniques", techniques, "tactics", tlist);
  return FS_OK;
}

int products_attack_catalogue(struct store_conn *c, const struct actor *who, json_t **out,
                              struct fs_err *err)
{
  (void)who; /* public knowledge: everyone authenticated */
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT technique, name, tactics, domain, revoked FROM products_attack"
                       " ORDER BY technique",
                       "");
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(
        items, json_pack("{s:s,s:s,s:s,s:s,s:b}", "technique", store_col_text(s, 0), "name",
                         store_col_text(s, 1), "tactics", store_col_text(s, 2), "domain",
                         store_col_text(s, 3), "revoked", store_col_int(s, 4) != 0));
  store_done(s);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = json_pack("{s:o}", "items", items);
  return FS_OK;
}
