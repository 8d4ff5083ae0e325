/* Helpers shared by unit tests: temporary folders and a store with every hub schema. */
#ifndef FS_TESTS_TESTUTIL_H
#define FS_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes a fresh folder under /tmp and returns its path (static storage per call site is not
 * needed: the caller keeps the buffer). */
static inline void test_tmpdir(char out[256], const char *tag)
{
  snprintf(out, 256, "/tmp/finshield-%s-XXXXXX", tag);
  if (!mkdtemp(out)) {
    perror("mkdtemp");
    abort();
  }
}

static inline void test_rmrf(const char *dir)
{
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
}

#endif
