/* Shared option parsing, help text, error reporting and configuration loading for commands. */
#include "cli/cli.h"

#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0: spec does not take o; 1: it takes it; 2: it takes it and cannot go without it. */
static int taken(const char *pick, const struct cli_opt *o)
{
  static const char *const always[] = {"data", "config", "set"};
  int need = o->type == CLI_OPT_NEEDED ? 2 : 1;
  if (!pick)
    return need;
  for (size_t i = 0; i < FS_ARRAY_SIZE(always); i++)
    if (!strcmp(o->name, always[i]))
      return need;
  size_t n = strlen(o->name);
  for (const char *p = pick; *p;) {
    p += strspn(p, " ");
    size_t len = strcspn(p, " !");
    if (len == n && !strncmp(p, o->name, n))
      return p[len] == '!' ? 2 : need;
    p += len;
    if (*p == '!')
      p++;
  }
  return 0;
}

enum { MAX_OPTS = 64 };

/* The table fits the parser, and every name that pick lists is an option of it (a typo would
 * drop one silently). */
static bool spec_is_sound(const struct cli_spec *spec, const char *pick)
{
  size_t n = 0;
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    n++;
  if (n > MAX_OPTS)
    return false;
  for (const char *p = pick; p && *p;) {
    p += strspn(p, " ");
    size_t len = strcspn(p, " !");
    bool found = !len;
    for (const struct cli_opt *o = spec->opts; o && o->name && !found; o++)
      found = strlen(o->name) == len && !strncmp(o->name, p, len);
    if (!found)
      return false;
    p += len;
    if (*p == '!')
      p++;
  }
  return true;
}

static void print_help(struct cli_ctx *ctx, const struct cli_spec *spec, const char *pick)
{
  cli_print_usage(ctx, stdout, "Usage", "用法", spec->usage);
  printf("\n");
  const char *about = FS_TR(ctx->lang, spec->about_en, spec->about_zh);
  if (about && *about)
    printf("%s\n\n", about);
  printf("%s:\n", FS_TR(ctx->lang, "Options", "選項"));
  for (const struct cli_opt *o = spec->opts; o && o->name; o++) {
    int t = taken(pick, o);
    if (!t)
      continue;
    char left[96];
    int n = 0;
    if (o->short_name)
      n = snprintf(left, sizeof(left), "-%c, ", o->short_name);
    snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "",
             o->arg ? o->arg : "");
    const char *help = FS_TR(ctx->lang, o->help_en, o->help_zh);
    const char *req = t == 2 ? FS_TR(ctx->lang, " (required)", "（必填）") : "";
    /* A long left column gets a line of its own, so that two spaces always part the columns. */
    if (strlen(left) < 30)
      printf("  %-30s %s%s\n", left, help, req);
    else
      printf("  %s\n  %-30s %s%s\n", left, "", help, req);
  }
  printf("  %-30s %s\n", "-h, --help", FS_TR(ctx->lang, "show this help", "顯示本說明"));
}

void cli_print_help(struct cli_ctx *ctx, const struct cli_spec *spec)
{
  print_help(ctx, spec, NULL);
}

int cli_usage_error(struct cli_ctx *ctx, const char *usage, const char *msg)
{
  fprintf(stderr, "%s: %s\n", ctx->prog, msg);
  cli_print_usage(ctx, stderr, "usage", "用法", usage);
  return CLI_EXIT_USAGE;
}

int cli_option_error(int rc, struct fs_err *err)
{
  if (rc == FS_ERR_INVALID)
    rc = err->code = FS_ERR_USAGE;
  return rc;
}

static int missing_option(struct cli_ctx *ctx, const char *usage, const char *name, const char *arg)
{
  char msg[160];
  snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "missing --%s%s%s", "缺少 --%s%s%s"), name,
           arg ? " " : "", arg ? arg : "");
  return cli_usage_error(ctx, usage, msg);
}

static const struct cli_opt *find_long(const struct cli_spec *spec, const char *pick,
                                       const char *name, size_t len)
{
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (strlen(o->name) == len && !strncmp(o->name, name, len) && taken(pick, o))
      return o;
  return NULL;
}

static const struct cli_opt *find_short(const struct cli_spec *spec, const char *pick, char c)
{
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (o->short_name == c && taken(pick, o))
      return o;
  return NULL;
}

static int store_value(struct cli_ctx *ctx, const struct cli_spec *spec, const struct cli_opt *o,
                       const char *value)
{
  char msg[256];
  switch (o->type) {
  case CLI_OPT_FLAG:
    *(bool *)o->dest = true;
    return -1;
  case CLI_OPT_STRING:
  case CLI_OPT_NEEDED:
    *(const char **)o->dest = value;
    return -1;
  case CLI_OPT_INT: {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (!*value || *end || errno) {
      snprintf(
          msg, sizeof(msg),
          FS_TR(ctx->lang, "--%s expects a whole number, not \"%s\"", "--%s 需要整數，而非「%s」"),
          o->name, value);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    *(int64_t *)o->dest = v;
    return -1;
  }
  case CLI_OPT_LIST: {
    struct cli_list *l = o->dest;
    if (l->count >= FS_ARRAY_SIZE(l->items)) {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "--%s given too many times", "--%s 次數過多"),
               o->name);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    l->items[l->count++] = value;
    return -1;
  }
  }
  return -1;
}

