/* finshield org: list, show, add, update and import member institutions. */
#include "cli/commands.h"

#include "auth/org.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "hub/hub.h"

#include <stdio.h>
#include <string.h>

static const char *const org_keys[] = {"code",   "industry", "size_tier", "parent_code",
                                       "status", "name_zh",  "name_en",   NULL};

struct list_args {
  struct org_filter f;
  int64_t limit;
  bool json;
  json_t *all; /* what do_list collects */
};

/* Collects organisations into the list until the limit (0: everything). */
static int collect(json_t *org, void *arg, struct fs_err *err)
{
  (void)err;
  struct list_args *a = arg;
  json_array_append(a->all, org);
  return a->limit > 0 && (int64_t)json_array_size(a->all) >= a->limit ? ORG_EACH_STOP : FS_OK;
}

static int do_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct list_args *a = arg;
  json_t *all = a->all = json_array();
  int rc = org_each_json(c, who, &a->f, collect, a, err);
  if (!rc) {
    if (a->json) {
      cli_print_json(all);
    } else {
      const char *const en[] = {"CODE",   "INDUSTRY",  "TIER",      "GROUP",
                                "STATUS", "NAME (ZH)", "NAME (EN)", NULL};
      const char *const zh[] = {"代碼", "業別",     "規模",     "所屬集團",
                                "狀態", "中文名稱", "英文名稱", NULL};
      cli_print_items(ctx, all, false, org_keys, en, zh);
      printf(FS_TR(ctx->lang, "%zu organisations\n", "共 %zu 個機構\n"), json_array_size(all));
    }
  }
  json_decref(all);
  return rc;
}

static int org_list(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  struct list_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"industry", 0, CLI_OPT_STRING, &a.f.industry, "INDUSTRY", "only this industry",
       "只列此業別"},
      {"group", 0, CLI_OPT_STRING, &a.f.parent, "CODE", "only members of this holding group",
       "只列此金控集團成員"},
      {"status", 0, CLI_OPT_STRING, &a.f.status, "STATUS", "active or suspended",
       "active 或 suspended"},
      {"search", 'q', CLI_OPT_STRING, &a.f.q, "TEXT", "code or name contains TEXT",
       "代碼或名稱包含 TEXT"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N (default all)",
       "最多 N 筆（預設全部）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = "finshield org list [--industry I] [--group CODE] [-q TEXT] [--json]",
      .about_en = "Lists member institutions, ordered by code.",
      .about_zh = "依代碼列出會員機構。",
      .opts = opts};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  return cli_with_hub(ctx, &h, do_list, &a);
}

struct show_args {
  const char *id;
};

static int do_show(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  (void)ctx;
  struct show_args *a = arg;
  json_t *out;
  int rc = org_get_json(c, who, a->id, &out, err);
  if (!rc) {
    cli_print_json(out);
    json_decref(out);
  }
  return rc;
}

