/* Fetching what a source publishes: a file or folder on the hub's disk, or a web location over
 * HTTPS (or HTTP) with libcurl, with a cap on the bytes and the time. */
#include "intel/feed_int.h"

#include "core/file.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

struct sink {
  struct fs_buf *out;
  bool too_large;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct sink *s = ud;
  if (fs_buf_append(s->out, p, size * n)) {
    s->too_large = true;
    return 0;
  }
  return size * n;
}

static int fetch_url(const struct intel_feed_env *env, const char *url, struct fs_buf *out,
                     struct fs_err *err)
{
  CURL *h = curl_easy_init();
  if (!h)
    return fs_err_set(err, FS_ERR_NOMEM, url, "cannot start libcurl");
  struct sink s = {out, false};
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, env->timeout_s > 0 ? env->timeout_s : 120L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip and deflate when the server offers */
  curl_easy_setopt(h, CURLOPT_USERAGENT, "finshield/" FINSHIELD_VERSION);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (env->cacert)
    curl_easy_setopt(h, CURLOPT_CAINFO, env->cacert);
  CURLcode cc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  if (s.too_large)
    return fs_err_set(err, FS_ERR_TOO_LARGE, url, "larger than %zu bytes (feeds.max_bytes)",
                      out->max);
  if (cc != CURLE_OK)
    return fs_err_set(err, FS_ERR_IO, url, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
  if (status != 200)
    return fs_err_set(err, status == 404 ? FS_ERR_NOT_FOUND : FS_ERR_IO, url,
                      "the server answered %ld", status);
  return FS_OK;
}

int intel_feed_fetch(const struct intel_feed_env *env, const char *location, const char *name,
                     struct fs_buf *out, struct fs_err *err)
{
  fs_buf_reset(out);
  char where[INTEL_FEED_URL_MAX + 128];
  bool web = !strncmp(location, "http://", 7) || !strncmp(location, "https://", 8);
  if (!strncmp(location, "file://", 7))
    location += 7;
  if (!name) {
    snprintf(where, sizeof(where), "%s", location);
  } else if (web) {
    size_t n = strlen(location);
    snprintf(where, sizeof(where), "%s%s%s", location, n && location[n - 1] == '/' ? "" : "/",
             name);
  } else if (fs_path_join(where, sizeof(where), location, name)) {
    return fs_err_set(err, FS_ERR_INVALID, location, "path too long");
  }
  if (web)
    return fetch_url(env, where, out, err);
  int rc = fs_file_read_all(where, out, err);
  if (rc == FS_ERR_TOO_LARGE)
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, where, "larger than %zu bytes (feeds.max_bytes)",
                    out->max);
  return rc;
}
