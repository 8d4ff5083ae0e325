/* Encoders and pure parsers of the repository's binary structures. */
#include "vault/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_OVERHEAD 40u

static int corrupt(struct fs_err *err, size_t off, const char *what)
{
  char where[48];
  snprintf(where, sizeof(where), "byte %zu", off);
  return fs_err_set(err, FS_ERR_CORRUPT, where, "%s", what);
}

int vault_entry_encode(struct fs_buf *out, const struct vault_entry *e)
{
  uint8_t b[VAULT_ENTRY_LEN];
  b[0] = e->type;
  memcpy(b + 1, e->id, 32);
  vault_put_u64(b + 33, e->offset);
  vault_put_u32(b + 41, e->enc_len);
  vault_put_u32(b + 45, e->raw_len);
  return fs_buf_append(out, b, sizeof(b));
}

static int entry_decode(const uint8_t *b, size_t off, struct vault_entry *e, struct fs_err *err)
{
  e->type = b[0];
  memcpy(e->id, b + 1, 32);
  e->offset = vault_get_u64(b + 33);
  e->enc_len = vault_get_u32(b + 41);
  e->raw_len = vault_get_u32(b + 45);
  if (e->type < VAULT_BLOB_CHUNK || e->type > VAULT_BLOB_OPS)
    return corrupt(err, off, "unknown blob type");
  if (e->enc_len < SEAL_OVERHEAD || e->enc_len > VAULT_MAX_BLOB + SEAL_OVERHEAD + 1024)
    return corrupt(err, off + 41, "impossible sealed length");
  if (e->raw_len > VAULT_MAX_BLOB)
    return corrupt(err, off + 45, "blob larger than the limit");
  return FS_OK;
}

int vault_trailer_parse(const uint8_t *p, size_t n, uint64_t data_end, struct vault_entry **out,
                        size_t *count, struct fs_err *err)
{
  *out = NULL;
  *count = 0;
  if (n < 4)
    return corrupt(err, 0, "pack trailer shorter than its count");
  uint32_t c = vault_get_u32(p);
  if (c > VAULT_MAX_ENTRIES || (uint64_t)c * VAULT_ENTRY_LEN != n - 4)
    return corrupt(err, 0, "pack trailer count does not match its length");
  struct vault_entry *e = c ? calloc(c, sizeof(*e)) : NULL;
  if (c && !e)
    return fs_err_set(err, FS_ERR_NOMEM, "pack trailer", "out of memory");
  uint64_t prev_end = VAULT_MAGIC_LEN;
  for (uint32_t i = 0; i < c; i++) {
    size_t off = 4 + (size_t)i * VAULT_ENTRY_LEN;
    int rc = entry_decode(p + off, off, &e[i], err);
    if (!rc && (e[i].offset < prev_end || e[i].offset + e[i].enc_len > data_end))
      rc = corrupt(err, off + 33, "blob outside the pack's data or overlapping another");
    if (rc) {
      free(e);
      return rc;
    }
    prev_end = e[i].offset + e[i].enc_len;
  }
  *out = e;
  *count = c;
  return FS_OK;
}

int vault_index_file_parse(const uint8_t *p, size_t n, struct vault_index_file *out,
                           struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  if (n < 4)
    return corrupt(err, 0, "index shorter than its pack count");
  uint32_t np = vault_get_u32(p);
  if (np > VAULT_MAX_ENTRIES || (uint64_t)np * 44 > n - 4)
    return corrupt(err, 0, "index pack count does not fit its length");
  size_t pos = 4;
  /* First pass: count entries, so that one allocation holds them. */
  uint64_t total = 0;
  for (uint32_t i = 0; i < np; i++) {
    if (n - pos < 44)
      return corrupt(err, pos, "index truncated in a pack header");
    uint32_t c = vault_get_u32(p + pos + 40);
    pos += 44;
    if (c > VAULT_MAX_ENTRIES || (uint64_t)c * VAULT_ENTRY_LEN > n - pos)
      return corrupt(err, pos - 4, "index entry count does not fit its length");
    pos += (size_t)c * VAULT_ENTRY_LEN;
    total += c;
  }
  if (pos != n)
    return corrupt(err, pos, "trailing bytes after the last pack of the index");
  if (total > VAULT_MAX_ENTRIES)
    return corrupt(err, 0, "index lists too many blobs");
  out->packs = np ? calloc(np, sizeof(*out->packs)) : NULL;
  out->entries = total ? calloc(total, sizeof(*out->entries)) : NULL;
  if ((np && !out->packs) || (total && !out->entries)) {
    vault_index_file_release(out);
    return fs_err_set(err, FS_ERR_NOMEM, "index", "out of memory");
  }
  pos = 4;
  for (uint32_t i = 0; i < np; i++) {
    struct vault_index_pack *ip = &out->packs[i];
    memcpy(ip->id, p + pos, 32);
    ip->size = vault_get_u64(p + pos + 32);
    ip->count = vault_get_u32(p + pos + 40);
    ip->first = out->nentries;
    pos += 44;
    for (size_t j = 0; j < ip->count; j++) {
      struct vault_entry *e = &out->entries[out->nentries];
      int rc = entry_decode(p + pos, pos, e, err);
      if (!rc && (e->offset < VAULT_MAGIC_LEN || e->offset + e->enc_len > ip->size))
        rc = corrupt(err, pos + 33, "blob outside its pack");
      if (rc) {
        vault_index_file_release(out);
        return rc;
      }
      out->nentries++;
      pos += VAULT_ENTRY_LEN;
    }
    out->npacks++;
  }
  return FS_OK;
}

