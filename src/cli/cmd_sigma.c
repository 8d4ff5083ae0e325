/* finshield sigma check DIR...: loads and compiles a Sigma rule set the way `scan` does and
 * reports every rule it cannot take, with the reason. */
#include "cli/commands.h"

#include "core/encode.h"
#include "core/time.h"
#include "detect/sigma.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check {
  struct cli_ctx *ctx;
  size_t problems;
  bool quiet, json;
};

/* A JSON string of s (NULL: null), its bytes made valid UTF-8 first (a rule file's title may
 * hold anything). */
static json_t *text(const char *s)
{
  if (!s)
    return json_null();
  char *copy = strdup(s);
  if (!copy)
    return NULL;
  fs_utf8_scrub(copy, strlen(copy));
  json_t *j = json_string(copy);
  free(copy);
  return j;
}

static void on_problem(void *arg, const struct detect_sigma_problem *p)
{
  struct check *c = arg;
  c->problems++;
  if (c->quiet)
    return;
  if (c->json) {
    json_t *o =
        json_pack("{s:o*,s:i,s:o*,s:o*,s:o*,s:o*}", "file", text(p->file), "line", (int)p->line,
                  "id", text(p->rule_id), "title", text(p->title), "reason", text(p->reason),
                  "reason_zh", text(fs_msg_pick(p->reason, p->reason_zh, true)));
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    printf("%s\n", line ? line : "{}");
    free(line);
    json_decref(o);
    return;
  }
  printf("%s:%u: %s%s%s\n", p->file, p->line, p->rule_id ? p->rule_id : "", p->rule_id ? ": " : "",
         fs_msg_pick(p->reason, p->reason_zh, c->ctx->lang != FS_LANG_EN));
}

static int check(struct cli_ctx *ctx, int argc, char **argv)
{
  static const char usage[] =
      "finshield sigma check [--quiet] [--json] [--placeholder NAME=VALUES]... PATH...";
  struct check c = {.ctx = ctx};
  struct cli_list placeholders = {0};
  const struct cli_opt opts[] = {
      {"quiet", 'q', CLI_OPT_FLAG, &c.quiet, NULL, "print only the summary", "只顯示摘要"},
      {"json", 0, CLI_OPT_FLAG, &c.json, NULL, "one JSON object per problem, then a summary",
       "每個問題一行 JSON，最後是摘要"},
      {"placeholder", 'p', CLI_OPT_LIST, &placeholders, "NAME=V1,V2",
       "values of a %NAME% placeholder (the expand modifier)",
       "%NAME% 佔位符的值（expand 修飾詞）"},
      {NULL, 0, 0, NULL, NULL, NULL, NULL}};
  const struct cli_spec spec = {
      usage,
      "Loads every .yml/.yaml rule under each PATH, compiles them together as `scan` does, and "
      "lists each rule that cannot be taken with the reason (file:line: id: reason). Exits 1 when "
      "any rule could not be taken.",
      "載入每個路徑下的 .yml/.yaml 規則並如同 scan 一起編譯，列出每條無法採用的規則及原因"
      "（檔案:行: id: 原因）。有任何規則無法採用時結束碼為 1。",
      opts,
      1,
      64};
  const char *args[64];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  struct fs_err err;
  int64_t t0 = fs_time_mono_ns();
  struct detect_sigma_loader *l = detect_sigma_loader_new();
  if (!l) {
    fs_err_set(&err, FS_ERR_NOMEM, "", "out of memory");
    return cli_fail(ctx, &err);
  }
  size_t added = 0;
  rc = detect_sigma_loader_placeholder_texts(l, placeholders.items, placeholders.count, &err);
  if (cli_option_error(rc, &err)) {
    detect_sigma_loader_free(l);
    return cli_fail(ctx, &err);
  }
  for (size_t i = 0; i < nargs; i++) {
    size_t n;
    if (detect_sigma_loader_add_path(l, args[i], on_problem, &c, &n, &err)) {
      detect_sigma_loader_free(l);
      return cli_fail(ctx, &err);
    }
    added += n;
  }
  struct detect_sigma_set *set = detect_sigma_compile(l, on_problem, &c, &err);
  if (!set)
    return cli_fail(ctx, &err);
  struct detect_sigma_stats st;
  detect_sigma_set_stats(set, &st);
  size_t loaded = st.rules + st.correlations;
  size_t total = loaded + c.problems;
  double secs = (double)(fs_time_mono_ns() - t0) / 1e9;
  double pct = total ? 100.0 * (double)loaded / (double)total : 100.0;
  if (c.json)
    printf("{\"summary\":{\"rules\":%zu,\"loaded\":%zu,\"problems\":%zu,\"percent\":%.2f,"
           "\"correlations\":%zu,\"fields\":%zu,\"values\":%zu,\"hyperscan_patterns\":%zu,"
           "\"exact_values\":%zu,\"pcre_confirmed\":%zu,\"pcre_only\":%zu,\"regex_deferred\":%zu,"
           "\"always_rules\":%zu,\"seconds\":%.3f}}\n",
           total, loaded, c.problems, pct, st.correlations, st.fields, st.matchers, st.hs_patterns,
           st.exact_values, st.pcre_confirmed, st.pcre_only, st.regex_deferred, st.always_rules,
           secs);
  else
    printf(FS_TR(ctx->lang,
                 "%zu of %zu rules loaded (%.1f %%), %zu not taken; %zu correlation rules; "
                 "%zu fields, %zu values (%zu Hyperscan patterns, %zu exact, %zu regexes with a "
                 "PCRE2 check, %zu PCRE2 only, %zu deferred to PCRE2 on candidate rules); %.2f s\n",
                 "已載入 %zu / %zu 條規則（%.1f %%），%zu 條未採用；關聯規則 %zu 條；"
                 "%zu 個欄位、%zu 個值（Hyperscan 樣式 %zu、精確值 %zu、以 PCRE2 複核的正規表示式 "
                 "%zu、僅 PCRE2 %zu、候選規則才以 PCRE2 比對 %zu）；%.2f 秒\n"),
           loaded, total, pct, c.problems, st.correlations, st.fields, st.matchers, st.hs_patterns,
           st.exact_values, st.pcre_confirmed, st.pcre_only, st.regex_deferred, secs);
  (void)added;
  detect_sigma_set_free(set);
  return c.problems ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int cmd_sigma(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"check", check, "load a rule set and list the rules that cannot be taken",
       "載入規則集並列出無法採用的規則"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield sigma <check> [options]", subs, argc, argv);
}
