/* Unit tests of vault repositories: round trips, row-delta deposits, tampering named by verify,
 * retention refusals, the restoration partner's key, replication, reuse after an interruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/encode.h"
#include "core/file.h"
#include "core/time.h"
#include "vault/internal.h"
#include "vault/pool.h"
#include "vault/vault.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultfx.h"

/* Files of several kinds: random (incompressible, several chunks), text, empty, nested, a link. */
static void make_tree(const char *src)
{
  char p[512];
  uint64_t s = 42;
  size_t n = 5u << 20;
  uint8_t *b = malloc(n);
  for (size_t i = 0; i < n; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    b[i] = (uint8_t)s;
  }
  snprintf(p, sizeof(p), "%s/data", src);
  mkdir(p, 0750);
  snprintf(p, sizeof(p), "%s/data/random.bin", src);
  write_file(p, b, n);
  free(b);
  snprintf(p, sizeof(p), "%s/data/empty", src);
  write_file(p, "", 0);
  snprintf(p, sizeof(p), "%s/data/deep", src);
  mkdir(p, 0700);
  snprintf(p, sizeof(p), "%s/data/deep/notes.txt", src);
  write_file(p, "the safe haven keeps a copy\n", 28);
  snprintf(p, sizeof(p), "%s/data/link", src);
  assert_int_equal(symlink("deep/notes.txt", p), 0);
}

static void backup(struct fx *x, char id[65])
{
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_APPEND);
  char path[512];
  snprintf(path, sizeof(path), "%s/data", x->src);
  const char *paths[] = {path};
  struct vault_store_result res;
  struct fs_err err;
  if (vault_backup(r, paths, 1, 2, &res, &err))
    fail_msg("backup: %s: %s", err.where, err.msg);
  if (id)
    memcpy(id, res.snapshot_id, 65);
  vault_store_result_release(&res);
  vault_repo_close(r);
}

static bool files_equal(const char *a, const char *b)
{
  struct fs_buf x, y;
  struct fs_err err;
  fs_buf_init(&x, 0);
  fs_buf_init(&y, 0);
  bool ok = !fs_file_read_all(a, &x, &err) && !fs_file_read_all(b, &y, &err) && x.len == y.len &&
            (!x.len || !memcmp(x.data, y.data, x.len));
  fs_buf_release(&x);
  fs_buf_release(&y);
  return ok;
}

static void test_backup_restore_bit_exact(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  backup(x, NULL);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  char target[400], a[600], b[600];
  snprintf(target, sizeof(target), "%s/out", x->root);
  struct vault_restore_result res;
  struct fs_err err;
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 2}, &res,
                                 &err),
                   0);
  assert_int_equal(res.files, 3);
  static const char *const files[] = {"random.bin", "empty", "deep/notes.txt"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(a, sizeof(a), "%s/data/%s", x->src, files[i]);
    snprintf(b, sizeof(b), "%s%s/data/%s", target, x->src, files[i]);
    assert_true(files_equal(a, b));
  }
  snprintf(b, sizeof(b), "%s%s/data/link", target, x->src);
  char link[64] = {0};
  assert_int_equal(readlink(b, link, sizeof(link) - 1), 14);
  assert_string_equal(link, "deep/notes.txt");
  struct stat st;
  snprintf(b, sizeof(b), "%s%s/data", target, x->src);
  assert_int_equal(stat(b, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0750);
  /* Restoring into a folder that is not empty is refused. */
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 1}, &res,
                                 &err),
                   FS_ERR_CONFLICT);
  /* Every repository file is read-only. */
  char cfg[400];
  snprintf(cfg, sizeof(cfg), "%s/config", x->repo);
  assert_int_equal(stat(cfg, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0444);
  vault_repo_close(r);
  /* A second backup of the same files adds nothing but a snapshot. */
  r = open_repo(x->repo, VAULT_LOCK_APPEND);
  snprintf(a, sizeof(a), "%s/data", x->src);
  const char *paths[] = {a};
  struct vault_store_result sr;
  assert_int_equal(vault_backup(r, paths, 1, 1, &sr, &err), 0);
  assert_int_equal(sr.bytes_added, 0);
  vault_store_result_release(&sr);
  /* Nor with more chunk workers than chunks in flight: the same cuts, the same ids. */
  assert_int_equal(vault_backup(r, paths, 1, 5, &sr, &err), 0);
  assert_int_equal(sr.bytes_added, 0);
  vault_store_result_release(&sr);
  vault_repo_close(r);
}

