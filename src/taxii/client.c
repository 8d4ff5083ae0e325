/* The TAXII client over libcurl: requests here, the reading of replies in reply.c. */
#include "taxii/client.h"

#include "taxii/reply.h"
#include "taxii/server.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct taxii_client {
  CURL *curl;
  char root[512];
  char auth[512];
  struct taxii_client_options o;
};

int taxii_client_new(const struct taxii_client_options *o, struct taxii_client **out,
                     struct fs_err *err)
{
  if (!o->api_root || strncmp(o->api_root, "http", 4))
    return fs_err_set(err, FS_ERR_USAGE, "URL",
                      "give the API root URL, e.g. https://hub/taxii2/hub/");
  struct taxii_client *cl = calloc(1, sizeof(*cl));
  if (!cl || !(cl->curl = curl_easy_init())) {
    free(cl);
    return fs_err_set(err, FS_ERR_NOMEM, "taxii", "cannot start libcurl");
  }
  cl->o = *o;
  size_t n = strlen(o->api_root);
  snprintf(cl->root, sizeof(cl->root), "%s%s", o->api_root,
           n && o->api_root[n - 1] == '/' ? "" : "/");
  snprintf(cl->auth, sizeof(cl->auth), "%s:%s", o->user ? o->user : "finshield",
           o->token ? o->token : "");
  *out = cl;
  return FS_OK;
}

struct fs_progress *taxii_client_progress(const struct taxii_client *cl)
{
  return cl->o.progress;
}

void taxii_client_free(struct taxii_client *cl)
{
  if (!cl)
    return;
  curl_easy_cleanup(cl->curl);
  memset(cl->auth, 0, sizeof(cl->auth));
  free(cl);
}

struct sink {
  struct fs_buf *body;
  char *last_added;
  bool too_large;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct sink *s = ud;
  if (fs_buf_append(s->body, p, size * n)) {
    s->too_large = true;
    return 0;
  }
  return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
  struct sink *s = ud;
  if (s->last_added)
    taxii_reply_header(p, size * n, s->last_added);
  return size * n;
}

static void url_escape_into(CURL *curl, char *out, size_t n, const char *s)
{
  char *e = curl_easy_escape(curl, s, 0);
  snprintf(out, n, "%s", e ? e : "");
  curl_free(e);
}

static int perform(struct taxii_client *cl, const char *url, const char *post, size_t post_len,
                   struct sink *sink, struct fs_err *err)
{
  CURL *h = cl->curl;
  curl_easy_reset(h);
  struct curl_slist *hdr = NULL;
  hdr = curl_slist_append(hdr, "Accept: " TAXII_MEDIA_TYPE);
  if (post)
    hdr = curl_slist_append(hdr, "Content-Type: " TAXII_MEDIA_TYPE);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(h, CURLOPT_USERPWD, cl->auth);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, cl->o.timeout_s > 0 ? cl->o.timeout_s : 60L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, sink);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  if (cl->o.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (cl->o.cacert)
    curl_easy_setopt(h, CURLOPT_CAINFO, cl->o.cacert);
  if (post) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post_len);
  }
  CURLcode cc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdr);
  if (sink->too_large)
    return fs_err_set(err, FS_ERR_TOO_LARGE, url, "response larger than %zu bytes",
                      sink->body->max);
  if (cc != CURLE_OK)
    return fs_err_set(err, FS_ERR_IO, url, "the request failed: %s", curl_easy_strerror(cc));
  if (status != 200 && status != 202)
    return taxii_reply_error(status, fs_buf_cstr(sink->body), sink->body->len, url, err);
  return FS_OK;
}

int taxii_client_get_objects(struct taxii_client *cl, const char *collection,
                             const char *added_after, const char *next, size_t limit,
                             struct fs_buf *body, char last_added[64], struct fs_err *err)
{
  char coll[256], url[2048], cursor[512] = "";
  url_escape_into(cl->curl, coll, sizeof(coll), collection);
  int n = snprintf(url, sizeof(url), "%scollections/%s/objects/?limit=%zu", cl->root, coll,
                   limit ? limit : 1000);
  if (next) {
    url_escape_into(cl->curl, cursor, sizeof(cursor), next);
    snprintf(url + n, sizeof(url) - (size_t)n, "&next=%s", cursor);
  } else if (added_after && *added_after) {
    url_escape_into(cl->curl, cursor, sizeof(cursor), added_after);
    snprintf(url + n, sizeof(url) - (size_t)n, "&added_after=%s", cursor);
  }
  last_added[0] = '\0';
  fs_buf_reset(body);
  struct sink s = {body, last_added, false};
  return perform(cl, url, NULL, 0, &s, err);
}

int taxii_client_post_objects(struct taxii_client *cl, const char *collection, const char *envelope,
                              size_t len, struct fs_buf *status, struct fs_err *err)
{
  char coll[256], url[2048];
  url_escape_into(cl->curl, coll, sizeof(coll), collection);
  snprintf(url, sizeof(url), "%scollections/%s/objects/", cl->root, coll);
  fs_buf_reset(status);
  struct sink s = {status, NULL, false};
  return perform(cl, url, envelope, len, &s, err);
}
