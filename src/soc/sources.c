/* Which organisation an event comes from: registered address ranges (syslog over UDP and TCP)
 * and TLS client certificates (syslog over TLS). */
#include "soc/soc_int.h"

#include "audit/audit.h"
#include "auth/org.h"
#include "auth/policy.h"
#include "core/encode.h"
#include "core/file.h"
#include "core/uuid.h"
#include "detect/ioc_norm.h"

#include <gnutls/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address or range, as the detection engine reads them; a v4-mapped IPv6 address (what a
 * dual-stack socket reports for an IPv4 peer) is that IPv4 address. */
static bool parse_range(const char *s, struct detect_ip *ip)
{
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!detect_ip_parse(s, strlen(s), true, ip))
    return false;
  if (ip->v6 && ip->plen >= 96 && !memcmp(ip->a, mapped, sizeof(mapped))) {
    memmove(ip->a, ip->a + 12, 4);
    memset(ip->a + 4, 0, 12);
    ip->v6 = false;
    ip->plen = (uint8_t)(ip->plen - 96);
  }
  return true;
}

static bool in_range(const struct detect_ip *a, const struct detect_ip *net)
{
  if (a->v6 != net->v6)
    return false;
  int full = net->plen / 8, rest = net->plen % 8;
  if (memcmp(a->a, net->a, (size_t)full))
    return false;
  if (!rest)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (a->a[full] & mask) == (net->a[full] & mask);
}

int soc_source_org(struct store_conn *c, const char *addr, char org_out[37], struct fs_err *err)
{
  org_out[0] = '\0';
  struct detect_ip a;
  if (!parse_range(addr, &a))
    return FS_OK;
  struct store_stmt *s;
  int rc = store_query(c, &s, err, "SELECT match, org_id FROM soc_source WHERE kind = 'cidr'", "");
  if (rc)
    return rc;
  int best = -1;
  bool row;
  while (!(rc = store_step(s, &row, err)) && row) {
    struct detect_ip net;
    if (parse_range(store_col_text(s, 0), &net) && net.plen > best && in_range(&a, &net)) {
      best = net.plen;
      snprintf(org_out, 37, "%s", store_col_text(s, 1));
    }
  }
  store_done(s);
  return rc;
}

/* Every change of soc_source raises the generation, in the change's transaction, and tells
 * every node's engine (store_notify). */
static int bump_generation(struct store_conn *c, struct fs_err *err)
{
  int rc =
      store_exec(c, NULL, err, "UPDATE soc_meta SET value = value + 1 WHERE key = 'sources'", "");
  return rc ? rc : store_notify(c, "soc", err);
}

int soc_sources_generation(struct store_conn *c, int64_t *gen, struct fs_err *err)
{
  *gen = 0;
  return store_query_int(c, gen, NULL, err, "SELECT value FROM soc_meta WHERE key = 'sources'", "");
}

int soc_rules_generation(struct store_conn *c, int64_t *gen, struct fs_err *err)
{
  *gen = 0;
  return store_query_int(c, gen, NULL, err, "SELECT value FROM soc_meta WHERE key = 'rules'", "");
}

