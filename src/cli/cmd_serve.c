/* finshield serve: runs the hub until SIGINT or SIGTERM. */
#include "cli/commands.h"

#include "http/http.h"
#include "hub/hub.h"
#include "http/stream.h"
#include "incident/notify.h"
#include "intel/feed.h"
#include "soc/soc.h"

#include <stdatomic.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often serve counts the nodes sharing its database (rate limits are shared among them). */
#define NODES_CHECK_SECONDS 5

/* Alerts stored by the monitoring engine wake the event streams of the HTTP server. */
struct stream_waker {
  _Atomic(struct http_server *) srv;
};

static void wake_streams(void *arg)
{
  struct stream_waker *w = arg;
  struct http_server *srv = atomic_load(&w->srv);
  if (srv)
    http_streams_poke(http_server_streams(srv));
}

/* After the server and the worker have stopped. */
static void stop_policy(struct hub_services *svc)
{
  incident_policy_watch_close(svc->incident_policy);
  svc->incident_policy = NULL;
}

int cli_serve(struct cli_ctx *ctx, struct hub *hub)
{
  /* Block the stop signals in every thread (the server's threads inherit the mask) and wait for
   * them here, so that shutdown runs in one known place. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);
  struct http_server *srv;
  struct fs_err err;
  fs_err_clear(&err);
  char url[160];
  /* The services started beside the hub, which the HTTP handlers use. */
  struct hub_services svc = {0};
  /* Incident response: the clock policy is checked before serving (an invalid file stops the
   * start, with its file:line) and followed while serving; its worker escalates overdue clocks
   * and delivers notifications in the background. */
  struct incident_env incident_env;
  struct incident_worker *incident_worker = NULL;
  /* Intelligence sources: their settings are checked before serving; their worker runs the
   * scheduled ones and the score pass. */
  struct intel_feed_env feed_env;
  struct intel_feed_worker *feed_worker = NULL;
  struct actor hub_op;
  hub_local_actor(hub, &hub_op);
  if (hub_feed_env(hub, &feed_env, &err))
    return cli_fail(ctx, &err);
  if (incident_env_settings(&incident_env, &hub->cfg, &err) ||
      incident_policy_watch_open(incident_env.policy_path, &hub->log, &incident_env.watch, &err))
    return cli_fail(ctx, &err);
  svc.incident_policy = incident_env.watch;
  /* Monitoring: the live indicator index and rules, the syslog listeners; the SOC's environment
   * and hooks (draft incidents, webhooks) are wired by hub/. */
  static struct stream_waker waker;
  atomic_store(&waker.srv, NULL);
  struct soc_env soc_env;
  hub_soc_env(hub, &soc_env);
  if (soc_engine_start(&soc_env, wake_streams, &waker, &svc.soc, &err)) {
    stop_policy(&svc);
    return cli_fail(ctx, &err);
  }
  if (soc_listeners_start(svc.soc, &svc.listeners, &err)) {
    soc_engine_stop(svc.soc);
    stop_policy(&svc);
    return cli_fail(ctx, &err);
  }
  if (http_server_start(hub, &svc, &srv, url, sizeof(url), &err)) {
    soc_listeners_stop(svc.listeners);
    soc_engine_stop(svc.soc);
    stop_policy(&svc);
    return cli_fail(ctx, &err);
  }
  atomic_store(&waker.srv, srv);
  if (incident_worker_start(hub->store, &hub->clock, &hub->log, &incident_env, &incident_worker,
                            &err)) {
    soc_listeners_stop(svc.listeners);
    http_server_stop(srv);
    soc_engine_stop(svc.soc);
    stop_policy(&svc);
    return cli_fail(ctx, &err);
  }
  if (intel_feed_worker_start(hub->store, &hub->clock, &hub->log, &feed_env, hub_op.org_id,
                              hub->cfg.feeds_worker_interval_s, &feed_worker, &err)) {
    soc_listeners_stop(svc.listeners);
    http_server_stop(srv);
    incident_worker_stop(incident_worker);
    soc_engine_stop(svc.soc);
    stop_policy(&svc);
    return cli_fail(ctx, &err);
  }
  FS_LOG(&hub->log, FS_LOG_INFO, "hub.start", FS_KV_STR("url", url),
         FS_KV_STR("data", hub->cfg.data_dir), FS_KV_STR("version", FINSHIELD_VERSION));
  printf(FS_TR(ctx->lang, "finshield is serving %s (data in %s); Ctrl-C stops it.\n",
               "finshield 服務中：%s（資料位於 %s）；按 Ctrl-C 停止。\n"),
         url, hub->cfg.data_dir);
  printf(FS_TR(ctx->lang, "The portal: %s (sign in with a user's name and password)\n",
               "入口網站：%s（以使用者帳號與密碼登入）\n"),
         url);
  fflush(stdout);
  /* Waits for a stop signal; meanwhile, every few seconds, counts the nodes serving the same
   * database (PostgreSQL) and gives this one its share of the rate limits. */
  int sig = 0;
  int64_t nodes = 1;
  for (;;) {
    struct store_conn *c;
    int64_t n = 1;
    if (!store_acquire(hub->store, &c, NULL)) {
      if (store_nodes(c, &n, NULL))
        n = nodes; /* unknown for now: keep the last count */
      store_release(hub->store, c);
    }
    if (n != nodes) {
      FS_LOG(&hub->log, FS_LOG_INFO, "hub.nodes", FS_KV_INT("nodes", n));
      http_server_share_limits(srv, n);
      nodes = n;
    }
    struct timespec every = {NODES_CHECK_SECONDS, 0};
    if ((sig = sigtimedwait(&stop, NULL, &every)) > 0)
      break;
  }
  FS_LOG(&hub->log, FS_LOG_INFO, "hub.stop", FS_KV_STR("signal", sig == SIGINT ? "INT" : "TERM"));
  soc_listeners_stop(svc.listeners);
  svc.listeners = NULL;
  atomic_store(&waker.srv, NULL);
  http_server_stop(srv);
  intel_feed_worker_stop(feed_worker);
  incident_worker_stop(incident_worker);
  soc_engine_stop(svc.soc);
  svc.soc = NULL;
  stop_policy(&svc);
  return CLI_EXIT_OK;
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      CLI_LISTEN_OPT(h),
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield serve [--data DIR] [--listen ADDR:PORT]",
      .about_en = "Runs the hub: REST API /api/v1, health and metrics. Stops cleanly on Ctrl-C or "
                  "SIGTERM; every acknowledged change is on disk.",
      .about_zh =
          "執行中樞：REST API /api/v1、健康狀態與指標。按 Ctrl-C 或收到 SIGTERM 時正常停止；"
          "所有已確認的變更皆已寫入磁碟。",
      .opts = opts,
  };
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct fs_config cfg;
  struct fs_err err;
  fs_err_clear(&err);
  if ((rc = cli_load_config(ctx, &h, &cfg, &err)))
    return cli_fail(ctx, &err);
  /* A node's name: its sessions on a shared database say which serve they belong to. */
  char host[48] = "", node[64];
  gethostname(host, sizeof(host) - 1);
  snprintf(node, sizeof(node), "serve %s/%ld", host, (long)getpid());
  struct hub hub;
  if ((rc = hub_open_node(&hub, &cfg, (size_t)cfg.http_threads + 2, node, &err)))
    return cli_fail(ctx, &err);
  rc = cli_serve(ctx, &hub);
  hub_close(&hub);
  return rc;
}
