/* The demo's portal sign-ins: a new random password for one sample user of each role, so that a
 * person can try the portal at once. The passwords are made here, set through auth (hashed, with
 * their audit records) and given back to be printed once; nothing keeps them. */
#include "sample/sample.h"

#include "auth/user.h"
#include "core/encode.h"

#include <stdio.h>
#include <string.h>

/* 16 characters of an alphabet without look-alikes (no 0/O, 1/l/I), in groups of four: about
 * 90 bits. */
static void new_password(char out[SAMPLE_PASSWORD_MAX])
{
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY2345679";
  uint8_t raw[16];
  size_t k = 0;
  fs_random(raw, sizeof(raw));
  for (size_t i = 0; i < sizeof(raw); i++) {
    if (i && i % 4 == 0)
      out[k++] = '-';
    out[k++] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
  }
  out[k] = '\0';
  memset(raw, 0, sizeof(raw));
}

int sample_portal_users(struct store_conn *c, const struct actor *who,
                        const struct auth_settings *set, const struct sample_stats *st,
                        const char *admin, struct sample_signin out[SAMPLE_SIGNINS],
                        struct fs_err *err)
{
  /* The member analyst's organisation's administrator: "<code>-analyst" -> "<code>-admin". */
  char member_admin[80];
  size_t n = strlen(st->member_analyst);
  n = n > 8 && !strcmp(st->member_analyst + n - 8, "-analyst") ? n - 8 : n;
  snprintf(member_admin, sizeof(member_admin), "%.*s-admin", (int)n, st->member_analyst);
  const struct {
    const char *username, *role;
  } people[SAMPLE_SIGNINS] = {
      {st->member_analyst, "member-analyst"},
      {member_admin, "member-admin"},
      {"assoc-013-analyst", "member-analyst (response team assoc-013-support)"},
      {"hub-analyst1", "hub-analyst"},
      {admin, "hub-admin"},
      {st->supervisor, "supervisor"},
  };
  int rc = FS_OK;
  for (size_t i = 0; i < SAMPLE_SIGNINS && !rc; i++) {
    snprintf(out[i].username, sizeof(out[i].username), "%s", people[i].username);
    snprintf(out[i].role, sizeof(out[i].role), "%s", people[i].role);
    new_password(out[i].password);
    rc = user_set_password(c, who, set, out[i].username, NULL, out[i].password, err);
    if (rc == FS_ERR_NOT_FOUND) { /* a hub made by init with another administrator's name */
      memset(&out[i], 0, sizeof(out[i]));
      fs_err_clear(err);
      rc = FS_OK;
    }
  }
  if (rc)
    memset(out, 0, sizeof(struct sample_signin) * SAMPLE_SIGNINS);
  return rc;
}
