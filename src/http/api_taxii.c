/* TAXII 2.1 over HTTP: /taxii2/ and the API root /taxii2/hub/. The resources come from
 * taxii/server.c; this file does the HTTP part (base URL, cursor key, headers, media type). */
#include "http/api.h"

#include "core/encode.h"
#include "taxii/server.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef int (*taxii_fn)(const struct taxii_request *treq, struct http_request *req,
                        struct taxii_response *tres);

static int run(struct http_request *req, struct http_response *res, taxii_fn fn)
{
  struct store_conn *c;
  int rc = http_db(req, &c);
  if (rc)
    return rc;
  const char *host = http_request_header(req, "Host");
  char base[300];
  snprintf(base, sizeof(base), "%s://%s", http_server_tls(req->srv) ? "https" : "http",
           host && *host && strlen(host) < 256 && !strpbrk(host, "/\"\\ ") ? host : "localhost");
  /* The cursors' own key (a new label for the encrypted cursors: not the MAC key of before). */
  uint8_t key[32];
  fs_key_derive(req->hub->auth.secret_key, "finshield taxii cursor aead", key);
  const char *q = strchr(req->raw_uri, '?');
  struct taxii_request treq = {
      .who = &req->who,
      .cache = http_server_page_cache(req->srv),
      .db = c,
      .base_url = base,
      .title = req->hub->cfg.hub_name,
      .cursor_key = key,
      .max_content_length = req->hub->cfg.taxii_max_content_length,
      .page_limit = req->hub->cfg.taxii_page_limit,
      .arena = &req->arena,
      .params = &req->query, /* split once, when the request was admitted */
      .query = q ? q + 1 : NULL,
  };
  struct taxii_response tres = {.body = &res->body};
  rc = fn(&treq, req, &tres);
  sodium_memzero(key, sizeof(key));
  if (rc) {
    req->err = tres.err;
    return rc;
  }
  res->status = tres.status;
  res->content_type = TAXII_MEDIA_TYPE;
  if (tres.date_added_first[0])
    http_header(res, "X-TAXII-Date-Added-First", "%s", tres.date_added_first);
  if (tres.date_added_last[0])
    http_header(res, "X-TAXII-Date-Added-Last", "%s", tres.date_added_last);
  return FS_OK;
}

static int do_discovery(const struct taxii_request *t, struct http_request *r,
                        struct taxii_response *o)
{
  (void)r;
  return taxii_discovery(t, o);
}
static int do_root(const struct taxii_request *t, struct http_request *r, struct taxii_response *o)
{
  (void)r;
  return taxii_api_root(t, o);
}
static int do_status(const struct taxii_request *t, struct http_request *r,
                     struct taxii_response *o)
{
  return taxii_status(t, r->params[0], o);
}
static int do_collections(const struct taxii_request *t, struct http_request *r,
                          struct taxii_response *o)
{
  (void)r;
  return taxii_collections(t, o);
}
static int do_collection(const struct taxii_request *t, struct http_request *r,
                         struct taxii_response *o)
{
  return taxii_collection(t, r->params[0], o);
}
static int do_objects_get(const struct taxii_request *t, struct http_request *r,
                          struct taxii_response *o)
{
  return taxii_objects_get(t, r->params[0], o);
}
static int do_objects_post(const struct taxii_request *t, struct http_request *r,
                           struct taxii_response *o)
{
  return taxii_objects_post(t, r->params[0], fs_buf_cstr(&r->body), r->body.len, o);
}
static int do_object_get(const struct taxii_request *t, struct http_request *r,
                         struct taxii_response *o)
{
  return taxii_object_get(t, r->params[0], r->params[1], o);
}
static int do_object_delete(const struct taxii_request *t, struct http_request *r,
                            struct taxii_response *o)
{
  return taxii_object_delete(t, r->params[0], r->params[1], o);
}
static int do_versions(const struct taxii_request *t, struct http_request *r,
                       struct taxii_response *o)
{
  return taxii_versions(t, r->params[0], r->params[1], o);
}
static int do_manifest(const struct taxii_request *t, struct http_request *r,
                       struct taxii_response *o)
{
  return taxii_manifest(t, r->params[0], o);
}

int api_taxii_discovery(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_discovery);
}
int api_taxii_root(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_root);
}
int api_taxii_status(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_status);
}
int api_taxii_collections(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_collections);
}
int api_taxii_collection(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_collection);
}
int api_taxii_objects_get(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_objects_get);
}
int api_taxii_objects_post(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_objects_post);
}
int api_taxii_object_get(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_object_get);
}
int api_taxii_object_delete(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_object_delete);
}
int api_taxii_versions(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_versions);
}
int api_taxii_manifest(struct http_request *req, struct http_response *res)
{
  return run(req, res, do_manifest);
}
