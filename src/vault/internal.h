/* Internal structures of the vault module shared by its files: keys, the in-memory index, the pack
 * writer, content descriptors and readers. Nothing here is part of the public interface (vault.h).
 */
#ifndef FS_VAULT_INTERNAL_H
#define FS_VAULT_INTERNAL_H

#include "vault/vault.h"
#include "vault/format.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/progress.h"
#include "core/signed.h"

#include <pthread.h>
#include <stdio.h>

#define VAULT_KEY_LEN 32
#define VAULT_NONCE_LEN 24
#define VAULT_TAG_LEN 16
#define VAULT_SEAL_OVERHEAD (VAULT_NONCE_LEN + VAULT_TAG_LEN)
#define VAULT_PACK_TARGET (32u << 20) /* a pack is closed once it holds this many bytes */
#define VAULT_META_MAX (256u << 20)   /* cap on any index, snapshot or key file we read */

/* The keys derived from the master key (libsodium crypto_kdf, context "FSVAULT1"). */
struct vault_keys {
  uint8_t master[VAULT_KEY_LEN];
  uint8_t data[VAULT_KEY_LEN];      /* blobs in packs */
  uint8_t id[VAULT_KEY_LEN];        /* HMAC-SHA256 key of chunk ids */
  uint8_t meta[VAULT_KEY_LEN];      /* index, snapshot and tombstone files, pack trailers */
  uint8_t mac[VAULT_KEY_LEN];       /* the config's MAC */
  uint8_t check_r[VAULT_KEY_LEN];   /* the file check's Poly1305 r (its first 16 bytes) */
  uint8_t check_pad[VAULT_KEY_LEN]; /* BLAKE2b key of the file check's one-time pads */
  uint8_t sign_pk[32];              /* Ed25519, seeded from the master key */
  uint8_t sign_sk[64];
  uint64_t gear[256]; /* the chunker's table, derived from the key */
};

/* ---- crypto.c -------------------------------------------------------------------------------- */
void vault_keys_derive(struct vault_keys *k, const uint8_t master[VAULT_KEY_LEN]);
void vault_keys_wipe(struct vault_keys *k);
/* Keyed chunk id: HMAC-SHA256(id key, data). */
void vault_chunk_id(const struct vault_keys *k, const void *data, size_t n, uint8_t out[32]);
/* Seals n bytes: out gets nonce || ciphertext || tag (n + VAULT_SEAL_OVERHEAD bytes). The
 * associated data binds the blob to its place (type and id, or a file's magic). */
void vault_seal(const uint8_t key[VAULT_KEY_LEN], const void *ad, size_t adlen, const void *in,
                size_t n, uint8_t *out);
/* Opens a sealed buffer of n bytes into out (n - VAULT_SEAL_OVERHEAD bytes). FS_OK or
 * FS_ERR_CORRUPT (authentication failed). */
int vault_open_sealed(const uint8_t key[VAULT_KEY_LEN], const void *ad, size_t adlen,
                      const uint8_t *in, size_t n, uint8_t *out);

/* Streaming SHA-256 (GnuTLS, hardware-accelerated where the CPU allows). */
struct vault_sha256 {
  void *h;
};
int vault_sha256_init(struct vault_sha256 *s);
void vault_sha256_update(struct vault_sha256 *s, const void *p, size_t n);
void vault_sha256_final(struct vault_sha256 *s, uint8_t out[32]);

/* The sums a file version is stored with and checked against when rebuilt: its SHA-256 (the
 * standard format's manifest hash) and its *file check*, a Poly1305 MAC in Wegman-Carter form:
 * check = (Poly1305_r(bytes) + pad) mod 2^128, r from keys->check_r, and the one-time pad
 * pad = BLAKE2b-128(key = keys->check_pad, sha256 || u64 size), different for every content.
 * The check runs at 12 GB/s (OpenSSL, AVX-512) where SHA-256 runs at 1.7 (SHA-NI), so a restore
 * checks the check and leaves SHA-256 to writers, verify --files and drills. With
 * VAULT_SUM_CHECK_SODIUM the check is computed with libsodium's Poly1305 (the fallback when OpenSSL
 * cannot start; tests compare the two). */