/* ---- tampering --------------------------------------------------------------------------------
 */

/* The largest pack (the one holding the big file's chunks). */
static void first_pack(const char *repo, char *out, size_t n)
{
  off_t best = -1;
  char data[400];
  snprintf(data, sizeof(data), "%s/data", repo);
  DIR *d = opendir(data);
  struct dirent *e;
  out[0] = '\0';
  while ((e = readdir(d))) {
    if (strlen(e->d_name) != 2)
      continue;
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/%s", data, e->d_name);
    DIR *s = opendir(sub);
    struct dirent *f;
    while ((f = readdir(s))) {
      char path[800];
      struct stat st;
      snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
      if (strlen(f->d_name) == 64 && !stat(path, &st) && st.st_size > best) {
        best = st.st_size;
        snprintf(out, n, "%s", path);
      }
    }
    closedir(s);
  }
  closedir(d);
  assert_true(out[0] != '\0');
}

static void verify_expect(struct fx *x, bool read_data, const char *want)
{
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_verify_opts o = {.read_data = read_data};
  struct vault_verify_result res;
  struct fs_err err;
  assert_int_equal(vault_verify(r, &o, &res, &err), 0);
  bool found = false;
  for (size_t i = 0; i < res.problems.n; i++) /* in English, or in zh-TW */
    found |= strstr(res.problems.items[i], want) != NULL ||
             strstr(vault_problems_text(&res.problems, i, true), want) != NULL;
  if (!found) {
    for (size_t i = 0; i < res.problems.n; i++)
      print_message("problem: %s\n", res.problems.items[i]);
    fail_msg("no problem mentions \"%s\"", want);
  }
  vault_verify_result_release(&res);
  vault_repo_close(r);
}

/* Restores check each file by its file check, drills by SHA-256 as well, verify --files both: a
 * reader whose check key differs from the writer's (as if the file check stored did not match the
 * rebuilt bytes) fails the restore naming the file, fails verify --files, and leaves the drill,
 * which checks SHA-256 alone, passing. */
static void test_restore_checks_file_check(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  backup(x, NULL);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  char target[400];
  snprintf(target, sizeof(target), "%s/out", x->root);
  struct vault_restore_result res;
  struct fs_err err;
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 2}, &res,
                                 &err),
                   0);
  r->keys.check_pad[0] ^= 1;
  snprintf(target, sizeof(target), "%s/out2", x->root);
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 2}, &res,
                                 &err),
                   FS_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, "file check"));
  assert_non_null(strstr(err.where, "data/"));
  char *evidence = NULL;
  assert_int_equal(vault_drill(r, x->root, 2, &evidence, &err), 0);
  assert_non_null(strstr(evidence, "\"pass\""));
  free(evidence);
  struct vault_verify_opts vo = {.files = true};
  struct vault_verify_result vr;
  assert_int_equal(vault_verify(r, &vo, &vr, &err), 0);
  assert_int_equal(vr.problems.n,
                   3); /* random.bin, empty (its check is the pad alone), notes.txt */
  for (size_t i = 0; i < vr.problems.n; i++) {
    assert_non_null(strstr(vr.problems.items[i], "differ from its SHA-256 or file check"));
    assert_non_null(strstr(vault_problems_text(&vr.problems, i, true), "重建的位元組與其 SHA-256"));
  }
  vault_verify_result_release(&vr);
  vault_repo_close(r);
}

