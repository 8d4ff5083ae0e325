/* finshield demo: a hub with the sample sector, created once and then reused, and served. */
#include "cli/commands.h"

#include "auth/token.h"
#include "hub/hub.h"
#include "sample/sample.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

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
    rc = token_create(c, &who, &hub->auth, st.member_analyst, "demo token", 30, "api",
                      member_token, &meta, err);
  json_decref(meta);
  meta = NULL;
  if (!rc)
    rc = token_create(c, &who, &hub->auth, st.supervisor, "demo token", 30, "api",
                      supervisor_token, &meta, err);
  json_decref(meta);
  struct sample_registers regs = {0};
  if (!rc)
    rc = sample_registers_create(c, &who, &regs, err);
  store_release(hub->store, c);
  struct sample_activity act;
  if (!rc)
    rc = sample_activity_create(hub, &who, &act, err);
  if (rc)
    return rc;
  fprintf(stderr,
          FS_TR(ctx->lang,
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
                "登錄簿：%d 個機構共 %d 筆紀錄，%d 筆簽章復原演練。\n"),
          regs.records, regs.institutions, regs.drills);
  memset(member_token, 0, sizeof(member_token));
  memset(supervisor_token, 0, sizeof(supervisor_token));
  return FS_OK;
}

int cmd_demo(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  bool no_serve = false;
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      CLI_LISTEN_OPT(h),
      {"no-serve", 0, CLI_OPT_FLAG, &no_serve, NULL, "create the sample hub and stop",
       "只建立範例中樞，不啟動服務"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield demo [--data DIR] [--listen ADDR:PORT] [--no-serve]",
      .about_en = "Creates a hub with a realistic, clearly labelled sample sector in DIR (default "
                  "./var) the first time, prints the administrator's token once, and serves it. "
                  "Later runs reuse the existing hub.",
      .about_zh = "第一次執行時在 DIR（預設 ./var）建立含擬真範例金融機構（皆標示範例）的中樞，"
                  "顯示一次管理者權杖並啟動服務；之後再執行則沿用既有中樞。",
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
    fprintf(stderr,
            FS_TR(ctx->lang,
                  "Reusing the hub in %s (its admin token was shown when it was created; make "
                  "another with: finshield token create --data %s --user admin --name demo).\n",
                  "沿用 %s 中的中樞（管理者權杖已於建立時顯示；可用「finshield token create --data %s "
                  "--user admin --name demo」另建）。\n"),
            cfg.data_dir, cfg.data_dir);
  }
  struct hub hub;
  if ((rc = hub_open(&hub, &cfg, (size_t)cfg.http_threads + 2, &err)))
    return cli_fail(ctx, &err);
  if ((rc = populate(ctx, &hub, &err))) {
    hub_close(&hub);
    return cli_fail(ctx, &err);
  }
  rc = no_serve ? CLI_EXIT_OK : cli_serve(ctx, &hub);
  hub_close(&hub);
  return rc;
}
