/* finshield vault: the data safe haven (init, deposit, backup, snapshots, restore, verify, forget,
 * prune, replicate, export, drill, serve, token, partner-keygen, retention): the table and most
 * subcommands; forget, prune and retention are in cmd_vault_retention.c. */
#include "cli/cli.h"
#include "cli/cmd_vault.h"
#include "cli/commands.h"
#include "cli/progress.h"

#include "core/encode.h"
#include "core/file.h"
#include "core/time.h"
#include "vault/vault.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A secret read with cli_read_secret, wiped when released. */
struct secret {
  char *text;
  size_t len;
};

static void secret_release(struct secret *s)
{
  if (s->text)
    sodium_memzero(s->text, s->len);
  free(s->text);
  *s = (struct secret){0};
}

static int read_key_hex(const char *path, uint8_t key[32], struct fs_err *err)
{
  struct secret k = {0};
  int rc = cli_read_secret(path, &k.text, &k.len, err);
  if (!rc && (k.len != 64 || fs_hex_decode(k.text, 64, key, 32)))
    rc = fs_err_set(err, FS_ERR_INVALID, path, "expected 64 hex digits (a 32-byte key)");
  secret_release(&k);
  return rc;
}

const char *vcli_repo_dir(struct cli_ctx *ctx, struct vopts *o)
{
  if (!o->repo)
    o->repo = getenv("FINSHIELD_VAULT_REPO");
  if (!o->repo)
    fprintf(stderr, "%s: %s\n", ctx->prog,
            FS_TR(ctx->lang, "missing --repo DIR (or FINSHIELD_VAULT_REPO)",
                  "缺少 --repo DIR（或 FINSHIELD_VAULT_REPO）"));
  return o->repo;
}

int vcli_open_repo(struct cli_ctx *ctx, struct vopts *o, enum vault_lock_mode mode,
                   struct vault_repo **r)
{
  if (!vcli_repo_dir(ctx, o))
    return CLI_EXIT_USAGE;
  struct fs_err err;
  struct vault_unlock u = {0};
  uint8_t sk[32];
  struct secret pw = {0};
  int rc;
  const char *kf = o->key_file;
  if (!kf && !o->partner_secret && !o->password_file)
    kf = getenv("FINSHIELD_VAULT_KEY_FILE");
  if (kf && !*kf)
    kf = NULL;
  if (o->partner_secret) {
    if ((rc = read_key_hex(o->partner_secret, sk, &err)))
      return cli_fail(ctx, &err);
    u.partner_sk = sk;
  } else if (kf) {
    u.key_file = kf;
  } else {
    const char *pf = o->password_file ? o->password_file : getenv("FINSHIELD_VAULT_PASSWORD_FILE");
    if (!pf) {
      fprintf(stderr, "%s: %s\n", ctx->prog,
              FS_TR(ctx->lang,
                    "missing --password-file FILE (or FINSHIELD_VAULT_PASSWORD_FILE, or a key "
                    "file: --key-file FILE)",
                    "缺少 --password-file FILE（或 "
                    "FINSHIELD_VAULT_PASSWORD_FILE，或金鑰檔：--key-file FILE）"));
      return CLI_EXIT_USAGE;
    }
    if ((rc = cli_read_secret(pf, &pw.text, &pw.len, &err)))
      return cli_fail(ctx, &err);
    u.password = pw.text;
    u.password_len = pw.len;
  }
  rc = vault_repo_open(o->repo, &u, mode, r, &err);
  secret_release(&pw);
  sodium_memzero(sk, sizeof(sk));
  return rc ? cli_fail(ctx, &err) : CLI_EXIT_OK;
}

int vcli_parse_open(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv,
                    const char **args, size_t *nargs, struct vopts *o, enum vault_lock_mode mode,
                    struct vault_repo **r)
{
  int rc = cli_parse(ctx, spec, argc, argv, args, nargs);
  if (rc >= 0)
    return rc;
  rc = vcli_open_repo(ctx, o, mode, r);
  return rc ? rc : -1;
}

void vcli_print_problems(struct cli_ctx *ctx, const struct vault_problems *p)
{
  for (size_t i = 0; i < p->n; i++)
    fprintf(stderr, "  %s\n", vault_problems_text(p, i, ctx->lang != FS_LANG_EN));
  if (p->dropped)
    fprintf(stderr, FS_TR(ctx->lang, "  ... and %zu more\n", "  ……另有 %zu 項\n"), p->dropped);
}

