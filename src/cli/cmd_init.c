/* finshield init: creates a hub and prints its first admin token once; on an existing hub,
 * --self-signed only adds the test TLS pair. */
#include "cli/commands.h"

#include "core/file.h"
#include "hub/hub.h"

#include <stdio.h>
#include <string.h>

static void say_self_signed(struct cli_ctx *ctx, const char *dir)
{
  fprintf(stderr,
          FS_TR(ctx->lang,
                "Self-signed certificate written to %s/tls/ (testing only); set http.tls_cert = "
                "tls/cert.pem and http.tls_key = tls/key.pem to use it.\n",
                "自簽憑證已寫入 %s/tls/（僅供測試）；設定 http.tls_cert = tls/cert.pem 與 "
                "http.tls_key = tls/key.pem 即可使用。\n"),
          dir);
}

/* --self-signed on an existing hub: the TLS pair alone, never over an existing one. */
static int add_self_signed(struct cli_ctx *ctx, const struct fs_config *cfg, bool hub_options,
                           const char *hostname)
{
  struct fs_err err;
  char tls[FS_CONFIG_PATH_MAX + 16], cert[FS_CONFIG_PATH_MAX + 32], key[FS_CONFIG_PATH_MAX + 32];
  if (hub_options)
    return cli_usage_error(ctx, "finshield init [--data DIR] --self-signed [--hostname NAME]",
                           FS_TR(ctx->lang,
                                 "a hub exists here already: on it, init --self-signed only adds "
                                 "the TLS pair (--admin, --name-zh and --name-en do not apply)",
                                 "此處已有中樞：對既有中樞，init --self-signed 只加入 TLS 憑證"
                                 "（--admin、--name-zh、--name-en 不適用）"));
  if (fs_path_join(tls, sizeof(tls), cfg->data_dir, "tls") ||
      fs_path_join(cert, sizeof(cert), tls, "cert.pem") ||
      fs_path_join(key, sizeof(key), tls, "key.pem")) {
    fs_err_set(&err, FS_ERR_INVALID, cfg->data_dir, "path too long");
    return cli_fail(ctx, &err);
  }
  if (fs_path_exists(cert) || fs_path_exists(key)) {
    fs_err_set(&err, FS_ERR_CONFLICT, fs_path_exists(cert) ? cert : key,
               "a TLS pair exists already; remove it first to make a new one");
    return cli_fail(ctx, &err);
  }
  if (hub_make_self_signed(cfg->data_dir, hostname ? hostname : "localhost", &err))
    return cli_fail(ctx, &err);
  say_self_signed(ctx, cfg->data_dir);
  return CLI_EXIT_OK;
}

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  const char *name_zh = NULL, *name_en = NULL, *admin = NULL, *hostname = NULL;
  bool self_signed = false;
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"name-zh", 0, CLI_OPT_STRING, &name_zh, "NAME", "the hub's name in Chinese", "中樞中文名稱"},
      {"name-en", 0, CLI_OPT_STRING, &name_en, "NAME", "the hub's name in English", "中樞英文名稱"},
      {"admin", 0, CLI_OPT_STRING, &admin, "USER",
       "first administrator's user name (default admin)", "第一位管理者帳號（預設 admin）"},
      {"self-signed", 0, CLI_OPT_FLAG, &self_signed, NULL,
       "also write a self-signed TLS certificate (testing only)",
       "同時產生自簽 TLS 憑證（僅供測試）"},
      {"hostname", 0, CLI_OPT_STRING, &hostname, "NAME",
       "host name for the self-signed certificate", "自簽憑證的主機名稱"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield init [--data DIR] [--self-signed] [--admin USER]",
      .about_en = "Creates a hub in DIR (default ./var) and prints the first hub administrator's "
                  "API token on standard output. The token is shown only this once; the hub keeps "
                  "only its hash. On an existing hub, --self-signed only adds a self-signed TLS "
                  "pair (testing only) under DIR/tls/.",
      .about_zh = "在 DIR（預設 ./var）建立中樞，並在標準輸出顯示第一位中樞管理者的 API 權杖。"
                  "權杖只顯示這一次，中樞僅保存其雜湊值。對既有的中樞，--self-signed 只在 DIR/tls/ "
                  "加入自簽 TLS 憑證（僅供測試）。",
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
  if (self_signed && hub_exists(cfg.data_dir))
    return add_self_signed(ctx, &cfg, name_zh || name_en || admin, hostname);
  struct hub_init_options o = {.name_zh = name_zh,
                               .name_en = name_en,
                               .admin = admin,
                               .self_signed = self_signed,
                               .tls_hostname = hostname};
  char token[64];
  if ((rc = hub_create(&cfg, &o, token, &err)))
    return cli_fail(ctx, &err);
  fprintf(stderr,
          FS_TR(ctx->lang,
                "Hub created in %s. The administrator's API token follows; it is shown only "
                "once:\n",
                "已在 %s 建立中樞。以下為管理者的 API 權杖，只會顯示這一次：\n"),
          cfg.data_dir);
  printf("%s\n", token);
  fflush(stdout);
  memset(token, 0, sizeof(token));
  if (self_signed)
    say_self_signed(ctx, cfg.data_dir);
  return CLI_EXIT_OK;
}
