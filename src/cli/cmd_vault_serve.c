/* finshield vault token and vault serve: the continuity service (read-only balance inquiry from
 * a vault snapshot, for when core banking is down) on the program's one HTTP server
 * (http/continuity.h), and the bearer tokens it takes. */
#include "cli/cli.h"
#include "cli/cmd_vault.h"

#include "core/config.h"
#include "core/log.h"
#include "core/net.h"
#include "core/time.h"
#include "http/continuity.h"
#include "vault/continuity.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vcli_token(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {
      {"tokens", 0, CLI_OPT_NEEDED, &o.tokens, "FILE", "token file (hashes only)",
       "權杖檔（僅存雜湊）"},
      {"name", 0, CLI_OPT_NEEDED, &o.name, "NAME", "who the token is for", "權杖使用者名稱"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault token create --tokens FILE --name NAME",
      "Creates a bearer token for the continuity service and prints it once; only its "
      "hash is stored.",
      "建立持續服務的存取權杖並僅顯示一次；檔案只存其雜湊。",
      opts,
      1,
      1};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (strcmp(args[0], "create"))
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang,
                                 "the only action is create: token create --tokens FILE "
                                 "--name NAME",
                                 "唯一的動作是 create：token create --tokens FILE --name NAME"));
  char token[128];
  struct fs_err err;
  if (vault_token_create(o.tokens, o.name, token, sizeof(token), &err))
    return cli_fail(ctx, &err);
  printf("%s\n", token);
  fprintf(
      stderr, "%s\n",
      FS_TR(ctx->lang, "(shown once: only its hash is kept)", "（僅顯示一次：檔案只保存其雜湊）"));
  return CLI_EXIT_OK;
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
  (void)sig;
  stop_flag = 1;
}

/* The HTTP server's configuration for the continuity service: the [http] defaults, the address
 * and TLS files of the command line (relative to the current folder), its --set http.KEY=VALUE,
 * and no request body (the service is read-only). A usage error returns the exit code. */
static int serve_config(struct cli_ctx *ctx, const char *usage, const struct vopts *o,
                        const struct cli_list *sets, struct fs_config *cfg)
{
  fs_config_defaults(cfg);
  struct fs_err err;
  snprintf(cfg->data_dir, sizeof(cfg->data_dir), ".");
  if (snprintf(cfg->listen, sizeof(cfg->listen), "%s", o->listen ? o->listen : "127.0.0.1:8470") >=
          (int)sizeof(cfg->listen) ||
      snprintf(cfg->tls_cert, sizeof(cfg->tls_cert), "%s", o->tls_cert ? o->tls_cert : "") >=
          (int)sizeof(cfg->tls_cert) ||
      snprintf(cfg->tls_key, sizeof(cfg->tls_key), "%s", o->tls_key ? o->tls_key : "") >=
          (int)sizeof(cfg->tls_key))
    return cli_usage_error(
        ctx, usage, FS_TR(ctx->lang, "an address or file name is too long", "位址或檔名過長"));
  for (size_t i = 0; i < sets->count; i++) {
    if (strncmp(sets->items[i], "http.", 5))
      return cli_usage_error(ctx, usage,
                             FS_TR(ctx->lang, "--set takes only http.KEY=VALUE here",
                                   "此處 --set 僅接受 http.KEY=VALUE"));
    if (fs_config_set_override(cfg, sets->items[i], &err))
      return cli_usage_error(ctx, usage, fs_err_msg(&err, ctx->lang == FS_LANG_ZH_TW));
  }
  cfg->max_body_bytes = 0; /* GET only: a body is refused from the headers (413) */
  cfg->max_anonymous_body_bytes = 0;
  return CLI_EXIT_OK;
}

