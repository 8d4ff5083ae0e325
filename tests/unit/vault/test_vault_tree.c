/* Unit tests of the paths a backup stores (#18 item 5): two paths with the same last name restore
 * side by side, an absolute path restores with its folders, overlapping paths are stored once or
 * refused, and a snapshot whose paths collide (as older backups wrote them) is named by verify and
 * refused by restore before it writes anything. Also the pure path helpers. */
#include "vaultfx.h"

#include "core/file.h"
#include "vault/internal.h"

#include <errno.h>

static void put(const char *dir, const char *name, const char *text)
{
  char p[900];
  struct fs_err err;
  assert_int_equal(fs_mkdir_p(dir, 0700, &err), 0);
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  write_file(p, text, strlen(text));
}

static char *slurp(const char *path)
{
  struct fs_buf b;
  struct fs_err err;
  fs_buf_init(&b, 0);
  if (fs_file_read_all(path, &b, &err)) {
    fs_buf_release(&b);
    return NULL;
  }
  return b.data; /* NUL-terminated */
}

static int backup_paths(struct fx *x, const char *const *paths, size_t n, struct fs_err *err)
{
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_APPEND);
  struct vault_store_result res;
  int rc = vault_backup(r, paths, n, 1, &res, err);
  vault_store_result_release(&res);
  vault_repo_close(r);
  return rc;
}

static void test_path_helpers(void **state)
{
  (void)state;
  char out[64];
  size_t lead;
  struct fs_err err;
  assert_int_equal(
      vault_backup_path("/etc//finshield/./x/../vault.ini", out, sizeof(out), &lead, &err), 0);
  assert_string_equal(out, "etc/finshield/vault.ini");
  assert_int_equal(lead, 0);
  assert_int_equal(vault_backup_path("../../a/b/", out, sizeof(out), &lead, &err), 0);
  assert_string_equal(out, "a/b");
  assert_int_equal(lead, 2);
  assert_int_equal(vault_backup_path("/", out, sizeof(out), &lead, &err), 0);
  assert_string_equal(out, "");
  assert_int_equal(vault_backup_path(".", out, sizeof(out), &lead, &err), 0);
  assert_string_equal(out, "");
  assert_true(vault_path_clean("a/b..c/d"));
  assert_false(vault_path_clean("a/../d"));
  assert_false(vault_path_clean("/a"));
  assert_false(vault_path_clean(""));
  assert_false(vault_path_clean(".."));
  assert_true(vault_path_under("a/b", "a"));
  assert_true(vault_path_under("a", "a"));
  assert_false(vault_path_under("ab", "a"));
  assert_true(vault_path_under("x", ""));

  struct vault_file_entry f[] = {{.path = "exp"},
                                 {.path = "exp/a.csv", .type = 'f'},
                                 {.path = "exp/b.txt", .type = 'f'},
                                 {.path = "doc", .type = 'd'},
                                 {.path = "doc/x.csv", .type = 'f'},
                                 {.path = "doc/sub", .type = 'd'},
                                 {.path = "doc/sub/y", .type = 'f'}};
  f[0].type = 'd';
  struct vault_snapshot s = {.files = f, .nfiles = 7};
  bool sel[7];
  const char *csv[] = {"*.csv"};
  assert_int_equal(vault_tree_select(&s, csv, 1, sel), 2);
  assert_true(sel[0] && sel[1] && !sel[2] && sel[3] && sel[4] && !sel[5] && !sel[6]);
  const char *sub[] = {"doc/sub"};
  assert_int_equal(vault_tree_select(&s, sub, 1, sel), 2);
  assert_true(!sel[0] && !sel[1] && sel[3] && !sel[4] && sel[5] && sel[6]);
  const char *none[] = {"nothing*"};
  assert_int_equal(vault_tree_select(&s, none, 1, sel), 0);

  /* A file with a folder's path, an entry below a file. */
  struct vault_problems p = {0};
  assert_int_equal(vault_tree_check(&s, &p), 0);
  f[2].path = "exp/a.csv";
  f[6].path = "exp/a.csv/y";
  assert_int_equal(vault_tree_check(&s, &p), 2);
  assert_non_null(strstr(p.items[0], "two entries are stored as exp/a.csv"));
  assert_non_null(strstr(p.items[1], "exp/a.csv/y lies below exp/a.csv, which is a file"));
  vault_problems_release(&p);
}