double vcli_mib(uint64_t b)
{
  return (double)b / 1048576.0;
}

void vcli_print_json(json_t *x)
{
  if (x)
    cli_print_json(x);
  else
    puts("null");
  json_decref(x);
}

/* A string member of o, or "". */
static const char *jstr(const json_t *o, const char *key)
{
  const char *v = json_string_value(json_object_get(o, key));
  return v ? v : "";
}

/* ---- subcommands ------------------------------------------------------------------------------
 */

static int v_init(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {
      O_REPO,
      {"password-file", 'p', CLI_OPT_STRING, &o.password_file, "FILE",
       "file holding the password (or FINSHIELD_VAULT_PASSWORD_FILE)", "存放密碼的檔案"},
      {"partner-key", 0, CLI_OPT_STRING, &o.partner_key, "FILE",
       "restoration partner's public key (from partner-keygen)", "復原合作機構的公鑰"},
      {"kdf", 0, CLI_OPT_STRING, &o.kdf, "LEVEL",
       "Argon2id cost: moderate (default), interactive, min (tests only)",
       "Argon2id 成本：moderate（預設）、interactive、min（僅供測試）"},
      {"daily-days", 0, CLI_OPT_INT, &o.daily, "N", "keep every snapshot N days (default 90)",
       "每日快照保留天數（預設 90）"},
      {"pack-size", 0, CLI_OPT_INT, &o.pack_mib, "MIB", "pack size in MiB (default 32)",
       "封包大小（MiB，預設 32）"},
      {"monthly-months", 0, CLI_OPT_INT, &o.monthly, "N",
       "keep each month's last snapshot N months (default 84)", "每月最後快照保留月數（預設 84）"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault init --repo DIR [--password-file FILE] [--partner-key FILE]",
      "Creates an encrypted, immutable vault repository.",
      "建立加密且不可變更的資料保險庫。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (!vcli_repo_dir(ctx, &o))
    return CLI_EXIT_USAGE;
  struct fs_err err;
  const char *pf = o.password_file ? o.password_file : getenv("FINSHIELD_VAULT_PASSWORD_FILE");
  if (!pf)
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang,
                                 "missing --password-file FILE (or FINSHIELD_VAULT_PASSWORD_FILE)",
                                 "缺少 --password-file FILE（或 FINSHIELD_VAULT_PASSWORD_FILE）"));
  struct secret pw = {0};
  if (cli_read_secret(pf, &pw.text, &pw.len, &err))
    return cli_fail(ctx, &err);
  uint8_t pk[32];
  struct vault_init_opts io = {.password = pw.text,
                               .password_len = pw.len,
                               .kdf = VAULT_KDF_MODERATE,
                               .retention = {o.daily, o.monthly},
                               .pack_size = (uint64_t)o.pack_mib << 20};
  if (o.kdf && !strcmp(o.kdf, "min"))
    io.kdf = VAULT_KDF_MIN;
  else if (o.kdf && !strcmp(o.kdf, "interactive"))
    io.kdf = VAULT_KDF_INTERACTIVE;
  else if (o.kdf && strcmp(o.kdf, "moderate")) {
    secret_release(&pw);
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--kdf takes moderate, interactive or min",
                                 "--kdf 只接受 moderate、interactive 或 min"));
  }
  if (o.partner_key) {
    if (read_key_hex(o.partner_key, pk, &err)) {
      secret_release(&pw);
      return cli_fail(ctx, &err);
    }
    io.partner_pk = pk;
  }
  rc = vault_init(o.repo, &io, &err);
  secret_release(&pw);
  if (rc)
    return cli_fail(ctx, &err);
  printf(FS_TR(ctx->lang, "created vault repository %s%s\n", "已建立資料保險庫 %s%s\n"), o.repo,
         o.partner_key ? FS_TR(ctx->lang, " (master key also sealed to the restoration partner)",
                               "（主金鑰亦已封存給復原合作機構）")
                       : "");
  return CLI_EXIT_OK;
}

