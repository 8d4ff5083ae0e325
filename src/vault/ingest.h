/* Storing files (internal to the vault module): one job per file, run by a pool of threads. */
#ifndef FS_VAULT_INGEST_H
#define FS_VAULT_INGEST_H

#include "vault/cdf.h"
#include "vault/vault.h"

#include <sys/stat.h>

struct ingest_job {
  /* in */
  const char *src;                     /* path on disk */
  char *src_owned;                     /* freed with the job when set */
  char *rel;                           /* stored path (owned) */
  const struct vault_cdf_table *table; /* standard-format table to validate, or NULL */
  enum vault_cdf_format fmt;
  bool has_parent; /* store as a delta against parent_desc */
  uint8_t parent_desc[32];
  uint32_t version; /* of the new version (delta only) */
  uint8_t base[32]; /* the full copy its line starts from (delta only) */
  struct stat st;
  /* out */
  uint64_t size, rows, errors;
  uint8_t sha256[32];
  uint8_t desc[32];
  bool delta;
  struct vault_problems problems; /* validation errors (file, line, field) */
  int rc;
  struct fs_err err;
};

/* Stores every job with `threads` threads (0: one per CPU). The writer must be open. Returns the
 * first job's error; validation errors are not errors here (see each job's `errors`). */
int vault_ingest_run(struct vault_repo *r, struct ingest_job *jobs, size_t n, int threads,
                     struct fs_err *err);
void vault_ingest_job_release(struct ingest_job *j);

#endif