enum vault_sum_want {
  VAULT_SUM_SHA256 = 1,
  VAULT_SUM_CHECK = 2,
  VAULT_SUM_CHECK_SODIUM = 4,
};
struct vault_sum {
  unsigned want;
  uint64_t size;
  struct vault_sha256 sha;
  void *mac; /* EVP_MAC_CTX, or crypto_onetimeauth_state when sodium */
  bool sodium;
};
/* FS_ERR_CRYPTO when a digest cannot start (nothing to release then; abandoning it is harmless). */
int vault_sum_init(struct vault_sum *s, const struct vault_keys *k, unsigned want);
void vault_sum_update(struct vault_sum *s, const void *p, size_t n);
/* Ends the sum and releases it. With VAULT_SUM_SHA256, sha256 receives the digest; with
 * VAULT_SUM_CHECK, check receives the file check, whose pad comes from sha256: the digest just
 * computed or, summing without SHA-256, the expected digest the caller put there. */
void vault_sum_final(struct vault_sum *s, const struct vault_keys *k, uint8_t sha256[32],
                     uint8_t check[VAULT_CHECK_LEN]);
/* Ends the sum and compares what it summed with what descriptor d records (size, and SHA-256 and
 * check as wanted). Releases the sum. */
bool vault_sum_matches(struct vault_sum *s, const struct vault_keys *k, const struct vault_desc *d);
/* Releases a sum without ending it (error paths). */
void vault_sum_abandon(struct vault_sum *s);

/* ---- in-memory index: blob id -> place ------------------------------------------------------- */
struct vault_loc {
  uint8_t id[32];
  uint32_t pack; /* index into vault_repo.packs */
  uint8_t type;  /* enum vault_blob_type */
  uint8_t state; /* 0 empty slot, 1 stored, 2 reserved (being written by this process) */
  uint32_t enc_len;
  uint32_t raw_len;
  uint64_t offset;
};

struct vault_pack_info {
  uint8_t id[32];
  uint64_t size;
  bool indexed; /* listed by an index file (false: adopted from its trailer, or new) */
  bool lost;    /* missing or shorter than indexed: its blobs are stored again when needed */
};

struct vault_index {
  struct vault_loc *slots;
  size_t cap, count;
  struct vault_pack_info *packs;
  size_t npacks, packs_cap;
};

void vault_index_init(struct vault_index *ix);
void vault_index_release(struct vault_index *ix);
struct vault_loc *vault_index_find(const struct vault_index *ix, const uint8_t id[32]);
/* Inserts (or returns the existing) slot for id; NULL when out of memory. *fresh tells which. */
struct vault_loc *vault_index_put(struct vault_index *ix, const uint8_t id[32], bool *fresh);
/* Adds a pack and returns its number, or -1 when out of memory. */
long vault_index_add_pack(struct vault_index *ix, const uint8_t id[32], uint64_t size);
/* Adds a pack's entries (state stored); blobs already stored elsewhere keep their place. */
int vault_index_add_entries(struct vault_index *ix, long pack, const struct vault_entry *e,
                            size_t n);

/* ---- the repository handle ------------------------------------------------------------------- */
struct vault_writer;

struct vault_repo {
  char dir[2048];
  int lock_fd, write_fd;
  enum vault_lock_mode mode;
  struct vault_keys keys;
  struct vault_config cfg;
  struct vault_index ix;
  struct vault_writer *w; /* open while writing */
  pthread_mutex_t mu;     /* guards ix and w */
  int zstd_level;
  struct vault_problems open_problems; /* damaged index files found while opening */
  struct fs_progress *progress;        /* vault_repo_set_progress; NULL: none */
};

/* Path of a repository file: "<dir>/<rel>". FS_ERR_TOO_LARGE when it does not fit. */
int vault_path(const struct vault_repo *r, char *out, size_t n, const char *fmt, ...)
    FS_PRINTF(4, 5);
