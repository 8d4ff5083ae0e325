/* Who is acting, for whom, and when: built once per request or command (by http/ from a token,
 * by cli/ for the local operator) and passed to every domain function, which checks it against
 * the one policy (auth/policy.h) and records it in the audit trail (audit/audit.h).
 *
 * Plain data, here in core/ so that both auth/ (roles, the policy) and audit/ (which records
 * who acted, below auth/: auth writes its audit records) can name it without including each
 * other. The roles' names and tests are auth's: auth/actor.h. */
#ifndef FS_CORE_ACTOR_H
#define FS_CORE_ACTOR_H

#include "core/base.h"

#define AUTH_ROLE_MAP(X)                                                                           \
  X(HUB_ADMIN, "hub-admin", "Hub administrator", "中樞管理者")                                     \
  X(HUB_ANALYST, "hub-analyst", "Hub analyst", "中樞分析師")                                       \
  X(MEMBER_ADMIN, "member-admin", "Member administrator", "會員機構管理者")                        \
  X(MEMBER_ANALYST, "member-analyst", "Member analyst", "會員機構分析師")                          \
  X(SUPERVISOR, "supervisor", "Supervisor (read-only)", "主管機關（唯讀）")

enum auth_role {
#define AUTH_X_ENUM(id, name, en, zh) AUTH_ROLE_##id,
  AUTH_ROLE_MAP(AUTH_X_ENUM)
#undef AUTH_X_ENUM
      AUTH_ROLE__COUNT
};

struct actor {
  char user_id[40];  /* "" for the local operator */
  char username[72]; /* "local:root" for the local operator */
  char org_id[40];   /* the acting user's organisation; the hub's for the local operator */
  enum auth_role role;
  char token_id[40]; /* the token used, "" when none */
  char source[72];   /* "cli", "http:127.0.0.1", ... */
  bool local;        /* the operator on the hub's machine (CLI): full rights, like hub-admin */
  int64_t now_ms;    /* the time of the action, UTC milliseconds */
};

#endif