static void test_verify_names_damage(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  char s1[65], s2[65], s3[65];
  backup(x, s1);
  char p[512];
  snprintf(p, sizeof(p), "%s/data/deep/notes.txt", x->src);
  write_file(p, "changed\n", 8);
  backup(x, s2);
  write_file(p, "changed again\n", 14);
  backup(x, s3);
  /* A clean repository has no problem. */
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_verify_opts o = {.read_data = true, .files = true};
  struct vault_verify_result res;
  struct fs_err err;
  assert_int_equal(vault_verify(r, &o, &res, &err), 0);
  assert_int_equal(res.problems.n, 0);
  assert_int_equal(res.snapshots, 3);
  vault_verify_result_release(&res);
  vault_repo_close(r);

  /* A bit flip inside a pack: the pack, the offset, the blob and the file using it are named. */
  char pack[700], packname[80];
  first_pack(x->repo, pack, sizeof(pack));
  snprintf(packname, sizeof(packname), "pack %s offset", strrchr(pack, '/') + 1);
  chmod(pack, 0644);
  int fd = open(pack, O_RDWR);
  uint8_t byte;
  assert_int_equal(pread(fd, &byte, 1, 100), 1);
  byte ^= 0x10;
  assert_int_equal(pwrite(fd, &byte, 1, 100), 1);
  close(fd);
  verify_expect(x, true, packname);
  verify_expect(x, true, "is damaged (authentication failed");
  verify_expect(x, true, "used by snapshot");
  /* In zh-TW the file using it and the kind of blob are in Chinese too (#18 item 12). */
  verify_expect(x, true, "已損毀（驗證失敗（位元組受損或遭變更））；使用者：快照 ");
  /* Restoring a snapshot that needs it fails and says where. */
  r = open_repo(x->repo, VAULT_LOCK_SHARED);
  char target[400];
  snprintf(target, sizeof(target), "%s/out", x->root);
  struct vault_restore_result rr;
  int rc =
      vault_restore(r, s1, &(struct vault_restore_opts){.target = target, .threads = 1}, &rr, &err);
  assert_int_equal(rc, FS_ERR_CORRUPT);
  assert_non_null(strstr(err.where, "pack "));
  vault_repo_close(r);
  /* Truncated, then deleted. */
  assert_int_equal(truncate(pack, 50), 0);
  verify_expect(x, false, "truncated");
  unlink(pack);
  verify_expect(x, false, "is missing");

  /* A replaced snapshot: another snapshot's bytes under its name. */
  char a[400], b[400];
  snprintf(a, sizeof(a), "%s/snapshots/%s", x->repo, s1);
  snprintf(b, sizeof(b), "%s/snapshots/%s", x->repo, s2);
  struct fs_buf other;
  fs_buf_init(&other, 0);
  assert_int_equal(fs_file_read_all(a, &other, &err), 0);
  chmod(b, 0644);
  write_file(b, other.data, other.len);
  fs_buf_release(&other);
  char want[200];
  snprintf(want, sizeof(want), "snapshot %s: content does not match its name", s2);
  verify_expect(x, false, want);
  /* A snapshot deleted without a tombstone breaks the chain; the next one is named. */
  unlink(b);
  snprintf(want, sizeof(want), "broken chain: snapshot %.16s (seq 3) refers to parent %.16s", s3,
           s2);
  verify_expect(x, false, want);
}

/* ---- deposits, retention ----------------------------------------------------------------------
 */

static void write_deposit(const char *dir, const char *date, const char *balance_a2)
{
  mkdir(dir, 0700);
  char p[600], bal[512], acc[512], man[2048];
  snprintf(bal, sizeof(bal),
           "account_id,ledger,available,as_of\nA1,10.00,10.00,%s\nA2,%s,%s,%s\nA3,1,1,%s\n", date,
           balance_a2, balance_a2, date, date);
  snprintf(acc, sizeof(acc),
           "account_id,customer_id,product,currency,status,opened\n"
           "A1,C1,savings,TWD,active,2020-01-01\nA2,C1,loan,TWD,active,2020-01-01\n"
           "A3,C2,checking,USD,frozen,2021-05-05\n");
  char hb[65], ha[65];
  fs_sha256_hex(bal, strlen(bal), hb);
  fs_sha256_hex(acc, strlen(acc), ha);
  snprintf(man, sizeof(man),
           "{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"Test Bank\","
           "\"business_date\":\"%s\",\"files\":[{\"name\":\"balances.csv\",\"table\":\"balances\","
           "\"rows\":3,"
           "\"sha256\":\"%s\"},{\"name\":\"accounts.csv\",\"table\":\"accounts\",\"rows\":3,"
           "\"sha256\":\"%s\"}]}",
           date, hb, ha);
  snprintf(p, sizeof(p), "%s/balances.csv", dir);
  write_file(p, bal, strlen(bal));
  snprintf(p, sizeof(p), "%s/accounts.csv", dir);
  write_file(p, acc, strlen(acc));
  snprintf(p, sizeof(p), "%s/manifest.json", dir);
  write_file(p, man, strlen(man));
}

/* Full verification (every blob read, every file rebuilt) finds nothing. */
static void verify_clean(struct vault_repo *r)
{
  struct vault_verify_opts vo = {.read_data = true, .files = true};
  struct vault_verify_result vr;
  struct fs_err err;
  assert_int_equal(vault_verify(r, &vo, &vr, &err), 0);
  for (size_t i = 0; i < vr.problems.n; i++)
    print_message("problem: %s\n", vr.problems.items[i]);
  assert_int_equal(vr.problems.n, 0);
  vault_verify_result_release(&vr);
}

