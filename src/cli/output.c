/* Output helpers shared by commands: sub-command dispatch, JSON and tables, secrets from files. */
#include "cli/cli.h"

#include "auth/user.h"
#include "core/buf.h"
#include "core/file.h"
#include "hub/hub.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_open_hub(struct cli_ctx *ctx, const struct cli_hub_opts *h, struct hub *hub,
                 size_t max_conns, struct fs_err *err)
{
  struct fs_config cfg;
  int rc = cli_load_config(ctx, h, &cfg, err);
  if (!rc)
    rc = hub_open(hub, &cfg, max_conns, err);
  return rc;
}

int cli_run_picked(struct cli_ctx *ctx, const struct cli_spec *spec, const char *pick, int argc,
                   char **argv, const char **arg, const struct cli_hub_opts *h, cli_hub_job_fn fn,
                   void *job)
{
  const char *args[1];
  size_t n;
  int rc = cli_parse_pick(ctx, spec, pick, argc, argv, args, &n);
  if (rc >= 0)
    return rc;
  *arg = n ? args[0] : NULL;
  return cli_with_hub(ctx, h, fn, job);
}

int cli_with_hub(struct cli_ctx *ctx, const struct cli_hub_opts *h, cli_hub_job_fn fn, void *arg)
{
  struct hub hub;
  struct fs_err err;
  fs_err_clear(&err);
  int rc = cli_open_hub(ctx, h, &hub, 1, &err);
  if (rc)
    return cli_fail(ctx, &err);
  struct store_conn *c;
  struct actor who;
  hub_local_actor(&hub, &who);
  rc = store_acquire(hub.store, &c, &err);
  if (!rc) {
    rc = fn(ctx, &hub, c, &who, arg, &err);
    store_release(hub.store, c);
  }
  hub_close(&hub);
  return rc ? cli_fail(ctx, &err) : CLI_EXIT_OK;
}

void cli_print_usage(const struct cli_ctx *ctx, FILE *out, const char *label_en,
                     const char *label_zh, const char *usage)
{
  static const char opts[] = "[options]";
  const char *o = ctx->lang == FS_LANG_EN ? NULL : strstr(usage, opts);
  if (o)
    fprintf(out, "%s: %.*s%s%s\n", label_zh, (int)(o - usage), usage, "[選項]", o + strlen(opts));
  else
    fprintf(out, "%s: %s\n", FS_TR(ctx->lang, label_en, label_zh), usage);
}

int cli_actor_as(struct store_conn *c, const struct actor *op, const char *as, struct actor *out,
                 struct fs_err *err)
{
  if (!as) {
    *out = *op;
    return FS_OK;
  }
  return user_actor(c, as, op->now_ms, "cli", out, err);
}

int cli_dispatch(struct cli_ctx *ctx, const char *usage, const struct cli_subcommand *table,
                 int argc, char **argv)
{
  const char *name = argc > 1 ? argv[1] : NULL;
  if (name && strcmp(name, "--help") && strcmp(name, "-h")) {
    for (const struct cli_subcommand *s = table; s->name; s++)
      if (!strcmp(s->name, name))
        return s->run(ctx, argc - 1, argv + 1);
  }
  FILE *out = name && strcmp(name, "--help") && strcmp(name, "-h") ? stderr : stdout;
  if (name && out == stderr)
    fprintf(stderr,
            FS_TR(ctx->lang, "%s: unknown sub-command \"%s\"\n", "%s：未知的子指令「%s」\n"),
            ctx->prog, name);
  cli_print_usage(ctx, out, "Usage", "用法", usage);
  fprintf(out, "\n");
  int width = 14; /* names and summaries at least two spaces apart */
  for (const struct cli_subcommand *s = table; s->name; s++)
    if ((int)strlen(s->name) + 1 > width)
      width = (int)strlen(s->name) + 1;
  for (const struct cli_subcommand *s = table; s->name; s++)
    fprintf(out, "  %-*s %s\n", width, s->name, FS_TR(ctx->lang, s->summary_en, s->summary_zh));
  return name && out == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

void cli_print_json(const void *doc)
{
  char *s = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);
  if (s) {
    puts(s);
    free(s);
  }
}

/* Display width of a UTF-8 string: characters from U+1100 up (CJK and friends) count two. */
static size_t display_width(const char *s)
{
  size_t w = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned cp;
    size_t n;
    if (*p < 0x80) {
      cp = *p;
      n = 1;
    } else if ((*p & 0xe0) == 0xc0) {
      cp = *p & 0x1f;
      n = 2;
    } else if ((*p & 0xf0) == 0xe0) {
      cp = *p & 0x0f;
      n = 3;
    } else {
      cp = *p & 0x07;
      n = 4;
    }
    for (size_t i = 1; i < n && p[i]; i++)
      cp = (cp << 6) | (p[i] & 0x3f);
    for (size_t i = 0; i < n && *p; i++)
      p++;
    w += cp >= 0x1100 ? 2 : 1;
  }
  return w;
}

static const char *cell(enum fs_lang lang, json_t *item, const char *key, char *buf, size_t n)
{
  json_t *v = json_object_get(item, key);
  if (json_is_string(v))
    return json_string_value(v);
  if (json_is_integer(v))
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
  else if (json_is_boolean(v))
    snprintf(buf, n, "%s", json_is_true(v) ? FS_TR(lang, "yes", "是") : FS_TR(lang, "no", "否"));
  else
    snprintf(buf, n, "-");
  return buf;
}

/* items as aligned columns under headings, yes/no in lang (cli_print_items). */
static void print_table(enum fs_lang lang, const void *items_v, const char *const *keys,
                        const char *const *headings)
{
  json_t *items = (json_t *)(uintptr_t)items_v;
  size_t ncol = 0;
  while (keys[ncol])
    ncol++;
  size_t width[32] = {0};
  char buf[64];
  for (size_t c = 0; c < ncol && c < 32; c++)
    width[c] = display_width(headings[c]);
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item)
  {
    for (size_t c = 0; c < ncol && c < 32; c++) {
      size_t w = display_width(cell(lang, item, keys[c], buf, sizeof(buf)));
      if (w > width[c])
        width[c] = w;
    }
  }
  for (size_t c = 0; c < ncol && c < 32; c++)
    printf("%s%-*s", headings[c],
           c + 1 < ncol ? (int)(width[c] - display_width(headings[c]) + 2) : 0, "");
  printf("\n");
  json_array_foreach(items, i, item)
  {
    for (size_t c = 0; c < ncol && c < 32; c++) {
      const char *s = cell(lang, item, keys[c], buf, sizeof(buf));
      printf("%s%-*s", s, c + 1 < ncol ? (int)(width[c] - display_width(s) + 2) : 0, "");
    }
    printf("\n");
  }
}

int cli_read_secret(const char *path, char **out, size_t *len, struct fs_err *err)
{
  struct fs_buf b;
  fs_buf_init(&b, 4096);
  int rc = fs_file_read_all(path, &b, err);
  if (rc) {
    fs_buf_release(&b);
    return rc;
  }
  while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
    b.data[--b.len] = '\0';
  *out = fs_buf_detach(&b, len);
  return *out ? FS_OK : fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
}

void cli_print_items(const struct cli_ctx *ctx, const void *items, bool json,
                     const char *const *keys, const char *const *en, const char *const *zh)
{
  if (json)
    cli_print_json(items);
  else
    print_table(ctx->lang, items, keys, ctx->lang == FS_LANG_EN ? en : zh);
}
