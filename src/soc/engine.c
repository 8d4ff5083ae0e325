/* The live engine: the index and rule set, and the thread that keeps them current. */
#include "soc/soc_int.h"
#include "core/thread.h"

#include "core/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often the engine looks at intelligence, the sources and the sightings when the store
 * does not tell it of changes (SQLite: one node), and when it does (PostgreSQL's notices, which
 * wake it at once: this is the catch-up should one be lost). */
#define RELOAD_MS 300
#define RELOAD_NOTICED_MS 1000
/* With notices, intelligence itself is looked at when one came, and at least this often. */
#define INTEL_LOOK_NOTICED_MS 10000

static void sigma_problem(void *arg, const struct detect_sigma_problem *p)
{
  struct soc_engine *e = arg;
  e->rules_failed++;
  FS_LOG(e->env.log, FS_LOG_WARN, "soc.rule_skipped", FS_KV_STR("file", p->file),
         FS_KV_INT("line", p->line), FS_KV_STR("rule", p->rule_id ? p->rule_id : ""),
         FS_KV_STR("reason", p->reason));
}

static int load_rules(struct soc_engine *e, struct fs_err *err)
{
  if (!e->rules_dir[0])
    return FS_OK;
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  if (!l)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  size_t added = 0;
  e->rules_failed = 0;
  int rc = detect_sigma_loader_add_path(l, e->rules_dir, sigma_problem, e, &added, err);
  if (rc) {
    detect_sigma_loader_free(l);
    return rc;
  }
  struct detect_sigma_set *set = detect_sigma_compile(l, sigma_problem, e, err);
  if (!set)
    return FS_ERR_INVALID;
  struct detect_sigma_stats st;
  detect_sigma_set_stats(set, &st);
  e->rules_loaded = st.rules + st.correlations;
  fs_rcu_publish(&e->sigma, set);
  return FS_OK;
}

/* Rebuilds the index when intelligence (or the list of organisations) changed: incrementally
 * when objects were only added, from scratch after a deletion. Without look_at_intel only the
 * organisations are counted (intelligence has not been notified as changed). */
static int refresh(struct soc_engine *e, bool force, bool look_at_intel, struct fs_err *err)
{
  struct store_conn *c;
  int rc = store_acquire(e->env.store, &c, err);
  if (rc)
    return rc;
  int64_t seq = 0, deletes = 0, orgs = 0;
  struct fs_rcu_reader *r = fs_rcu_register(&e->sets);
  struct soc_sets *cur = r ? fs_rcu_enter(&e->sets, r) : NULL;
  if (look_at_intel || force || !cur) {
    rc = soc_intel_position(c, &seq, &deletes, &orgs, err);
  } else {
    /* On PostgreSQL, MAX(seq) walks past every row of a transaction still storing objects. */
    seq = cur->last_seq;
    deletes = cur->deletes;
    rc = soc_org_count(c, &orgs, err);
  }
  bool same_orgs = cur && (int64_t)cur->orgs.n == orgs;
  bool changed = force || !cur || seq != cur->last_seq || deletes != cur->deletes || !same_orgs;
  struct soc_sets *next = NULL;
  if (!rc && changed) {
    int64_t t0 = fs_time_mono_ns();
    bool incremental = !force && cur && deletes == cur->deletes && same_orgs;
    rc = soc_sets_build(c, incremental ? cur : NULL, &next, err);
    e->last_build_us = (fs_time_mono_ns() - t0) / 1000;
  }
  if (r) {
    fs_rcu_exit(r);
    fs_rcu_unregister(&e->sets, r);
  }
  store_release(e->env.store, c);
  if (!rc && next) {
    fs_rcu_publish(&e->sets, next); /* the old sets are freed once no reader holds them */
    pthread_mutex_lock(&e->lock);
    e->rebuilds++;
    e->last_build_ms = fs_clock_now_ms(e->env.clock);
    pthread_mutex_unlock(&e->lock);
    FS_LOG(e->env.log, FS_LOG_INFO, "soc.index", FS_KV_INT("indicators", next->indicators),
           FS_KV_INT("compound_skipped", next->compound), FS_KV_INT("micros", e->last_build_us));
  }
  return rc;
}