static int deposit(struct fx *x, const char *dir, const char *date, struct vault_store_result *res,
                   struct fs_err *err)
{
  char a[600], b[600], c[600];
  snprintf(a, sizeof(a), "%s/balances.csv", dir);
  snprintf(b, sizeof(b), "%s/accounts.csv", dir);
  snprintf(c, sizeof(c), "%s/manifest.json", dir);
  const char *files[] = {a, b, c};
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_APPEND);
  struct vault_deposit_opts o = {.files = files, .nfiles = 3, .business_date = date};
  int rc = vault_deposit(r, &o, res, err);
  vault_repo_close(r);
  return rc;
}

static void test_deposit_delta_and_retention(void **state)
{
  struct fx *x = *state;
  char d1[400], d2[400], bad[400];
  snprintf(d1, sizeof(d1), "%s/d1", x->root);
  snprintf(d2, sizeof(d2), "%s/d2", x->root);
  snprintf(bad, sizeof(bad), "%s/bad", x->root);
  write_deposit(d1, "2020-01-15", "5.00");
  write_deposit(d2, "2020-01-16", "7.25");
  write_deposit(bad, "2020-01-17", "7,25");
  struct vault_store_result res;
  struct fs_err err;
  assert_int_equal(deposit(x, d1, "2020-01-15", &res, &err), 0);
  assert_int_equal(res.delta_files, 0);
  assert_non_null(strstr(res.attestation, "finshield-vault-deposit-attestation"));
  char first[65];
  memcpy(first, res.snapshot_id, 65);
  vault_store_result_release(&res);
  assert_int_equal(deposit(x, d2, "2020-01-16", &res, &err), 0);
  assert_int_equal(res.delta_files, 2); /* both tables stored as row deltas */
  vault_store_result_release(&res);
  /* The same business date twice is refused. */
  assert_int_equal(deposit(x, d2, "2020-01-16", &res, &err), FS_ERR_CONFLICT);
  vault_store_result_release(&res);
  /* An invalid file: named by file, line and field; no snapshot is recorded. */
  assert_int_equal(deposit(x, bad, "2020-01-17", &res, &err), FS_ERR_INVALID);
  assert_true(res.problems.n >= 1);
  assert_non_null(strstr(res.problems.items[0], "balances.csv:3: field \"as_of\" (column 4)"));
  /* ... and in zh-TW (#18 item 12), which `vault deposit` prints to a zh-TW reader */
  assert_string_equal(vault_problems_text(&res.problems, 0, true),
                      "balances.csv:3：欄位「as_of」（第 4 欄）：不是日期（YYYY-MM-DD）：「7」");
  assert_string_equal(vault_problems_text(&res.problems, 0, false), res.problems.items[0]);
  bool more = false;
  for (size_t i = 0; i < res.problems.n; i++)
    more |= strstr(res.problems.items[i], "balances.csv:3: row has more fields") != NULL;
  assert_true(more);
  vault_store_result_release(&res);

  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_snapshot *all;
  size_t n;
  assert_int_equal(vault_snapshot_list(r, &all, &n, &err), 0);
  assert_int_equal(n, 2);
  /* Both restore bit for bit; export writes the standard layout. */
  char t1[400], t2[400], a[600], b[600];
  snprintf(t1, sizeof(t1), "%s/t1", x->root);
  snprintf(t2, sizeof(t2), "%s/t2", x->root);
  struct vault_restore_result rr;
  assert_int_equal(
      vault_restore(r, first, &(struct vault_restore_opts){.target = t1, .threads = 1}, &rr, &err),
      0);
  assert_int_equal(vault_export(r, "latest", t2, 2, &rr, &err), 0);
  snprintf(a, sizeof(a), "%s/balances.csv", d1);
  snprintf(b, sizeof(b), "%s/balances.csv", t1);
  assert_true(files_equal(a, b));
  snprintf(a, sizeof(a), "%s/balances.csv", d2);
  snprintf(b, sizeof(b), "%s/balances.csv", t2);
  assert_true(files_equal(a, b));
  snprintf(a, sizeof(a), "%s/manifest.json", d2);
  snprintf(b, sizeof(b), "%s/manifest.json", t2);
  assert_true(files_equal(a, b));
  /* Lookups for the continuity service. */
  struct vault_lookup *lk;
  assert_int_equal(vault_lookup_open(r, "latest", &lk, &err), 0);
  json_t *acct;
  assert_int_equal(vault_lookup_account(lk, "A2", &acct, &err), 0);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(acct, "balance"), "ledger")), "7.25");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(acct, "account"), "product")), "loan");
  json_decref(acct);
  assert_int_equal(vault_lookup_account(lk, "A9", &acct, &err), FS_ERR_NOT_FOUND);
  vault_lookup_free(lk);
  /* Retention at a time when both are within 90 days: nothing can be forgotten. */
  int64_t jan20 = (int64_t)fs_days_from_civil(2020, 1, 20) * 86400000;
  assert_string_equal(
      vault_retention_reason(&vault_repo_config(r)->retention, &all[0], all, n, jan20), "daily");
  vault_snapshot_list_free(all, n);
  vault_repo_close(r);
  r = open_repo(x->repo, VAULT_LOCK_EXCLUSIVE);
  const char *names[] = {first};
  assert_int_equal(vault_forget(r, names, 1, false, jan20, true, NULL, &err), FS_ERR_FORBIDDEN);
  assert_non_null(strstr(err.msg, "under retention (rule: daily"));
  /* A simulated clock only previews: forgetting by it is refused, and a dry run deletes nothing
   * (#18 item 4). */
  const char *second[] = {"latest"};
  int64_t y2030 = (int64_t)fs_days_from_civil(2030, 6, 1) * 86400000;
  assert_int_equal(vault_forget(r, names, 1, false, y2030, false, NULL, &err), FS_ERR_USAGE);
  assert_int_equal(vault_forget(r, NULL, 0, true, y2030, false, NULL, &err), FS_ERR_USAGE);
  struct vault_problems would = {0};
  assert_int_equal(vault_forget(r, NULL, 0, true, jan20, true, &would, &err), 0);
  assert_int_equal(would.n, 0);
  assert_int_equal(vault_forget(r, NULL, 0, true, y2030, true, &would, &err), 0);
  assert_int_equal(would.n, 1);
  assert_non_null(strstr(would.items[0], first));
  vault_problems_release(&would);
  struct vault_snapshot *still;
  size_t nstill;
  assert_int_equal(vault_snapshot_list(r, &still, &nstill, &err), 0);
  assert_int_equal(nstill, 2);
  vault_snapshot_list_free(still, nstill);
  /* By the real clock (years later) the 15th is neither within 90 days nor the last of its month
   * (the 16th is). */
  assert_int_equal(vault_forget(r, names, 1, false, 0, false, NULL, &err), 0);
  /* The latest snapshot is never forgettable. */
  assert_int_equal(vault_forget(r, second, 1, false, 0, false, NULL, &err), FS_ERR_FORBIDDEN);
  /* The policy can only grow. */
  struct vault_retention shorter = {30, 84}, longer = {120, 120};
  assert_int_equal(vault_retention_set(r, &shorter, &err), FS_ERR_FORBIDDEN);
  assert_int_equal(vault_retention_set(r, &longer, &err), 0);
  struct vault_prune_result pr;
  assert_int_equal(vault_prune(r, &pr, &err), 0);
  vault_repo_close(r);
  /* The remaining delta still restores, its base having been kept by reachability, and the chain
   * stays whole thanks to the tombstone. */
  r = open_repo(x->repo, VAULT_LOCK_SHARED);
  verify_clean(r);
  assert_int_equal(vault_repo_config(r)->retention.daily_days, 120);
  vault_repo_close(r);
}

