/* finshield warninglist: known-benign values that flag (or block) indicators from sources: import
 * lists in the MISP warninglist format (a file, or a folder such as MISP's lists/), list them,
 * set their action, remove them, and check a value. */
#include "cli/commands.h"

#include "core/buf.h"
#include "core/file.h"
#include "hub/hub.h"
#include "intel/feed.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct wl_args {
  const char *arg;
  const char *action, *type;
  bool json;
};

struct import_run {
  struct cli_ctx *ctx;
  struct store_conn *c;
  const struct actor *op;
  enum intel_wl_action action;
  size_t lists, failed;
  struct fs_err *first;
};

static void import_file(struct import_run *r, const char *path)
{
  struct fs_buf b;
  fs_buf_init(&b, INTEL_WL_MAX_BYTES);
  struct fs_err e;
  struct intel_wl_imported out;
  int rc = fs_file_read_all(path, &b, &e);
  if (!rc)
    rc = intel_warninglist_import(r->c, r->op, b.data ? b.data : "", b.len, r->action, &out, &e);
  fs_buf_release(&b);
  if (rc) {
    r->failed++;
    fs_err_wrap_where(&e, path);
    fprintf(stderr, "finshield: %s: %s\n", e.where, fs_err_msg(&e, r->ctx->lang != FS_LANG_EN));
    if (!r->first->code)
      *r->first = e;
    return;
  }
  r->lists++;
  printf(FS_TR(r->ctx->lang, "%s: %zu entries%s, %s\n", "%s：%zu 筆%s，%s\n"), out.name,
         out.entries,
         out.skipped ? FS_TR(r->ctx->lang, " (some cannot match)", "（部分無法比對）") : "",
         intel_wl_action_name(out.action));
}

static int cmp_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every list.json (MISP's layout: lists/<name>/list.json) or *.json under dir, in name order. */
static void import_dir(struct import_run *r, const char *dir, int depth)
{
  DIR *d = opendir(dir);
  if (!d || depth > 4) {
    if (d)
      closedir(d);
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **p = realloc(names, cap * sizeof(*p));
      if (!p)
        break;
      names = p;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof(*names), cmp_name);
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    if (names[i] && !fs_path_join(path, sizeof(path), dir, names[i]) && !stat(path, &st)) {
      size_t l = strlen(names[i]);
      if (S_ISDIR(st.st_mode))
        import_dir(r, path, depth + 1);
      else if (l > 5 && !strcmp(names[i] + l - 5, ".json") && strcmp(names[i], "schema.json"))
        import_file(r, path);
    }
    free(names[i]);
  }
  free(names);
}

static int do_import(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct wl_args *a = arg;
  int act = intel_wl_action_parse(a->action ? a->action : "flag");
  if (act < 0 || act == INTEL_WL_OFF)
    return fs_err_set(err, FS_ERR_USAGE, "--action", "expected flag or block");
  fs_err_clear(err);
  struct import_run r = {ctx, c, op, (enum intel_wl_action)act, 0, 0, err};
  struct stat st;
  if (stat(a->arg, &st))
    return fs_err_set(err, FS_ERR_NOT_FOUND, a->arg, "no such file or folder");
  if (S_ISDIR(st.st_mode))
    import_dir(&r, a->arg, 0);
  else
    import_file(&r, a->arg);
  printf(FS_TR(ctx->lang, "%zu lists imported, %zu refused\n", "已匯入 %zu 份清單，%zu 份被拒\n"),
         r.lists, r.failed);
  if (!r.lists && !r.failed)
    return fs_err_set(err, FS_ERR_NOT_FOUND, a->arg, "no warninglist (*.json) there");
  return r.failed ? (err->code ? (int)err->code : FS_ERR_INVALID) : FS_OK;
}

static int do_list(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                   const struct actor *op, void *arg, struct fs_err *err)
{
  struct wl_args *a = arg;
  json_t *list;
  int rc = intel_warninglist_list_json(c, op, &list, err);
  if (rc)
    return rc;
  if (a->json) {
    cli_print_json(list);
  } else {
    static const char *const keys[] = {"name", "type", "applies_to", "action", "entries", NULL};
    static const char *const en[] = {"NAME", "TYPE", "APPLIES TO", "ACTION", "ENTRIES", NULL};
    static const char *const zh[] = {"名稱", "比對方式", "適用種類", "處置", "筆數", NULL};
    cli_print_items(ctx, list, false, keys, en, zh);
  }
  json_decref(list);
  return FS_OK;
}