/* Polls the sources' generation; when it moved, has the watcher (the listeners) apply it. */
static int watch_sources(struct soc_engine *e, struct fs_err *err)
{
  struct store_conn *c;
  int64_t gen;
  int rc = store_acquire(e->env.store, &c, err);
  if (rc)
    return rc;
  rc = soc_sources_generation(c, &gen, err);
  store_release(e->env.store, c);
  pthread_mutex_lock(&e->watch_lock);
  if (!rc && gen != e->sources_gen) {
    if (e->on_sources && e->on_sources(e->on_sources_arg, gen))
      rc = fs_err_set(err, FS_ERR_BUSY, "soc", "open connections not checked yet");
    else
      e->sources_gen = gen;
  }
  pthread_mutex_unlock(&e->watch_lock);
  return rc;
}

/* Loads the rules again when their generation moved (soc_rules_reload, on any node). */
static int watch_rules(struct soc_engine *e, struct fs_err *err)
{
  struct store_conn *c;
  int64_t gen;
  int rc = store_acquire(e->env.store, &c, err);
  if (rc)
    return rc;
  rc = soc_rules_generation(c, &gen, err);
  store_release(e->env.store, c);
  if (rc || gen == e->rules_gen)
    return rc;
  rc = load_rules(e, err);
  FS_LOG(e->env.log, rc ? FS_LOG_WARN : FS_LOG_INFO, "soc.rules_reloaded",
         FS_KV_INT("generation", gen), FS_KV_INT("loaded", (int64_t)e->rules_loaded),
         FS_KV_INT("refused", (int64_t)e->rules_failed));
  /* A folder that does not load is not tried again until the next reload; the last set stays. */
  pthread_mutex_lock(&e->lock);
  e->rules_gen = gen;
  pthread_mutex_unlock(&e->lock);
  return rc;
}

int64_t soc_engine_watch_sources(struct soc_engine *e, int (*fn)(void *arg, int64_t generation),
                                 void *arg)
{
  pthread_mutex_lock(&e->watch_lock);
  e->on_sources = fn;
  e->on_sources_arg = arg;
  int64_t gen = e->sources_gen;
  pthread_mutex_unlock(&e->watch_lock);
  return gen;
}

/* store_subscribe's callback: a change was committed (on any node). */
static void on_notice(void *arg)
{
  struct soc_engine *e = arg;
  pthread_mutex_lock(&e->lock);
  e->noticed = true;
  pthread_cond_signal(&e->wake);
  pthread_mutex_unlock(&e->lock);
}

