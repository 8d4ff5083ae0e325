/* finshield intel: import and export STIX bundles, get an object, search, collections. */
#include "cli/commands.h"
#include "cli/progress.h"

#include "core/mem.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/uuid.h"
#include "hub/hub.h"
#include "intel/intel.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct intel_args {
  const char *arg;        /* FILE, ID or VALUE */
  const char *collection; /* alias */
  const char *as;         /* act as this user */
  bool anonymous, json;
  int64_t limit;
  /* collection add */
  const char *kind, *owner, *tlp, *title;
  struct cli_list members;
  bool member_write;
  struct cli_progress progress; /* import: --progress, --quiet */
  /* export --format, correlate, graph */
  const char *format, *dataset, *output;
  int64_t sid_base, fanout;
  bool stix;
  int64_t part_objects; /* import: intel.import_part_objects */
};

/* A large document is read and stored in parts (intel.import_part_objects objects, and a part
 * ends before IMPORT_PART_BYTES of text), each part its own transaction; an object may take up to
 * IMPORT_OBJECT_MAX bytes (the limit of a whole document before parts). */
#define IMPORT_PART_BYTES (64u << 20)
#define IMPORT_OBJECT_MAX (32u << 20)

struct import {
  struct cli_ctx *ctx;
  struct intel_args *a;
  struct store_conn *c;
  const struct actor *who;
  struct intel_collection col;
  struct intel_ingest_options opt;
  size_t total, stored, refused, parts;
  json_t *failures;   /* --json: every failure, indexes in the whole document */
  size_t n_successes; /* --json: successes printed so far */
  struct fs_buf text; /* the part's envelope */
};

/* Reads and stores one document or part (text, len) whose first element has index base. */
static int import_part(struct import *im, const char *text, size_t len, size_t max_bytes,
                       size_t base, struct fs_err *err)
{
  struct stix_limits lim;
  stix_limits_default(&lim);
  lim.max_bytes = max_bytes;
  lim.max_objects = (size_t)1 << 30; /* a part's count is bounded by its maker */
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = len >= (1u << 20) && cpus > 1 ? (size_t)cpus : 1;
  struct intel_batch *batch;
  int rc = intel_batch_read(text, len, &lim, threads, &batch, err);
  if (rc)
    return rc;
  struct intel_ingest_result ir;
  rc = intel_ingest_batch(im->c, im->who, &im->col, batch, &im->opt, &ir, err);
  intel_batch_free(batch);
  if (!rc) {
    im->parts++;
    im->total += ir.total;
    im->stored += ir.success;
    im->refused += ir.failure;
    size_t i;
    json_t *f;
    json_array_foreach(ir.successes, i, f)
    {
      fputs(im->n_successes++ ? ",\n    " : "\n    ", stdout);
      json_dumpf(f, stdout, JSON_COMPACT);
    }
    json_array_foreach(ir.failures, i, f)
    {
      json_int_t index = json_integer_value(json_object_get(f, "index")) + (json_int_t)base;
      json_object_set_new(f, "index", json_integer(index));
      if (im->failures) {
        json_array_append(im->failures, f);
        continue;
      }
      const char *id = json_string_value(json_object_get(f, "id"));
      const char *msg = json_string_value(json_object_get(f, "message"));
      const char *zh = json_string_value(json_object_get(f, "message_zh"));
      fprintf(stderr, "  %s #%lld %s: %s\n", im->a->arg, (long long)index, id ? id : "",
              fs_msg_pick(msg, zh, im->ctx->lang != FS_LANG_EN));
    }
  }
  intel_ingest_result_release(&ir);
  return rc;
}

/* True when the mapped document holds needle (n bytes); its pages go back as they are read. */
static bool map_contains(struct fs_file_map *m, const char *needle, size_t n)
{
  const size_t step = IMPORT_PART_BYTES;
  for (size_t at = 0; at < m->len; at += step) {
    size_t end = m->len - at > step + n ? at + step + n : m->len;
    bool found = memmem(m->data + at, end - at, needle, n) != NULL;
    fs_file_map_drop(m, at + step);
    if (found)
      return true;
  }
  return false;
}