void vault_index_file_release(struct vault_index_file *f)
{
  free(f->packs);
  free(f->entries);
  memset(f, 0, sizeof(*f));
}

/* ---- descriptors ------------------------------------------------------------------------------
 */

#define DESC_MAGIC "FSVD"

int vault_desc_encode(struct fs_buf *out, const struct vault_desc *d)
{
  uint8_t h[4 + 2 + 8 + 32 + 4 + 4 + VAULT_CHECK_LEN];
  memcpy(h, DESC_MAGIC, 4);
  h[4] = d->has_check ? VAULT_DESC_VERSION_CHECK : VAULT_FORMAT_VERSION;
  h[5] = d->kind;
  vault_put_u64(h + 6, d->size);
  memcpy(h + 14, d->sha256, 32);
  vault_put_u32(h + 46, d->depth);
  vault_put_u32(h + 50, d->version);
  memcpy(h + 54, d->check, VAULT_CHECK_LEN);
  int rc = fs_buf_append(out, h, d->has_check ? sizeof(h) : sizeof(h) - VAULT_CHECK_LEN);
  if (!rc && d->kind == VAULT_DESC_DELTA) {
    uint8_t x[72];
    memcpy(x, d->parent, 32);
    vault_put_u64(x + 32, d->parent_size);
    memcpy(x + 40, d->base, 32);
    rc = fs_buf_append(out, x, sizeof(x));
    uint8_t c[4];
    vault_put_u32(c, (uint32_t)d->nops);
    if (!rc)
      rc = fs_buf_append(out, c, 4);
    for (size_t i = 0; !rc && i < d->nops; i++)
      rc = fs_buf_append(out, d->ops[i], 32);
  }
  uint8_t c[4];
  vault_put_u32(c, (uint32_t)d->ndata);
  if (!rc)
    rc = fs_buf_append(out, c, 4);
  for (size_t i = 0; !rc && i < d->ndata; i++) {
    uint8_t e[36];
    memcpy(e, d->data[i], 32);
    vault_put_u32(e + 32, d->data_len[i]);
    rc = fs_buf_append(out, e, sizeof(e));
  }
  return rc;
}

