/* The data safe haven: an immutable, encrypted, deduplicating vault of critical data
 * (docs/vault.md for users, docs/vault-format.md for the bytes, docs/internals/vault.md for the
 * design). Every function returns FS_OK or an FS_ERR_* code with details in err; none prints. */
#ifndef FS_VAULT_VAULT_H
#define FS_VAULT_VAULT_H

#include "core/base.h"
#include "core/err.h"

#include <jansson.h>

struct vault_repo;

/* How long snapshots are kept: every snapshot for `daily_days` days after its date, and the last
 * snapshot of each calendar month for `monthly_months` months. Nothing under retention can be
 * forgotten or pruned, and the policy can only be lengthened. */
struct vault_retention {
  int64_t daily_days;
  int64_t monthly_months;
};

struct vault_config {
  int version;
  char id[33]; /* hex of 16 random bytes */
  int64_t created_ms;
  struct vault_retention retention;
  uint8_t sign_pk[32]; /* Ed25519 key that signs snapshots */
  int zstd_level;
  uint32_t max_depth; /* longest delta chain before a deposit stores a full copy again */
  uint64_t pack_size; /* a pack is closed once it holds this many bytes */
  bool has_partner;
};

/* ---- problems: what verification and validation found, one line each ------------------------ */
/* Each line is kept in English (items[i]) and in zh-TW (vault_problems_text), formatted through
 * the message catalogue as fs_err_set does. */
struct vault_problems {
  char **items;
  size_t n, cap;
  size_t dropped; /* lines beyond `limit` are only counted */
  size_t limit;   /* 0 means 1000 */
};
void vault_problems_add(struct vault_problems *p, const char *fmt, ...) FS_PRINTF(2, 3);
/* Line i in zh-TW when zh is true (its English when it has no translation), else in English. */
const char *vault_problems_text(const struct vault_problems *p, size_t i, bool zh);
/* Adds every line of src (both languages) and its dropped count to dst. */
void vault_problems_take(struct vault_problems *dst, const struct vault_problems *src);
void vault_problems_release(struct vault_problems *p);

/* ---- keys and repositories --------------------------------------------------------------------
 */
enum vault_kdf { VAULT_KDF_MIN, VAULT_KDF_INTERACTIVE, VAULT_KDF_MODERATE };

struct vault_init_opts {
  const char *password;
  size_t password_len;
  const uint8_t *partner_pk; /* X25519 public key (32 bytes) of the restoration partner, or NULL */
  enum vault_kdf kdf;
  struct vault_retention retention; /* zeros: 90 days and 84 months */
  uint64_t pack_size;               /* 0: 32 MiB; at least 1 MiB */
};
/* Creates a repository in dir (which must be missing or empty). */
int vault_init(const char *dir, const struct vault_init_opts *o, struct fs_err *err);

/* A restoration partner's key pair (X25519). */
void vault_partner_keygen(uint8_t pk[32], uint8_t sk[32]);

struct vault_unlock {
  const char *password; /* either a password ... */
  size_t password_len;
  const uint8_t *partner_sk; /* ... or the partner's secret key (32 bytes); pk is derived ... */
  const char *key_file;      /* ... or a key file (vault_key_add): no key derivation */
};

/* SHARED: readers (restore, verify, export, serve); APPEND: one writer adding snapshots while
 * readers go on (deposit, backup); EXCLUSIVE: deleting (forget, prune, retention). */
enum vault_lock_mode { VAULT_LOCK_SHARED, VAULT_LOCK_APPEND, VAULT_LOCK_EXCLUSIVE };
/* Opens dir: takes the lock (flock on dir/lock and dir/lock.write: the kernel drops them when the
 * process dies, so no lock is ever stale; a busy lock is waited for up to 30 s), reads and checks
 * the config, unwraps the master key and loads the index. FS_ERR_UNAUTHENTICATED for a wrong
 * password or key, FS_ERR_BUSY when another process holds a conflicting lock. */
int vault_repo_open(const char *dir, const struct vault_unlock *u, enum vault_lock_mode mode,
                    struct vault_repo **out, struct fs_err *err);
void vault_repo_close(struct vault_repo *r);
const struct vault_config *vault_repo_config(const struct vault_repo *r);
/* ---- key files (keyslot.c) ---------------------------------------------------------------- */
/* Writes a new key file at path (mode 0400; refused with FS_ERR_CONFLICT when path exists): a
 * random 256-bit key that opens the repository without the password and without Argon2id, for an
 * unattended deposit service. The master key is sealed under it in keys/keyfile-<slot>; *slot
 * (16 hex digits) names it for vault_key_remove, which revokes the file. */