/* The document in parts: each run of elements wrapped as an envelope, read and stored. */
static int import_parts(struct import *im, struct stix_split *sp, struct fs_file_map *m,
                        struct fs_err *err)
{
  /* An anonymous submission withholds the identities its anonymous objects name, wherever they
   * are in it: such a document is one part (memory then grows with it). */
  size_t per_part = (size_t)im->a->part_objects, part_bytes = IMPORT_PART_BYTES;
  bool anonymous =
      im->a->anonymous || map_contains(m, INTEL_PROP_ANONYMOUS, sizeof(INTEL_PROP_ANONYMOUS) - 1);
  if (!anonymous && map_contains(m, "\\u", 2)) { /* a name may be written with escapes */
    anonymous = stix_split_any_member(sp, INTEL_PROP_ANONYMOUS);
    fs_file_map_drop(m, m->len);
  }
  if (anonymous)
    per_part = part_bytes = SIZE_MAX;
  static const char head[] = "{\"objects\":[", tail[] = "]}";
  for (;;) {
    struct stix_split_part p;
    int rc = stix_split_next(sp, per_part, part_bytes, &p, err);
    if (rc || !p.n)
      return rc;
    fs_buf_reset(&im->text);
    if (fs_buf_append(&im->text, head, sizeof(head) - 1) ||
        fs_buf_append(&im->text, m->data + p.start, p.end - p.start) ||
        fs_buf_append(&im->text, tail, sizeof(tail) - 1))
      return fs_err_set(err, FS_ERR_NOMEM, "document", "out of memory");
    fs_file_map_drop(m, p.end);
    if ((rc = import_part(im, im->text.data, im->text.len, im->text.len, p.first_index, err))) {
      /* an element that reads only when built (a duplicate key): where in the file */
      const char *at = strstr(err->where, "(byte ");
      size_t b;
      if (at && sscanf(at, "(byte %zu)", &b) == 1 && b >= sizeof(head) - 1)
        snprintf(err->where, sizeof(err->where), "byte %zu (objects #%zu to #%zu)",
                 b - (sizeof(head) - 1) + p.start, p.first_index, p.first_index + p.n - 1);
      return rc;
    }
  }
}

/* Says in err what of the document was stored before it failed. */
static void import_note(const struct import *im, struct fs_err *err)
{
  char en[256], zh[384];
  fs_msg_format(en, sizeof(en), zh, sizeof(zh),
                "; the %zu objects before it were read (%zu stored, %zu refused): importing the "
                "repaired file again stores the rest (objects stored already stay as they are)",
                im->total, im->stored, im->refused);
  if (!err->msg_zh[0])
    snprintf(err->msg_zh, sizeof(err->msg_zh), "%s", err->msg);
  size_t n = strlen(err->msg), nz = strlen(err->msg_zh);
  snprintf(err->msg + n, sizeof(err->msg) - n, "%s", en);
  snprintf(err->msg_zh + nz, sizeof(err->msg_zh) - nz, "%s", zh);
}

