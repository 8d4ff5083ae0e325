/* finshield register: every register (BCM, exercises, governance, talent, third parties, ...)
 * through one set of sub-commands: list, add, show, update, export, import, schema. */
#include "cli/commands.h"

#include "core/buf.h"
#include "core/file.h"
#include "core/jsonx.h"
#include "hub/hub.h"
#include "resilience/register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reg_args {
  const struct reg_def *d;
  const char *sub;
  const char *id;
  const char *as;
  const char *org;
  const char *sort;
  const char *as_of;
  const char *file;
  const char *format;
  const char *output;
  struct cli_list fields;
  struct cli_list filters;
  int64_t version;
  int64_t limit;
  bool json, versions;
};

/* --field NAME=VALUE (repeated) and --file FILE.json into one fields object. */
static int fields_of(const struct reg_args *a, json_t **out, struct fs_err *err)
{
  *out = NULL;
  json_t *fields = NULL;
  int rc = FS_OK;
  if (a->file) {
    struct fs_buf b;
    fs_buf_init(&b, 16u << 20);
    rc = fs_file_read_all(a->file, &b, err);
    if (!rc)
      rc = jsonx_parse_object(b.data ? b.data : "", b.len, &fields, err);
    fs_buf_release(&b);
    if (rc)
      return rc;
    json_t *inner = json_object_get(fields, "fields");
    if (json_is_object(inner)) {
      json_incref(inner);
      json_decref(fields);
      fields = inner;
    }
  } else {
    fields = json_object();
  }
  for (size_t i = 0; i < a->fields.count && !rc; i++) {
    const char *eq = strchr(a->fields.items[i], '=');
    if (!eq) {
      rc = fs_err_set(err, FS_ERR_USAGE, "--field", "write --field NAME=VALUE, not \"%s\"",
                      a->fields.items[i]);
      break;
    }
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(eq - a->fields.items[i]), a->fields.items[i]);
    const struct reg_field *f = reg_field_find(a->d, name);
    if (!f) {
      rc = fs_err_set(err, FS_ERR_INVALID, name, "register %s has no field %s", a->d->name, name);
      break;
    }
    json_t *v;
    if (!(rc = reg_value_from_text(f, eq + 1, &v, err)))
      json_object_set_new(fields, f->name, v);
  }
  if (rc)
    json_decref(fields);
  else
    *out = fields;
  return rc;
}

static int query_of(const struct reg_args *a, struct reg_query *q, struct fs_err *err)
{
  memset(q, 0, sizeof(*q));
  q->org = a->org;
  q->sort = a->sort;
  if (a->as_of) {
    int rc = reg_parse_as_of(a->as_of, "--as-of", &q->as_of, err);
    if (rc)
      return rc;
  }
  for (size_t i = 0; i < a->filters.count; i++) {
    char *eq = strchr(a->filters.items[i], '=');
    if (!eq || q->nfilters == REG_MAX_FILTERS)
      return fs_err_set(err, FS_ERR_USAGE, "--filter", "write --filter FIELD=VALUE (at most %d)",
                        REG_MAX_FILTERS);
    *eq = '\0';
    q->filter_field[q->nfilters] = a->filters.items[i];
    q->filter_value[q->nfilters++] = eq + 1;
  }
  return FS_OK;
}

/* A short line of the first few fields, for the table. */
static void summary(const struct reg_def *d, const json_t *fields, char *out, size_t n)
{
  struct fs_buf b;
  fs_buf_init(&b, n - 1);
  int shown = 0;
  for (size_t i = 0; i < d->nfields && shown < 4; i++) {
    const struct reg_field *f = &d->fields[i];
    const json_t *v = json_object_get(fields, f->name);
    if ((f->flags & REG_KEY) || !v || f->type == REG_LONGTEXT || f->type == REG_LIST)
      continue;
    if (shown++)
      fs_buf_append_str(&b, "  ");
    fs_buf_appendf(&b, "%s=", f->name);
    reg_value_to_text(f, v, &b);
  }
  snprintf(out, n, "%s", fs_buf_cstr(&b));
  fs_buf_release(&b);
}