int vault_key_add(struct vault_repo *r, const char *path, char slot[17], struct fs_err *err);
struct vault_key_slot {
  char name[24]; /* "password", "partner", or a key file's slot (16 hex digits) */
  bool key_file;
  int64_t created_ms; /* key files */
};
int vault_key_list(struct vault_repo *r, struct vault_key_slot **out, size_t *n,
                   struct fs_err *err);
void vault_key_slots_free(struct vault_key_slot *s, size_t n);
/* Removes a key file's slot: the file no longer opens the repository (FS_ERR_NOT_FOUND when there
 * is no such slot; the password's and the partner's cannot be removed). */
int vault_key_remove(struct vault_repo *r, const char *slot, struct fs_err *err);

/* Counts the bytes the long operations on r read, write or check on p (core/progress.h; NULL,
 * the default, counts nothing): backup and deposit (the files read; the total is their size),
 * restore, export and drill (the bytes restored), verify with read_data (the packs read) and
 * files (the files rebuilt). */
struct fs_progress;
void vault_repo_set_progress(struct vault_repo *r, struct fs_progress *p);
/* Lengthens the retention policy (shortening is refused with FS_ERR_FORBIDDEN). */
int vault_retention_set(struct vault_repo *r, const struct vault_retention *ret,
                        struct fs_err *err);

/* ---- snapshots --------------------------------------------------------------------------------
 */
struct vault_file_entry {
  char *path; /* relative, '/'-separated */
  char type;  /* 'f' file, 'd' folder, 'l' symbolic link */
  uint32_t mode;
  int64_t mtime_ms;
  uint64_t size;
  uint8_t sha256[32];
  uint8_t desc[32]; /* content descriptor blob (files only) */
  char *link;       /* target of a link */
  char *table;      /* deposits: the standard-format table, or NULL */
  uint64_t rows;
};

struct vault_snapshot {
  char id[65];
  uint64_t seq;
  char parent[65]; /* "" for the first */
  int64_t time_ms;
  char kind[16]; /* "deposit" or "backup" */
  char institution[128];
  char business_date[16];
  char host[64];
  struct vault_file_entry *files;
  size_t nfiles;
  uint64_t total_size;
};

struct vault_tombstone {
  char id[65];
  uint64_t seq;
  char parent[65];
  char business_date[16];
  int64_t time_ms;
  int64_t forgotten_ms;
};

/* Every snapshot, sorted by sequence number. Free with vault_snapshot_list_free. */
int vault_snapshot_list(struct vault_repo *r, struct vault_snapshot **out, size_t *n,
                        struct fs_err *err);
void vault_snapshot_list_free(struct vault_snapshot *s, size_t n);
/* Finds a snapshot of `all` by "latest", an id or a unique id prefix. */
int vault_snapshot_find(struct vault_snapshot *all, size_t n, const char *name,
                        struct vault_snapshot **out, struct fs_err *err);
/* Loads every snapshot into *all (free with vault_snapshot_list_free) and picks `name` ("latest",
 * an id or a unique id prefix) into *s; on error nothing is left to free. */
int vault_snapshot_pick(struct vault_repo *r, const char *name, struct vault_snapshot **all,
                        size_t *n, struct vault_snapshot **s, struct fs_err *err);
/* The snapshot as JSON (for `snapshots --json` and exports), and one entry of it (`ls --json`). */
json_t *vault_snapshot_json(const struct vault_snapshot *s);
json_t *vault_file_entry_json(const struct vault_file_entry *f);

/* What changed from snapshot a to snapshot b (vault_diff): one item per path that differs. */
struct vault_diff_item {
  char change; /* '+' added, '-' removed, 'M' content changed, 'T' type changed (file, folder, link)
                */
  const struct vault_file_entry *from, *to; /* in a and b; NULL where absent */
  bool rows; /* a standard-format table in both: the row counts are known */
  uint64_t rows_added, rows_removed, rows_changed; /* rows by key: only in b, only in a, in both
                                                      with other bytes */
};
struct vault_diff {
  struct vault_diff_item *items; /* in path order */
  size_t n;
  uint64_t added, removed, changed;    /* paths */
  uint64_t bytes_added, bytes_removed; /* sizes of the files added and removed */
};
/* Compares a and b by path: files by size and SHA-256, links by target (modes and times are not
 * compared). With `rows`, a table of the standard format that changed is read back in both
 * versions and merged by key (rows added, removed, changed). The items point into a and b. */
