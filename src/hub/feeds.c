/* The sources' environment on this hub (intel/feed.h): the hub's secret, the scores and limits of
 * its configuration, and the TAXII client (taxii/) for sources that are another hub's or a
 * partner's TAXII collection. */
#include "hub/hub.h"

#include "core/buf.h"
#include "core/file.h"
#include "intel/feed.h"
#include "taxii/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One page of a source's remote collection, with the token of its secret file. */
static int taxii_get(void *ctx, const struct intel_feed *f, const char *added_after,
                     const char *next, size_t limit, struct fs_buf *body, char last_added[64],
                     struct fs_err *err)
{
  const struct hub *h = ctx;
  struct fs_buf token;
  fs_buf_init(&token, 4096);
  int rc = FS_OK;
  if (f->secret_file[0]) {
    char path[FS_CONFIG_PATH_MAX + 64];
    if (fs_config_path(&h->cfg, f->secret_file, path, sizeof(path)))
      rc = fs_err_set(err, FS_ERR_INVALID, f->secret_file, "path too long");
    if (!rc)
      rc = fs_file_read_all(path, &token, err);
    while (!rc && token.len &&
           (token.data[token.len - 1] == '\n' || token.data[token.len - 1] == '\r'))
      token.data[--token.len] = '\0';
  }
  struct taxii_client_options o = {.api_root = f->url,
                                   .token = token.len ? token.data : NULL,
                                   .cacert = h->cfg.feeds_cacert[0] ? h->cfg.feeds_cacert : NULL,
                                   .timeout_s = (long)h->cfg.feeds_timeout_s,
                                   .max_response = (size_t)h->cfg.feeds_max_bytes};
  struct taxii_client *cl = NULL;
  if (!rc)
    rc = taxii_client_new(&o, &cl, err);
  if (!rc)
    rc = taxii_client_get_objects(cl, f->remote_collection, added_after, next, limit, body,
                                  last_added, err);
  taxii_client_free(cl);
  if (token.data)
    memset(token.data, 0, token.len);
  fs_buf_release(&token);
  return rc;
}

int hub_feed_env(struct hub *h, struct intel_feed_env *out, struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  out->secret = h->auth.secret_key;
  out->max_bytes = (size_t)h->cfg.feeds_max_bytes;
  out->timeout_s = (long)h->cfg.feeds_timeout_s;
  out->batch = (size_t)h->cfg.feeds_batch;
  out->cacert = h->cfg.feeds_cacert[0] ? h->cfg.feeds_cacert : NULL;
  out->taxii_get = taxii_get;
  out->taxii_ctx = h;
  intel_score_defaults(&out->score);
  out->score.threshold = (int)h->cfg.score_threshold;
  const struct {
    const char *text, *where;
    enum intel_family family;
  } decay[] = {
      {h->cfg.score_decay_ip, "[score] decay_ip", INTEL_FAMILY_IP},
      {h->cfg.score_decay_domain, "[score] decay_domain", INTEL_FAMILY_DOMAIN},
      {h->cfg.score_decay_url, "[score] decay_url", INTEL_FAMILY_URL},
      {h->cfg.score_decay_hash, "[score] decay_hash", INTEL_FAMILY_HASH},
      {h->cfg.score_decay_email, "[score] decay_email", INTEL_FAMILY_EMAIL},
  };
  for (size_t i = 0; i < FS_ARRAY_SIZE(decay); i++) {
    int rc =
        intel_decay_parse(decay[i].text, decay[i].where, &out->score.decay[decay[i].family], err);
    if (rc)
      return rc;
  }
  return FS_OK;
}