int vault_desc_parse(const uint8_t *p, size_t n, struct vault_desc *d, struct fs_err *err)
{
  memset(d, 0, sizeof(*d));
  if (n < 58 || memcmp(p, DESC_MAGIC, 4))
    return corrupt(err, 0, "not a content descriptor");
  if (p[4] != VAULT_FORMAT_VERSION && p[4] != VAULT_DESC_VERSION_CHECK)
    return fs_err_set(err, FS_ERR_UNSUPPORTED, "byte 4", "descriptor version %u", p[4]);
  d->has_check = p[4] == VAULT_DESC_VERSION_CHECK;
  if (d->has_check && n < 58 + VAULT_CHECK_LEN)
    return corrupt(err, 54, "descriptor truncated in its file check");
  d->kind = p[5];
  if (d->kind != VAULT_DESC_CHUNKS && d->kind != VAULT_DESC_DELTA)
    return corrupt(err, 5, "unknown descriptor kind");
  d->size = vault_get_u64(p + 6);
  memcpy(d->sha256, p + 14, 32);
  d->depth = vault_get_u32(p + 46);
  d->version = vault_get_u32(p + 50);
  size_t pos = 54;
  if (d->has_check) {
    memcpy(d->check, p + pos, VAULT_CHECK_LEN);
    pos += VAULT_CHECK_LEN;
  }
  if (d->kind == VAULT_DESC_DELTA) {
    if (n - pos < 76)
      return corrupt(err, pos, "delta descriptor truncated");
    memcpy(d->parent, p + pos, 32);
    d->parent_size = vault_get_u64(p + pos + 32);
    memcpy(d->base, p + pos + 40, 32);
    uint32_t no = vault_get_u32(p + pos + 72);
    pos += 76;
    if (d->depth == 0 || d->version == 0 || no > VAULT_DESC_MAX_REFS || (uint64_t)no * 32 > n - pos)
      return corrupt(err, pos - 4, "delta descriptor's operation list does not fit");
    d->nops = no;
    d->ops = no ? malloc((size_t)no * 32) : NULL;
    if (no && !d->ops)
      return fs_err_set(err, FS_ERR_NOMEM, "descriptor", "out of memory");
    if (no)
      memcpy(d->ops, p + pos, (size_t)no * 32);
    pos += (size_t)no * 32;
  } else if (d->depth != 0 || d->version != 0) {
    return corrupt(err, 46, "a chunk-list descriptor has depth and version 0");
  }
  if (n - pos < 4) {
    vault_desc_release(d);
    return corrupt(err, pos, "descriptor truncated before its chunk count");
  }
  uint32_t nd = vault_get_u32(p + pos);
  pos += 4;
  if (nd > VAULT_DESC_MAX_REFS || (uint64_t)nd * 36 != n - pos) {
    vault_desc_release(d);
    return corrupt(err, pos - 4, "descriptor's chunk count does not match its length");
  }
  d->ndata = nd;
  d->data = nd ? malloc((size_t)nd * 32) : NULL;
  d->data_len = nd ? malloc((size_t)nd * sizeof(uint32_t)) : NULL;
  if (nd && (!d->data || !d->data_len)) {
    vault_desc_release(d);
    return fs_err_set(err, FS_ERR_NOMEM, "descriptor", "out of memory");
  }
  uint64_t total = 0;
  for (uint32_t i = 0; i < nd; i++, pos += 36) {
    memcpy(d->data[i], p + pos, 32);
    d->data_len[i] = vault_get_u32(p + pos + 32);
    if (d->data_len[i] == 0 || d->data_len[i] > VAULT_MAX_BLOB) {
      vault_desc_release(d);
      return corrupt(err, pos + 32, "chunk length out of range");
    }
    total += d->data_len[i];
  }
  if (d->kind == VAULT_DESC_CHUNKS && total != d->size) {
    vault_desc_release(d);
    return corrupt(err, 6, "chunk lengths do not add up to the file size");
  }
  return FS_OK;
}

void vault_desc_release(struct vault_desc *d)
{
  free(d->data);
  free(d->data_len);
  free(d->ops);
  memset(d, 0, sizeof(*d));
}

/* ---- delta operations -------------------------------------------------------------------------
 */

static int put_varint(struct fs_buf *out, uint64_t v)
{
  uint8_t b[10];
  size_t n = 0;
  do {
    b[n] = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v)
      b[n] |= 0x80;
    n++;
  } while (v);
  return fs_buf_append(out, b, n);
}

static int get_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v, struct fs_err *err)
{
  uint64_t x = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (*pos >= n)
      return corrupt(err, *pos, "operation list truncated in a number");
    uint8_t b = p[(*pos)++];
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = x;
      return FS_OK;
    }
  }
  return corrupt(err, *pos, "number in the operation list is too long");
}

int vault_op_encode(struct fs_buf *out, const struct vault_op *op)
{
  int rc = put_varint(out, op->copy);
  if (!rc)
    rc = put_varint(out, op->skip);
  if (!rc)
    rc = put_varint(out, op->insert);
  return rc;
}

int vault_op_decode(const uint8_t *p, size_t n, size_t *pos, struct vault_op *op,
                    struct fs_err *err)
{
  int rc = get_varint(p, n, pos, &op->copy, err);
  if (!rc)
    rc = get_varint(p, n, pos, &op->skip, err);
  if (!rc)
    rc = get_varint(p, n, pos, &op->insert, err);
  return rc;
}

int vault_ops_check(const uint8_t *p, size_t n, uint64_t *parent_used, uint64_t *produced,
                    uint64_t *inserted, struct fs_err *err)
{
  uint64_t used = 0, prod = 0, ins = 0;
  const uint64_t lim = UINT64_C(1) << 50;
  for (size_t pos = 0; pos < n;) {
    struct vault_op op = {0};
    int rc = vault_op_decode(p, n, &pos, &op, err);
    if (rc)
      return rc;
    if (op.copy > lim || op.skip > lim || op.insert > lim)
      return corrupt(err, pos, "operation length out of range");
    used += op.copy + op.skip;
    prod += op.copy + op.insert;
    ins += op.insert;
    if (used > lim || prod > lim)
      return corrupt(err, pos, "operations add up past the limit");
  }
  *parent_used = used;
  *produced = prod;
  *inserted = ins;
  return FS_OK;
}