int vault_diff(struct vault_repo *r, const struct vault_snapshot *a, const struct vault_snapshot *b,
               bool rows, struct vault_diff *d, struct fs_err *err);
void vault_diff_release(struct vault_diff *d);

/* ---- storing ----------------------------------------------------------------------------------
 */
struct vault_store_result {
  char snapshot_id[65];
  uint64_t files, bytes_in;       /* what was read */
  uint64_t bytes_added;           /* bytes added to packs (after compression and encryption) */
  uint64_t delta_files;           /* files stored as a delta against the previous deposit */
  char *attestation;              /* deposits: signed attestation JSON (free()) */
  struct vault_problems problems; /* validation errors, each with file, line and field */
};
void vault_store_result_release(struct vault_store_result *res);

struct vault_deposit_opts {
  const char *const *files; /* the data files and the manifest (manifest.json) */
  size_t nfiles;
  const char *business_date; /* must match the manifest's */
  int threads;               /* 0: number of CPUs */
};
/* Validates the files against the standard critical-data format and their manifest, then stores
 * them as a snapshot. Each table is stored as a delta of rows against the same table of the
 * previous deposit (when there is one) or as chunks. FS_ERR_INVALID when validation fails
 * (res->problems names each error); nothing is recorded then. */
int vault_deposit(struct vault_repo *r, const struct vault_deposit_opts *o,
                  struct vault_store_result *res, struct fs_err *err);

/* Stores arbitrary files and folders. Each path is stored as given, an absolute one without its
 * leading '/', a relative one from the current folder (without the "../" it starts with), with
 * the folders above it, so that a snapshot restores into one tree (as restic and borg do). A path
 * inside another one given is stored once; two different files that would be stored under one
 * path are refused (FS_ERR_CONFLICT, naming both) before anything is stored. */
int vault_backup(struct vault_repo *r, const char *const *paths, size_t n, int threads,
                 struct vault_store_result *res, struct fs_err *err);

/* ---- paths in snapshots (tree.c, pure) ------------------------------------------------------- */
/* True for a path that stays inside a restore's target: not empty, relative, no ".." component. */
bool vault_path_clean(const char *p);
/* How backup stores the path it is given: lexically normalized ("." and empty components dropped,
 * "x/.." folded), an absolute path without its leading '/', a relative one without the ".." it
 * starts with (*lead counts them). "/" and "." give "". */
int vault_backup_path(const char *given, char *stored, size_t cap, size_t *lead,
                      struct fs_err *err);
/* Adds to p every reason a restore of s would fail on its paths (a path that is not clean, two
 * entries with one path, an entry below a file or link) and returns how many. */
size_t vault_tree_check(const struct vault_snapshot *s, struct vault_problems *p);
/* True when path is dir or lies below it ("" holds everything). */
bool vault_path_under(const char *path, const char *dir);
/* Marks in sel (one per entry of s) the entries a restore --include writes: those a pattern picks
 * (a glob as fnmatch(3) reads it, '*' not crossing '/', that matches the path or a folder above
 * it; a pattern without '/' may also match any one name in the path, so "*.csv" picks every CSV
 * file and "export" every folder named export), and the folders above them. Returns how many
 * entries the patterns picked themselves (0: nothing). */
size_t vault_tree_select(const struct vault_snapshot *s, const char *const *patterns, size_t n,
                         bool *sel);

/* ---- restoring --------------------------------------------------------------------------------
 */
struct vault_restore_result {
  char snapshot_id[65];
  uint64_t files, bytes;
  int64_t elapsed_ns;
};
/* Writes snapshot `name` ("latest", an id or a unique prefix), or the part that o->patterns pick
 * (FS_ERR_NOT_FOUND when they pick nothing), into o->target (created; must be empty or missing).
 * A snapshot whose paths would not restore (vault_tree_check: written by a backup before paths
 * were stored whole) fails before anything is written. Every file is checked whole: against its
 * file check (a keyed Poly1305 stored with it since descriptor version 2) or, for files stored
 * without one, its SHA-256. */
struct vault_restore_opts {
  const char *target;
  int threads;                 /* 0: one per CPU */
  const char *const *patterns; /* restore only what these pick (vault_tree_select); none: all */
  size_t npatterns;
};
int vault_restore(struct vault_repo *r, const char *name, const struct vault_restore_opts *o,
                  struct vault_restore_result *res, struct fs_err *err);
