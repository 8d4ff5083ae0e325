/* What snapshots reach: the descriptors of their files, each descriptor's chunks and operation
 * blobs, and its parent chain. Used by prune (what to keep) and verify (who uses a damaged blob).
 */
#ifndef FS_VAULT_REACH_H
#define FS_VAULT_REACH_H

#include "vault/internal.h"

struct vault_reach {
  struct vault_index set; /* slots used as a set; `pack` holds the first user's number */
  char **users;           /* "snapshot <id16> file <path>", NUL, the same in zh-TW */
  size_t nusers, cap;
};

void vault_reach_init(struct vault_reach *re);
void vault_reach_release(struct vault_reach *re);
bool vault_reach_has(const struct vault_reach *re, const uint8_t id[32]);
/* Who first reached id ("snapshot ... file ..."), in English, or NULL. Its zh-TW is made known
 * (fs_msg_remember) to the next messages formatted on this thread, which take it as "%s". */
const char *vault_reach_user(const struct vault_reach *re, const uint8_t id[32]);
/* Marks the descriptor `desc` and everything it needs. `user` (may be NULL) names the snapshot file
 * for messages, user_zh (may be NULL) the same in zh-TW. With problems NULL the first unreadable
 * descriptor fails the call; otherwise each is recorded there and the walk goes on. */
int vault_reach_desc(struct vault_repo *r, struct vault_reach *re, const uint8_t desc[32],
                     const char *user, struct fs_err *err);
int vault_reach_desc_checked(struct vault_repo *r, struct vault_reach *re, const uint8_t desc[32],
                             const char *user, const char *user_zh, struct vault_problems *problems,
                             struct fs_err *err);

#endif