/* A balances table of `rows` rows (several chunks); day 2 drops a run of rows long enough to skip
 * whole chunks of day 1 and changes every 97th balance. */
static void write_big_deposit(const char *dir, const char *date, int day, size_t rows)
{
  mkdir(dir, 0700);
  struct fs_buf bal;
  fs_buf_init(&bal, 0);
  const char *head = "account_id,ledger,available,as_of\n";
  assert_int_equal(fs_buf_append(&bal, head, strlen(head)), 0);
  size_t kept = 0;
  for (size_t i = 0; i < rows; i++) {
    if (day == 2 && i >= rows / 5 && i < rows / 2)
      continue;
    unsigned cents = (unsigned)(i * 7919 % 100000) + (day == 2 && i % 97 == 0 ? 1 : 0);
    char line[128];
    int n = snprintf(line, sizeof(line), "A%08zu,%u.%02u,%u.%02u,%s\n", i, cents / 100, cents % 100,
                     cents / 100, cents % 100, date);
    assert_int_equal(fs_buf_append(&bal, line, (size_t)n), 0);
    kept++;
  }
  const char *acc = "account_id,customer_id,product,currency,status,opened\n"
                    "A1,C1,savings,TWD,active,2020-01-01\n";
  char p[600], hb[65], ha[65], man[1024];
  fs_sha256_hex(bal.data, bal.len, hb);
  fs_sha256_hex(acc, strlen(acc), ha);
  snprintf(p, sizeof(p), "%s/balances.csv", dir);
  write_file(p, bal.data, bal.len);
  snprintf(p, sizeof(p), "%s/accounts.csv", dir);
  write_file(p, acc, strlen(acc));
  snprintf(man, sizeof(man),
           "{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"Test Bank\","
           "\"business_date\":\"%s\",\"files\":[{\"name\":\"balances.csv\",\"table\":\"balances\","
           "\"rows\":%zu,\"sha256\":\"%s\"},{\"name\":\"accounts.csv\",\"table\":\"accounts\","
           "\"rows\":1,\"sha256\":\"%s\"}]}",
           date, kept, hb, ha);
  snprintf(p, sizeof(p), "%s/manifest.json", dir);
  write_file(p, man, strlen(man));
  fs_buf_release(&bal);
}

