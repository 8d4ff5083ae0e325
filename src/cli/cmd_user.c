/* finshield user: users, roles, passwords and second factors. */
#include "cli/commands.h"

#include "auth/user.h"
#include "hub/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct user_args {
  const char *id;
  const char *org, *username, *name, *email, *role, *status, *password_file, *code;
  int64_t limit;
  bool json;
};

static void print_user(json_t *out)
{
  cli_print_json(out);
  json_decref(out);
}

static int do_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  struct auth_page page = {.limit = a->limit > 0 && a->limit <= 1000 ? a->limit : 1000};
  json_t *out;
  int rc = user_list_json(c, who, a->org, a->role, &page, &out, err);
  if (rc)
    return rc;
  json_t *items = json_object_get(out, "items");
  if (a->json) {
    cli_print_json(items);
  } else {
    static const char *const keys[] = {"username", "org_code",     "role",
                                       "status",   "display_name", NULL};
    static const char *const en[] = {"USER", "ORG", "ROLE", "STATUS", "NAME", NULL};
    static const char *const zh[] = {"帳號", "機構", "角色", "狀態", "名稱", NULL};
    cli_print_items(ctx, items, false, keys, en, zh);
    if (json_is_string(json_object_get(out, "next")))
      printf(FS_TR(ctx->lang, "(more: narrow with --org or --role)\n",
                   "（尚有更多：請以 --org 或 --role 篩選）\n"));
  }
  json_decref(out);
  return FS_OK;
}

static int do_show(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  json_t *out;
  int rc = user_get_json(c, who, a->id, &out, err);
  if (!rc)
    print_user(out);
  return rc;
}

static int do_add(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  struct user_input in;
  user_input_init(&in);
  in.org = a->org;
  in.username = a->username;
  in.display_name = a->name ? a->name : a->username;
  in.email = a->email;
  in.role = a->role ? auth_role_parse(a->role) : -1;
  if (a->role && in.role < 0)
    return fs_err_set(err, FS_ERR_USAGE, "--role", "unknown role \"%s\"", a->role);
  char *password = NULL;
  int rc = FS_OK;
  if (a->password_file && (rc = cli_read_secret(a->password_file, &password, NULL, err)))
    return rc;
  in.password = password;
  /* The same checks as the API's JSON body. */
  json_t *probe = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "org", in.org, "username",
                            in.username, "display_name", in.display_name, "email", in.email, "role",
                            a->role, "password", password);
  struct user_input checked;
  rc = user_input_from_json(probe, false, &checked, err);
  char id[37];
  if (!rc)
    rc = user_create(c, who, &hub->auth, &checked, id, err);
  json_decref(probe);
  if (password) {
    memset(password, 0, strlen(password));
    free(password);
  }
  json_t *out;
  if (!rc && !(rc = user_get_json(c, who, id, &out, err)))
    print_user(out);
  return rc;
}

static int do_update(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  /* Only the flags given: an absent one leaves the field as it is (null would be refused). */
  static const char *const keys[] = {"display_name", "email", "role", "status"};
  const char *vals[] = {a->name, a->email, a->role, a->status};
  json_t *body = json_object();
  for (size_t i = 0; i < FS_ARRAY_SIZE(keys); i++)
    if (vals[i])
      json_object_set_new(body, keys[i], json_string(vals[i]));
  struct user_input in;
  int rc = user_input_from_json(body, true, &in, err);
  if (!rc)
    rc = user_update(c, who, a->id, &in, err);
  json_decref(body);
  json_t *out;
  if (!rc && !(rc = user_get_json(c, who, a->id, &out, err)))
    print_user(out);
  return rc;
}

static int do_passwd(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  char *password = NULL;
  int rc = cli_read_secret(a->password_file ? a->password_file : "-", &password, NULL, err);
  if (!rc)
    rc = user_set_password(c, who, &hub->auth, a->id, NULL, password, err);
  if (password) {
    memset(password, 0, strlen(password));
    free(password);
  }
  if (!rc)
    printf(FS_TR(ctx->lang, "Password of %s set.\n", "已設定 %s 的密碼。\n"), a->id);
  return rc;
}