/* --completion-helper (git's --git-completion-helper): every option the parser accepts, asked of
 * the same lookups that parsing uses, for every entry of the table: "--data --json -d", one line.
 */
static void print_accepted(const struct cli_spec *spec, const char *pick)
{
  const char *sep = "";
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (find_long(spec, pick, o->name, strlen(o->name)) == o) {
      printf("%s--%s", sep, o->name);
      sep = " ";
    }
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (o->short_name && find_short(spec, pick, o->short_name) == o) {
      printf("%s-%c", sep, o->short_name);
      sep = " ";
    }
  printf("\n");
}

int cli_parse(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
              const char **args, size_t *nargs)
{
  return cli_parse_pick(ctx, spec, NULL, argc, argv, args, nargs);
}

int cli_parse_pick(struct cli_ctx *ctx, const struct cli_spec *spec, const char *pick, int argc,
                   char **argv, const char **args, size_t *nargs)
{
  *nargs = 0;
  bool seen[MAX_OPTS] = {false};
  if (!spec_is_sound(spec, pick)) { /* a programming error, caught by any run of the command */
    fprintf(stderr,
            FS_TR(ctx->lang, "%s: internal error: \"%s\" picks an option it does not have\n",
                  "%s：內部錯誤：「%s」選用了不存在的選項\n"),
            ctx->prog, spec->usage);
    return CLI_EXIT_FAILURE;
  }
  bool only_positional = false;
  char msg[256];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_positional || a[0] != '-' || !a[1]) {
      if (*nargs >= spec->max_args) {
        snprintf(msg, sizeof(msg),
                 FS_TR(ctx->lang, "unexpected argument \"%s\"", "多餘的參數「%s」"), a);
        return cli_usage_error(ctx, spec->usage, msg);
      }
      args[(*nargs)++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_positional = true;
      continue;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      print_help(ctx, spec, pick);
      return CLI_EXIT_OK;
    }
    if (!strcmp(a, "--completion-helper")) {
      print_accepted(spec, pick);
      return CLI_EXIT_OK;
    }
    const struct cli_opt *o;
    const char *inline_value = NULL;
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      o = find_long(spec, pick, name, eq ? (size_t)(eq - name) : strlen(name));
      if (eq)
        inline_value = eq + 1;
    } else {
      o = a[2] ? NULL : find_short(spec, pick, a[1]);
    }
    if (!o) {
      snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "unknown option \"%s\"", "未知的選項「%s」"), a);
      return cli_usage_error(ctx, spec->usage, msg);
    }
    const char *value = NULL;
    if (o->type == CLI_OPT_FLAG) {
      if (inline_value) {
        snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "--%s takes no value", "--%s 不接受值"),
                 o->name);
        return cli_usage_error(ctx, spec->usage, msg);
      }
    } else if (inline_value) {
      value = inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      snprintf(msg, sizeof(msg),
               FS_TR(ctx->lang, "--%s needs a value (%s)", "--%s 需要一個值（%s）"), o->name,
               o->arg ? o->arg : "VALUE");
      return cli_usage_error(ctx, spec->usage, msg);
    }
    int rc = store_value(ctx, spec, o, value);
    if (rc >= 0)
      return rc;
    seen[o - spec->opts] = true;
  }
  for (const struct cli_opt *o = spec->opts; o && o->name; o++)
    if (taken(pick, o) == 2 && !seen[o - spec->opts])
      return missing_option(ctx, spec->usage, o->name, o->arg);
  if (*nargs < spec->min_args) {
    snprintf(msg, sizeof(msg), FS_TR(ctx->lang, "missing argument", "缺少參數"));
    return cli_usage_error(ctx, spec->usage, msg);
  }
  return -1;
}

int cli_fail(struct cli_ctx *ctx, const struct fs_err *err)
{
  bool zh = ctx->lang == FS_LANG_ZH_TW;
  const char *title = fs_code_message(err->code, zh);
  const char *msg = fs_err_msg(err, zh);
  if (err->where[0])
    fprintf(stderr, "%s: %s: %s: %s\n", ctx->prog, title, err->where, msg);
  else
    fprintf(stderr, "%s: %s: %s\n", ctx->prog, title, msg[0] ? msg : title);
  return err->code == FS_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

int cli_load_config(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct fs_config *cfg,
                    struct fs_err *err)
{
  fs_config_defaults(cfg);
  if (h->data_dir && fs_config_set(cfg, "hub", "data_dir", h->data_dir, err))
    return FS_ERR_USAGE;
  char path[FS_CONFIG_PATH_MAX + 32];
  const char *file = h->config_file;
  if (!file) {
    snprintf(path, sizeof(path), "%s/finshield.ini", cfg->data_dir);
    if (fs_path_exists(path))
      file = path;
  }
  int rc;
  if (file && (rc = fs_config_load_file(cfg, file, err)))
    return rc;
  /* The folder named on the command line wins over one named in the file. */
  if (h->data_dir && fs_config_set(cfg, "hub", "data_dir", h->data_dir, err))
    return FS_ERR_USAGE;
  for (size_t i = 0; i < h->overrides.count; i++)
    if ((rc = fs_config_set_override(cfg, h->overrides.items[i], err)))
      return rc == FS_ERR_INVALID ? FS_ERR_USAGE : rc;
  if (h->listen && fs_config_set(cfg, "http", "listen", h->listen, err))
    return FS_ERR_USAGE;
  (void)ctx;
  return fs_config_validate(cfg, err);
}
