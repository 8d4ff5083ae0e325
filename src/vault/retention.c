/* Retention and deletion: which snapshots the policy protects, forgetting the others (a signed
 * tombstone keeps the hash chain whole) and pruning packs that nothing reachable uses. */
#include "vault/internal.h"
#include "vault/reach.h"
#include "vault/snapfmt.h"

#include "core/encode.h"
#include "core/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Days since the epoch of the snapshot's date: its business date when it has one. */
static int64_t snap_day(const struct vault_snapshot *s, int64_t *y, unsigned *m)
{
  const char *d = s->business_date;
  unsigned mo, da;
  if (strlen(d) == 10) {
    *y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    mo = (unsigned)((d[5] - '0') * 10 + (d[6] - '0'));
    da = (unsigned)((d[8] - '0') * 10 + (d[9] - '0'));
    *m = mo;
    return fs_days_from_civil(*y, mo, da);
  }
  int64_t days = s->time_ms >= 0 ? s->time_ms / 86400000 : -1;
  fs_civil_from_days(days, y, m, &da);
  return days;
}

const char *vault_retention_reason(const struct vault_retention *ret,
                                   const struct vault_snapshot *s, const struct vault_snapshot *all,
                                   size_t n, int64_t now_ms)
{
  int64_t y, ny;
  unsigned m, nm, nd;
  int64_t day = snap_day(s, &y, &m);
  int64_t today = now_ms / 86400000;
  fs_civil_from_days(today, &ny, &nm, &nd);
  if (n && s == &all[n - 1])
    return "latest";
  if (today - day < ret->daily_days)
    return "daily";
  /* The last snapshot of its calendar month? */
  bool last = true;
  for (size_t i = 0; i < n && last; i++) {
    if (&all[i] == s)
      continue;
    int64_t y2;
    unsigned m2;
    int64_t d2 = snap_day(&all[i], &y2, &m2);
    if (y2 == y && m2 == m && (d2 > day || (d2 == day && all[i].seq > s->seq)))
      last = false;
  }
  int64_t months = (ny * 12 + nm) - (y * 12 + m);
  if (last && months < ret->monthly_months)
    return "monthly";
  return NULL;
}

int vault_forget(struct vault_repo *r, const char *const *names, size_t n, bool expired,
                 int64_t now_ms, bool dry_run, struct vault_problems *done, struct fs_err *err)
{
  if (r->mode != VAULT_LOCK_EXCLUSIVE && !dry_run)
    return fs_err_set(err, FS_ERR_INTERNAL, "forget", "needs the exclusive lock");
  /* A simulated clock previews; only the real one decides what is deleted (a clock set in the
   * future would otherwise forget what retention protects today). */
  if (now_ms && !dry_run)
    return fs_err_set(err, FS_ERR_USAGE, "forget",
                      "a simulated time only previews what would be forgotten (add --dry-run); "
                      "snapshots are forgotten by the real clock");
  if (!now_ms)
    now_ms = (int64_t)vault_now_ms();
  struct vault_snapshot *all;
  size_t na;
  int rc = vault_snapshot_list(r, &all, &na, err);
  if (rc)
    return rc;
  bool *pick = calloc(na ? na : 1, sizeof(bool));
  if (!pick) {
    vault_snapshots_free(all, na);
    return fs_err_set(err, FS_ERR_NOMEM, "forget", "out of memory");
  }
  for (size_t i = 0; i < n && !rc; i++) {
    struct vault_snapshot *s;
    rc = vault_snapshot_find(all, na, names[i], &s, err);
    if (rc)
      break;
    const char *why = vault_retention_reason(&r->cfg.retention, s, all, na, now_ms);
    if (why) {
      rc = fs_err_set(err, FS_ERR_FORBIDDEN, s->id,
                      "snapshot %.16s (%s%s) is under retention (rule: %s; policy: every snapshot "
                      "%lld days, each month's last %lld months); it cannot be forgotten",
                      s->id, s->business_date[0] ? "business date " : "", s->business_date, why,
                      (long long)r->cfg.retention.daily_days,
                      (long long)r->cfg.retention.monthly_months);
      break;
    }
    pick[s - all] = true;
  }
  if (expired)
    for (size_t i = 0; i < na; i++)
      if (!vault_retention_reason(&r->cfg.retention, &all[i], all, na, now_ms))
        pick[i] = true;
  for (size_t i = 0; i < na && !rc; i++) {
    if (!pick[i])
      continue;
    if (dry_run) {
      if (done)
        vault_problems_add(done, "%s (seq %llu%s%s)", all[i].id, (unsigned long long)all[i].seq,
                           all[i].business_date[0] ? ", " : "", all[i].business_date);
      continue;
    }
    /* Tombstone first: a crash in between leaves both, which verify accepts. */
    rc = vault_tombstone_write(r, &all[i], now_ms, err);
    char path[4096];
    vault_path(r, path, sizeof(path), "snapshots/%s", all[i].id);
    if (!rc && unlink(path))
      rc = fs_err_set(err, FS_ERR_IO, path, "cannot remove: %s", strerror(errno));
    if (!rc && done)
      vault_problems_add(done, "%s (seq %llu%s%s)", all[i].id, (unsigned long long)all[i].seq,
                         all[i].business_date[0] ? ", " : "", all[i].business_date);
  }
  free(pick);
  vault_snapshots_free(all, na);
  return rc;
}

