/* /api/v1/intel/exports/{format} (with ETag and If-None-Match, answered from memory while the
 * store has not changed), /api/v1/intel/correlations and /api/v1/intel/objects/{id}/graph. */
#include "http/api.h"
#include "http/server.h"

#include "core/encode.h"
#include "core/time.h"
#include "intel/intel.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the server remembers of the exports it made: per visibility class and request (the
 * actor's role, organisation and user, the format and its options), the ETag and the store's
 * position it was computed at; and the position the store was last seen at, re-read when a
 * change went through this server (http_exports_changed) or export_revalidate_ms has passed. */
#define CACHE_SLOTS 1024

struct export_slot {
  uint8_t key[32];
  char etag[40];
  int64_t last_seq, deletes, made_ns;
  bool used;
};

struct http_export_cache {
  pthread_mutex_t mu;
  _Atomic bool dirty;
  bool known;
  int64_t last_seq, deletes, checked_ns;
  struct export_slot slots[CACHE_SLOTS];
};

struct http_export_cache *http_export_cache_new(void)
{
  struct http_export_cache *c = calloc(1, sizeof(*c));
  if (c)
    pthread_mutex_init(&c->mu, NULL);
  return c;
}

void http_export_cache_free(struct http_export_cache *c)
{
  if (!c)
    return;
  pthread_mutex_destroy(&c->mu);
  free(c);
}

void http_exports_changed(struct http_export_cache *c)
{
  if (c)
    c->dirty = true;
}

/* The store's position, from memory unless it may have moved. */
static int current_position(struct http_request *req, struct http_export_cache *ec,
                            int64_t *last_seq, int64_t *deletes)
{
  int64_t now = fs_time_mono_ns(), every = req->hub->cfg.intel_export_revalidate_ms * 1000000;
  pthread_mutex_lock(&ec->mu);
  bool fresh = ec->known && !ec->dirty && now - ec->checked_ns < every;
  *last_seq = ec->last_seq;
  *deletes = ec->deletes;
  pthread_mutex_unlock(&ec->mu);
  if (fresh)
    return FS_OK;
  ec->dirty = false; /* cleared before the read: a change after it marks it again */
  struct store_conn *c;
  int rc = http_db(req, &c);
  if (!rc)
    rc = intel_position(c, last_seq, deletes, &req->err);
  if (rc)
    return rc;
  pthread_mutex_lock(&ec->mu);
  ec->known = true;
  ec->last_seq = *last_seq;
  ec->deletes = *deletes;
  ec->checked_ns = now;
  pthread_mutex_unlock(&ec->mu);
  return FS_OK;
}

static struct export_slot *slot_of(struct http_export_cache *ec, const uint8_t key[32])
{
  size_t i;
  memcpy(&i, key, sizeof(i));
  return &ec->slots[i % CACHE_SLOTS];
}

/* Whether If-None-Match names etag (a list, W/ prefixes, or *). */
static bool none_match(const char *inm, const char *etag)
{
  if (!inm)
    return false;
  size_t n = strlen(etag);
  for (const char *p = inm; *p;) {
    while (*p == ' ' || *p == ',' || *p == '\t')
      p++;
    if (*p == '*')
      return true;
    if (!strncmp(p, "W/", 2))
      p += 2;
    if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
      return true;
    while (*p && *p != ',')
      p++;
  }
  return false;
}

static int not_modified(struct http_response *res, const char *etag)
{
  fs_buf_reset(&res->body);
  res->status = 304;
  res->content_type = "text/plain; charset=utf-8";
  http_header(res, "ETag", "%s", etag);
  res->cache_control = "private, no-cache";
  return FS_OK;
}

