/* finshield demo: a hub with the sample sector, created once and then reused, and served, with
 * syslog listeners on loopback that take this machine's lines as a sample member's. */
#include "cli/commands.h"

#include "auth/token.h"
#include "core/net.h"
#include "hub/hub.h"
#include "sample/sample.h"
#include "soc/soc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The portal's sample sign-ins, with the passwords this demo set (shown only here). */
static void print_signins(struct cli_ctx *ctx, const struct sample_signin *s)
{
  fprintf(stderr, FS_TR(ctx->lang,
                        "Portal sign-ins (open the address below in a browser; the passwords "
                        "are shown only now):\n",
                        "入口網站登入帳號（以瀏覽器開啟下方網址；密碼只顯示這一次）：\n"));
  for (int i = 0; i < SAMPLE_SIGNINS; i++)
    if (s[i].username[0])
      fprintf(stderr, "  %-24s %-21s %s\n", s[i].username, s[i].password, s[i].role);
}

/* Makes the sample sector unless it is there (a demo interrupted before it was made gets it on
 * the next run). */
static int populate(struct cli_ctx *ctx, struct hub *hub, struct fs_err *err)
{
  struct store_conn *c;
  int rc = store_acquire(hub->store, &c, err);
  if (rc)
    return rc;
  bool exists = false;
  if ((rc = sample_sector_exists(c, &exists, err)) || exists) {
    store_release(hub->store, c);
    return rc;
  }
  struct actor who;
  hub_local_actor(hub, &who);
  snprintf(who.username, sizeof(who.username), "demo");
  struct sample_stats st;
  rc = sample_sector_create(c, &who, &hub->auth, &st, err);
  char member_token[TOKEN_TEXT_MAX], supervisor_token[TOKEN_TEXT_MAX];
  json_t *meta = NULL;
  if (!rc)
    rc = token_create(c, &who, &hub->auth, st.member_analyst, "demo token", 30, "api", member_token,
                      &meta, err);
  json_decref(meta);
  meta = NULL;
  if (!rc)
    rc = token_create(c, &who, &hub->auth, st.supervisor, "demo token", 30, "api", supervisor_token,
                      &meta, err);
  json_decref(meta);
  struct sample_registers regs = {0};
  if (!rc)
    rc = sample_registers_create(c, &who, &regs, err);
  struct sample_signin signins[SAMPLE_SIGNINS];
  if (!rc)
    rc = sample_portal_users(c, &who, &hub->auth, &st, "admin", signins, err);
  store_release(hub->store, c);
  struct sample_activity act;
  struct soc_env soc_env;
  hub_soc_env(hub, &soc_env);
  if (!rc)
    rc = sample_activity_create(&soc_env, &who, &act, err);
  if (rc)
    return rc;
  fprintf(
      stderr,
      FS_TR(
          ctx->lang,
          "Sample sector created: %d institutions and %d users, all marked \"(sample)\"; %d shared "
          "indicators; %d members' events that raised %d alerts.\n"
          "A member analyst (%s) can use this token:\n  %s\n"
          "The supervisor (%s) can use this token:\n  %s\n",
          "已建立範例金融機構：%d 個機構、%d 位使用者，皆標示為「（範例）」；%d 筆共享情資指標；"
          "會員事件 %d 筆，產生 %d 則告警。\n"
          "會員分析師（%s）可使用此權杖：\n  %s\n主管機關（%s）可使用此權杖：\n  %s\n"),
      st.orgs, st.users, act.indicators, act.events, act.alerts, st.member_analyst, member_token,
      st.supervisor, supervisor_token);
  fprintf(stderr,
          FS_TR(ctx->lang, "Registers: %d records for %d institutions, %d signed restore drills.\n",
                "登錄簿：%d 筆紀錄，涵蓋 %d 個機構；%d 筆簽章復原演練。\n"),
          regs.records, regs.institutions, regs.drills);
  print_signins(ctx, signins);
  memset(signins, 0, sizeof(signins));
  memset(member_token, 0, sizeof(member_token));
  memset(supervisor_token, 0, sizeof(supervisor_token));
  return FS_OK;
}

#define DEMO_SYSLOG "127.0.0.1:5514"

/* The syslog listeners of the demo: [soc] syslog_tcp and syslog_udp when the configuration sets
 * them, else both on `addr` (loopback only). */
static int syslog_listen(struct cli_ctx *ctx, struct fs_config *cfg, const char *addr,
                         const char *usage)
{
  char host[256];
  uint16_t port;
  struct fs_err err;
  if (fs_hostport_parse(addr, host, sizeof(host), &port, &err))
    return cli_usage_error(ctx, usage, err.msg);
  if (!port || !fs_host_is_loopback(host))
    return cli_usage_error(ctx, usage,
                           FS_TR(ctx->lang,
                                 "--syslog: give a loopback address and a port, e.g. " DEMO_SYSLOG,
                                 "--syslog：請指定本機位址與埠號，例如 " DEMO_SYSLOG));
  if (!cfg->soc_syslog_tcp[0] && !cfg->soc_syslog_udp[0]) {
    snprintf(cfg->soc_syslog_tcp, sizeof(cfg->soc_syslog_tcp), "%s", addr);
    snprintf(cfg->soc_syslog_udp, sizeof(cfg->soc_syslog_udp), "%s", addr);
  }
  return CLI_EXIT_OK;
}

/* Registers this machine as a sample member's syslog source and says how to send it a line that
 * raises an alert. */