static int org_show(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  const struct cli_opt opts[] = {CLI_HUB_OPTS(h), {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  const struct cli_spec spec = {.usage = "finshield org show ID|CODE",
                                .about_en = "Shows one organisation as JSON.",
                                .about_zh = "以 JSON 顯示一個機構。",
                                .opts = opts,
                                .min_args = 1,
                                .max_args = 1};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct show_args a = {args[0]};
  return cli_with_hub(ctx, &h, do_show, &a);
}

/* Builds the JSON body that the API would receive from the command-line flags, so that the CLI
 * and the API validate through the same parser. */
struct edit_args {
  const char *id;
  const char *code, *name_zh, *name_en, *industry, *tier, *status, *parent;
  bool no_parent;
  struct cli_list contacts;
  bool update;
};

static json_t *edit_body(const struct edit_args *a, struct fs_err *err)
{
  json_t *b = json_object();
  if (a->code)
    json_object_set_new(b, "code", json_string(a->code));
  if (a->name_zh)
    json_object_set_new(b, "name_zh", json_string(a->name_zh));
  if (a->name_en)
    json_object_set_new(b, "name_en", json_string(a->name_en));
  if (a->industry)
    json_object_set_new(b, "industry", json_string(a->industry));
  if (a->tier)
    json_object_set_new(b, "size_tier", json_string(a->tier));
  if (a->status)
    json_object_set_new(b, "status", json_string(a->status));
  if (a->parent)
    json_object_set_new(b, "parent_id", json_string(a->parent));
  if (a->no_parent)
    json_object_set_new(b, "parent_id", json_null());
  if (a->contacts.count) {
    json_t *arr = json_array();
    for (size_t i = 0; i < a->contacts.count; i++) {
      /* ROLE:NAME[:EMAIL[:PHONE]] */
      char buf[512];
      snprintf(buf, sizeof(buf), "%s", a->contacts.items[i]);
      char *parts[4] = {0};
      char *p = buf;
      for (int k = 0; k < 4 && p; k++) {
        parts[k] = p;
        p = k < 3 ? strchr(p, ':') : NULL;
        if (p)
          *p++ = '\0';
      }
      if (!parts[1]) {
        json_decref(arr);
        json_decref(b);
        fs_err_set(err, FS_ERR_USAGE, "--contact", "expected ROLE:NAME[:EMAIL[:PHONE]]");
        return NULL;
      }
      json_t *ct = json_pack("{s:s,s:s}", "role", parts[0], "name", parts[1]);
      if (parts[2] && *parts[2])
        json_object_set_new(ct, "email", json_string(parts[2]));
      if (parts[3] && *parts[3])
        json_object_set_new(ct, "phone", json_string(parts[3]));
      json_array_append_new(arr, ct);
    }
    json_object_set_new(b, "contacts", arr);
  }
  return b;
}

static int do_edit(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *who, void *arg, struct fs_err *err)
{
  struct edit_args *a = arg;
  json_t *body = edit_body(a, err);
  if (!body)
    return FS_ERR_USAGE;
  struct org_input in;
  char id[37];
  int rc = org_input_from_json(body, a->update, &in, err);
  if (!rc)
    rc = a->update ? org_update(c, who, a->id, &in, id, err) : org_create(c, who, &in, id, err);
  json_t *out = NULL;
  if (!rc)
    rc = org_get_json(c, who, id, &out, err);
  if (!rc) {
    cli_print_json(out);
    json_decref(out);
  }
  json_decref(body);
  (void)ctx;
  return rc;
}

static int org_edit(struct cli_ctx *ctx, int argc, char **argv, bool update)
{
  struct cli_hub_opts h = {0};
  struct edit_args a = {.update = update};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"code", 0, CLI_OPT_STRING, &a.code, "CODE", "short unique code (a-z, 0-9, -)",
       "簡短唯一代碼"},
      {"name-zh", 0, CLI_OPT_STRING, &a.name_zh, "NAME", "name in Chinese", "中文名稱"},
      {"name-en", 0, CLI_OPT_STRING, &a.name_en, "NAME", "name in English", "英文名稱"},
      {"industry", 0, CLI_OPT_STRING, &a.industry, "INDUSTRY",
       "bank, securities, futures, insurance, bills_finance, credit_card, electronic_payment, "
       "financial_holding, peripheral, association, regulator",
       "業別（bank、securities、futures、insurance、bills_finance、credit_card、electronic_"
       "payment、"
       "financial_holding、peripheral、association、regulator）"},
      {"tier", 0, CLI_OPT_STRING, &a.tier, "TIER", "large, medium or small",
       "規模：large、medium 或 small"},
      {"status", 0, CLI_OPT_STRING, &a.status, "STATUS", "active or suspended",
       "active 或 suspended"},
      {"group", 0, CLI_OPT_STRING, &a.parent, "CODE", "parent financial holding company",
       "所屬金融控股公司"},
      {"no-group", 0, CLI_OPT_FLAG, &a.no_parent, NULL, "leave its holding group", "移出所屬集團"},
      {"contact", 0, CLI_OPT_LIST, &a.contacts, "ROLE:NAME[:EMAIL[:PHONE]]",
       "a contact (ciso, security, incident, general); repeat for several; replaces all",
       "聯絡人（ciso、security、incident、general），可重複；將取代全部聯絡人"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {
      .usage = update ? "finshield org update ID|CODE [--name-zh N] [--status S] [--contact ...]"
                      : "finshield org add --code C --name-zh N --name-en N --industry I --tier T "
                        "[--group CODE] [--contact ROLE:NAME[:EMAIL[:PHONE]]]...",
      .about_en = update ? "Changes an organisation; fields not given stay as they are."
                         : "Registers a member institution.",
      .about_zh = update ? "修改機構資料；未指定的欄位維持不變。" : "登錄一個會員機構。",
      .opts = opts,
      .min_args = update ? 1 : 0,
      .max_args = update ? 1 : 0,
  };
  /* One table for add and update (cli_parse_pick). */
  const char *pick = update ? "code name-zh name-en industry tier status group no-group contact"
                            : "code! name-zh! name-en! industry! tier! status group contact";
  const char *args[1];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, pick, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = update ? args[0] : NULL;
  return cli_with_hub(ctx, &h, do_edit, &a);
}

static int org_add(struct cli_ctx *ctx, int argc, char **argv)
{
  return org_edit(ctx, argc, argv, false);
}

static int org_update_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return org_edit(ctx, argc, argv, true);
}

struct import_args {
  const char *path;
};

/* One JSON object per line, as the API takes them; all lines or none. */
static int do_import(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *who, void *arg, struct fs_err *err)
{
  struct import_args *a = arg;
  struct fs_buf b;
  fs_buf_init(&b, 64 << 20);
  int rc = fs_file_read_all(a->path, &b, err);
  if (!rc)
    rc = store_begin(c, true, err);
  int count = 0;
  const char *p = fs_buf_cstr(&b), *end = p + b.len;
  for (int line = 1; !rc && p < end; line++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    json_t *obj = NULL;
    struct org_input in;
    char id[37];
    if (len && strspn(p, " \t\r") < len) {
      rc = jsonx_parse_object(p, len, &obj, err);
      if (!rc)
        rc = org_input_from_json(obj, false, &in, err);
      if (!rc)
        rc = org_create(c, who, &in, id, err);
      if (rc) {
        char where[64];
        snprintf(where, sizeof(where), "%s:%d", a->path, line);
        fs_err_wrap_where(err, where);
      } else {
        count++;
      }
      json_decref(obj);
    }
    p += len + 1;
  }
  if (!rc)
    rc = store_commit(c, err);
  else
    store_rollback(c);
  fs_buf_release(&b);
  if (!rc)
    printf(FS_TR(ctx->lang, "%d organisations imported\n", "已匯入 %d 個機構\n"), count);
  return rc;
}

static int org_import(struct cli_ctx *ctx, int argc, char **argv)
{
  struct cli_hub_opts h = {0};
  const struct cli_opt opts[] = {CLI_HUB_OPTS(h), {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  const struct cli_spec spec = {
      .usage = "finshield org import FILE.jsonl",
      .about_en = "Registers organisations from a file of JSON objects, one per line, with the "
                  "fields of POST /api/v1/orgs. Either every line is imported or none; an error "
                  "names the line and the field.",
      .about_zh =
          "從每行一個 JSON 物件的檔案（欄位同 POST /api/v1/orgs）登錄機構。全部成功或全部不匯入；"
          "錯誤會指出行號與欄位。",
      .opts = opts,
      .min_args = 1,
      .max_args = 1};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct import_args a = {args[0]};
  return cli_with_hub(ctx, &h, do_import, &a);
}

int cmd_org(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"list", org_list, "list organisations", "列出機構"},
      {"show", org_show, "show one organisation", "顯示一個機構"},
      {"add", org_add, "register an organisation", "登錄機構"},
      {"update", org_update_cmd, "change an organisation", "修改機構"},
      {"import", org_import, "register organisations from JSON lines", "從 JSON lines 匯入機構"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield org <list|show|add|update|import> [options]", subs, argc,
                      argv);
}
