/* The repository's binary structures (docs/vault-format.md): pack trailers, index files, content
 * descriptors and delta operations. Encoders append to a capped buffer; parsers are pure (bytes in,
 * struct out, or an error naming the byte offset) and each has a fuzz target. */
#ifndef FS_VAULT_FORMAT_H
#define FS_VAULT_FORMAT_H

#include "core/base.h"
#include "core/buf.h"
#include "core/err.h"

#define VAULT_FORMAT_VERSION 1
#define VAULT_DESC_VERSION_CHECK 2 /* descriptors that carry the file check */
#define VAULT_MAGIC_PACK "FSVPACK1"
#define VAULT_MAGIC_PACK_END "FSVPEND1"
#define VAULT_MAGIC_INDEX "FSVINDX1"
#define VAULT_MAGIC_SNAP "FSVSNAP1"
#define VAULT_MAGIC_TOMB "FSVTOMB1"
#define VAULT_MAGIC_LEN 8

#define VAULT_ENTRY_LEN 49u          /* type, id, offset, enc_len, raw_len */
#define VAULT_MAX_BLOB (64u << 20)   /* no blob's plaintext is larger */
#define VAULT_MAX_ENTRIES (1u << 22) /* per pack trailer or index file */

enum vault_blob_type {
  VAULT_BLOB_CHUNK = 1, /* file bytes (or the literal rows of a delta) */
  VAULT_BLOB_DESC = 2,  /* a content descriptor */
  VAULT_BLOB_OPS = 3,   /* delta operations */
};

/* One blob's place in a pack. */
struct vault_entry {
  uint8_t type;
  uint8_t id[32];
  uint64_t offset;
  uint32_t enc_len;
  uint32_t raw_len;
};

/* Appends the 49-byte encoding of e. */
int vault_entry_encode(struct fs_buf *out, const struct vault_entry *e);
/* Parses a pack trailer's plaintext: u32 count, then count entries. *out is malloc'd (free()).
 * Checks: count within limits, known types, enc_len >= overhead, raw_len <= VAULT_MAX_BLOB,
 * entries in offset order without overlap, all before `data_end` (the trailer's start). */
int vault_trailer_parse(const uint8_t *p, size_t n, uint64_t data_end, struct vault_entry **out,
                        size_t *count, struct fs_err *err);

/* An index file's plaintext: u32 packs, then per pack: id[32], size u64, u32 count, entries. */
struct vault_index_pack {
  uint8_t id[32];
  uint64_t size;
  size_t first, count; /* range in the entry array */
};
struct vault_index_file {
  struct vault_index_pack *packs;
  size_t npacks;
  struct vault_entry *entries;
  size_t nentries;
};
int vault_index_file_parse(const uint8_t *p, size_t n, struct vault_index_file *out,
                           struct fs_err *err);
void vault_index_file_release(struct vault_index_file *f);

/* A content descriptor: how one version of one file is rebuilt.
 * kind 0 (chunks): the file is the concatenation of `data` chunks.
 * kind 1 (delta): the file is the parent descriptor's content edited by the operations in `ops`
 * blobs, whose inserted bytes are read in order from the `data` chunks (the literal stream). */
enum vault_desc_kind { VAULT_DESC_CHUNKS = 0, VAULT_DESC_DELTA = 1 };
#define VAULT_CHECK_LEN 16
struct vault_desc {
  uint8_t kind;
  uint64_t size;
  uint8_t sha256[32];
  bool has_check; /* descriptor version 2: the file check (see vault_sum) */
  uint8_t check[VAULT_CHECK_LEN];
  uint8_t parent[32];   /* delta only */
  uint32_t depth;       /* 0 for chunks; parent's depth + 1 for a delta */
  uint32_t version;     /* versions since the full copy (0 for chunks); see skip deltas */
  uint64_t parent_size; /* delta only */
  uint8_t base[32]; /* delta only: the full copy (version 0) this line of versions starts from */
  size_t ndata;
  uint8_t (*data)[32];
  uint32_t *data_len;
  size_t nops;
  uint8_t (*ops)[32];
};
#define VAULT_DESC_MAX_REFS (1u << 24)
int vault_desc_encode(struct fs_buf *out, const struct vault_desc *d);
int vault_desc_parse(const uint8_t *p, size_t n, struct vault_desc *d, struct fs_err *err);
void vault_desc_release(struct vault_desc *d);

/* Delta operations: a sequence of (copy, skip, insert) triples of LEB128 varints: copy `copy`
 * bytes of the parent, skip `skip` bytes of the parent, insert `insert` bytes of the literal
 * stream. */
struct vault_op {
  uint64_t copy, skip, insert;
};
int vault_op_encode(struct fs_buf *out, const struct vault_op *op);
/* Decodes one triple at p[*pos..n); advances *pos. FS_ERR_PARSE naming the offset. */
int vault_op_decode(const uint8_t *p, size_t n, size_t *pos, struct vault_op *op,
                    struct fs_err *err);
/* Checks a whole operation stream: the sums of copy+skip and copy+insert. Pure. */
int vault_ops_check(const uint8_t *p, size_t n, uint64_t *parent_used, uint64_t *produced,
                    uint64_t *inserted, struct fs_err *err);

/* Little-endian helpers. */
static inline void vault_put_u32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline void vault_put_u64(uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t vault_get_u32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t vault_get_u64(const uint8_t *p)
{
  return (uint64_t)vault_get_u32(p) | (uint64_t)vault_get_u32(p + 4) << 32;
}

#endif
