/* serve's worker for sources: runs the scheduled sources that are due, then the score pass. */
#include "intel/feed_int.h"

#include "core/log.h"
#include "core/thread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct intel_feed_worker {
  struct store *st;
  const struct fs_clock *clock;
  struct fs_log *log;
  struct intel_feed_env env;
  char hub_org[37];
  struct fs_periodic *periodic;
};

static void pass(void *arg)
{
  struct intel_feed_worker *w = arg;
  struct store_conn *c;
  struct fs_err err;
  fs_err_clear(&err);
  if (store_acquire(w->st, &c, &err)) {
    FS_LOG(w->log, FS_LOG_WARN, "feed.worker", FS_KV_STR("msg", err.msg));
    return;
  }
  struct actor who;
  memset(&who, 0, sizeof(who));
  snprintf(who.username, sizeof(who.username), "system:sources");
  snprintf(who.source, sizeof(who.source), "worker");
  snprintf(who.org_id, sizeof(who.org_id), "%s", w->hub_org);
  who.role = AUTH_ROLE_HUB_ADMIN;
  who.now_ms = fs_clock_now_ms(w->clock);
  size_t ran = 0, changed = 0;
  if (intel_feed_run_due(c, &who, &w->env, who.now_ms, &ran, &err))
    FS_LOG(w->log, FS_LOG_WARN, "feed.run", FS_KV_STR("where", err.where),
           FS_KV_STR("msg", err.msg));
  else if (ran)
    FS_LOG(w->log, FS_LOG_INFO, "feed.run", FS_KV_INT("sources", (int64_t)ran));
  fs_err_clear(&err);
  if (intel_score_pass(c, &who, &w->env.score, who.now_ms, &changed, &err))
    FS_LOG(w->log, FS_LOG_WARN, "feed.score", FS_KV_STR("msg", err.msg));
  else if (changed)
    FS_LOG(w->log, FS_LOG_INFO, "feed.score", FS_KV_INT("changed", (int64_t)changed));
  store_release(w->st, c);
}

int intel_feed_worker_start(struct store *st, const struct fs_clock *clock, struct fs_log *log,
                            const struct intel_feed_env *env, const char *hub_org,
                            int64_t interval_s, struct intel_feed_worker **out, struct fs_err *err)
{
  *out = NULL;
  if (interval_s <= 0)
    return FS_OK; /* feeds.worker_interval 0: only `finshield feed run` */
  struct intel_feed_worker *w = calloc(1, sizeof(*w));
  if (!w)
    return fs_err_set(err, FS_ERR_NOMEM, "feed worker", "out of memory");
  w->st = st;
  w->clock = clock;
  w->log = log;
  w->env = *env;
  snprintf(w->hub_org, sizeof(w->hub_org), "%s", hub_org);
  if (fs_periodic_start(pass, w, interval_s * 1000, &w->periodic)) {
    free(w);
    return fs_err_set(err, FS_ERR_INTERNAL, "feed worker", "cannot start a thread");
  }
  *out = w;
  return FS_OK;
}

void intel_feed_worker_stop(struct intel_feed_worker *w)
{
  if (!w)
    return;
  fs_periodic_stop(w->periodic);
  free(w);
}
