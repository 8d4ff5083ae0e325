/* Verification: every check names exactly what is wrong (pack, blob, snapshot, file) and who is
 * affected, after bit flips, deleted or truncated packs, replaced snapshots or a broken chain. */
#include "vault/internal.h"
#include "vault/reach.h"
#include "vault/snapfmt.h"

#include "core/encode.h"
#include "core/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void vault_verify_result_release(struct vault_verify_result *res)
{
  vault_problems_release(&res->problems);
}

static const char *who(const struct vault_reach *re, const uint8_t id[32])
{
  const char *u = vault_reach_user(re, id);
  return u ? u : "no snapshot (left over, prune removes it)";
}

static const char *type_name(uint8_t t)
{
  return t == VAULT_BLOB_CHUNK ? "chunk" : t == VAULT_BLOB_DESC ? "descriptor" : "operations";
}

/* Snapshots and the chain. Loads the readable snapshots into *out. */
static int check_snapshots(struct vault_repo *r, struct vault_verify_result *res,
                           struct vault_snapshot **out, size_t *nout, struct fs_err *err)
{
  struct vault_problems *p = &res->problems;
  char **names;
  size_t n;
  int rc = vault_list(r, "snapshots", &names, &n, err);
  if (rc)
    return rc;
  struct vault_snapshot *all = calloc(n ? n : 1, sizeof(*all));
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (strlen(names[i]) != 64)
      continue;
    struct fs_err e2;
    if (vault_snapshot_read(r, names[i], &all[k], &e2))
      vault_problems_add(p, "snapshot %s: %s", names[i], e2.msg);
    else
      k++;
  }
  vault_list_free(names, n);
  res->snapshots = k;
  struct vault_tombstone *tb = NULL;
  size_t nt = 0;
  struct fs_err e2;
  if (vault_tombstones_load(r, &tb, &nt, &e2))
    vault_problems_add(p, "tombstones: %s: %s", e2.where, e2.msg);
  /* Every parent must be a snapshot or a tombstone with the sequence number just before. */
  for (size_t i = 0; i < k; i++) {
    const struct vault_snapshot *s = &all[i];
    if (!s->parent[0]) {
      if (s->seq != 1)
        vault_problems_add(p, "broken chain: snapshot %.16s (seq %llu) has no parent", s->id,
                           (unsigned long long)s->seq);
      continue;
    }
    uint64_t pseq = 0;
    bool found = false;
    for (size_t j = 0; j < k && !found; j++)
      if (!strcmp(all[j].id, s->parent))
        found = true, pseq = all[j].seq;
    for (size_t j = 0; j < nt && !found; j++)
      if (!strcmp(tb[j].id, s->parent))
        found = true, pseq = tb[j].seq;
    if (!found)
      vault_problems_add(p,
                         "broken chain: snapshot %.16s (seq %llu) refers to parent %.16s, which is "
                         "neither present nor forgotten (deleted without a tombstone?)",
                         s->id, (unsigned long long)s->seq, s->parent);
    else if (pseq + 1 != s->seq)
      vault_problems_add(p,
                         "broken chain: snapshot %.16s has seq %llu but its parent %.16s has %llu",
                         s->id, (unsigned long long)s->seq, s->parent, (unsigned long long)pseq);
    for (size_t j = 0; j < k; j++)
      if (j != i && all[j].seq == s->seq && strcmp(all[j].id, s->id) < 0)
        vault_problems_add(p, "broken chain: snapshots %.16s and %.16s share seq %llu", all[j].id,
                           s->id, (unsigned long long)s->seq);
  }
  free(tb);
  *out = all;
  *nout = k;
  return FS_OK;
}