static int print_list(struct cli_ctx *ctx, const struct reg_args *a, json_t *items)
{
  if (a->json) {
    cli_print_json(items);
    return FS_OK;
  }
  json_t *rows = json_array();
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it)
  {
    char line[200], id[9];
    summary(a->d, json_object_get(it, "fields"), line, sizeof(line));
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(it, "id")));
    json_array_append_new(
        rows,
        json_pack("{s:s,s:s,s:s,s:I,s:s}", "org", json_string_value(json_object_get(it, "org")),
                  "key", json_string_value(json_object_get(it, "key")), "id", id, "version",
                  json_integer_value(json_object_get(it, "version")), "fields", line));
  }
  static const char *const keys[] = {"org", "key", "id", "version", "fields", NULL};
  static const char *const en[] = {"ORG", "KEY", "ID", "VERSION", "FIELDS", NULL};
  static const char *const zh[] = {"機構", "鍵值", "識別碼", "版本", "欄位", NULL};
  cli_print_items(ctx, rows, false, keys, en, zh);
  printf(FS_TR(ctx->lang, "%zu records\n", "共 %zu 筆\n"), json_array_size(rows));
  json_decref(rows);
  return FS_OK;
}

struct collect {
  json_t *items;
  int64_t limit;
};

static int collect_one(const json_t *rec, void *ctx, struct fs_err *err)
{
  struct collect *cl = ctx;
  if (cl->limit && (int64_t)json_array_size(cl->items) >= cl->limit)
    return FS_OK;
  json_array_append_new(cl->items, json_deep_copy(rec));
  return FS_OK;
}

static int write_out(const char *path, const char *data, size_t len, struct fs_err *err)
{
  if (!path || !strcmp(path, "-")) {
    fwrite(data, 1, len, stdout);
    return FS_OK;
  }
  return fs_file_write_atomic(path, data, len, 0600, err);
}

static int job(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c, const struct actor *op,
               void *arg, struct fs_err *err)
{
  struct reg_args *a = arg;
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (rc)
    return rc;
  const char *sub = a->sub;
  if (!strcmp(sub, "schema")) {
    json_t *s = reg_schema_json(a->d);
    cli_print_json(s);
    json_decref(s);
    return FS_OK;
  }
  if (!strcmp(sub, "list")) {
    struct reg_query q;
    struct collect cl = {.items = json_array(), .limit = a->limit};
    rc = query_of(a, &q, err);
    if (!rc)
      rc = reg_each(c, &who, a->d, &q, collect_one, &cl, err);
    if (!rc)
      rc = print_list(ctx, a, cl.items);
    json_decref(cl.items);
    return rc;
  }
  if (!strcmp(sub, "show")) {
    json_t *out;
    int64_t as_of = 0;
    if (a->as_of && (rc = reg_parse_as_of(a->as_of, "--as-of", &as_of, err)))
      return rc;
    rc = a->versions ? reg_versions_json(c, &who, a->d, a->id, &out, err)
                     : reg_get_json(c, &who, a->d, a->id, as_of, &out, err);
    if (!rc) {
      cli_print_json(out);
      json_decref(out);
    }
    return rc;
  }
  if (!strcmp(sub, "add") || !strcmp(sub, "update")) {
    json_t *fields;
    char id[37];
    if ((rc = fields_of(a, &fields, err)))
      return rc;
    if (!strcmp(sub, "add")) {
      rc = reg_create(c, &who, a->d, a->org, fields, id, err);
    } else {
      snprintf(id, sizeof(id), "%s", a->id);
      rc = reg_update(c, &who, a->d, a->id, fields, a->version > 0, a->version, err);
    }
    json_decref(fields);
    json_t *out;
    if (!rc && !(rc = reg_get_json(c, &who, a->d, id, 0, &out, err))) {
      if (a->json)
        cli_print_json(out);
      else
        printf(FS_TR(ctx->lang, "%s record %s, version %lld\n", "%s 紀錄 %s，版本 %lld\n"),
               a->d->name, id, (long long)json_integer_value(json_object_get(out, "version")));
      json_decref(out);
    }
    return rc;
  }
  if (!strcmp(sub, "export")) {
    struct reg_query q;
    struct fs_buf b;
    fs_buf_init(&b, 0);
    rc = query_of(a, &q, err);
    if (!rc)
      rc = reg_export(c, &who, a->d, &q, a->format ? a->format : "json", &b, err);
    if (!rc)
      rc = write_out(a->output, b.data ? b.data : "", b.len, err);
    fs_buf_release(&b);
    return rc;
  }
  if (!strcmp(sub, "import")) {
    struct fs_buf b;
    fs_buf_init(&b, 256u << 20);
    int created = 0, updated = 0;
    const char *format = a->format;
    if (!format) {
      size_t l = strlen(a->id);
      format = l > 4 && !strcmp(a->id + l - 4, ".csv") ? "csv" : "json";
    }
    rc = fs_file_read_all(a->id, &b, err);
    if (!rc)
      rc = reg_import(c, &who, a->d, a->org, format, b.data ? b.data : "", b.len, &created,
                      &updated, err);
    fs_buf_release(&b);
    if (!rc)
      printf(FS_TR(ctx->lang, "%s: %d created, %d updated\n", "%s：新增 %d 筆，更新 %d 筆\n"),
             a->d->name, created, updated);
    return rc;
  }
  return fs_err_set(err, FS_ERR_USAGE, sub, "unknown sub-command");
}

