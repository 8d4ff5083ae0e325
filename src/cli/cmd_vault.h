/* The vault command's files (cmd_vault.c: the table and most subcommands; cmd_vault_look.c:
 * snapshots, ls, diff; cmd_vault_retention.c: forget, prune, retention; cmd_vault_key.c: key files;
 * cmd_vault_serve.c: the continuity service; cmd_vault_report.c: drill evidence to the hub): the
 * options they share and the helpers that open a repository and print. Internal to src/cli. */
#ifndef FS_CLI_CMD_VAULT_H
#define FS_CLI_CMD_VAULT_H

#include "cli/cli.h"
#include "cli/progress.h"
#include "vault/vault.h"

/* Options shared by the subcommands; each subcommand's spec lists the ones it takes. */
struct vopts {
  const char *repo, *password_file, *partner_secret, *key_file, *partner_key, *business_date,
      *target, *to, *format, *scratch, *tokens, *listen, *tls_cert, *tls_key, *name, *kdf,
      *snapshot, *out, *now, *report_to, *service, *token_file, *attestation, *cacert;
  int64_t threads, daily, monthly, pack_mib;
  bool json, read_data, files, expired, dry_run, long_list, no_rows;
  struct cli_progress progress; /* --progress, --quiet */
};

#define O_REPO                                                                                     \
  {                                                                                                \
    "repo", 'r', CLI_OPT_STRING, &o.repo, "DIR", "repository folder (or FINSHIELD_VAULT_REPO)",    \
        "保險庫資料夾（或 FINSHIELD_VAULT_REPO）"                                         \
  }
#define O_PASSWORD                                                                                                  \
  {"password-file",                                                                                                 \
   'p',                                                                                                             \
   CLI_OPT_STRING,                                                                                                  \
   &o.password_file,                                                                                                \
   "FILE",                                                                                                          \
   "file holding the password (or FINSHIELD_VAULT_PASSWORD_FILE)",                                                  \
   "存放密碼的檔案（或 FINSHIELD_VAULT_PASSWORD_FILE）"},                                                           \
      {"partner-secret",                                                                                            \
       0,                                                                                                           \
       CLI_OPT_STRING,                                                                                              \
       &o.partner_secret,                                                                                           \
       "FILE",                                                                                                      \
       "unlock with the restoration partner's secret key instead of the password",                                  \
       "以復原合作機構的私鑰開啟（不使用密碼）"},                                                                   \
  {                                                                                                                 \
    "key-file", 'k', CLI_OPT_STRING, &o.key_file, "FILE",                                                           \
        "unlock with a key file (vault key add; or FINSHIELD_VAULT_KEY_FILE): no password, no "                     \
        "key derivation",                                                                                           \
        "以金鑰檔開啟（vault key add 產生；或 FINSHIELD_VAULT_KEY_FILE）：免密碼、免金鑰衍生" \
  }
#define O_THREADS                                                                                  \
  {                                                                                                \
    "threads", 0, CLI_OPT_INT, &o.threads, "N", "worker threads (default: CPUs)",                  \
        "工作執行緒數（預設：CPU 數）"                                                 \
  }
#define O_JSON                                                                                     \
  {                                                                                                \
    "json", 0, CLI_OPT_FLAG, &o.json, NULL, "machine-readable JSON output", "輸出 JSON"          \
  }
#define O_PROGRESS CLI_PROGRESS_OPTS(o.progress)
#define O_END                                                                                      \
  {                                                                                                \
    NULL, 0, 0, NULL, NULL, NULL, NULL                                                             \
  }

/* Opens the repository with the partner's key, a key file or the password (in that order of the
 * options given; then FINSHIELD_VAULT_KEY_FILE, FINSHIELD_VAULT_PASSWORD_FILE). The exit code. */
int vcli_open_repo(struct cli_ctx *ctx, struct vopts *o, enum vault_lock_mode mode,
                   struct vault_repo **r);
/* cli_parse, then vcli_open_repo: -1 with *r open when the command goes on, else the exit code
 * (help printed, usage error, repository that cannot be opened). */
int vcli_parse_open(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
                    const char **args, size_t *nargs, struct vopts *o, enum vault_lock_mode mode,
                    struct vault_repo **r);
/* The repository folder (--repo or FINSHIELD_VAULT_REPO), or NULL after saying it is needed. */
const char *vcli_repo_dir(struct cli_ctx *ctx, struct vopts *o);
void vcli_print_problems(struct cli_ctx *ctx, const struct vault_problems *p);
double vcli_mib(uint64_t b);
/* Prints a JSON value, indented, and releases it. */
void vcli_print_json(json_t *x);

int vcli_snapshots(struct cli_ctx *ctx, int argc, char **argv);
/* cmd_vault_retention.c */
int vcli_forget(struct cli_ctx *ctx, int argc, char **argv);
int vcli_prune(struct cli_ctx *ctx, int argc, char **argv);
int vcli_retention(struct cli_ctx *ctx, int argc, char **argv);
int vcli_ls(struct cli_ctx *ctx, int argc, char **argv);
int vcli_diff(struct cli_ctx *ctx, int argc, char **argv);
int vcli_key(struct cli_ctx *ctx, int argc, char **argv);
/* The continuity service (cmd_vault_serve.c): token create, serve. */
int vcli_token(struct cli_ctx *ctx, int argc, char **argv);
int vcli_serve(struct cli_ctx *ctx, int argc, char **argv);
/* Uploads a drill record to the hub named by o->report_to for o->service (cmd_vault_report.c), with
 * the member's API token from o->token_file or FINSHIELD_TOKEN, and the deposit attestation in
 * o->attestation when given; prints the hub's verdict. The exit code. */
int vcli_report_drill(struct cli_ctx *ctx, const struct vopts *o, const char *evidence);

#endif