/* Pack files against the index: missing, wrong size. */
static void check_packs(struct vault_repo *r, struct vault_verify_result *res)
{
  for (size_t i = 0; i < r->ix.npacks; i++) {
    const struct vault_pack_info *pk = &r->ix.packs[i];
    char path[4096], hex[65];
    vault_pack_path(r, pk->id, path, sizeof(path));
    fs_hex_encode(pk->id, 32, hex);
    struct stat st;
    size_t blobs = 0;
    for (size_t s = 0; s < r->ix.cap; s++)
      blobs += r->ix.slots[s].state == 1 && r->ix.slots[s].pack == i;
    if (stat(path, &st) && blobs)
      vault_problems_add(&res->problems, "pack %s is missing (%zu blobs lost)", hex, blobs);
    else if (stat(path, &st))
      continue; /* every blob it held was stored again elsewhere: nothing is lost */
    else if ((uint64_t)st.st_size != pk->size)
      vault_problems_add(&res->problems, "pack %s has %lld bytes, the index says %llu (%s)", hex,
                         (long long)st.st_size, (unsigned long long)pk->size,
                         (uint64_t)st.st_size < pk->size ? "truncated" : "grown");
    res->packs++;
  }
}

/* Reads every pack whole and opens every blob the index lists in it. */
static void read_data(struct vault_repo *r, const struct vault_reach *re,
                      struct vault_verify_result *res)
{
  struct vault_blob_io io;
  vault_blob_io_init(&io);
  struct fs_buf out;
  fs_buf_init(&out, 0);
  for (size_t i = 0; i < r->ix.npacks; i++) {
    char path[4096], hex[65];
    vault_pack_path(r, r->ix.packs[i].id, path, sizeof(path));
    fs_hex_encode(r->ix.packs[i].id, 32, hex);
    struct fs_buf raw;
    struct fs_err e2;
    if (vault_read_file(path, &raw, &e2))
      continue; /* reported by check_packs */
    res->bytes_read += raw.len;
    fs_progress_add(r->progress, raw.len);
    if (raw.len < VAULT_MAGIC_LEN || memcmp(raw.data, VAULT_MAGIC_PACK, VAULT_MAGIC_LEN))
      vault_problems_add(&res->problems, "pack %s: header damaged", hex);
    for (size_t s = 0; s < r->ix.cap; s++) {
      const struct vault_loc *l = &r->ix.slots[s];
      if (l->state != 1 || l->pack != i)
        continue;
      res->blobs++;
      char bid[65];
      fs_hex_encode(l->id, 32, bid);
      if (l->offset + l->enc_len > raw.len) {
        vault_problems_add(&res->problems,
                           "pack %s offset %llu: %s %.16s is cut off (pack truncated); "
                           "used by %s",
                           hex, (unsigned long long)l->offset, type_name(l->type), bid,
                           who(re, l->id));
        continue;
      }
      struct vault_entry e = {
          .type = l->type, .offset = l->offset, .enc_len = l->enc_len, .raw_len = l->raw_len};
      memcpy(e.id, l->id, 32);
      if (vault_blob_unseal(r, &io, &e, (const uint8_t *)raw.data + l->offset, &out, &e2))
        vault_problems_add(
            &res->problems, "pack %s offset %llu: %s %.16s is damaged (%s); used by %s", hex,
            (unsigned long long)l->offset, type_name(l->type), bid, e2.msg, who(re, l->id));
    }
    fs_buf_release(&raw);
  }
  fs_buf_release(&out);
  vault_blob_io_release(&io);
}

/* Rebuilds a file and compares its SHA-256 and, where stored, its file check (which restores
 * rely on). */