/* Path of a pack file data/xx/<hex>. */
void vault_pack_path(const struct vault_repo *r, const uint8_t id[32], char *out, size_t n);
/* Writes a file atomically (temp, fsync, rename, fsync folder) and makes it read-only (0444). */
int vault_write_file(const char *path, const void *data, size_t len, struct fs_err *err);
/* Reads a whole repository file (at most VAULT_META_MAX bytes). */
int vault_read_file(const char *path, struct fs_buf *out, struct fs_err *err);
/* Reads a sealed metadata file (magic || sealed body) and opens it into out. */
int vault_read_meta(struct vault_repo *r, const char *path, const char magic[8], struct fs_buf *out,
                    struct fs_err *err);
/* Seals body with the meta key and writes magic || sealed atomically. */
int vault_write_meta(struct vault_repo *r, const char *path, const char magic[8], const void *body,
                     size_t len, struct fs_err *err);
/* Lists file names (not starting with '.') of a repository folder; the caller frees each name and
 * the array. Missing folder: zero names. */
int vault_list(const struct vault_repo *r, const char *sub, char ***names, size_t *n,
               struct fs_err *err);
void vault_list_free(char **names, size_t n);

/* Scratch space for reading blobs, reused across calls by one thread (no allocation per blob). */
struct vault_blob_io {
  struct fs_buf sealed;
  struct fs_buf plain;
  void *dctx;     /* ZSTD_DCtx */
  bool check_ids; /* recompute each chunk's keyed id (verify); readers that check the whole
                     file (vault_sum) anyway leave it off (the AEAD already authenticates the blob)
                   */
};
void vault_blob_io_init(struct vault_blob_io *io);
void vault_blob_io_release(struct vault_blob_io *io);
/* Loads a blob's plaintext into out (replacing its contents). Errors name the pack, offset, id. */
int vault_blob_read(struct vault_repo *r, struct vault_blob_io *io, const uint8_t id[32],
                    struct fs_buf *out, struct fs_err *err);
int vault_blob_load(struct vault_repo *r, const uint8_t id[32], struct fs_buf *out,
                    struct fs_err *err);
/* Opens sealed blob bytes (as stored in a pack) into out and, with io->check_ids, checks the
 * keyed id of chunks. */
int vault_blob_unseal(struct vault_repo *r, struct vault_blob_io *io, const struct vault_entry *e,
                      const uint8_t *sealed, struct fs_buf *out, struct fs_err *err);
/* Like vault_blob_read, into dst (cap bytes, at least the blob's length); *len gets the length. */
int vault_blob_read_into(struct vault_repo *r, struct vault_blob_io *io, const uint8_t id[32],
                         uint8_t *dst, size_t cap, size_t *len, struct fs_err *err);
/* Blob on disk: seal(flag || payload) with flag 0 raw, 1 zstd; AD = type || id. */
#define VAULT_BLOB_RAW 0
#define VAULT_BLOB_ZSTD 1
void vault_blob_ad(uint8_t ad[33], uint8_t type, const uint8_t id[32]);
/* Loads every index file into r->ix. Damaged index files fail unless problems is given. */
int vault_index_load(struct vault_repo *r, struct vault_problems *problems, struct fs_err *err);

/* ---- writer.c: packs ------------------------------------------------------------------------- */
/* Starts writing: removes leftover temporary files, adopts packs that no index lists (an earlier
 * run was killed), opens a new pack. Needs the exclusive lock. */
int vault_writer_begin(struct vault_repo *r, struct fs_err *err);
/* Stores one blob (deduplicated by id): computes the id for chunks (type CHUNK) or uses the keyed
 * hash for every type, compresses, seals, appends. Thread-safe. id_out gets the blob id. */
int vault_put(struct vault_repo *r, enum vault_blob_type type, const void *data, size_t len,
              uint8_t id_out[32], struct fs_err *err);