static int do_import(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct actor who;
  struct import im = {.ctx = ctx, .a = a, .c = c, .who = &who};
  struct fs_file_map m;
  memset(&m, 0, sizeof(m));
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc)
    rc = intel_collection_find(c, &who, a->collection ? a->collection : "sector", &im.col, err);
  if (!rc && (rc = fs_file_map(a->arg, (size_t)hub->cfg.intel_import_max_bytes, &m, err)) ==
                 FS_ERR_TOO_LARGE)
    fs_err_set(err, rc, a->arg,
               "file larger than the limit of %lld bytes (intel.import_max_bytes): nothing stored",
               (long long)hub->cfg.intel_import_max_bytes);
  if (rc) {
    fs_file_unmap(&m);
    return rc;
  }
  a->part_objects = hub->cfg.intel_import_part_objects;
  fs_mem_bulk_heap(); /* one import in this process: its parts' text and batches */
  fs_buf_init(&im.text, 0);
  im.opt = (struct intel_ingest_options){.anonymous = a->anonymous, .failures_only = !a->json};
  if (a->json) {
    im.failures = json_array();
    printf("{\n  \"collection\": ");
    json_t *alias = json_string(im.col.alias);
    json_dumpf(alias, stdout, JSON_ENCODE_ANY);
    json_decref(alias);
    printf(",\n  \"successes\": [");
  }
  im.opt.progress = cli_progress_start(ctx, &a->progress, "import", "匯入", FS_PROGRESS_ITEMS,
                                       "objects", "個物件");
  struct stix_split sp;
  bool in_parts = false;
  rc = stix_split_begin(&sp, m.data, m.len, IMPORT_OBJECT_MAX, &in_parts, err);
  if (!rc && in_parts)
    rc = import_parts(&im, &sp, &m, err);
  else if (!rc) /* a lone object, or what is not a bundle: read whole */
    rc = import_part(&im, m.data, m.len, IMPORT_OBJECT_MAX, 0, err);
  cli_progress_end(&a->progress);
  if (rc) {
    if (in_parts && sp.element_error && !strncmp(err->where, "line ", 5)) {
      char where[sizeof(err->where)];
      snprintf(where, sizeof(where), "$.objects[%zu]", sp.n);
      fs_err_wrap_where(err, where);
    }
    fs_err_wrap_where(err, a->arg);
    if (in_parts && im.total)
      import_note(&im, err);
  }
  if (a->json) {
    printf("%s],\n  \"failures\": ", im.n_successes ? "\n  " : "");
    json_dumpf(im.failures, stdout, JSON_INDENT(2));
    printf(",\n  \"total\": %zu,\n  \"stored\": %zu,\n  \"refused\": %zu", im.total, im.stored,
           im.refused);
    if (rc) {
      json_t *e = json_pack("{s:s,s:s,s:s}", "code", fs_code_name(err->code), "where", err->where,
                            "message", fs_err_msg(err, ctx->lang != FS_LANG_EN));
      printf(",\n  \"error\": ");
      json_dumpf(e, stdout, JSON_COMPACT);
      json_decref(e);
    }
    printf("\n}\n");
  } else if (!rc) {
    printf(FS_TR(ctx->lang, "%zu objects read, %zu stored in %s, %zu refused\n",
                 "讀取 %zu 個物件，%zu 個存入 %s，%zu 個被拒\n"),
           im.total, im.stored, im.col.alias, im.refused);
  }
  json_decref(im.failures);
  stix_split_release(&sp);
  fs_buf_release(&im.text);
  fs_file_unmap(&m);
  return rc;
}

struct printer {
  size_t n;
  bool json;
  const struct actor *who;
};

static int print_row(const struct intel_row *r, void *ctx)
{
  struct printer *p = ctx;
  if (p->json) {
    fwrite(r->body, 1, r->body_len, stdout);
    fputc('\n', stdout);
  } else {
    printf("%-12s %-60s %-26s %s\n", r->tlp, r->id, r->version[0] ? r->version : "-", r->type);
  }
  p->n++;
  return FS_OK;
}

static int do_get(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                  const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  struct printer p = {0, true, &who};
  if (!rc)
    rc = intel_read_object(c, &who, NULL, a->arg, print_row, &p, err);
  return rc;
}

static int do_search(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  struct printer p = {0, a->json, &who};
  if (!rc)
    rc = intel_search(c, &who, a->arg, a->limit > 0 ? (size_t)a->limit : 100, print_row, &p, err);
  if (!rc && !a->json)
    printf(FS_TR(ctx->lang, "%zu objects mention %s\n", "%zu 個物件提及 %s\n"), p.n, a->arg);
  return rc;
}