static void check_file(struct vault_repo *r, const struct vault_snapshot *s,
                       const struct vault_file_entry *f, uint8_t *buf, size_t cap,
                       struct vault_verify_result *res)
{
  struct vault_src *src;
  struct fs_err e2;
  if (vault_src_open(r, f->desc, &src, &e2)) {
    vault_problems_add(&res->problems, "snapshot %.16s file %s cannot be rebuilt: %s: %s", s->id,
                       f->path, e2.where, e2.msg);
    return;
  }
  const struct vault_desc *d = vault_src_desc(src);
  struct vault_sum sum = {0};
  int rc = vault_sum_init(&sum, &r->keys, VAULT_SUM_SHA256 | (d->has_check ? VAULT_SUM_CHECK : 0));
  if (rc)
    fs_err_set(&e2, rc, f->path, "SHA-256 or Poly1305 unavailable");
  for (bool more = !rc; more;) {
    size_t got;
    rc = vault_src_read(src, buf, cap, &got, &e2);
    if (!rc) {
      vault_sum_update(&sum, buf, got);
      fs_progress_add(r->progress, got);
    }
    more = !rc && got == cap;
  }
  bool same = false;
  uint64_t rebuilt = sum.size;
  if (rc)
    vault_sum_abandon(&sum);
  else
    same = vault_sum_matches(&sum, &r->keys, d) && !memcmp(d->sha256, f->sha256, 32);
  vault_src_free(src);
  if (rc)
    vault_problems_add(&res->problems, "snapshot %.16s file %s cannot be rebuilt: %s: %s", s->id,
                       f->path, e2.where, e2.msg);
  else if (!same)
    vault_problems_add(
        &res->problems,
        "snapshot %.16s file %s: rebuilt bytes differ from its SHA-256 or file check", s->id,
        f->path);
  if (!rc) {
    res->files++;
    res->file_bytes += rebuilt;
  }
}

int vault_verify(struct vault_repo *r, const struct vault_verify_opts *o,
                 struct vault_verify_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  vault_problems_take(&res->problems, &r->open_problems);
  check_packs(r, res);
  struct vault_snapshot *all;
  size_t n;
  int rc = check_snapshots(r, res, &all, &n, err);
  if (rc)
    return rc;
  /* Paths a restore would stop on (two entries with one path, one below a file). */
  for (size_t i = 0; i < n; i++)
    vault_tree_check(&all[i], &res->problems);
  /* Walk what every file needs; name missing blobs. */
  struct vault_reach re;
  vault_reach_init(&re);
  for (size_t i = 0; i < n && !rc; i++)
    for (size_t k = 0; k < all[i].nfiles && !rc; k++) {
      const struct vault_file_entry *f = &all[i].files[k];
      if (f->type != 'f')
        continue;
      char user[4200], user_zh[4200];
      fs_msg_format(user, sizeof(user), user_zh, sizeof(user_zh), "snapshot %.16s file %s",
                    all[i].id, f->path);
      rc = vault_reach_desc_checked(r, &re, f->desc, user, user_zh, &res->problems, err);
    }
  for (size_t i = 0; !rc && i < re.set.cap; i++) {
    const struct vault_loc *l = &re.set.slots[i];
    if (!l->state)
      continue;
    if (!o->read_data)
      res->blobs++; /* checked present; with read_data, every blob opened is counted instead */
    const struct vault_loc *have = vault_index_find(&r->ix, l->id);
    if (!have || have->state != 1) {
      char hex[65];
      fs_hex_encode(l->id, 32, hex);
      vault_problems_add(&res->problems, "blob %.16s is missing from every index; used by %s", hex,
                         who(&re, l->id));
    }
  }
  /* What the long parts will read: every pack, every file of every snapshot. */
  for (size_t i = 0; !rc && o->read_data && i < r->ix.npacks; i++)
    fs_progress_add_total(r->progress, r->ix.packs[i].size);
  for (size_t i = 0; !rc && o->files && i < n; i++)
    for (size_t k = 0; k < all[i].nfiles; k++)
      if (all[i].files[k].type == 'f')
        fs_progress_add_total(r->progress, all[i].files[k].size);
  if (!rc && o->read_data)
    read_data(r, &re, res);
  if (!rc && o->files) {
    size_t cap = 4u << 20;
    uint8_t *buf = malloc(cap);
    for (size_t i = 0; buf && i < n; i++)
      for (size_t k = 0; k < all[i].nfiles; k++)
        if (all[i].files[k].type == 'f')
          check_file(r, &all[i], &all[i].files[k], buf, cap, res);
    free(buf);
  }
  vault_reach_release(&re);
  vault_snapshots_free(all, n);
  return rc;
}