static int packs_seen;

static int count_pack(const char *p, const struct stat *st, int f, struct FTW *w)
{
  (void)st;
  packs_seen += f == FTW_F && strlen(p + w->base) == 64 && !strstr(p, "/index/");
  return 0;
}

/* Chunks opened ahead by workers, for chunk lists and for the parents of deltas (whole parent
 * chunks skipped included): every thread count restores the same bytes. */
static void test_workers_restore_chunks_and_deltas(void **state)
{
  struct fx *x = *state;
  char d1[400], d2[400];
  snprintf(d1, sizeof(d1), "%s/d1", x->root);
  snprintf(d2, sizeof(d2), "%s/d2", x->root);
  write_big_deposit(d1, "2020-01-15", 1, 200000);
  write_big_deposit(d2, "2020-01-16", 2, 200000);
  struct vault_store_result res;
  struct fs_err err;
  /* Packs of 1 MiB: full packs are finished (fsync, rename) while other chunks go on. */
  rm_rf(x->repo);
  struct vault_init_opts io = {
      .password = PW, .password_len = strlen(PW), .kdf = VAULT_KDF_MIN, .pack_size = 1u << 20};
  assert_int_equal(vault_init(x->repo, &io, &err), 0);
  if (deposit(x, d1, "2020-01-15", &res, &err))
    fail_msg("deposit: %s: %s", err.where, err.msg);
  char first[65];
  memcpy(first, res.snapshot_id, 65);
  vault_store_result_release(&res);
  assert_int_equal(deposit(x, d2, "2020-01-16", &res, &err), 0);
  assert_int_equal(res.delta_files, 2);
  vault_store_result_release(&res);
  char data[400];
  snprintf(data, sizeof(data), "%s/data", x->repo);
  packs_seen = 0;
  nftw(data, count_pack, 16, FTW_PHYS);
  assert_true(packs_seen >= 3);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  for (int threads = 1; threads <= 3; threads++) {
    for (int which = 0; which < 2; which++) {
      char t[400], a[600], b[600];
      snprintf(t, sizeof(t), "%s/t%d%d", x->root, threads, which);
      struct vault_restore_result rr;
      if (vault_restore(r, which ? "latest" : first,
                        &(struct vault_restore_opts){.target = t, .threads = threads}, &rr, &err))
        fail_msg("restore: %s: %s", err.where, err.msg);
      assert_true(rr.files == 3);
      snprintf(a, sizeof(a), "%s/balances.csv", which ? d2 : d1);
      snprintf(b, sizeof(b), "%s/balances.csv", t);
      assert_true(files_equal(a, b));
    }
  }
  /* However few slots the levels of a delta chain get (none, too few for some levels, plenty:
   * four sources open at once share the store of one or two reading threads), each source reads
   * the same bytes as one read by the calling thread alone. */
  struct vault_snapshot *all, *latest;
  size_t nsnap;
  assert_int_equal(vault_snapshot_pick(r, "latest", &all, &nsnap, &latest, &err), 0);
  const struct vault_file_entry *bal = NULL;
  for (size_t i = 0; i < latest->nfiles; i++)
    if (!strcmp(latest->files[i].path, "balances.csv"))
      bal = &latest->files[i];
  assert_non_null(bal);
  struct vault_src *plain;
  assert_int_equal(vault_src_open(r, bal->desc, &plain, &err), 0);
  size_t size = (size_t)vault_src_size(plain), got;
  uint8_t *want = malloc(size + 1), *have = malloc(size + 1);
  assert_int_equal(vault_src_read(plain, want, size + 1, &got, &err), 0);
  assert_int_equal(got, size);
  vault_src_free(plain);
  struct vault_pool *pool;
  assert_int_equal(vault_pool_new(2, &pool, &err), 0);
  for (size_t readers = 0; readers <= 2; readers++) {
    struct vault_slots *sl;
    assert_int_equal(vault_slots_new(r, pool, readers, &sl, &err), 0);
    for (int pass = 0; pass < 2; pass++) { /* the second pass reuses the slots */
      struct vault_src *src[4];
      for (int k = 0; k < 4; k++) /* each takes what the ones before it left */
        assert_int_equal(vault_src_open_slots(r, bal->desc, sl, &src[k], &err), 0);
      for (int k = 0; k < 4; k++) {
        size_t n = 0;
        for (;;) {
          const uint8_t *p;
          uint8_t buf[70000];
          assert_int_equal(vault_src_view(src[k], buf, sizeof(buf), &p, &got, &err), 0);
          if (!got)
            break;
          assert_true(n + got <= size);
          memcpy(have + n, p, got);
          n += got;
        }
        assert_int_equal(n, size);
        assert_memory_equal(have, want, size);
      }
      for (int k = 0; k < 4; k++)
        vault_src_free(src[k]);
    }
    vault_slots_free(sl);
  }
  vault_pool_free(pool);
  free(want);
  free(have);
  vault_snapshots_free(all, nsnap);
  verify_clean(r);
  vault_repo_close(r);
}