static void print_registers(struct cli_ctx *ctx)
{
  size_t n;
  const struct reg_def *const *all = reg_all(&n);
  printf(FS_TR(ctx->lang,
               "usage: finshield register REGISTER list|add|show|update|export|import|schema "
               "[options]\n\nregisters:\n",
               "用法：finshield register 登錄簿 list|add|show|update|export|import|schema "
               "[選項]\n\n登錄簿：\n"));
  for (size_t i = 0; i < n; i++)
    printf("  %-20s %s\n", all[i]->name,
           ctx->lang == FS_LANG_EN ? all[i]->label_en : all[i]->label_zh);
}

int cmd_register(struct cli_ctx *ctx, int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    print_registers(ctx);
    return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  struct reg_args a = {0};
  a.d = reg_find(argv[1]);
  if (!a.d) {
    print_registers(ctx);
    return cli_usage_error(ctx, "finshield register REGISTER SUB-COMMAND",
                           FS_TR(ctx->lang, "no such register", "沒有這個登錄簿"));
  }
  /* Each sub-command with what it says of itself and the options it takes (cli_parse_pick). */
  static const struct {
    const char *name, *args, *en, *zh, *pick;
  } subs[] = {
      {"list", "", "list the records", "列出紀錄", "as org sort filter as-of limit json"},
      {"add", "", "add a record", "新增紀錄", "as org field file json"},
      {"show", " ID", "show a record (--versions: every version)",
       "顯示一筆紀錄（--versions：所有版本）", "as as-of versions json"},
      {"update", " ID", "change a record", "變更紀錄", "as field file version json"},
      {"export", "", "export the records as CSV or JSON", "以 CSV 或 JSON 匯出紀錄",
       "as org sort filter as-of format output"},
      {"import", " FILE", "import records from CSV or JSON (all or nothing)",
       "由 CSV 或 JSON 匯入紀錄（全部成功或全不寫入）", "as org format"},
      {"schema", "", "the register's fields", "登錄簿的欄位", "json"},
  };
  a.sub = argc > 2 ? argv[2] : "";
  size_t which = FS_ARRAY_SIZE(subs);
  for (size_t i = 0; i < FS_ARRAY_SIZE(subs); i++)
    if (!strcmp(subs[i].name, a.sub))
      which = i;
  if (which == FS_ARRAY_SIZE(subs)) {
    bool help = !strcmp(a.sub, "--help") || !strcmp(a.sub, "-h");
    FILE *out = help ? stdout : stderr;
    if (!help)
      fprintf(stderr, "%s: %s\n", ctx->prog,
              a.sub[0] ? FS_TR(ctx->lang, "unknown sub-command", "未知的子指令")
                       : FS_TR(ctx->lang, "give a sub-command", "請指定子命令"));
    fprintf(out, "%s: finshield register %s <list|add|show|update|export|import|schema> %s\n\n",
            FS_TR(ctx->lang, "Usage", "用法"), a.d->name, FS_TR(ctx->lang, "[options]", "[選項]"));
    for (size_t i = 0; i < FS_ARRAY_SIZE(subs); i++)
      fprintf(out, "  %-14s %s\n", subs[i].name, FS_TR(ctx->lang, subs[i].en, subs[i].zh));
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  struct cli_hub_opts h = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user: its rights, its view",
       "以此使用者身分執行（其權限與可見範圍）"},
      {"org", 0, CLI_OPT_STRING, &a.org, "CODE",
       "the organisation (add, import: owner; list, export: only it)",
       "機構代碼（新增、匯入：所屬機構；列出、匯出：僅此機構）"},
      {"field", 'f', CLI_OPT_LIST, &a.fields, "NAME=VALUE", "a field (repeat; lists: a;b;c)",
       "欄位值（可重複；清單以分號分隔）"},
      {"file", 0, CLI_OPT_STRING, &a.file, "FILE", "fields from a JSON file", "由 JSON 檔讀取欄位"},
      {"version", 0, CLI_OPT_INT, &a.version, "N", "update: the version the change is based on",
       "更新：所依據之版本"},
      {"sort", 0, CLI_OPT_STRING, &a.sort, "FIELD", "sort by an indexed field (-FIELD: descending)",
       "依索引欄位排序（-欄位為遞減）"},
      {"filter", 0, CLI_OPT_LIST, &a.filters, "FIELD=VALUE",
       "only records with this value (indexed fields)", "僅列出此欄位值之紀錄（索引欄位）"},
      {"as-of", 0, CLI_OPT_STRING, &a.as_of, "DATE",
       "as the register stood then (YYYY-MM-DD or RFC 3339)",
       "顯示當時之登錄內容（日期或 RFC 3339 時間）"},
      {"versions", 0, CLI_OPT_FLAG, &a.versions, NULL, "show: every version", "顯示所有版本"},
      {"format", 0, CLI_OPT_STRING, &a.format, "csv|json", "export and import format",
       "匯出匯入格式"},
      {"output", 'o', CLI_OPT_STRING, &a.output, "FILE",
       "export into FILE (default standard output)", "匯出至檔案（預設標準輸出）"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "list at most N", "最多列出 N 筆"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  bool needs_arg = subs[which].args[0] != '\0';
  char usage[160];
  snprintf(usage, sizeof(usage), "finshield register %s %s%s [options]", a.d->name,
           subs[which].name, subs[which].args);
  const struct cli_spec spec = {.usage = usage,
                                .about_en = subs[which].en,
                                .about_zh = subs[which].zh,
                                .opts = opts,
                                .min_args = needs_arg ? 1 : 0,
                                .max_args = needs_arg ? 1 : 0};
  const char *args[2];
  size_t nargs;
  int rc = cli_parse_pick(ctx, &spec, subs[which].pick, argc - 2, argv + 2, args, &nargs);
  if (rc >= 0)
    return rc;
  a.id = nargs ? args[0] : NULL;
  if (a.format && strcmp(a.format, "csv") && strcmp(a.format, "json"))
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--format is csv or json", "--format 為 csv 或 json"));
  return cli_with_hub(ctx, &h, job, &a);
}