int soc_rules_reload(struct store_conn *c, const struct actor *who, int64_t *generation,
                     struct fs_err *err)
{
  if (!policy_allows(who, POLICY_SOC_RULES_RELOAD, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "soc", "only a hub administrator reloads the rules");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (!rc)
    rc = store_exec(c, NULL, err, "UPDATE soc_meta SET value = value + 1 WHERE key = 'rules'", "");
  if (!rc)
    rc = soc_rules_generation(c, generation, err);
  if (!rc)
    rc = store_notify(c, "soc", err);
  if (!rc) {
    json_t *d = json_pack("{s:I}", "generation", (json_int_t)*generation);
    rc = audit_append(c, who, "soc.rules.reload", "rules", "", d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int soc_source_add(struct store_conn *c, const struct actor *who, const char *kind,
                   const char *match, const char *org, char id_out[37], struct fs_err *err)
{
  if (!policy_allows(who, POLICY_SOC_SOURCES_MANAGE, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "source",
                      "only a hub administrator registers event sources");
  struct detect_ip net;
  if (!strcmp(kind, "cidr")) {
    if (!parse_range(match, &net))
      return fs_err_set(err, FS_ERR_INVALID, "$.match", "\"%.64s\" is not an address or CIDR range",
                        match);
  } else if (!strcmp(kind, "cert")) {
    size_t n = strlen(match);
    bool hex = n == 64;
    for (size_t i = 0; hex && i < n; i++)
      hex = (match[i] >= '0' && match[i] <= '9') || (match[i] >= 'a' && match[i] <= 'f');
    if (!hex)
      return fs_err_set(err, FS_ERR_INVALID, "$.match",
                        "a certificate is given by the lower-case hex SHA-256 of its DER form");
  } else {
    return fs_err_set(err, FS_ERR_INVALID, "$.kind", "kind must be \"cidr\" or \"cert\"");
  }
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char org_id[37], id[37];
  rc = org_resolve(c, org, org_id, err);
  fs_uuid_v4(id);
  memcpy(id_out, id, sizeof(id));
  if (!rc)
    rc = store_exec(
        c, NULL, err,
        "INSERT INTO soc_source (id, kind, match, org_id, created_at) VALUES (?,?,?,?,?)", "ssssi",
        id, kind, match, org_id, who->now_ms);
  if (rc == FS_ERR_CONFLICT)
    rc = fs_err_set(err, FS_ERR_CONFLICT, "$.match", "\"%.64s\" is registered already", match);
  if (!rc)
    rc = bump_generation(c, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s,s:s}", "kind", kind, "match", match, "org_id", org_id);
    rc = audit_append(c, who, "soc.source.add", "source", id, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int soc_source_remove(struct store_conn *c, const struct actor *who, const char *id,
                      struct fs_err *err)
{
  if (!policy_allows(who, POLICY_SOC_SOURCES_MANAGE, NULL))
    return fs_err_set(err, FS_ERR_FORBIDDEN, "source",
                      "only a hub administrator removes event sources");
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  char sid[37] = "", kind[8] = "", match[96] = "";
  bool found;
  rc = store_query_text(c, sid, sizeof(sid), &found, err,
                        "SELECT id FROM soc_source WHERE id = ? OR match = ?", "ss", id, id);
  if (!rc && !found)
    rc = fs_err_set(err, FS_ERR_NOT_FOUND, "source", "no event source \"%.64s\"", id);
  if (!rc)
    rc = store_query_text(c, kind, sizeof(kind), NULL, err,
                          "SELECT kind FROM soc_source WHERE id = ?", "s", sid);
  if (!rc)
    rc = store_query_text(c, match, sizeof(match), NULL, err,
                          "SELECT match FROM soc_source WHERE id = ?", "s", sid);
  if (!rc)
    rc = store_exec(c, NULL, err, "DELETE FROM soc_source WHERE id = ?", "s", sid);
  if (!rc)
    rc = bump_generation(c, err);
  if (!rc) {
    json_t *d = json_pack("{s:s,s:s}", "kind", kind, "match", match);
    rc = audit_append(c, who, "soc.source.remove", "source", sid, d, err);
    json_decref(d);
  }
  return store_tx_leave(c, owned, rc, err);
}

int soc_sources_json(struct store_conn *c, const struct actor *who, const struct auth_page *page,
                     json_t **out, struct fs_err *err)
{
  /* The hub's analysts see every source; a member its own organisation's. */
  struct policy_target every = {.org_id = NULL, .role = -1};
  struct policy_target own = {.org_id = who->org_id, .role = -1};
  const char *only = NULL;
  if (!policy_allows(who, POLICY_SOC_SOURCES_READ, &every)) {
    if (!policy_allows(who, POLICY_SOC_SOURCES_READ, &own))
      return fs_err_set(err, FS_ERR_FORBIDDEN, "sources",
                        "event sources are the hub's configuration");
    only = who->org_id;
  }
  /* By kind, match and id; the cursor is the id of the last one shown, which must be one the
   * actor sees (another organisation's is as unknown as a made-up one). */
  const char *after = page ? page->after : NULL;
  int64_t limit = page ? page->limit : INT64_MAX, seen = 0;
  int rc = FS_OK;
  if (after)
    rc = store_query_int(
        c, &seen, NULL, err,
        "SELECT COUNT(*) FROM soc_source WHERE id = ? AND (? IS NULL OR org_id = ?)", "sss", after,
        only, only);
  if (!rc && after && !seen)
    rc = fs_err_set(err, FS_ERR_INVALID, "after", "not a cursor of this list");
  struct store_stmt *s;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT id, kind, match, org_id FROM soc_source"
                     " WHERE (? IS NULL OR org_id = ?) AND (? IS NULL OR (kind, match, id) >"
                     " (SELECT kind, match, id FROM soc_source WHERE id = ?))"
                     " ORDER BY kind, match, id LIMIT ?",
                     "ssssi", only, only, after, after, limit == INT64_MAX ? limit : limit + 1);
  if (rc)
    return rc;
  json_t *items = json_array();
  bool row;
  int64_t n = 0;
  char last[40] = "";
  struct org_briefs orgs = {0};
  while (!(rc = store_step(s, &row, err)) && row && n++ < limit) {
    struct org_brief org;
    if ((rc = org_briefs_get(c, &orgs, store_col_text(s, 3), &org, err)))
      break;
    snprintf(last, sizeof(last), "%s", store_col_text(s, 0));
    json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s}", "id", store_col_text(s, 0), "kind",
                                           store_col_text(s, 1), "match", store_col_text(s, 2),
                                           "org", org.code));
  }
  bool more = !rc && row;
  store_done(s);
  org_briefs_release(&orgs);
  if (rc) {
    json_decref(items);
    return rc;
  }
  *out = auth_page_json(items, more ? last : NULL);
  return FS_OK;
}

int soc_cert_fingerprint(const char *pem, size_t len, char out[65], struct fs_err *err)
{
  gnutls_x509_crt_t crt;
  if (gnutls_x509_crt_init(&crt) < 0)
    return fs_err_set(err, FS_ERR_NOMEM, "certificate", "out of memory");
  gnutls_datum_t in = {(unsigned char *)(uintptr_t)pem, (unsigned)len}, der = {NULL, 0};
  int g = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM);
  if (g >= 0)
    g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
  gnutls_x509_crt_deinit(crt);
  if (g < 0)
    return fs_err_set(err, FS_ERR_PARSE, "certificate", "not a PEM certificate: %s",
                      gnutls_strerror(g));
  uint8_t d[32];
  fs_sha256(der.data, der.size, d);
  fs_hex_encode(d, sizeof(d), out);
  gnutls_free(der.data);
  return FS_OK;
}