/* ---- keys, replication, interruption ------------------------------------------------------------
 */

static void test_partner_key_restores_alone(void **state)
{
  struct fx *x = *state;
  uint8_t pk[32], sk[32], other_pk[32], other_sk[32];
  vault_partner_keygen(pk, sk);
  vault_partner_keygen(other_pk, other_sk);
  char repo[400];
  snprintf(repo, sizeof(repo), "%s/partnered", x->root);
  struct vault_init_opts o = {
      .password = PW, .password_len = strlen(PW), .kdf = VAULT_KDF_MIN, .partner_pk = pk};
  struct fs_err err;
  assert_int_equal(vault_init(repo, &o, &err), 0);
  make_tree(x->src);
  snprintf(x->repo, sizeof(x->repo), "%s", repo);
  backup(x, NULL);
  struct vault_unlock u = {.partner_sk = sk}, bad = {.partner_sk = other_sk},
                      wrong = {.password = "nope", .password_len = 4};
  struct vault_repo *r;
  assert_int_equal(vault_repo_open(repo, &bad, VAULT_LOCK_SHARED, &r, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_int_equal(vault_repo_open(repo, &wrong, VAULT_LOCK_SHARED, &r, &err),
                   FS_ERR_UNAUTHENTICATED);
  assert_int_equal(vault_repo_open(repo, &u, VAULT_LOCK_SHARED, &r, &err), 0);
  char target[400], a[600], b[600];
  snprintf(target, sizeof(target), "%s/partner-out", x->root);
  struct vault_restore_result rr;
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 1}, &rr,
                                 &err),
                   0);
  snprintf(a, sizeof(a), "%s/data/random.bin", x->src);
  snprintf(b, sizeof(b), "%s%s/data/random.bin", target, x->src);
  assert_true(files_equal(a, b));
  vault_repo_close(r);
}

static void test_replicate_then_verify(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  backup(x, NULL);
  char copy[400];
  snprintf(copy, sizeof(copy), "%s/offsite", x->root);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_replicate_result res;
  struct fs_err err;
  assert_int_equal(vault_replicate(r, copy, &res, &err), 0);
  assert_true(res.files_copied >= 5);
  assert_int_equal(res.verify.problems.n, 0);
  assert_true(res.verify.blobs > 0);
  vault_verify_result_release(&res.verify);
  /* Incremental: nothing new, nothing copied. */
  assert_int_equal(vault_replicate(r, copy, &res, &err), 0);
  assert_int_equal(res.files_copied, 0);
  vault_verify_result_release(&res.verify);
  vault_repo_close(r);
  /* The copy opens with the password and restores on its own. */
  r = open_repo(copy, VAULT_LOCK_SHARED);
  char target[400];
  snprintf(target, sizeof(target), "%s/from-copy", x->root);
  struct vault_restore_result rr;
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 1}, &rr,
                                 &err),
                   0);
  vault_repo_close(r);
  /* Damage in the copy is found by the next replication's verification. */
  char pack[700];
  first_pack(copy, pack, sizeof(pack));
  assert_int_equal(truncate(pack, 100), 0);
  r = open_repo(x->repo, VAULT_LOCK_SHARED);
  assert_int_equal(vault_replicate(r, copy, &res, &err), FS_ERR_CONFLICT);
  vault_repo_close(r);
}