static int do_set(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *op, void *arg, struct fs_err *err)
{
  struct wl_args *a = arg;
  int act = intel_wl_action_parse(a->action);
  if (act < 0)
    return fs_err_set(err, FS_ERR_USAGE, "--action", "expected flag, block or off");
  int rc = intel_warninglist_set_action(c, op, a->arg, (enum intel_wl_action)act, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "%s: %s\n", "%s：%s\n"), a->arg, a->action);
  return rc;
}

static int do_remove(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct wl_args *a = arg;
  return intel_warninglist_remove(c, op, a->arg, err);
}

static int do_check(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                    const struct actor *op, void *arg, struct fs_err *err)
{
  struct wl_args *a = arg;
  enum intel_obs kind = a->type ? intel_obs_parse(a->type) : INTEL_OBS_NONE;
  if (a->type && kind == INTEL_OBS_NONE)
    return fs_err_set(err, FS_ERR_USAGE, "--type",
                      "expected ip, domain, url, md5, sha1, sha256, sha512 or email");
  char canon[INTEL_CANON_MAX + 1], list[INTEL_WL_NAME_MAX + 1];
  enum intel_wl_action action = INTEL_WL_FLAG;
  int rc = intel_warninglist_check(c, op, a->arg, kind, canon, &kind, list, &action, err);
  if (rc)
    return rc;
  if (list[0])
    printf(FS_TR(ctx->lang, "%s %s is on %s (%s)\n", "%s %s 列於 %s（%s）\n"), intel_obs_name(kind),
           canon, list, intel_wl_action_name(action));
  else
    printf(FS_TR(ctx->lang, "%s %s is on no list\n", "%s %s 不在任何清單\n"), intel_obs_name(kind),
           canon);
  return FS_OK;
}

static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t nargs, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct wl_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"action", 0, CLI_OPT_STRING, &a.action, "ACTION",
       "flag: store and withhold, with the list named; block: refuse; off: ignore the list",
       "flag：存入但暫停分享並註明清單；block：拒收；off：忽略此清單"},
      {"type", 0, CLI_OPT_STRING, &a.type, "KIND",
       "the value's kind (ip, domain, url, md5, sha1, sha256, sha512, email); default: detected",
       "值的種類（ip、domain、url、md5、sha1、sha256、sha512、email）；預設自動判斷"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL},
  };
  const struct cli_spec spec = {.usage = usage,
                                .about_en = about_en,
                                .about_zh = about_zh,
                                .opts = opts,
                                .min_args = nargs,
                                .max_args = nargs};
  return cli_run_picked(ctx, &spec, pick, argc, argv, &a.arg, &h, fn, &a);
}

static int wl_import(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, "finshield warninglist import FILE|DIR [--action flag|block]",
      "Imports lists in the MISP warninglist format: one file, or every list.json (and "
      "*.json) under a folder such as a copy of MISP's warninglists. A list already there "
      "is replaced and keeps its action; new ones flag (or block, with --action block).",
      "匯入 MISP 警示清單格式的清單：單一檔案，或資料夾下所有 list.json（與 *.json），例如 MISP "
      "警示清單的副本。已存在的清單會被取代並保留其處置方式；新清單預設為標示（或以 --action "
      "block 設為阻擋）。",
      "action", 1, do_import);
}
static int wl_list(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield warninglist list [--json]",
             "Lists the warninglists, the built-in special-use ones first, with their type, the "
             "kinds of value they apply to, their action and size.",
             "列出警示清單（內建的特殊用途清單在前）及其比對方式、適用的值種類、處置方式與筆數。",
             "json", 0, do_list);
}
static int wl_set(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield warninglist set NAME --action flag|block|off",
             "Sets what a list does to indicators from sources. Turning a list off releases what "
             "it flagged at the next score pass.",
             "設定清單對來源指標的處置方式。關閉清單後，其先前標示的指標於下次評分時恢復分享。",
             "action!", 1, do_set);
}
static int wl_remove(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield warninglist remove NAME",
             "Removes an imported list (built-in lists can only be turned off).",
             "移除已匯入的清單（內建清單只能關閉）。", "", 1, do_remove);
}
static int wl_check(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield warninglist check VALUE [--type KIND]",
             "Tells which list in force a value is on, after canonicalising it.",
             "將值正規化後，顯示其列於哪一份生效中的清單。", "type", 1, do_check);
}

int cmd_warninglist(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"import", wl_import, "import MISP warninglists", "匯入 MISP 警示清單"},
      {"list", wl_list, "list the warninglists", "列出警示清單"},
      {"set", wl_set, "set a list's action", "設定清單的處置方式"},
      {"remove", wl_remove, "remove an imported list", "移除已匯入的清單"},
      {"check", wl_check, "which list a value is on", "查詢值列於哪份清單"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield warninglist <import|list|set|remove|check>", subs, argc,
                      argv);
}