int vcli_serve(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  struct cli_list sets = {0};
  const struct cli_opt opts[] = {
      O_REPO,
      O_PASSWORD,
      {"snapshot", 's', CLI_OPT_STRING, &o.snapshot, "SNAPSHOT",
       "deposit to answer from (default latest)", "回應所依據的快照（預設 latest）"},
      {"tokens", 0, CLI_OPT_NEEDED, &o.tokens, "FILE", "bearer tokens (from vault token create)",
       "存取權杖檔"},
      {"listen", 'l', CLI_OPT_STRING, &o.listen, "HOST:PORT", "address (default 127.0.0.1:8470)",
       "位址（預設 127.0.0.1:8470）"},
      {"tls-cert", 0, CLI_OPT_STRING, &o.tls_cert, "FILE", "TLS certificate (needed off loopback)",
       "TLS 憑證（非本機位址必填）"},
      {"tls-key", 0, CLI_OPT_STRING, &o.tls_key, "FILE", "TLS private key", "TLS 私鑰"},
      {"set", 0, CLI_OPT_LIST, &sets, "http.KEY=VALUE",
       "a setting of the HTTP server, as the hub's [http] (limits, deadlines, access log; "
       "docs/config.md)",
       "HTTP 伺服器設定，同中樞的 [http]（限制、逾時、存取紀錄；見 docs/config.md）"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault serve --repo DIR --tokens FILE [--snapshot latest] [--listen HOST:PORT] "
      "[--set http.KEY=VALUE]...",
      "Read-only balance inquiry from the vault alone, for when core banking is down: "
      "GET /v1/accounts/ID (bearer token), on the hub's HTTP server (its limits, TLS, "
      "access log and metrics).",
      "核心系統中斷時，僅依保險庫提供唯讀餘額查詢：GET /v1/accounts/ID（需權杖），"
      "使用中樞的 HTTP 伺服器（同樣的限制、TLS、存取紀錄與指標）。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct fs_err err;
  char host[256];
  uint16_t port;
  const char *listen = o.listen ? o.listen : "127.0.0.1:8470";
  if (fs_hostport_parse(listen, host, sizeof(host), &port, &err))
    return cli_usage_error(ctx, spec.usage, fs_err_msg(&err, ctx->lang == FS_LANG_ZH_TW));
  if (!fs_host_is_loopback(host) && !(o.tls_cert && o.tls_key))
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang,
                                 "TLS is required off loopback: give --tls-cert and --tls-key",
                                 "非本機位址必須使用 TLS：請提供 --tls-cert 與 --tls-key"));
  static struct fs_config cfg; /* large: not on the stack */
  if ((rc = serve_config(ctx, spec.usage, &o, &sets, &cfg)))
    return rc;
  struct vault_repo *r;
  if ((rc = vcli_open_repo(ctx, &o, VAULT_LOCK_SHARED, &r)))
    return rc;
  int64_t t0 = fs_time_mono_ns();
  struct vault_lookup *lk;
  rc = vault_lookup_open(r, o.snapshot ? o.snapshot : "latest", &lk, &err);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  struct fs_log log;
  fs_log_init(&log, stderr, FS_LOG_INFO, !strcmp(cfg.log_format, "json"));
  const struct http_continuity_opts co = {&cfg, o.tokens, &log};
  struct http_continuity *srv;
  char url[300];
  rc = http_continuity_start(lk, &co, &srv, url, sizeof(url), &err);
  if (rc) {
    vault_lookup_free(lk);
    return cli_fail(ctx, &err);
  }
  fprintf(stderr,
          FS_TR(ctx->lang, "continuity service: %llu accounts loaded in %.2f s; listening on %s\n",
                "持續服務：已載入 %llu 個帳戶，耗時 %.2f 秒；監聽 %s\n"),
          (unsigned long long)vault_lookup_count(lk), (double)(fs_time_mono_ns() - t0) / 1e9, url);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!stop_flag)
    pause();
  http_continuity_stop(srv);
  vault_lookup_free(lk);
  return CLI_EXIT_OK;
}
