/* Snapshot and tombstone bodies (JSON): pure parsers (each with a fuzz target) and writers. */
#ifndef FS_VAULT_SNAPFMT_H
#define FS_VAULT_SNAPFMT_H

#include "vault/vault.h"

struct vault_repo;

/* Parses a snapshot body (the JSON inside the signed, sealed file). Pure. The caller releases s. */
int vault_snapshot_parse(const char *text, size_t len, struct vault_snapshot *s,
                         struct fs_err *err);
void vault_snapshot_release(struct vault_snapshot *s);
/* Parses a tombstone body. Pure. */
int vault_tombstone_parse(const char *text, size_t len, struct vault_tombstone *t,
                          struct fs_err *err);
/* Writes the tombstone that replaces snapshot s in the chain. */
int vault_tombstone_write(struct vault_repo *r, const struct vault_snapshot *s, int64_t now_ms,
                          struct fs_err *err);
/* The highest sequence number among snapshots and tombstones, and the id that carries it. */
int vault_chain_head(struct vault_repo *r, uint64_t *seq, char parent[65], struct fs_err *err);

#endif
