/* Reachability of blobs from snapshots, with the first user of each blob for messages. */
#include "vault/reach.h"

#include "core/encode.h"
#include "core/i18n.h"
#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

void vault_reach_init(struct vault_reach *re)
{
  memset(re, 0, sizeof(*re));
  vault_index_init(&re->set);
}

void vault_reach_release(struct vault_reach *re)
{
  vault_index_release(&re->set);
  for (size_t i = 0; i < re->nusers; i++)
    free(re->users[i]);
  free(re->users);
  memset(re, 0, sizeof(*re));
}

bool vault_reach_has(const struct vault_reach *re, const uint8_t id[32])
{
  return vault_index_find(&re->set, id) != NULL;
}

/* User number u in English, its zh-TW remembered for the next message; NULL when there is none. */
static const char *user_text(const struct vault_reach *re, uint32_t u)
{
  if (u >= re->nusers)
    return NULL;
  const char *en = re->users[u];
  fs_msg_remember(en, en + strlen(en) + 1);
  return en;
}

const char *vault_reach_user(const struct vault_reach *re, const uint8_t id[32])
{
  const struct vault_loc *l = vault_index_find(&re->set, id);
  return l ? user_text(re, l->pack) : NULL;
}

/* Adds id; returns 1 when it was new, 0 when known, -1 when out of memory. */
static int mark(struct vault_reach *re, const uint8_t id[32], uint32_t user)
{
  bool fresh;
  struct vault_loc *l = vault_index_put(&re->set, id, &fresh);
  if (!l)
    return -1;
  if (fresh) {
    l->state = 1;
    l->pack = user;
  }
  return fresh;
}

static uint32_t add_user(struct vault_reach *re, const char *user, const char *user_zh)
{
  if (!user)
    return UINT32_MAX;
  if (re->nusers && !strcmp(re->users[re->nusers - 1], user))
    return (uint32_t)(re->nusers - 1);
  if (FS_VEC_GROW(re->users, re->nusers, re->cap, 64))
    return UINT32_MAX;
  size_t n = strlen(user), nz = user_zh ? strlen(user_zh) : 0;
  char *s = malloc(n + nz + 2);
  if (!s)
    return UINT32_MAX;
  memcpy(s, user, n + 1);
  memcpy(s + n + 1, user_zh ? user_zh : "", nz + 1);
  re->users[re->nusers] = s;
  return (uint32_t)re->nusers++;
}

static int walk(struct vault_repo *r, struct vault_reach *re, const uint8_t start[32],
                uint32_t user, struct vault_problems *problems, struct fs_err *err)
{
  uint8_t desc[32];
  memcpy(desc, start, 32);
  for (int depth = 0; depth < 100000; depth++) {
    int m = mark(re, desc, user);
    if (m < 0)
      return fs_err_set(err, FS_ERR_NOMEM, "reach", "out of memory");
    if (m == 0)
      return FS_OK; /* this descriptor and its chain are done */
    struct vault_desc d;
    struct fs_err e2;
    if (vault_desc_load(r, desc, &d, &e2)) {
      if (!problems) {
        *err = e2;
        return e2.code;
      }
      char hex[65];
      fs_hex_encode(desc, 32, hex);
      const char *who = user_text(re, user);
      vault_problems_add(problems, "%s: descriptor %.16s cannot be read: %s: %s", who ? who : "?",
                         hex, e2.where, e2.msg);
      return FS_OK;
    }
    for (size_t i = 0; i < d.ndata; i++)
      if (mark(re, d.data[i], user) < 0) {
        vault_desc_release(&d);
        return fs_err_set(err, FS_ERR_NOMEM, "reach", "out of memory");
      }
    for (size_t i = 0; i < d.nops; i++)
      if (mark(re, d.ops[i], user) < 0) {
        vault_desc_release(&d);
        return fs_err_set(err, FS_ERR_NOMEM, "reach", "out of memory");
      }
    bool delta = d.kind == VAULT_DESC_DELTA;
    memcpy(desc, d.parent, 32);
    vault_desc_release(&d);
    if (!delta)
      return FS_OK;
  }
  return fs_err_set(err, FS_ERR_CORRUPT, "reach", "descriptor chain does not end");
}

int vault_reach_desc(struct vault_repo *r, struct vault_reach *re, const uint8_t desc[32],
                     const char *user, struct fs_err *err)
{
  return walk(r, re, desc, add_user(re, user, NULL), NULL, err);
}

int vault_reach_desc_checked(struct vault_repo *r, struct vault_reach *re, const uint8_t desc[32],
                             const char *user, const char *user_zh, struct vault_problems *problems,
                             struct fs_err *err)
{
  return walk(r, re, desc, add_user(re, user, user_zh), problems, err);
}