static void test_interrupted_run_is_reused(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  /* A run that stored packs but died before its index and snapshot: simulated by storing blobs,
   * closing the pack, and dropping the writer without committing. */
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_APPEND);
  struct fs_err err;
  assert_int_equal(vault_writer_begin(r, &err), 0);
  char p[512];
  snprintf(p, sizeof(p), "%s/data/random.bin", x->src);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  assert_int_equal(fs_file_read_all(p, &b, &err), 0);
  size_t pos = 0;
  while (pos < b.len) {
    size_t cut = vault_chunker_cut(r->keys.gear, (uint8_t *)b.data + pos, b.len - pos);
    uint8_t id[32];
    assert_int_equal(vault_put(r, VAULT_BLOB_CHUNK, b.data + pos, cut, id, &err), 0);
    pos += cut;
  }
  fs_buf_release(&b);
  /* Close the pack the way the writer does when it is full, then "crash". */
  pthread_mutex_lock(&r->mu);
  pthread_mutex_unlock(&r->mu);
  assert_int_equal(vault_writer_commit(r, &err), 0);
  char idx[400];
  snprintf(idx, sizeof(idx), "%s/index", x->repo);
  DIR *d = opendir(idx);
  struct dirent *e;
  while ((e = readdir(d)))
    if (strlen(e->d_name) == 64) {
      char f[700];
      snprintf(f, sizeof(f), "%s/%s", idx, e->d_name);
      unlink(f); /* as if the run had died before writing its index */
    }
  closedir(d);
  vault_repo_close(r);
  /* The next backup adopts the packs from their trailers and stores almost nothing again. */
  r = open_repo(x->repo, VAULT_LOCK_APPEND);
  char path[512];
  snprintf(path, sizeof(path), "%s/data", x->src);
  const char *paths[] = {path};
  struct vault_store_result res;
  assert_int_equal(vault_backup(r, paths, 1, 1, &res, &err), 0);
  assert_true(res.bytes_added < 100000);
  vault_store_result_release(&res);
  vault_repo_close(r);
  r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_verify_opts vo = {.read_data = true, .files = true};
  struct vault_verify_result vr;
  assert_int_equal(vault_verify(r, &vo, &vr, &err), 0);
  assert_int_equal(vr.problems.n, 0);
  vault_verify_result_release(&vr);
  vault_repo_close(r);
}

static void test_lost_pack_is_stored_again(void **state)
{
  struct fx *x = *state;
  make_tree(x->src);
  backup(x, NULL);
  char pack[700];
  first_pack(x->repo, pack, sizeof(pack));
  unlink(pack);
  /* The next backup of the same files stores the lost blobs again instead of referring to them. */
  backup(x, NULL);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  char target[400], a[600], b[600];
  snprintf(target, sizeof(target), "%s/out", x->root);
  struct vault_restore_result rr;
  struct fs_err err;
  assert_int_equal(vault_restore(r, "latest",
                                 &(struct vault_restore_opts){.target = target, .threads = 1}, &rr,
                                 &err),
                   0);
  snprintf(a, sizeof(a), "%s/data/random.bin", x->src);
  snprintf(b, sizeof(b), "%s%s/data/random.bin", target, x->src);
  assert_true(files_equal(a, b));
  vault_repo_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_backup_restore_bit_exact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_names_damage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_restore_checks_file_check, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deposit_delta_and_retention, setup, teardown),
      cmocka_unit_test_setup_teardown(test_workers_restore_chunks_and_deltas, setup, teardown),
      cmocka_unit_test_setup_teardown(test_partner_key_restores_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replicate_then_verify, setup, teardown),
      cmocka_unit_test_setup_teardown(test_interrupted_run_is_reused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_pack_is_stored_again, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
