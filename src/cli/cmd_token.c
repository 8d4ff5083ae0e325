/* finshield token: create, list and revoke API tokens. */
#include "cli/commands.h"

#include "auth/token.h"
#include "hub/hub.h"

#include <stdio.h>
#include <string.h>

struct token_args {
  const char *id, *user, *name;
  int64_t days;
  bool json;
};

static int do_create(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct token_args *a = arg;
  char token[TOKEN_TEXT_MAX];
  json_t *meta = NULL;
  int rc = token_create(c, who, &hub->auth, a->user, a->name ? a->name : "cli", a->days, "api",
                        token, &meta, err);
  if (!rc) {
    fprintf(stderr,
            FS_TR(ctx->lang, "Token %s for %s, valid until %s; shown only this once:\n",
                  "權杖 %s（使用者 %s），有效至 %s；只會顯示這一次：\n"),
            json_string_value(json_object_get(meta, "id")), a->user,
            json_string_value(json_object_get(meta, "expires_at")));
    printf("%s\n", token);
  }
  memset(token, 0, sizeof(token));
  json_decref(meta);
  return rc;
}

static int do_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct token_args *a = arg;
  struct auth_page page = {.limit = 1000};
  json_t *out;
  int rc = token_list_json(c, who, a->user, &page, &out, err);
  if (rc)
    return rc;
  json_t *items = json_object_get(out, "items");
  static const char *const keys[] = {"id",         "username", "name", "prefix",
                                     "expires_at", "active",   NULL};
  static const char *const en[] = {"ID", "USER", "NAME", "PREFIX", "EXPIRES", "ACTIVE", NULL};
  static const char *const zh[] = {"ID", "使用者", "名稱", "前綴", "到期", "有效", NULL};
  cli_print_items(ctx, items, a->json, keys, en, zh);
  json_decref(out);
  return FS_OK;
}

static int do_revoke(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct token_args *a = arg;
  int rc = token_revoke(c, who, a->id, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Token %s revoked.\n", "權杖 %s 已撤銷。\n"), a->id);
  return rc;
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t nargs_needed, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct token_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"user", 'u', CLI_OPT_STRING, &a.user, "USER", "the user the token acts for",
       "權杖代表的使用者"},
      {"name", 0, CLI_OPT_STRING, &a.name, "TEXT", "what the token is for", "權杖用途"},
      {"days", 0, CLI_OPT_INT, &a.days, "N", "lifetime in days (default auth.token_days)",
       "有效天數（預設 auth.token_days）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = about_en,
                                .about_zh = about_zh,
                                .opts = opts,
                                .min_args = nargs_needed,
                                .max_args = nargs_needed};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = nargs ? args[0] : NULL;
  return cli_with_hub(ctx, &h, fn, &a);
}

static int token_create_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield token create --user USER [--name TEXT] [--days N]",
             "Creates an API token and prints it once on standard output; the hub keeps only its "
             "SHA-256.",
             "建立 API 權杖並在標準輸出顯示一次；中樞只保存其 SHA-256。", "user! name days", 0,
             do_create);
}
static int token_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield token list [--user USER] [--json]",
             "Lists tokens (never the tokens themselves).", "列出權杖（不含權杖內容）。",
             "user json", 0, do_list);
}
static int token_revoke_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield token revoke ID",
             "Revokes a token at once: the next request with it is refused.",
             "立即撤銷權杖：之後使用該權杖的請求一律拒絕。", "", 1, do_revoke);
}

int cmd_token(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"create", token_create_cmd, "create a token (shown once)", "建立權杖（只顯示一次）"},
      {"list", token_list_cmd, "list tokens", "列出權杖"},
      {"revoke", token_revoke_cmd, "revoke a token", "撤銷權杖"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield token <create|list|revoke> [options]", subs, argc, argv);
}