static int v_partner_keygen(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {{"out", 'o', CLI_OPT_NEEDED, &o.out, "PREFIX",
                                  "writes PREFIX.pub and PREFIX.key",
                                  "寫出 PREFIX.pub 與 PREFIX.key"},
                                 O_END};
  const struct cli_spec spec = {"finshield vault partner-keygen --out PREFIX",
                                "Creates a restoration partner's key pair (X25519).",
                                "建立復原合作機構的金鑰對（X25519）。",
                                opts,
                                0,
                                0};
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, &spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  uint8_t pk[32], sk[32];
  vault_partner_keygen(pk, sk);
  char hex[66], path[4096];
  struct fs_err err;
  fs_hex_encode(sk, 32, hex);
  hex[64] = '\n';
  snprintf(path, sizeof(path), "%s.key", o.out);
  rc = fs_file_write_atomic(path, hex, 65, 0400, &err);
  fs_hex_encode(pk, 32, hex);
  hex[64] = '\n';
  snprintf(path, sizeof(path), "%s.pub", o.out);
  if (!rc)
    rc = fs_file_write_atomic(path, hex, 65, 0444, &err);
  memset(sk, 0, sizeof(sk));
  if (rc)
    return cli_fail(ctx, &err);
  printf(FS_TR(ctx->lang, "wrote %s.pub (give to the institution) and %s.key (keep secret)\n",
               "已寫出 %s.pub（交給機構）與 %s.key（妥善保密）\n"),
         o.out, o.out);
  return CLI_EXIT_OK;
}

static int print_store(struct cli_ctx *ctx, struct vopts *o, int rc, struct fs_err *err,
                       struct vault_store_result *res, int64_t ns)
{
  if (res->problems.n || res->problems.dropped) {
    fprintf(
        stderr, "%s\n",
        FS_TR(ctx->lang, "validation against the standard format failed:", "未通過標準格式驗證："));
    vcli_print_problems(ctx, &res->problems);
  }
  if (rc) {
    int ex = cli_fail(ctx, err);
    vault_store_result_release(res);
    return ex;
  }
  if (o->json && res->attestation) {
    printf("%s\n", res->attestation);
  } else if (o->json) {
    vcli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:I, s:f}", "snapshot", res->snapshot_id,
                              "files", (json_int_t)res->files, "bytes_read",
                              (json_int_t)res->bytes_in, "bytes_added",
                              (json_int_t)res->bytes_added, "delta_files",
                              (json_int_t)res->delta_files, "seconds", (double)ns / 1e9));
  } else {
    printf(
        FS_TR(ctx->lang,
              "snapshot %s: %llu files, %.1f MiB read, %.1f MiB added, %llu stored as row deltas, "
              "%.2f s\n",
              "快照 %s：%llu 個檔案，讀取 %.1f MiB，新增 %.1f MiB，%llu 個以列差異儲存，%.2f 秒\n"),
        res->snapshot_id, (unsigned long long)res->files, vcli_mib(res->bytes_in),
        vcli_mib(res->bytes_added), (unsigned long long)res->delta_files, (double)ns / 1e9);
    if (res->attestation)
      printf("%s\n", res->attestation);
  }
  vault_store_result_release(res);
  return CLI_EXIT_OK;
}

static int v_deposit(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 O_THREADS,
                                 O_JSON,
                                 O_PROGRESS,
                                 {"business-date", 0, CLI_OPT_NEEDED, &o.business_date,
                                  "YYYY-MM-DD", "business date (must match the manifest)",
                                  "營業日（須與清單相符）"},
                                 O_END};
  const struct cli_spec spec = {
      "finshield vault deposit --repo DIR --business-date YYYY-MM-DD FILES... manifest.json",
      "Validates critical-data files against the standard format and their manifest, then stores "
      "them as a signed snapshot and prints the signed attestation.",
      "依標準格式與清單驗證關鍵資料檔，存為簽章快照並輸出簽章證明。",
      opts,
      1,
      64};
  const char *args[64];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_APPEND, &r);
  if (rc >= 0)
    return rc;
  struct vault_deposit_opts d = {
      .files = args, .nfiles = nargs, .business_date = o.business_date, .threads = (int)o.threads};
  struct vault_store_result res;
  struct fs_err err;
  int64_t t0 = fs_time_mono_ns();
  vault_repo_set_progress(r, cli_progress_bytes(ctx, &o.progress, "deposit", "存入"));
  rc = vault_deposit(r, &d, &res, &err);
  cli_progress_end(&o.progress);
  vault_repo_close(r);
  return print_store(ctx, &o, rc, &err, &res, fs_time_mono_ns() - t0);
}