static void test_same_name_paths_restore(void **state)
{
  struct fx *x = *state;
  char a[400], b[400], t[400], p[1400];
  snprintf(a, sizeof(a), "%s/site-a/export", x->src);
  snprintf(b, sizeof(b), "%s/site-b/export", x->src);
  put(a, "t.csv", "from a\n");
  put(b, "t.csv", "from b\n");
  put(b, "v1..v2.txt",
      "a name with two dots\n"); /* a name, not a climb: the snapshot stays readable */
  struct fs_err err;
  /* The second given path is inside the first: stored once. */
  snprintf(p, sizeof(p), "%s/t.csv", a);
  const char *paths[] = {a, b, p};
  assert_int_equal(backup_paths(x, paths, 3, &err), 0);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_SHARED);
  snprintf(t, sizeof(t), "%s/out", x->root);
  struct vault_restore_result rr;
  if (vault_restore(r, "latest", &(struct vault_restore_opts){.target = t, .threads = 2}, &rr,
                    &err))
    fail_msg("restore: %s: %s", err.where, err.msg);
  assert_int_equal(rr.files, 3);
  /* Each absolute path comes back with its folders, below the target. */
  snprintf(p, sizeof(p), "%s%s/t.csv", t, a);
  char *got = slurp(p);
  assert_non_null(got);
  assert_string_equal(got, "from a\n");
  free(got);
  snprintf(p, sizeof(p), "%s%s/t.csv", t, b);
  got = slurp(p);
  assert_non_null(got);
  assert_string_equal(got, "from b\n");
  free(got);
  snprintf(p, sizeof(p), "%s/export", t);
  struct stat st;
  assert_int_equal(stat(p, &st), -1);
  /* --include: one of them, with the folders above it. */
  snprintf(t, sizeof(t), "%s/part", x->root);
  const char *inc[] = {"site-b"};
  assert_int_equal(
      vault_restore(r, "latest",
                    &(struct vault_restore_opts){.target = t, .patterns = inc, .npatterns = 1}, &rr,
                    &err),
      0);
  assert_int_equal(rr.files, 2);
  snprintf(p, sizeof(p), "%s%s/t.csv", t, b);
  assert_int_equal(stat(p, &st), 0);
  snprintf(p, sizeof(p), "%s%s/t.csv", t, a);
  assert_int_equal(stat(p, &st), -1);
  const char *nothing[] = {"*.xlsx"};
  snprintf(t, sizeof(t), "%s/none", x->root);
  assert_int_equal(
      vault_restore(r, "latest",
                    &(struct vault_restore_opts){.target = t, .patterns = nothing, .npatterns = 1},
                    &rr, &err),
      FS_ERR_NOT_FOUND);
  struct vault_verify_opts vo = {.files = true};
  struct vault_verify_result vr;
  assert_int_equal(vault_verify(r, &vo, &vr, &err), 0);
  assert_int_equal(vr.problems.n, 0);
  assert_int_equal(vr.files, 3);
  vault_verify_result_release(&vr);
  vault_repo_close(r);

  /* Relative paths are stored from the current folder; "../export" and "export" would both be
   * "export": refused, naming both, before anything is stored. */
  char cwd[4096], other[400];
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  snprintf(other, sizeof(other), "%s/export", x->src);
  put(other, "t.csv", "from src\n");
  snprintf(p, sizeof(p), "%s/site-b", x->src);
  assert_int_equal(chdir(p), 0);
  const char *rel[] = {"export", "../export"};
  int rc = backup_paths(x, rel, 2, &err);
  char msg[sizeof(err.msg)];
  snprintf(msg, sizeof(msg), "%s", err.msg);
  const char *both[] = {"export", "./export/t.csv"}; /* the same file twice: stored once */
  int rc2 = backup_paths(x, both, 2, &err);
  assert_int_equal(chdir(cwd), 0);
  assert_int_equal(rc, FS_ERR_CONFLICT);
  assert_non_null(strstr(msg, "../export and export would both be stored as export"));
  assert_int_equal(rc2, 0);
}

/* A snapshot holding two entries with one path, as a backup of two paths with the same last name
 * wrote it before paths were stored whole. */
static void test_colliding_snapshot_is_named(void **state)
{
  struct fx *x = *state;
  char a[400], b[400], t[400];
  snprintf(a, sizeof(a), "%s/one/data", x->src);
  snprintf(b, sizeof(b), "%s/two/data", x->src);
  put(a, "f.txt", "one\n");
  put(b, "f.txt", "two\n");
  const char *paths[] = {a, b};
  struct fs_err err;
  assert_int_equal(backup_paths(x, paths, 2, &err), 0);
  struct vault_repo *r = open_repo(x->repo, VAULT_LOCK_APPEND);
  struct vault_snapshot *all;
  size_t n;
  assert_int_equal(vault_snapshot_list(r, &all, &n, &err), 0);
  struct vault_snapshot old = {0};
  snprintf(old.kind, sizeof(old.kind), "backup");
  old.time_ms = all[0].time_ms;
  old.files = calloc(2, sizeof(*old.files));
  for (size_t i = 0; i < all[0].nfiles; i++)
    if (all[0].files[i].type == 'f') {
      old.files[old.nfiles] = all[0].files[i];
      old.files[old.nfiles++].path = "data/f.txt";
    }
  assert_int_equal(old.nfiles, 2);
  assert_int_equal(vault_snapshot_write(r, &old, &err), 0);
  free(old.files);
  vault_snapshot_list_free(all, n);
  vault_repo_close(r);

  r = open_repo(x->repo, VAULT_LOCK_SHARED);
  struct vault_verify_opts vo = {.files = true};
  struct vault_verify_result vr;
  assert_int_equal(vault_verify(r, &vo, &vr, &err), 0);
  assert_int_equal(vr.problems.n, 1);
  assert_non_null(strstr(vr.problems.items[0], "two entries are stored as data/f.txt"));
  vault_verify_result_release(&vr);
  snprintf(t, sizeof(t), "%s/out", x->root);
  struct vault_restore_result rr;
  assert_int_equal(vault_restore(r, "latest", &(struct vault_restore_opts){.target = t}, &rr, &err),
                   FS_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, "cannot be restored as stored: "));
  struct stat st;
  assert_int_equal(stat(t, &st), -1); /* nothing written */
  char *ev;
  assert_int_equal(vault_drill(r, x->root, 1, &ev, &err), FS_ERR_CORRUPT);
  assert_non_null(strstr(ev, "\"result\": \"fail\""));
  free(ev);
  vault_repo_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_path_helpers),
      cmocka_unit_test_setup_teardown(test_same_name_paths_restore, setup, teardown),
      cmocka_unit_test_setup_teardown(test_colliding_snapshot_is_named, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