struct bundle {
  size_t n;
};

static int print_bundle_object(const struct intel_row *r, void *ctx)
{
  struct bundle *b = ctx;
  fputs(b->n++ ? ",\n" : "\n", stdout);
  fwrite(r->body, 1, r->body_len, stdout);
  return FS_OK;
}

/* An export for defences (intel_export): a firewall list, CSV, STIX, Suricata, Zeek. */
static int do_export_format(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                            const struct actor *op, const struct intel_args *a, struct fs_err *err)
{
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  int format = -1;
  for (int i = 0; intel_export_formats[i]; i++)
    if (!strcmp(a->format, intel_export_formats[i]))
      format = i;
  if (!rc && format < 0)
    rc = fs_err_set(err, FS_ERR_USAGE, "--format",
                    "ips, domains, urls, csv, stix, suricata, suricata-dataset or zeek");
  struct intel_export_options opt = {.format = (enum intel_export_format)format,
                                     .collection = a->collection,
                                     .dataset = a->dataset,
                                     .sid_base = a->sid_base};
  struct fs_buf b;
  fs_buf_init(&b, (size_t)hub->cfg.intel_export_max_bytes);
  struct intel_export_result er = {0};
  if (!rc) {
    fs_mem_bulk_heap(); /* one export in this process: its page cache, dedup set and text */
    rc = intel_export(c, &who, &opt, &b, &er, err);
  }
  if (!rc && a->output && strcmp(a->output, "-"))
    rc = fs_file_write_atomic(a->output, b.data ? b.data : "", b.len, 0644, err);
  else if (!rc)
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
  if (!rc)
    fprintf(stderr, FS_TR(ctx->lang, "%zu values exported as %s\n", "已匯出 %zu 筆（%s）\n"),
            er.values, a->format);
  fs_buf_release(&b);
  return rc;
}

static int do_export(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                     const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  if (a->format)
    return do_export_format(ctx, hub, c, op, a, err);
  struct actor who;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  struct intel_collection col;
  if (!rc)
    rc = intel_collection_find(c, &who, a->collection ? a->collection : "sector", &col, err);
  if (rc)
    return rc;
  char uuid[37];
  fs_uuid_v4(uuid);
  printf("{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
  struct bundle b = {0};
  struct intel_page page = {.limit = 1000};
  do {
    rc = intel_read_collection(c, &who, &col, &page, print_bundle_object, &b, err);
    page.has_cursor = true;
    page.after_date = page.last_date;
    page.after_seq = page.last_seq;
  } while (!rc && page.more && (a->limit <= 0 || (int64_t)b.n < a->limit));
  printf("\n]}\n");
  fprintf(stderr, FS_TR(ctx->lang, "%zu objects exported from %s\n", "已匯出 %zu 個物件（%s）\n"),
          b.n, col.alias);
  return rc;
}

static int do_correlate(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                        const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct actor who;
  json_t *out = NULL;
  int64_t fanout = a->fanout > 0 ? a->fanout : hub->cfg.intel_correlation_fanout;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc)
    rc = intel_correlate(c, &who, a->arg, (size_t)fanout,
                         (size_t)hub->cfg.intel_correlation_count_max, &out, err);
  if (rc)
    return rc;
  if (a->json) {
    cli_print_json(out);
  } else {
    bool popular = json_is_true(json_object_get(out, "popular"));
    printf(popular
               ? FS_TR(ctx->lang, "%s: popular, mentioned by %lld%s visible objects (not listed)\n",
                       "%s：熱門值，共 %lld%s 個可見物件提及（不逐一列出）\n")
               : FS_TR(ctx->lang, "%s: mentioned by %lld%s visible objects\n",
                       "%s：共 %lld%s 個可見物件提及\n"),
           a->arg, (long long)json_integer_value(json_object_get(out, "count")),
           json_is_true(json_object_get(out, "count_capped")) ? "+" : "");
    static const char *const keys[] = {"tlp", "id", "type", "name", NULL};
    static const char *const en[] = {"TLP", "ID", "TYPE", "NAME", NULL};
    static const char *const zh[] = {"TLP", "ID", "類型", "名稱", NULL};
    cli_print_items(ctx, json_object_get(out, "objects"), false, keys, en, zh);
  }
  json_decref(out);
  return FS_OK;
}

