/* The portal: its embedded files (http/portal.h) at / and /portal/..., and what its pages need
 * that belongs to no domain module: the hub's settings that are safe to show. The portal has no
 * access rule of its own: its pages ask the REST API, which asks the one policy. */
#include "http/api.h"

#include "auth/policy.h"
#include "core/config.h"
#include "core/encode.h"
#include "http/portal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const no_params[] = {NULL};

static const char *content_type(const char *path)
{
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json; charset=utf-8"},
  };
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < FS_ARRAY_SIZE(types); i++)
    if (!strcmp(dot, types[i].ext))
      return types[i].type;
  return "application/octet-stream";
}

/* Each file's ETag: the start of its SHA-256, computed once (the files never change while the
 * program runs). */
#define PORTAL_FILES_MAX 128
static char etags[PORTAL_FILES_MAX][20];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void etags_make(void)
{
  for (size_t i = 0; i < PORTAL_FILES_MAX && portal_files[i].path; i++) {
    char hex[65];
    fs_sha256_hex(portal_files[i].data, *portal_files[i].len, hex);
    snprintf(etags[i], sizeof(etags[i]), "\"%.16s\"", hex);
  }
}

/* The browser keeps the files (and what it compiled of them) and asks each time whether they
 * changed: no-cache with the ETag, 304 when If-None-Match names it. */
static int serve(struct http_request *req, struct http_response *res, const char *path)
{
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (rc && strcmp(path, "index.html"))
    return rc;
  /* The page itself ignores its query (a link may carry one); its files take none. */
  pthread_once(&etags_once, etags_make);
  for (size_t i = 0; i < PORTAL_FILES_MAX && portal_files[i].path; i++) {
    const struct portal_file *f = &portal_files[i];
    if (strcmp(f->path, path))
      continue;
    res->cache_control = "no-cache";
    http_header(res, "ETag", "%s", etags[i]);
    const char *inm = http_request_header(req, "If-None-Match");
    if (inm && strstr(inm, etags[i])) {
      res->status = 304;
      return FS_OK;
    }
    res->content_type = content_type(path);
    return fs_buf_append(&res->body, f->data, *f->len);
  }
  return fs_err_set(&req->err, FS_ERR_NOT_FOUND, req->path, "no such resource");
}

int api_portal_index(struct http_request *req, struct http_response *res)
{
  return serve(req, res, "index.html");
}

int api_portal_file(struct http_request *req, struct http_response *res)
{
  return serve(req, res, req->path + strlen("/portal/"));
}

/* A URL without what may be a credential: scheme://host[:port] (no user, path or query). */
static json_t *url_safe(const char *url)
{
  if (!*url)
    return json_string("");
  const char *host = strstr(url, "://");
  host = host ? host + 3 : url;
  const char *at = strchr(host, '@'), *end = host + strcspn(host, "/?#");
  if (at && at < end)
    host = at + 1;
  char out[300];
  snprintf(out, sizeof(out), "%.*s%.*s",
           (int)(strstr(url, "://") ? strstr(url, "://") + 3 - url : 0), url, (int)(end - host),
           host);
  return json_string(out);
}

int api_settings(struct http_request *req, struct http_response *res)
{
  int rc = http_query_only(&req->query, no_params, &req->err);
  if (!rc)
    rc = policy_check(&req->who, POLICY_SETTINGS_READ, NULL, "the hub's settings", &req->err);
  if (rc)
    return rc;
  const struct fs_config *cfg = &req->hub->cfg;
  const struct fs_config_key *keys;
  size_t n = fs_config_keys(&keys);
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) {
    const struct fs_config_key *k = &keys[i];
    const void *v = (const char *)cfg + k->offset;
    json_t *value;
    if (k->type == FS_CONFIG_INT)
      value = json_integer(*(const int64_t *)v);
    else if (strstr(k->name, "secret")) /* never shown: only whether one is set */
      value = json_string(*(const char *)v ? "(set)" : "");
    else if (strstr(k->name, "_url"))
      value = url_safe(v);
    else
      value = json_string(v);
    char key[96];
    snprintf(key, sizeof(key), "%s.%s", k->section, k->name);
    json_array_append_new(items, json_pack("{s:s,s:o,s:s,s:s}", "key", key, "value", value,
                                           "default", k->def, "help", k->help));
  }
  return http_json(res, 200,
                   json_pack("{s:s,s:s,s:o}", "hub", cfg->hub_name, "version", FINSHIELD_VERSION,
                             "items", items));
}