static int v_backup(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO, O_PASSWORD, O_THREADS, O_JSON, O_PROGRESS, O_END};
  const struct cli_spec spec = {
      "finshield vault backup --repo DIR [--json] PATH...",
      "Stores files and folders as a snapshot. --json prints the snapshot's "
      "id and counts (files, bytes_read, bytes_added, delta_files, seconds).",
      "將檔案與資料夾存為快照。--json 輸出快照識別碼與統計（files、bytes_read、"
      "bytes_added、delta_files、seconds）。",
      opts,
      1,
      64};
  const char *args[64];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_APPEND, &r);
  if (rc >= 0)
    return rc;
  struct vault_store_result res;
  struct fs_err err;
  int64_t t0 = fs_time_mono_ns();
  vault_repo_set_progress(r, cli_progress_bytes(ctx, &o.progress, "backup", "備份"));
  rc = vault_backup(r, args, nargs, (int)o.threads, &res, &err);
  cli_progress_end(&o.progress);
  vault_repo_close(r);
  return print_store(ctx, &o, rc, &err, &res, fs_time_mono_ns() - t0);
}

static int v_restore(struct cli_ctx *ctx, int argc, char **argv, bool export)
{
  struct vopts o = {0};
#define O_TARGET                                                                                   \
  {                                                                                                \
    "target", 't', CLI_OPT_NEEDED, &o.target, "DIR", "where to write (empty or missing)",          \
        "寫入位置（須為空或不存在）"                                                  \
  }
  struct cli_list include = {0};
  const struct cli_opt ropts[] = {
      O_REPO,
      O_PASSWORD,
      O_THREADS,
      O_TARGET,
      {"include", 'i', CLI_OPT_LIST, &include, "PATTERN",
       "restore only what this picks (repeatable): a path or a folder above it, as a glob (* stays "
       "within a "
       "folder); a pattern without / also matches any one name (\"*.csv\", \"export\")",
       "僅還原符合者（可重複）：路徑或其上層資料夾的萬用字元樣式（* 不跨越資料夾）；不含 / "
       "的樣式亦比對任一名稱（\"*.csv\"、\"export\"）"},
      O_PROGRESS,
      O_END};
  const struct cli_opt eopts[] = {O_REPO,
                                  O_PASSWORD,
                                  O_THREADS,
                                  O_TARGET,
                                  O_PROGRESS,
                                  {"format", 0, CLI_OPT_STRING, &o.format, "standard",
                                   "export format (only: standard)", "匯出格式（僅 standard）"},
                                  O_END};
#undef O_TARGET
  const struct cli_spec rs = {
      "finshield vault restore SNAPSHOT --target DIR [--include PATTERN]...",
      "Restores a snapshot (\"latest\", an id or a prefix) bit for bit, or the part "
      "--include picks (with the folders above it).",
      "逐位元還原快照（latest、識別碼或其前綴），或僅還原 --include 選取的部分（含其上層資料夾）。",
      ropts,
      1,
      1};
  const struct cli_spec es = {
      "finshield vault export SNAPSHOT --format standard --target DIR",
      "Writes a deposit in the standard critical-data format (tables and manifest).",
      "以標準關鍵資料格式匯出存入的資料（資料表與清單）。",
      eopts,
      1,
      1};
  const struct cli_spec *spec = export ? &es : &rs;
  const char *args[1];
  size_t nargs;
  int rc = cli_parse(ctx, spec, argc, argv, args, &nargs);
  if (rc >= 0)
    return rc;
  if (o.format && strcmp(o.format, "standard")) { /* restore has no --format */
    char msg[160];
    snprintf(msg, sizeof(msg),
             FS_TR(ctx->lang, "--format %.64s: the only export format is standard",
                   "--format %.64s：唯一的匯出格式是 standard"),
             o.format);
    return cli_usage_error(ctx, spec->usage, msg);
  }
  struct vault_repo *r;
  if ((rc = vcli_open_repo(ctx, &o, VAULT_LOCK_SHARED, &r)))
    return rc;
  struct vault_restore_result res;
  struct fs_err err;
  struct vault_restore_opts ro = {.target = o.target,
                                  .threads = (int)o.threads,
                                  .patterns = include.items,
                                  .npatterns = include.count};
  vault_repo_set_progress(r, cli_progress_bytes(ctx, &o.progress, export ? "export" : "restore",
                                                export ? "匯出" : "還原"));
  rc = export ? vault_export(r, args[0], o.target, (int)o.threads, &res, &err)
              : vault_restore(r, args[0], &ro, &res, &err);
  cli_progress_end(&o.progress);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  printf(export ? FS_TR(ctx->lang,
                        "exported snapshot %.16s in the standard format: %llu files, %.1f MiB in "
                        "%.2f s, every file checked against what was stored\n",
                        "已以標準格式匯出快照 %.16s：%llu 個檔案，%.1f MiB，%.2f "
                        "秒，每個檔案均已與存入時的內容核對相符\n")
                : FS_TR(ctx->lang,
                        "restored snapshot %.16s: %llu files, %.1f MiB in %.2f s, every file "
                        "checked against what was stored\n",
                        "已還原快照 %.16s：%llu 個檔案，%.1f MiB，%.2f "
                        "秒，每個檔案均已與存入時的內容核對相符\n"),
         res.snapshot_id, (unsigned long long)res.files, vcli_mib(res.bytes),
         (double)res.elapsed_ns / 1e9);
  return CLI_EXIT_OK;
}