static int do_graph(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                    const struct actor *op, void *arg, struct fs_err *err)
{
  (void)ctx;
  struct intel_args *a = arg;
  struct actor who;
  json_t *out = NULL;
  int64_t fanout = a->fanout > 0 ? a->fanout : hub->cfg.intel_correlation_fanout;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc)
    rc = intel_graph(c, &who, a->arg, (size_t)fanout, a->stix, &out, err);
  if (!rc)
    cli_print_json(out);
  json_decref(out);
  return rc;
}

static int do_collections(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                          const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct actor who;
  json_t *list;
  int rc = cli_actor_as(c, op, a->as, &who, err);
  if (!rc)
    rc = intel_collection_list_json(c, &who, &list, err);
  if (rc)
    return rc;
  static const char *const keys[] = {
      "alias", "x_finshield_kind", "x_finshield_default_tlp", "can_read", "can_write", "id", NULL};
  static const char *const en[] = {"ALIAS", "KIND", "DEFAULT TLP", "READ", "WRITE", "ID", NULL};
  static const char *const zh[] = {"別名", "種類", "預設 TLP", "可讀", "可寫", "ID", NULL};
  cli_print_items(ctx, list, a->json, keys, en, zh);
  json_decref(list);
  return FS_OK;
}

static int do_collection_add(struct cli_ctx *ctx, struct hub *hub, struct store_conn *c,
                             const struct actor *op, void *arg, struct fs_err *err)
{
  struct intel_args *a = arg;
  struct intel_collection_input in = {.alias = a->arg,
                                      .title = a->title,
                                      .owner_org = a->owner,
                                      .members = a->members.items,
                                      .n_members = a->members.count,
                                      .member_can_write = a->member_write};
  const char *kind = a->kind ? a->kind : "group";
  in.kind = !strcmp(kind, "org")       ? POLICY_COLLECTION_ORG
            : !strcmp(kind, "partner") ? POLICY_COLLECTION_PARTNER
            : !strcmp(kind, "group")   ? POLICY_COLLECTION_GROUP
                                       : POLICY_COLLECTION_SECTOR; /* refused below */
  in.default_tlp = a->tlp ? stix_tlp_from_token(a->tlp) : TLP_AMBER;
  char id[37];
  int rc = intel_collection_create(c, op, &in, id, err);
  if (!rc)
    printf(FS_TR(ctx->lang, "Collection %s created (%s)\n", "已建立集合 %s（%s）\n"), a->arg, id);
  return rc;
}