static int syslog_hint(struct cli_ctx *ctx, struct hub *hub, struct fs_err *err)
{
  struct store_conn *c;
  int rc = store_acquire(hub->store, &c, err);
  if (rc)
    return rc;
  struct actor who;
  hub_local_actor(hub, &who);
  snprintf(who.username, sizeof(who.username), "demo");
  struct sample_syslog sl;
  rc = sample_syslog_sources(c, &who, &sl, err);
  store_release(hub->store, c);
  if (rc)
    return rc;
  bool tcp = hub->cfg.soc_syslog_tcp[0];
  char host[256] = "";
  uint16_t port = 0;
  if (fs_hostport_parse(tcp ? hub->cfg.soc_syslog_tcp : hub->cfg.soc_syslog_udp, host, sizeof(host),
                        &port, err))
    return FS_OK; /* serving reports the address */
  fprintf(stderr,
          FS_TR(ctx->lang,
                "Syslog: %s%s%s%s%s; lines from this machine count as %s's. Send one that raises "
                "an alert:\n  logger --server %s --port %u%s \"action=deny dst=%s\"\n"
                "and see it with:\n  finshield soc alerts --data %s\n",
                "Syslog：%s%s%s%s%s；本機送出的紀錄視為 %s 的事件。送一筆會產生告警的紀錄：\n"
                "  logger --server %s --port %u%s \"action=deny dst=%s\"\n"
                "再以此查看告警：\n  finshield soc alerts --data %s\n"),
          tcp ? "TCP " : "", hub->cfg.soc_syslog_tcp, tcp && hub->cfg.soc_syslog_udp[0] ? ", " : "",
          hub->cfg.soc_syslog_udp[0] ? "UDP " : "", hub->cfg.soc_syslog_udp, sl.org_code, host,
          (unsigned)port, tcp ? " --tcp" : "", sl.value, hub->cfg.data_dir);
  return FS_OK;
}

int cmd_demo(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  bool no_serve = false;
  const char *syslog = DEMO_SYSLOG;
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      CLI_LISTEN_OPT(h),
      {"syslog", 0, CLI_OPT_STRING, &syslog, "ADDR:PORT",
       "syslog over TCP and UDP on this loopback address (default " DEMO_SYSLOG
       "; [soc] syslog_tcp and syslog_udp win)",
       "syslog（TCP 與 UDP）監聽的本機位址（預設 " DEMO_SYSLOG
       "；以設定檔的 [soc] syslog_tcp 與 syslog_udp 為優先）"},
      {"no-serve", 0, CLI_OPT_FLAG, &no_serve, NULL, "create the sample hub and stop",
       "只建立範例中樞，不啟動服務"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield demo [--data DIR] [--listen ADDR:PORT] [--syslog ADDR:PORT] [--no-serve]",
      .about_en = "Creates a hub with a realistic, clearly labelled sample sector in DIR (default "
                  "./var) the first time, prints the administrator's token once, and serves it, "
                  "with syslog listeners (TCP and UDP) on loopback that take this machine's lines "
                  "as a sample bank's. Later runs reuse the existing hub.",
      .about_zh = "第一次執行時在 DIR（預設 ./var）建立含擬真範例金融機構（皆標示範例）的中樞，"
                  "顯示一次管理者權杖並啟動服務，並於本機開啟 syslog 監聽（TCP 與 UDP），"
                  "本機送出的紀錄視為一家範例銀行的事件；之後再執行則沿用既有中樞。",
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
  if (!no_serve && (rc = syslog_listen(ctx, &cfg, syslog, spec.usage)))
    return rc;
  bool fresh = !hub_exists(cfg.data_dir);
  if (fresh) {
    struct hub_init_options o = {0};
    char token[64];
    if ((rc = hub_create(&cfg, &o, token, &err)))
      return cli_fail(ctx, &err);
    fprintf(stderr,
            FS_TR(ctx->lang,
                  "Demo hub created in %s. The administrator's token (shown only once):\n",
                  "已在 %s 建立示範中樞。管理者權杖（只顯示這一次）：\n"),
            cfg.data_dir);
    printf("%s\n", token);
    fflush(stdout);
    memset(token, 0, sizeof(token));
  } else {
    fprintf(
        stderr,
        FS_TR(ctx->lang,
              "Reusing the hub in %s (its admin token was shown when it was created; make "
              "another with: finshield token create --data %s --user admin --name demo).\n",
              "沿用 %s 中的中樞（管理者權杖已於建立時顯示；可用「finshield token create --data %s "
              "--user admin --name demo」另建）。\n"),
        cfg.data_dir, cfg.data_dir);
    fprintf(stderr,
            FS_TR(ctx->lang,
                  "The sample users' portal passwords were shown when the sector was made; set "
                  "one again with: finshield user passwd --data %s USER\n",
                  "範例使用者的入口網站密碼已於建立範例時顯示；可用「finshield user passwd --data "
                  "%s USER」重設。\n"),
            cfg.data_dir);
  }
  struct hub hub;
  if ((rc = hub_open(&hub, &cfg, (size_t)cfg.http_threads + 2, &err)))
    return cli_fail(ctx, &err);
  if ((rc = populate(ctx, &hub, &err)) || (!no_serve && (rc = syslog_hint(ctx, &hub, &err)))) {
    hub_close(&hub);
    return cli_fail(ctx, &err);
  }
  rc = no_serve ? CLI_EXIT_OK : cli_serve(ctx, &hub);
  hub_close(&hub);
  return rc;
}