/* Per-thread compression context for vault_put_ctx (avoids one per blob). */
struct vault_put_ctx;
struct vault_put_ctx *vault_put_ctx_new(void);
void vault_put_ctx_free(struct vault_put_ctx *c);
/* A put context without a compression context of its own (it creates one only if it compresses
 * without borrowing one); lend swaps the compression contexts of two put contexts. The pipeline
 * gives each queued chunk a buffer and each running worker a compression context. */
struct vault_put_ctx *vault_put_ctx_new_buffer(void);
void vault_put_ctx_lend(struct vault_put_ctx *from, struct vault_put_ctx *to);
int vault_put_ctx(struct vault_repo *r, struct vault_put_ctx *c, enum vault_blob_type type,
                  const void *data, size_t len, uint8_t id_out[32], struct fs_err *err);
/* vault_put_ctx in two steps, so that many threads can prepare blobs while one appends them in
 * order. prepare computes the id, reserves it in the index (or finds it stored: then `store` is
 * false and append does nothing), compresses and seals into c's buffer (valid until c's next
 * use). Thread-safe with one ctx per thread. append writes it to the open pack (thread-safe). */
struct vault_sealed {
  uint8_t id[32];
  uint8_t type;
  bool store;
  uint32_t raw_len;
  const uint8_t *bytes;
  size_t len;
};
int vault_put_prepare(struct vault_repo *r, struct vault_put_ctx *c, enum vault_blob_type type,
                      const void *data, size_t len, struct vault_sealed *out, struct fs_err *err);
int vault_put_append(struct vault_repo *r, const struct vault_sealed *s, struct fs_err *err);
/* Finishes every open pack and writes one index file listing the packs of this run. */
int vault_writer_commit(struct vault_repo *r, struct fs_err *err);
/* Bytes of packs stored by this writer so far. */
uint64_t vault_writer_bytes_added(const struct vault_repo *r);
/* Abandons the open pack (its temporary file is removed); stored packs stay and are adopted later.
 */
void vault_writer_abort(struct vault_repo *r);
/* Abandons the run and deletes every pack it stored that no index lists yet (a refused deposit
 * leaves nothing behind), then ends the writer as vault_writer_abort does. */
void vault_writer_discard(struct vault_repo *r);

/* ---- chunker.c: content-defined chunking (FastCDC with a keyed gear table) ----------------------
 */
#define VAULT_CHUNK_MIN (256u << 10)
#define VAULT_CHUNK_AVG (1u << 20)
#define VAULT_CHUNK_MAX (4u << 20)
/* Length of the next chunk of p[0..n): a cut point, or n when n <= VAULT_CHUNK_MIN or no cut point
 * comes before VAULT_CHUNK_MAX (then min(n, MAX)). The caller passes at least VAULT_CHUNK_MAX
 * bytes unless the data ends there. Pure; allocates nothing. */
size_t vault_chunker_cut(const uint64_t gear[256], const uint8_t *p, size_t n);

/* ---- reader.c: content of a file version ------------------------------------------------------
 */
struct vault_src;
/* Opens a reader over the content described by descriptor blob `desc`. */
int vault_src_open(struct vault_repo *r, const uint8_t desc[32], struct vault_src **out,
                   struct fs_err *err);
/* Chunk slots that a pool's workers open chunks into, shared by every source opened with them:
 * at most 2 x (2 x workers + 1) per reading thread are held at once however many files and
 * delta levels are open (memory is bounded), and a slot's buffers are kept for the next file
 * instead of being given back to the system and faulted in again. Thread-safe. The pool must
 * outlive the slots, the slots every source opened with them. */
struct vault_pool;
struct vault_slots;
int vault_slots_new(struct vault_repo *r, struct vault_pool *pool, size_t readers,
                    struct vault_slots **out, struct fs_err *err);
void vault_slots_free(struct vault_slots *sl);
/* Like vault_src_open, with chunks opened ahead by the pool's workers into slots taken from sl:
 * the level with the most chunks first (the full copy at the bottom of a delta chain) up to
 * 2 x workers + 1 slots, then the others up to 3 each, while sl has them. A level left without
 * slots (or a pool without workers) is read by the calling thread, as vault_src_open does. */