int vault_prune(struct vault_repo *r, struct vault_prune_result *res, struct fs_err *err)
{
  memset(res, 0, sizeof(*res));
  if (r->mode != VAULT_LOCK_EXCLUSIVE)
    return fs_err_set(err, FS_ERR_INTERNAL, "prune", "needs the exclusive lock");
  struct vault_snapshot *all;
  size_t na;
  int rc = vault_snapshot_list(r, &all, &na, err);
  if (rc)
    return rc;
  struct vault_reach reach;
  vault_reach_init(&reach);
  for (size_t i = 0; i < na && !rc; i++)
    for (size_t k = 0; k < all[i].nfiles && !rc; k++)
      if (all[i].files[k].type == 'f')
        rc = vault_reach_desc(r, &reach, all[i].files[k].desc, NULL, err);
  vault_snapshots_free(all, na);
  bool *keep = calloc(r->ix.npacks ? r->ix.npacks : 1, sizeof(bool));
  if (!rc && !keep)
    rc = fs_err_set(err, FS_ERR_NOMEM, "prune", "out of memory");
  for (size_t i = 0; !rc && i < r->ix.cap; i++) {
    const struct vault_loc *l = &r->ix.slots[i];
    if (l->state == 1 && vault_reach_has(&reach, l->id))
      keep[l->pack] = true;
  }
  /* A new index of the kept packs replaces the old index files, then the packs go. */
  struct fs_buf body;
  fs_buf_init(&body, 0);
  uint32_t npk = 0;
  for (size_t p = 0; !rc && p < r->ix.npacks; p++) {
    if (!keep[p])
      continue;
    struct fs_buf ent;
    fs_buf_init(&ent, 0);
    uint32_t cnt = 0;
    for (size_t i = 0; !rc && i < r->ix.cap; i++) {
      const struct vault_loc *l = &r->ix.slots[i];
      if (l->state != 1 || l->pack != p)
        continue;
      struct vault_entry e = {
          .type = l->type, .offset = l->offset, .enc_len = l->enc_len, .raw_len = l->raw_len};
      memcpy(e.id, l->id, 32);
      if (vault_entry_encode(&ent, &e))
        rc = fs_err_set(err, FS_ERR_NOMEM, "prune", "out of memory");
      cnt++;
    }
    uint8_t h[44];
    memcpy(h, r->ix.packs[p].id, 32);
    vault_put_u64(h + 32, r->ix.packs[p].size);
    vault_put_u32(h + 40, cnt);
    if (!rc &&
        (fs_buf_append(&body, h, 44) || (ent.len && fs_buf_append(&body, ent.data, ent.len))))
      rc = fs_err_set(err, FS_ERR_NOMEM, "prune", "out of memory");
    fs_buf_release(&ent);
    npk++;
  }
  char **old = NULL;
  size_t nold = 0;
  if (!rc)
    rc = vault_list(r, "index", &old, &nold, err);
  if (!rc) {
    uint8_t *b = malloc(4 + body.len);
    if (!b)
      rc = fs_err_set(err, FS_ERR_NOMEM, "prune", "out of memory");
    else {
      vault_put_u32(b, npk);
      if (body.len)
        memcpy(b + 4, body.data, body.len);
      uint8_t rid[32];
      char hex[65], path[4096];
      fs_random(rid, 32);
      fs_hex_encode(rid, 32, hex);
      vault_path(r, path, sizeof(path), "index/%s", hex);
      rc = vault_write_meta(r, path, VAULT_MAGIC_INDEX, b, 4 + body.len, err);
      free(b);
      for (size_t i = 0; !rc && i < nold; i++) {
        vault_path(r, path, sizeof(path), "index/%s", old[i]);
        unlink(path);
      }
    }
  }
  vault_list_free(old, nold);
  fs_buf_release(&body);
  for (size_t p = 0; !rc && p < r->ix.npacks; p++) {
    if (keep[p]) {
      res->packs_kept++;
      continue;
    }
    char path[4096];
    vault_pack_path(r, r->ix.packs[p].id, path, sizeof(path));
    if (!unlink(path)) {
      res->packs_removed++;
      res->bytes_removed += r->ix.packs[p].size;
    }
  }
  free(keep);
  vault_reach_release(&reach);
  return rc;
}