static int do_totp(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct user_args *a = arg;
  if (a->code)
    return user_totp_confirm(c, who, &hub->auth, a->id, a->code, err);
  if (a->status && !strcmp(a->status, "off"))
    return user_totp_disable(c, who, &hub->auth, a->id, NULL, err);
  char uri[256];
  int rc = user_totp_begin(c, who, &hub->auth, a->id, NULL, "finshield", uri, err);
  if (!rc) {
    fprintf(
        stderr,
        FS_TR(ctx->lang,
              "Add this to the authenticator app, then confirm with: finshield user totp "
              "%s --code NNNNNN\n",
              "請將以下內容加入驗證器 App，再以「finshield user totp %s --code NNNNNN」確認：\n"),
        a->id);
    printf("%s\n", uri);
  }
  memset(uri, 0, sizeof(uri));
  return rc;
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t nargs_needed, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct user_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"org", 0, CLI_OPT_STRING, &a.org, "CODE", "organisation (code or id)",
       "所屬機構（代碼或 id）"},
      {"username", 'u', CLI_OPT_STRING, &a.username, "NAME", "login name (a-z 0-9 . _ -)",
       "登入帳號"},
      {"name", 0, CLI_OPT_STRING, &a.name, "TEXT", "display name", "顯示名稱"},
      {"email", 0, CLI_OPT_STRING, &a.email, "ADDR", "e-mail address", "電子郵件"},
      {"role", 0, CLI_OPT_STRING, &a.role, "ROLE",
       "hub-admin, hub-analyst, member-admin, member-analyst or supervisor",
       "角色：hub-admin、hub-analyst、member-admin、member-analyst 或 supervisor"},
      {"status", 0, CLI_OPT_STRING, &a.status, "STATUS", "active or disabled (totp: off)",
       "active 或 disabled（totp：off）"},
      {"password-file", 0, CLI_OPT_STRING, &a.password_file, "FILE",
       "read the password from FILE ('-': standard input)", "從檔案讀取密碼（'-' 為標準輸入）"},
      {"code", 0, CLI_OPT_STRING, &a.code, "NNNNNN", "TOTP code to confirm enrolment",
       "確認雙因素註冊的驗證碼"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N", "最多 N 筆"},
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

static int user_list(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield user list [--org CODE] [--role ROLE] [--limit N] [--json]",
             "Lists users.", "列出使用者。", "org role limit json", 0, do_list);
}
static int user_show(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield user show USER", "Shows one user as JSON.",
             "以 JSON 顯示一位使用者。", "", 1, do_show);
}
static int user_add(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv,
             "finshield user add --org CODE --username NAME --role ROLE [--name TEXT] [--email "
             "ADDR] [--password-file FILE]",
             "Creates a user. Without a password the user works with API tokens only.",
             "建立使用者。未設定密碼時，該使用者只能使用 API 權杖。",
             "org! username! role! name email password-file", 0, do_add);
}
static int user_update_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv,
             "finshield user update USER [--role R] [--status S] [--name T] [--email A]",
             "Changes a user; disabling one makes all its tokens fail at once.",
             "修改使用者；停用後其所有權杖立即失效。", "role status name email", 1, do_update);
}
static int user_passwd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, "finshield user passwd USER [--password-file FILE]",
      "Sets a user's login password for POST /api/v1/session (read from FILE or standard "
      "input; at least 12 characters). Hashed with Argon2id; never stored in clear.",
      "設定使用者登入（POST /api/v1/session）用的密碼（自檔案或標準輸入讀取，至少 12 字元），"
      "以 Argon2id 雜湊保存。",
      "password-file", 1, do_passwd);
}
static int user_totp(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield user totp USER [--code NNNNNN | --status off]",
             "Second factor (RFC 6238 TOTP): without options prints an otpauth:// URI to enrol; "
             "--code confirms it; --status off removes it.",
             "雙因素驗證（RFC 6238 TOTP）：不加選項時顯示註冊用 otpauth:// URI；--code 確認；"
             "--status off 移除。",
             "code status", 1, do_totp);
}

int cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"list", user_list, "list users", "列出使用者"},
      {"show", user_show, "show one user", "顯示使用者"},
      {"add", user_add, "create a user", "建立使用者"},
      {"update", user_update_cmd, "change role, status, name or e-mail",
       "修改角色、狀態、名稱或郵件"},
      {"passwd", user_passwd, "set a login password", "設定登入密碼"},
      {"totp", user_totp, "enrol, confirm or remove the second factor", "雙因素驗證設定"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield user <list|show|add|update|passwd|totp> [options]", subs,
                      argc, argv);
}