static void *run(void *arg)
{
  struct soc_engine *e = arg;
  long period_ms = e->subscribed ? RELOAD_NOTICED_MS : RELOAD_MS;
  int64_t last_look = fs_time_mono_ns() / 1000000;
  pthread_mutex_lock(&e->lock);
  while (!e->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += period_ms / 1000;
    until.tv_nsec += (period_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    while (!e->stopping && !e->noticed &&
           pthread_cond_timedwait(&e->wake, &e->lock, &until) != ETIMEDOUT) {
    }
    bool noticed = e->noticed;
    e->noticed = false;
    if (e->stopping)
      break;
    pthread_mutex_unlock(&e->lock);
    int64_t now = fs_time_mono_ns() / 1000000;
    bool look = !e->subscribed || noticed || now - last_look >= INTEL_LOOK_NOTICED_MS;
    if (look)
      last_look = now;
    struct fs_err err;
    if (refresh(e, false, look, &err))
      FS_LOG(e->env.log, FS_LOG_WARN, "soc.refresh_failed", FS_KV_STR("where", err.where),
             FS_KV_STR("msg", err.msg));
    if (watch_sources(e, &err))
      FS_LOG(e->env.log, FS_LOG_WARN, "soc.sources_check_failed", FS_KV_STR("where", err.where),
             FS_KV_STR("msg", err.msg));
    if (watch_rules(e, &err))
      FS_LOG(e->env.log, FS_LOG_WARN, "soc.rules_check_failed", FS_KV_STR("where", err.where),
             FS_KV_STR("msg", err.msg));
    if (soc_sightings_tick(e, &err))
      FS_LOG(e->env.log, FS_LOG_WARN, "soc.sightings_failed", FS_KV_STR("where", err.where),
             FS_KV_STR("msg", err.msg));
    pthread_mutex_lock(&e->lock);
  }
  pthread_mutex_unlock(&e->lock);
  return NULL;
}

int soc_engine_start(const struct soc_env *env, void (*on_alert)(void *), void *on_alert_arg,
                     struct soc_engine **out, struct fs_err *err)
{
  struct soc_engine *e = calloc(1, sizeof(*e));
  if (!e)
    return fs_err_set(err, FS_ERR_NOMEM, "soc", "out of memory");
  e->env = *env;
  e->on_alert = on_alert;
  e->on_alert_arg = on_alert_arg;
  fs_rcu_init(&e->sets, NULL, soc_sets_free);
  fs_rcu_init(&e->sigma, NULL, detect_sigma_set_free_cb);
  pthread_mutex_init(&e->lock, NULL);
  pthread_cond_init(&e->wake, NULL);
  pthread_mutex_init(&e->watch_lock, NULL);
  e->corr = detect_sigma_corr_new(100000);
  if (env->cfg->soc_rules_dir[0] &&
      fs_config_path(env->cfg, env->cfg->soc_rules_dir, e->rules_dir, sizeof(e->rules_dir))) {
    soc_engine_stop(e);
    return fs_err_set(err, FS_ERR_INVALID, "[soc] rules_dir", "path too long");
  }
  /* The rules' generation first: a reload asked for while the folder loads is not missed. */
  struct store_conn *c;
  int rc = store_acquire(env->store, &c, err);
  if (!rc) {
    rc = soc_rules_generation(c, &e->rules_gen, err);
    store_release(env->store, c);
  }
  if (!rc)
    rc = load_rules(e, err);
  /* Told of changes on other nodes before the first look, so that none falls in between. */
  if (!rc && store_notices(env->store)) {
    rc = store_subscribe(env->store, "intel", on_notice, e, err);
    if (!rc)
      rc = store_subscribe(env->store, "soc", on_notice, e, err);
    e->subscribed = true;
  }
  if (!rc)
    rc = soc_sightings_upgrade(e, err);
  if (!rc)
    rc = refresh(e, true, true, err);
  if (!rc)
    rc = watch_sources(e, err); /* the generation the listeners start from */
  if (!rc && fs_thread_start(&e->thread, run, e))
    rc = fs_err_set(err, FS_ERR_NOMEM, "soc", "cannot start the engine's thread");
  if (rc) {
    soc_engine_stop(e);
    return rc;
  }
  e->running = true;
  *out = e;
  return FS_OK;
}

void soc_engine_stop(struct soc_engine *e)
{
  if (!e)
    return;
  if (e->subscribed)
    store_unsubscribe(e->env.store, on_notice, e);
  if (e->running) {
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_signal(&e->wake);
    pthread_mutex_unlock(&e->lock);
    pthread_join(e->thread, NULL);
  }
  fs_rcu_release(&e->sets);
  fs_rcu_release(&e->sigma);
  detect_sigma_corr_free(e->corr);
  pthread_mutex_destroy(&e->watch_lock);
  pthread_mutex_destroy(&e->lock);
  pthread_cond_destroy(&e->wake);
  free(e);
}

int soc_engine_reload(struct soc_engine *e, struct fs_err *err)
{
  int rc = load_rules(e, err);
  return rc ? rc : refresh(e, true, true, err);
}

json_t *soc_engine_status(struct soc_engine *e)
{
  struct fs_rcu_reader *r = fs_rcu_register(&e->sets);
  struct soc_sets *s = r ? fs_rcu_enter(&e->sets, r) : NULL;
  struct detect_ioc_stats st = {0};
  if (s && s->ioc)
    detect_ioc_index_stats(s->ioc, &st);
  pthread_mutex_lock(&e->lock);
  json_t *out =
      json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I},s:{s:s,s:I,s:I,s:I},s:I,s:I}", "indicators",
                "objects", (json_int_t)(s ? s->indicators : 0), "values", (json_int_t)st.entries,
                "compound_skipped", (json_int_t)(s ? s->compound : 0), "red_not_matched",
                (json_int_t)(s ? s->skipped_red : 0), "memory_bytes", (json_int_t)st.memory_bytes,
                "intel_position", (json_int_t)(s ? s->last_seq : 0), "rules", "dir", e->rules_dir,
                "loaded", (json_int_t)e->rules_loaded, "refused", (json_int_t)e->rules_failed,
                "generation", (json_int_t)e->rules_gen, "rebuilds", (json_int_t)e->rebuilds,
                "last_build_micros", (json_int_t)e->last_build_us);
  pthread_mutex_unlock(&e->lock);
  if (r) {
    fs_rcu_exit(r);
    fs_rcu_unregister(&e->sets, r);
  }
  return out;
}
