/* Where unit tests find their data (include after <cmocka.h>).
 *
 * Fixtures: files written for finshield's tests, in the project under tests/data (found from
 * FINSHIELD_SOURCE_DIR, else from the working folder, which CTest sets to the project's root).
 * What a test needs to prove the code right is there.
 *
 * Corpora: third-party data that is not in the project (SigmaHQ's rules and their regression
 * events, the OASIS STIX examples), under FINSHIELD_TEST_DATA (default ../shared/data, next to
 * the project). A test program that reads one has a second run, `test_x --corpus` (CTest's
 * "unit.x.corpus"): when the corpus is absent that run prints one line naming the folder and
 * exits 77, which CTest reports as skipped; with CI=true it fails instead. */
#ifndef FS_TESTS_TESTDATA_H
#define FS_TESTS_TESTDATA_H

#include "core/buf.h"
#include "core/err.h"
#include "core/file.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { TEST_SKIP = 77 };

/* out = <project>/tests/data/<rel>. */
static inline void test_fixture_path(char *out, size_t n, const char *rel)
{
  const char *src = getenv("FINSHIELD_SOURCE_DIR");
  snprintf(out, n, "%s/tests/data/%s", src && *src ? src : ".", rel);
}

/* The corpora's folder: FINSHIELD_TEST_DATA, else shared/data next to the project. */
static inline const char *test_corpus_root(void)
{
  static char next_to[1024];
  const char *d = getenv("FINSHIELD_TEST_DATA"), *src = getenv("FINSHIELD_SOURCE_DIR");
  if (d && *d)
    return d;
  const char *slash = src ? strrchr(src, '/') : NULL;
  if (!slash || slash == src)
    return "../shared/data";
  snprintf(next_to, sizeof(next_to), "%.*s/shared/data", (int)(slash - src), src);
  return next_to;
}

/* out = <corpora>/<rel>. */
static inline void test_corpus_path(char *out, size_t n, const char *rel)
{
  snprintf(out, n, "%s/%s", test_corpus_root(), rel);
}

/* True when the program was run for its corpus run (`--corpus`). */
static inline bool test_corpus_run(int argc, char **argv)
{
  return argc > 1 && !strcmp(argv[1], "--corpus");
}

/* 0 when the corpus folder <corpora>/<rel> is there; otherwise prints one line naming it and
 * returns the exit code: TEST_SKIP, or 1 when CI=true (where the corpus is required). */
static inline int test_corpus_require(const char *rel)
{
  char path[1024];
  test_corpus_path(path, sizeof(path), rel);
  struct stat st;
  if (!stat(path, &st) && S_ISDIR(st.st_mode))
    return 0;
  const char *ci = getenv("CI");
  bool required = ci && !strcmp(ci, "true");
  printf("%s: third-party corpus %s not found (set FINSHIELD_TEST_DATA to the folder that holds "
         "it)%s\n",
         required ? "FAILED" : "SKIPPED", path, required ? "; it is required when CI=true" : "");
  return required ? 1 : TEST_SKIP;
}

/* Reads a whole file into b (initialized here, at most 64 MiB); a failure names the file. */
static inline void test_read_file(const char *path, struct fs_buf *b)
{
  struct fs_err err;
  fs_buf_init(b, 64u << 20);
  if (fs_file_read_all(path, b, &err))
    fail_msg("cannot read %s: %s (%s)", path, err.msg, err.where);
}

static inline int test_name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files in dir ending with suffix, sorted (free each and the array); a missing
 * folder fails the test, naming it. */
static inline char **test_list_files(const char *dir, const char *suffix, size_t *n)
{
  DIR *d = opendir(dir);
  if (!d)
    fail_msg("cannot open the folder %s", dir);
  char **names = NULL;
  size_t cap = 0, sl = strlen(suffix);
  *n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix))
      continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      names = realloc(names, cap * sizeof(*names));
      assert_non_null(names);
    }
    names[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  if (*n)
    qsort(names, *n, sizeof(*names), test_name_cmp);
  return names;
}

static inline void test_free_list(char **names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* Reads each file of dir ending with suffix, in name order, and gives fn its path and bytes;
 * fails, naming the folder, when it holds fewer than min such files. */
typedef void (*test_file_fn)(const char *path, const struct fs_buf *bytes, void *arg);
static inline void test_each_file(const char *dir, const char *suffix, size_t min, test_file_fn fn,
                                  void *arg)
{
  size_t n;
  char **names = test_list_files(dir, suffix, &n);
  if (n < min)
    fail_msg("%s: %zu %s files, expected at least %zu", dir, n, suffix, min);
  for (size_t i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    struct fs_buf b;
    test_read_file(path, &b);
    fn(path, &b, arg);
    fs_buf_release(&b);
  }
  test_free_list(names, n);
}

#endif