int vault_src_open_slots(struct vault_repo *r, const uint8_t desc[32], struct vault_slots *sl,
                         struct vault_src **out, struct fs_err *err);
/* The next bytes of the content: *p points either into the source (a whole chunk opened by a
 * worker, valid until the next call) or at buf (cap bytes, filled like vault_src_read). *got is 0
 * at the end. */
int vault_src_view(struct vault_src *s, uint8_t *buf, size_t cap, const uint8_t **p, size_t *got,
                   struct fs_err *err);
/* Reads exactly n bytes (n may be less only at the end: *got tells). */
int vault_src_read(struct vault_src *s, uint8_t *dst, size_t n, size_t *got, struct fs_err *err);
uint64_t vault_src_size(const struct vault_src *s);
const struct vault_desc *vault_src_desc(const struct vault_src *s);
void vault_src_free(struct vault_src *s);
/* Read-ahead: a thread rebuilds the next blocks of src (block bytes each) while the caller uses the
 * current one. The caller keeps owning src and frees it after vault_readahead_free. */
struct vault_readahead;
int vault_readahead_start(struct vault_src *src, size_t block, struct vault_readahead **out,
                          struct fs_err *err);
/* The next block: *p (valid until the next call) and its length *n; *n is 0 at the end. */
int vault_readahead_next(struct vault_readahead *ra, const uint8_t **p, size_t *n,
                         struct fs_err *err);
void vault_readahead_free(struct vault_readahead *ra);
/* Loads and parses a descriptor blob. The caller releases d. */
int vault_desc_load(struct vault_repo *r, const uint8_t id[32], struct vault_desc *d,
                    struct fs_err *err);

/* ---- snapshot.c ------------------------------------------------------------------------------ */
/* Loads every snapshot (sorted by seq). Damaged ones fail the call unless `lenient`, in which case
 * they are skipped and counted in *bad. */
int vault_snapshots_load(struct vault_repo *r, struct vault_snapshot **out, size_t *n, bool lenient,
                         size_t *bad, struct fs_err *err);
void vault_snapshots_free(struct vault_snapshot *s, size_t n);
/* Signed JSON writes numbers that are not integers with at most 12 significant digits (the drill's
 * seconds to the millisecond print as 1.234, not 1.2340000000000000), so that a reader who parses
 * and serializes the record again gets the signed bytes back. */
#define VAULT_JSON_REALS FS_SIGNED_JSON_REALS
/* Sets public_key and signature (Ed25519 over the object without signature, sorted keys, no
 * whitespace) on o. FS_ERR_NOMEM when it cannot be serialized. */
int vault_sign_json(struct vault_repo *r, json_t *o);
/* Signs, seals and writes a new snapshot (seq and parent are filled in here). */
int vault_snapshot_write(struct vault_repo *r, struct vault_snapshot *s, struct fs_err *err);
/* Loads and checks one snapshot file (name = hash of content, signature, body). */
int vault_snapshot_read(struct vault_repo *r, const char *hexid, struct vault_snapshot *s,
                        struct fs_err *err);
/* Loads the tombstones (forgotten snapshots). */
int vault_tombstones_load(struct vault_repo *r, struct vault_tombstone **out, size_t *n,
                          struct fs_err *err);

/* Parses the config file's JSON (pure); mac_hex gets the recorded MAC, checked by the caller. */
int vault_config_parse(const char *text, size_t len, struct vault_config *c, char mac_hex[65],
                       struct fs_err *err);

/* Opens the master key with a key file (keyslot.c): FS_ERR_FORBIDDEN when others may read the
 * file, FS_ERR_UNAUTHENTICATED when it belongs to another repository or its slot was removed. */
int vault_key_unlock(const struct vault_repo *r, const char *path, uint8_t master[32],
                     struct fs_err *err);

/* ---- cli-free helpers -------------------------------------------------------------------------
 */
int vault_mkdirs(const char *dir, struct fs_err *err);
uint64_t vault_now_ms(void);

#endif
