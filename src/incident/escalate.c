/* Escalation of overdue clocks and the background worker of `serve` that runs it and delivers
 * the notification outbox. */
#include "audit/audit.h"
#include "core/thread.h"
#include "auth/org.h"
#include "core/jsonx.h"
#include "incident/internal.h"
#include "incident/notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int escalate_case(struct store_conn *c, const struct actor *who,
                         const struct incident_env *env, const char *id, int *count,
                         struct fs_err *err)
{
  bool owned;
  int rc = store_tx_enter(c, &owned, err);
  if (rc)
    return rc;
  struct incident_row r;
  rc = incident_row_load(c, id, &r, err);
  struct incident_clock k[INCIDENT_CLOCK__COUNT];
  if (!rc) {
    struct incident_times t;
    incident_row_times(&r, &t);
    incident_clocks_compute(incident_policy_clocks(&env->policy, r.org.industry), &t, who->now_ms,
                            k);
  }
  for (int i = 0; !rc && i < INCIDENT_CLOCK__COUNT; i++) {
    if (k[i].state != INCIDENT_CLOCK_OVERDUE)
      continue;
    int64_t done = 0;
    rc = store_query_int(c, &done, NULL, err,
                         "SELECT COUNT(*) FROM incident_escalation WHERE incident_id = ? AND"
                         " clock = ? AND due_at = ?",
                         "ssi", r.id, incident_clock_names[i], k[i].due);
    if (rc || done)
      continue;
    rc = store_exec(c, NULL, err,
                    "INSERT INTO incident_escalation (incident_id, clock, due_at, escalated_at)"
                    " VALUES (?,?,?,?)",
                    "ssii", r.id, incident_clock_names[i], k[i].due, who->now_ms);
    char due[48], en[300], zh[300];
    incident_local_time(k[i].due, due);
    snprintf(en, sizeof(en), "The %s clock is overdue: it was due at %s (Asia/Taipei).",
             incident_clock_names[i], due);
    static const char *const zh_names[] = {"通報", "等級審核", "損害控制或復原", "調查改善報告"};
    snprintf(zh, sizeof(zh), "%s期限已逾期：應於 %s（台北）前完成。", zh_names[i], due);
    if (!rc)
      rc = incident_event_add(c, who, r.id, "escalated", who->now_ms, en, zh, NULL, err);
    if (!rc) {
      json_t *d = json_pack("{s:s,s:s,s:o}", "ref", r.ref, "clock", incident_clock_names[i],
                            "due_at", jsonx_time_new(k[i].due));
      rc = audit_append(c, who, "incident.escalate", "incident", r.id, d, err);
      json_decref(d);
    }
    if (!rc)
      rc = notify_incident(c, env, &r, "incident.overdue", NOTIFY_TO_CISO | NOTIFY_TO_HUB, NULL, en,
                           zh, who->now_ms, err);
    if (!rc)
      (*count)++;
  }
  return store_tx_leave(c, owned, rc, err);
}

int incident_escalate_overdue(struct store_conn *c, const struct actor *who,
                              const struct incident_env *env, int *count, struct fs_err *err)
{
  *count = 0;
  struct store_stmt *s;
  int rc = store_query(c, &s, err,
                       "SELECT id FROM incident WHERE status NOT IN ('closed', 'merged')"
                       " ORDER BY created_at",
                       "");
  if (rc)
    return rc;
  json_t *ids = json_array();
  bool row;
  while (!(rc = store_step(s, &row, err)) && row)
    json_array_append_new(ids, json_string(store_col_text(s, 0)));
  store_done(s);
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v)
  {
    if (rc)
      break;
    rc = escalate_case(c, who, env, json_string_value(v), count, err);
  }
  json_decref(ids);
  return rc;
}

/* ---- the worker -------------------------------------------------------------------------- */

struct incident_worker {
  struct store *st;
  const struct fs_clock *clock;
  struct fs_log *log;
  struct incident_env env; /* a copy: its policy is the one in force at each pass */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
};

static void worker_pass(struct incident_worker *w)
{
  struct store_conn *c;
  struct fs_err err;
  fs_err_clear(&err);
  if (store_acquire(w->st, &c, &err)) {
    FS_LOG(w->log, FS_LOG_WARN, "incident.worker", FS_KV_STR("msg", err.msg));
    return;
  }
  struct actor who;
  memset(&who, 0, sizeof(who));
  snprintf(who.username, sizeof(who.username), "system:incident-clocks");
  snprintf(who.source, sizeof(who.source), "worker");
  who.role = AUTH_ROLE_HUB_ADMIN;
  who.now_ms = fs_clock_now_ms(w->clock);
  org_hub_id(c, who.org_id, NULL);
  if (w->env.watch)
    incident_policy_watch_get(w->env.watch, &w->env.policy);
  int escalated = 0, sent = 0;
  if (incident_escalate_overdue(c, &who, &w->env, &escalated, &err))
    FS_LOG(w->log, FS_LOG_WARN, "incident.escalate", FS_KV_STR("where", err.where),
           FS_KV_STR("msg", err.msg));
  else if (escalated)
    FS_LOG(w->log, FS_LOG_INFO, "incident.escalate", FS_KV_INT("clocks", escalated));
  fs_err_clear(&err);
  if (notify_deliver_due(c, &w->env, w->log, fs_time_now_ms(), 16, &sent, &err))
    FS_LOG(w->log, FS_LOG_WARN, "notify.deliver", FS_KV_STR("msg", err.msg));
  else if (sent)
    FS_LOG(w->log, FS_LOG_INFO, "notify.deliver", FS_KV_INT("attempts", sent));
  store_release(w->st, c);
}

static void *worker_main(void *arg)
{
  struct incident_worker *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stop) {
    pthread_mutex_unlock(&w->lock);
    worker_pass(w);
    pthread_mutex_lock(&w->lock);
    if (w->stop)
      break;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = until.tv_nsec + (w->env.worker_interval_ms % 1000) * 1000000;
    until.tv_sec += w->env.worker_interval_ms / 1000 + ns / 1000000000;
    until.tv_nsec = ns % 1000000000;
    while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT) {
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

int incident_worker_start(struct store *st, const struct fs_clock *clock, struct fs_log *log,
                          const struct incident_env *env, struct incident_worker **out,
                          struct fs_err *err)
{
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return fs_err_set(err, FS_ERR_INTERNAL, "libcurl", "cannot initialise libcurl");
  struct incident_worker *w = calloc(1, sizeof(*w));
  if (!w)
    return fs_err_set(err, FS_ERR_NOMEM, "incident worker", "out of memory");
  w->st = st;
  w->clock = clock;
  w->log = log;
  w->env = *env;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  if (fs_thread_start(&w->thread, worker_main, w)) {
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
    return fs_err_set(err, FS_ERR_INTERNAL, "incident worker", "cannot start a thread");
  }
  *out = w;
  return FS_OK;
}

void incident_worker_stop(struct incident_worker *w)
{
  if (!w)
    return;
  pthread_mutex_lock(&w->lock);
  w->stop = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->lock);
  pthread_cond_destroy(&w->wake);
  free(w);
  curl_global_cleanup();
}