int api_intel_exports(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"collection", "dataset", "sid_base", NULL};
  int format = -1;
  for (int i = 0; intel_export_formats[i]; i++)
    if (!strcmp(req->params[0], intel_export_formats[i]))
      format = i;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc && format < 0)
    rc = fs_err_set(&req->err, FS_ERR_NOT_FOUND, "format",
                    "no export format \"%.40s\" (ips, domains, urls, csv, stix, suricata, "
                    "suricata-dataset, zeek)",
                    req->params[0]);
  int64_t sid_base = 0;
  if (!rc)
    rc = http_query_int(&req->query, "sid_base", 1, 4000000000LL, 9100000, &sid_base, &req->err);
  if (rc)
    return rc;
  struct intel_export_options opt = {.format = (enum intel_export_format)format,
                                     .collection = http_query_get(&req->query, "collection"),
                                     .dataset = http_query_get(&req->query, "dataset"),
                                     .sid_base = sid_base};
  /* The visibility class and the request: one key. */
  struct fs_buf k;
  fs_buf_init(&k, 4096);
  fs_buf_appendf(&k, "%d|%s|%s|%d|%s|%s|%lld", req->who.role, req->who.org_id, req->who.user_id,
                 format, opt.collection ? opt.collection : "", opt.dataset ? opt.dataset : "",
                 (long long)sid_base);
  uint8_t key[32];
  fs_sha256(k.data, k.len, key);
  fs_buf_release(&k);
  struct http_export_cache *ec = req->srv->exports;
  const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "If-None-Match");
  int64_t last_seq = 0, deletes = 0, now = fs_time_mono_ns();
  if (!ec)
    inm = NULL; /* no memory for the cache: every request computes */
  if (inm && (rc = current_position(req, ec, &last_seq, &deletes)))
    return rc;
  if (inm) {
    char etag[40] = "";
    pthread_mutex_lock(&ec->mu);
    struct export_slot *sl = slot_of(ec, key);
    if (sl->used && !memcmp(sl->key, key, 32) && sl->last_seq == last_seq &&
        sl->deletes == deletes &&
        now - sl->made_ns < req->hub->cfg.intel_export_max_age_s * 1000000000LL)
      memcpy(etag, sl->etag, sizeof(etag));
    pthread_mutex_unlock(&ec->mu);
    if (etag[0] && none_match(inm, etag))
      return not_modified(res, etag); /* from memory: no table read */
  }
  struct store_conn *c;
  if ((rc = http_db(req, &c)))
    return rc;
  fs_buf_release(&res->body);
  fs_buf_init(&res->body, (size_t)req->hub->cfg.intel_export_max_bytes);
  struct intel_export_result er;
  if ((rc = intel_export(c, &req->who, &opt, &res->body, &er, &req->err)))
    return rc;
  uint8_t d[32];
  char hex[65], etag[40];
  fs_sha256(res->body.data ? res->body.data : "", res->body.len, d);
  fs_hex_encode(d, 16, hex);
  snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
  if (ec) {
    pthread_mutex_lock(&ec->mu);
    struct export_slot *sl = slot_of(ec, key);
    memcpy(sl->key, key, 32);
    memcpy(sl->etag, etag, sizeof(etag));
    sl->last_seq = er.last_seq;
    sl->deletes = er.deletes;
    sl->made_ns = now;
    sl->used = true;
    pthread_mutex_unlock(&ec->mu);
  }
  if (none_match(inm, etag))
    return not_modified(res, etag);
  res->status = 200;
  res->content_type = intel_export_media_type(opt.format);
  http_header(res, "ETag", "%s", etag);
  res->cache_control = "private, no-cache";
  http_header(res, "X-Finshield-Values", "%zu", er.values);
  return FS_OK;
}

int api_intel_correlations(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"value", "fanout", NULL};
  const char *value = http_query_get(&req->query, "value");
  int64_t fanout = 1;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc && (!value || !*value))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, "value", "give the value to correlate: ?value=...");
  if (!rc)
    rc = http_query_int(&req->query, "fanout", 1, req->hub->cfg.intel_correlation_fanout,
                        req->hub->cfg.intel_correlation_fanout, &fanout, &req->err);
  struct store_conn *c;
  json_t *out = NULL;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_correlate(c, &req->who, value, (size_t)fanout,
                         (size_t)req->hub->cfg.intel_correlation_count_max, &out, &req->err);
  return rc ? rc : http_json(res, 200, out);
}

int api_intel_graph(struct http_request *req, struct http_response *res)
{
  static const char *const params[] = {"format", "fanout", NULL};
  static const char *const formats[] = {"json", "stix", NULL};
  const char *format = NULL;
  int64_t fanout = 1;
  int rc = http_query_only(&req->query, params, &req->err);
  if (!rc)
    rc = http_query_enum(&req->query, "format", formats, &format, &req->err);
  if (!rc)
    rc = http_query_int(&req->query, "fanout", 1, req->hub->cfg.intel_correlation_fanout,
                        req->hub->cfg.intel_correlation_fanout, &fanout, &req->err);
  bool stix = format && !strcmp(format, "stix");
  struct store_conn *c;
  json_t *out = NULL;
  if (!rc)
    rc = http_db(req, &c);
  if (!rc)
    rc = intel_graph(c, &req->who, req->params[0], (size_t)fanout, stix, &out, &req->err);
  if (rc)
    return rc;
  rc = http_json(res, 200, out);
  if (stix)
    res->content_type = "application/stix+json;version=2.1";
  return rc;
}