/* Like restore, in the standard critical-data layout (the tables and manifest.json) for a
 * deposit; threads as for restore. */
int vault_export(struct vault_repo *r, const char *name, const char *target, int threads,
                 struct vault_restore_result *res, struct fs_err *err);

/* A restore drill: restores the latest snapshot into a scratch folder under `scratch_parent`,
 * checks every file bit for bit against the recorded digests, measures the time, records the
 * evidence (signed JSON under drills/) and removes the scratch folder. *evidence (free()) is the
 * record. */
int vault_drill(struct vault_repo *r, const char *scratch_parent, int threads, char **evidence,
                struct fs_err *err);

/* ---- verification -----------------------------------------------------------------------------
 */
struct vault_verify_opts {
  bool read_data; /* decrypt and check every blob */
  bool files;     /* rebuild every file of every snapshot; check its SHA-256 and file check */
};
struct vault_verify_result {
  uint64_t snapshots, packs;
  uint64_t blobs;      /* blobs checked: every blob opened with read_data, else every blob the
                          snapshots need, found in the index */
  uint64_t bytes_read; /* bytes of packs read (read_data) */
  uint64_t files, file_bytes;     /* files rebuilt and checked (files), and their bytes */
  struct vault_problems problems; /* empty when all is well */
};
/* Checks the repository: config, keys, index, packs, snapshots (names, signatures, chain),
 * descriptors and, with read_data, every blob. Every problem names the pack, blob, snapshot or
 * file concerned. Returns FS_OK when the check ran (look at problems), an error when it could not.
 */
int vault_verify(struct vault_repo *r, const struct vault_verify_opts *o,
                 struct vault_verify_result *res, struct fs_err *err);
void vault_verify_result_release(struct vault_verify_result *res);

/* ---- retention --------------------------------------------------------------------------------
 */
/* Why a snapshot is kept at time now_ms: NULL when it is not under retention. */
const char *vault_retention_reason(const struct vault_retention *ret,
                                   const struct vault_snapshot *s, const struct vault_snapshot *all,
                                   size_t n, int64_t now_ms);
/* Forgets the named snapshots; refuses (FS_ERR_FORBIDDEN, naming the snapshot and the rule) when
 * one is under retention. With `expired`, forgets every snapshot out of retention instead.
 * Retention is judged by the real clock: now_ms (a simulated time, 0 for the clock) is accepted
 * only with dry_run (FS_ERR_USAGE otherwise), which lists in `done` what would be forgotten and
 * deletes nothing. Every snapshot forgotten (or that would be) is added to `done` (may be NULL). */
int vault_forget(struct vault_repo *r, const char *const *names, size_t n, bool expired,
                 int64_t now_ms, bool dry_run, struct vault_problems *done, struct fs_err *err);
struct vault_prune_result {
  uint64_t packs_removed, bytes_removed, packs_kept;
};
/* Removes packs that hold nothing any remaining snapshot needs (packs are deleted whole, never
 * rewritten). */
int vault_prune(struct vault_repo *r, struct vault_prune_result *res, struct fs_err *err);

/* ---- offsite copies ---------------------------------------------------------------------------
 */
struct vault_replicate_result {
  uint64_t files_copied, bytes_copied, files_present;
  uint64_t keys_revoked; /* key-file slots removed from the copy because the source removed them */
  struct vault_verify_result verify;
};
/* Copies what `to` lacks (a new folder becomes a copy of the repository), each file written
 * atomically, removes from the copy the key-file slots the source no longer has (a revocation
 * reaches every copy), then verifies the copy's new packs by reading them back. */
int vault_replicate(struct vault_repo *r, const char *to, struct vault_replicate_result *res,
                    struct fs_err *err);

/* ---- continuity: balances from a snapshot ---------------------------------------------------- */
struct vault_lookup;
/* Loads the accounts, balances and holds tables of a deposit snapshot into memory, sorted by key,
 * for lookups by account id. */
int vault_lookup_open(struct vault_repo *r, const char *snapshot, struct vault_lookup **out,
                      struct fs_err *err);
/* The account's record as JSON (caller decrefs): account fields, balances, holds, the snapshot's
 * business date. FS_ERR_NOT_FOUND when the vault has no such account. */
int vault_lookup_account(const struct vault_lookup *lk, const char *account_id, json_t **out,
                         struct fs_err *err);
uint64_t vault_lookup_count(const struct vault_lookup *lk);
void vault_lookup_free(struct vault_lookup *lk);

#endif