/* One table for every sub-command; `pick` names the options each takes (cli_parse_pick). */
static int run(struct cli_ctx *ctx, int argc, char **argv, const char *usage, const char *about_en,
               const char *about_zh, const char *pick, size_t nargs, cli_hub_job_fn fn)
{
  struct cli_hub_opts h = {0};
  struct intel_args a = {0};
  const struct cli_opt opts[] = {
      CLI_HUB_OPTS(h),
      {"collection", 'C', CLI_OPT_STRING, &a.collection, "ALIAS",
       "collection (sector, submissions, ...)", "集合（sector、submissions……）"},
      {"as", 0, CLI_OPT_STRING, &a.as, "USER", "act as this user: its rights, its view",
       "以此使用者身分執行（其權限與可見範圍）"},
      {"anonymous", 0, CLI_OPT_FLAG, &a.anonymous, NULL, "share without the submitter's identity",
       "匿名分享（隱藏提供者身分）"},
      {"json", 0, CLI_OPT_FLAG, &a.json, NULL, "print JSON", "輸出 JSON"},
      {"limit", 'n', CLI_OPT_INT, &a.limit, "N", "at most N objects", "最多 N 個物件"},
      {"kind", 0, CLI_OPT_STRING, &a.kind, "KIND", "org, group (default) or partner",
       "org、group（預設）或 partner"},
      {"owner", 0, CLI_OPT_STRING, &a.owner, "ORG", "owning organisation (org, partner)",
       "所屬機構（org、partner）"},
      {"member", 0, CLI_OPT_LIST, &a.members, "ORG", "a member organisation of a group (repeat)",
       "群組成員機構（可重複）"},
      {"member-write", 0, CLI_OPT_FLAG, &a.member_write, NULL, "members may write to the group",
       "成員可寫入群組"},
      {"tlp", 0, CLI_OPT_STRING, &a.tlp, "LEVEL",
       "default TLP: clear, green, amber (default), amber+strict, red",
       "預設 TLP：clear、green、amber（預設）、amber+strict、red"},
      {"title", 0, CLI_OPT_STRING, &a.title, "TEXT", "title of the collection", "集合標題"},
      {"format", 'f', CLI_OPT_STRING, &a.format, "FORMAT",
       "ips, domains, urls, csv, stix, suricata, suricata-dataset or zeek",
       "ips、domains、urls、csv、stix、suricata、suricata-dataset 或 zeek"},
      {"dataset", 0, CLI_OPT_STRING, &a.dataset, "TYPE",
       "suricata-dataset: domains, ips, md5 or sha256",
       "suricata-dataset：domains、ips、md5 或 sha256"},
      {"sid-base", 0, CLI_OPT_INT, &a.sid_base, "N",
       "suricata: the first rule's sid (default 9100000)",
       "suricata：第一條規則的 sid（預設 9100000）"},
      {"output", 'o', CLI_OPT_STRING, &a.output, "FILE", "write to FILE (default standard output)",
       "寫入檔案（預設標準輸出）"},
      {"fanout", 0, CLI_OPT_INT, &a.fanout, "N",
       "objects listed for one value (default intel.correlation_fanout)",
       "每個值列出的物件數（預設 intel.correlation_fanout）"},
      {"stix", 0, CLI_OPT_FLAG, &a.stix, NULL, "a STIX 2.1 bundle instead of nodes and edges",
       "輸出 STIX 2.1 bundle 而非節點與邊"},
      CLI_PROGRESS_OPTS(a.progress),
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

static int intel_import(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv,
      "finshield intel import FILE [--collection ALIAS] [--as USER] [--anonymous] [--json] "
      "[--progress|--quiet]",
      "Stores the valid objects of a STIX 2.1 bundle (or TAXII envelope; '-' reads standard "
      "input) in a collection (default sector); every refused object is listed with its "
      "index, id and the property at fault. A large bundle (up to intel.import_max_bytes) is "
      "stored in parts of intel.import_part_objects objects, each in its own transaction.",
      "將 STIX 2.1 bundle（或 TAXII envelope；'-' 為標準輸入）中有效的物件存入集合（預設 sector）；"
      "被拒的物件逐一列出其序號、id 與有問題的屬性。大型 bundle（上限 intel.import_max_bytes）"
      "分批存入，每批 intel.import_part_objects 個物件，各為一個交易。",
      "collection as anonymous json progress quiet", 1, do_import);
}
static int intel_get(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield intel get ID [--as USER]",
             "Prints every version of an object that the actor may see, oldest first, one JSON "
             "object per line.",
             "輸出執行者可見的物件所有版本（由舊到新），每行一個 JSON 物件。", "as", 1, do_get);
}
static int intel_search_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield intel search VALUE [--as USER] [--limit N] [--json]",
             "Finds every object that mentions an IP address, domain, URL, hash, e-mail address "
             "or other observable value (case-insensitive), that the actor may see.",
             "找出執行者可見、提及某 "
             "IP、網域、URL、雜湊值、電子郵件或其他觀測值（不分大小寫）的所有物件。",
             "as limit json", 1, do_search);
}
static int intel_export_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv,
      "finshield intel export [--format FORMAT [--dataset TYPE] [--sid-base N] [-o FILE]] "
      "[--collection ALIAS] [--as USER] [--limit N]",
      "Without --format: a STIX 2.1 bundle of what the actor may see in a collection. With "
      "--format: the indicators the actor may see, for defences: firewall lists (ips, "
      "domains, urls), csv, stix, suricata rules, a suricata-dataset file, or a zeek intel "
      "file (docs/intel.md).",
      "未指定 --format：輸出執行者在集合中可見內容的 STIX 2.1 bundle。指定 --format：輸出執行者"
      "可見之指標供防禦設備使用：防火牆清單（ips、domains、urls）、csv、stix、suricata 規則、"
      "suricata dataset 檔或 zeek intel 檔（docs/intel.md）。",
      "collection as limit format dataset sid-base output", 0, do_export);
}
static int intel_correlate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield intel correlate VALUE [--fanout N] [--as USER] [--json]",
             "Every object the actor may see that mentions a value, across sources and members; "
             "a value that more objects mention than the fan-out is counted, not listed.",
             "列出執行者可見、提及某值的所有物件（跨來源與會員）；提及物件數超過上限之熱門值只計數"
             "不列出。",
             "fanout as json", 1, do_correlate);
}
static int intel_graph_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(
      ctx, argc, argv, "finshield intel graph ID [--stix] [--fanout N] [--as USER]",
      "The graph around an object: what it references and the objects that share its "
      "observables, as nodes and edges (JSON) or a STIX 2.1 bundle.",
      "物件的關聯圖：其參照之物件與共用觀測值之物件，以節點與邊（JSON）或 STIX 2.1 bundle 輸出。",
      "stix fanout as", 1, do_graph);
}
static int intel_collections(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv, "finshield intel collections [--as USER] [--json]",
             "Lists the collections the actor may read or write.", "列出執行者可讀或可寫的集合。",
             "as json", 0, do_collections);
}
static int intel_collection_add(struct cli_ctx *ctx, int argc, char **argv)
{
  return run(ctx, argc, argv,
             "finshield intel collection-add ALIAS [--kind group|org|partner] [--owner ORG] "
             "[--member ORG]... [--member-write] [--tlp LEVEL] [--title TEXT]",
             "Creates a collection: a sharing group of organisations, an organisation's own "
             "collection, or a partner's.",
             "建立集合：機構分享群組、單一機構集合或合作組織集合。",
             "kind owner member member-write tlp title", 1, do_collection_add);
}

int cmd_intel(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"import", intel_import, "store a STIX bundle", "匯入 STIX bundle"},
      {"get", intel_get, "print an object's versions", "顯示物件各版本"},
      {"search", intel_search_cmd, "find objects mentioning a value", "搜尋提及某值的物件"},
      {"export", intel_export_cmd, "write a collection as a bundle, or an export for defences",
       "將集合匯出為 bundle，或匯出供防禦設備使用之清單"},
      {"correlate", intel_correlate_cmd, "objects that mention a value", "提及某值之物件"},
      {"graph", intel_graph_cmd, "the graph around an object", "物件關聯圖"},
      {"collections", intel_collections, "list collections", "列出集合"},
      {"collection-add", intel_collection_add, "create a collection", "建立集合"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx,
                      "finshield intel "
                      "<import|get|search|export|correlate|graph|collections|collection-add>",
                      subs, argc, argv);
}