static int v_restore_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
  return v_restore(ctx, argc, argv, false);
}

static int v_export(struct cli_ctx *ctx, int argc, char **argv)
{
  return v_restore(ctx, argc, argv, true);
}

static int v_verify(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {
      O_REPO,
      O_PASSWORD,
      O_JSON,
      O_PROGRESS,
      {"read-data", 0, CLI_OPT_FLAG, &o.read_data, NULL, "decrypt and check every stored blob",
       "解密並檢查每個儲存區塊"},
      {"files", 0, CLI_OPT_FLAG, &o.files, NULL,
       "rebuild every file of every snapshot and check its SHA-256 and file check",
       "重建所有快照的每個檔案並核對 SHA-256 與檔案核對碼"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault verify --repo DIR [--read-data] [--files]",
      "Checks the repository and names every damaged pack, blob, snapshot or file.",
      "檢查保險庫，指出每個受損的封包、區塊、快照或檔案。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_SHARED, &r);
  if (rc >= 0)
    return rc;
  struct vault_verify_opts vo = {.read_data = o.read_data, .files = o.files};
  struct vault_verify_result res;
  struct fs_err err;
  vault_repo_set_progress(r, cli_progress_bytes(ctx, &o.progress, "verify", "驗證"));
  rc = vault_verify(r, &vo, &res, &err);
  cli_progress_end(&o.progress);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  bool ok = !res.problems.n && !res.problems.dropped;
  if (o.json) {
    json_t *p = json_array(), *pz = json_array();
    for (size_t i = 0; i < res.problems.n; i++) {
      json_array_append_new(p, json_string(vault_problems_text(&res.problems, i, false)));
      json_array_append_new(pz, json_string(vault_problems_text(&res.problems, i, true)));
    }
    json_t *x = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "ok", ok, "snapshots",
                          (json_int_t)res.snapshots, "packs", (json_int_t)res.packs, "blobs",
                          (json_int_t)res.blobs, "bytes_read", (json_int_t)res.bytes_read, "files",
                          (json_int_t)res.files, "file_bytes", (json_int_t)res.file_bytes,
                          "problems", p, "problems_zh", pz);
    vcli_print_json(x);
  } else {
    printf(FS_TR(ctx->lang, "checked %llu snapshots, %llu packs, %llu blobs",
                 "已檢查 %llu 個快照、%llu 個封包、%llu 個區塊"),
           (unsigned long long)res.snapshots, (unsigned long long)res.packs,
           (unsigned long long)res.blobs);
    if (o.read_data)
      printf(FS_TR(ctx->lang, " (%.1f MiB of packs read)", "（讀取封包 %.1f MiB）"),
             vcli_mib(res.bytes_read));
    if (o.files)
      printf(FS_TR(ctx->lang, ", rebuilt %llu files (%.1f MiB)", "，重建 %llu 個檔案（%.1f MiB）"),
             (unsigned long long)res.files, vcli_mib(res.file_bytes));
    printf(": %s\n", ok ? FS_TR(ctx->lang, "no problems", "沒有問題")
                        : FS_TR(ctx->lang, "PROBLEMS FOUND", "發現問題"));
    vcli_print_problems(ctx, &res.problems);
  }
  vault_verify_result_release(&res);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int v_replicate(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {O_REPO,
                                 O_PASSWORD,
                                 {"to", 0, CLI_OPT_NEEDED, &o.to, "DIR",
                                  "the offsite copy (created when missing)",
                                  "異地副本（不存在時建立）"},
                                 O_END};
  const struct cli_spec spec = {"finshield vault replicate --repo DIR --to DIR",
                                "Copies what the offsite copy lacks, then verifies the copy.",
                                "將異地副本缺少的內容複製過去並驗證副本。",
                                opts,
                                0,
                                0};
  const char *args[1];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_SHARED, &r);
  if (rc >= 0)
    return rc;
  struct vault_replicate_result res;
  struct fs_err err;
  rc = vault_replicate(r, o.to, &res, &err);
  vault_repo_close(r);
  if (rc)
    return cli_fail(ctx, &err);
  bool ok = !res.verify.problems.n && !res.verify.problems.dropped;
  printf(FS_TR(ctx->lang, "copied %llu files (%.1f MiB), %llu already there; copy verified: %s\n",
               "已複製 %llu 個檔案（%.1f MiB），%llu 個已存在；副本驗證：%s\n"),
         (unsigned long long)res.files_copied, vcli_mib(res.bytes_copied),
         (unsigned long long)res.files_present,
         ok ? FS_TR(ctx->lang, "no problems", "沒有問題")
            : FS_TR(ctx->lang, "PROBLEMS FOUND", "發現問題"));
  if (res.keys_revoked)
    printf(FS_TR(ctx->lang, "revoked %llu key file(s) on the copy, as at the source\n",
                 "已在副本撤銷 %llu 個金鑰檔，與來源相同\n"),
           (unsigned long long)res.keys_revoked);
  vcli_print_problems(ctx, &res.verify.problems);
  vault_verify_result_release(&res.verify);
  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int v_drill(struct cli_ctx *ctx, int argc, char **argv)
{
  struct vopts o = {0};
  const struct cli_opt opts[] = {
      O_REPO,
      O_PASSWORD,
      O_THREADS,
      O_PROGRESS,
      {"scratch", 0, CLI_OPT_STRING, &o.scratch, "DIR",
       "where the scratch restore goes (default /tmp)", "暫存還原位置（預設 /tmp）"},
      {"report-to", 0, CLI_OPT_STRING, &o.report_to, "URL", "upload the evidence to this hub",
       "將證據上傳至此中樞"},
      {"service", 0, CLI_OPT_STRING, &o.service, "CODE",
       "the core business service the drill is for (bcm-services)",
       "演練所屬之核心業務代碼（bcm-services）"},
      {"token-file", 0, CLI_OPT_STRING, &o.token_file, "FILE",
       "the member's API token (or FINSHIELD_TOKEN)", "會員 API 權杖檔（或 FINSHIELD_TOKEN）"},
      {"attestation", 0, CLI_OPT_STRING, &o.attestation, "FILE",
       "the drilled deposit's attestation (vault deposit --json), sent along",
       "一併送出所演練存入之證明（vault deposit --json）"},
      {"cacert", 0, CLI_OPT_STRING, &o.cacert, "FILE", "CA certificate of the hub (TLS)",
       "中樞之 CA 憑證（TLS）"},
      O_END};
  const struct cli_spec spec = {
      "finshield vault drill --repo DIR [--scratch DIR] [--report-to URL --service CODE "
      "[--token-file FILE]]",
      "Restore drill: restores the latest snapshot into a scratch folder, checks it bit "
      "for bit, and records the measured restore time as signed evidence. With "
      "--report-to the evidence goes to the hub, which checks the signature and judges "
      "it against the service's RTO and MTPD.",
      "還原演練：將最新快照還原至暫存資料夾並逐位元檢查，記錄實測還原時間作為簽章證據。"
      "指定 --report-to 時上傳至中樞，由中樞驗證簽章並依該業務之 RTO 與 MTPD 判定。",
      opts,
      0,
      0};
  const char *args[1];
  size_t nargs;
  struct vault_repo *r;
  int rc = vcli_parse_open(ctx, &spec, argc, argv, args, &nargs, &o, VAULT_LOCK_SHARED, &r);
  if (rc >= 0)
    return rc;
  if (o.report_to && !o.service) {
    vault_repo_close(r);
    return cli_usage_error(ctx, spec.usage,
                           FS_TR(ctx->lang, "--report-to needs --service CODE",
                                 "--report-to 須指定 --service 業務代碼"));
  }
  char *evidence;
  struct fs_err err;
  vault_repo_set_progress(r, cli_progress_bytes(ctx, &o.progress, "drill", "演練"));
  rc = vault_drill(r, o.scratch, (int)o.threads, &evidence, &err);
  cli_progress_end(&o.progress);
  vault_repo_close(r);
  if (evidence)
    printf("%s\n", evidence);
  /* The record on stdout; a line for people on stderr, seconds as the record has them. */
  json_t *ev = evidence ? json_loads(evidence, 0, NULL) : NULL;
  if (ev) {
    bool pass = !strcmp(jstr(ev, "result"), "pass");
    fprintf(
        stderr,
        FS_TR(
            ctx->lang,
            "drill %s: snapshot %.16s, %lld files, %.1f MiB restored and checked in %.2f s (%.1f "
            "MiB/s)\n",
            "演練%s：快照 %.16s，%lld 個檔案，%.1f MiB 已還原並核對，耗時 %.2f 秒（%.1f MiB/s）\n"),
        pass ? FS_TR(ctx->lang, "passed", "通過") : FS_TR(ctx->lang, "FAILED", "失敗"),
        jstr(ev, "snapshot"), (long long)json_integer_value(json_object_get(ev, "files")),
        vcli_mib((uint64_t)json_integer_value(json_object_get(ev, "bytes"))),
        json_number_value(json_object_get(ev, "restore_seconds")),
        json_number_value(json_object_get(ev, "throughput_mib_s")));
    json_decref(ev);
  }
  int exit = rc ? cli_fail(ctx, &err) : CLI_EXIT_OK;
  if (evidence && o.report_to) {
    int up = vcli_report_drill(ctx, &o, evidence);
    if (exit == CLI_EXIT_OK)
      exit = up;
  }
  free(evidence);
  return exit;
}

int cmd_vault(struct cli_ctx *ctx, int argc, char **argv)
{
  static const struct cli_subcommand subs[] = {
      {"init", v_init, "create a repository", "建立保險庫"},
      {"partner-keygen", v_partner_keygen, "create a restoration partner key pair",
       "建立復原合作機構金鑰對"},
      {"deposit", v_deposit, "validate and store a day's critical data", "驗證並存入當日關鍵資料"},
      {"backup", v_backup, "store any files and folders", "儲存任意檔案與資料夾"},
      {"snapshots", vcli_snapshots, "list snapshots", "列出快照"},
      {"ls", vcli_ls, "list the files of a snapshot", "列出快照中的檔案"},
      {"diff", vcli_diff, "what changed between two snapshots (files, and rows of tables)",
       "比較兩個快照（檔案與資料表列）"},
      {"restore", v_restore_cmd, "restore a snapshot bit for bit", "逐位元還原快照"},
      {"export", v_export, "write a deposit in the standard format", "以標準格式匯出"},
      {"verify", v_verify, "check everything and name what is damaged", "全面檢查並指出受損處"},
      {"forget", vcli_forget, "forget snapshots out of retention", "移除超過保留期限的快照"},
      {"prune", vcli_prune, "delete packs nothing needs", "刪除無用封包"},
      {"replicate", v_replicate, "offsite copy, incremental and verified",
       "異地副本（增量並驗證）"},
      {"drill", v_drill, "restore drill with measured time as evidence", "還原演練並記錄實測時間"},
      {"retention", vcli_retention, "show or lengthen the retention policy", "顯示或延長保留政策"},
      {"key", vcli_key, "key files for unattended services: add, list, remove",
       "無人值守服務用金鑰檔：新增、列出、移除"},
      {"token", vcli_token, "create a continuity-service token", "建立持續服務權杖"},
      {"serve", vcli_serve, "balance inquiry from the vault", "由保險庫提供餘額查詢"},
      {NULL, NULL, NULL, NULL},
  };
  return cli_dispatch(ctx, "finshield vault <sub-command> [options]", subs, argc, argv);
}
