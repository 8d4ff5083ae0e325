/* Shared value checks. */
#include "auth/validate.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

static int bad(const char *field, struct fs_err *err, const char *what)
{
  char where[96];
  snprintf(where, sizeof(where), "$.%s", field);
  return fs_err_set(err, FS_ERR_INVALID, where, "field \"%s\" %s", field, what);
}

int auth_check_slug(const char *s, const char *field, size_t min, size_t max, struct fs_err *err)
{
  size_t n = strlen(s);
  if (n < min || n > max) {
    char what[96];
    fs_msg_format(what, sizeof(what), NULL, 0, "must be %zu to %zu characters long", min, max);
    return bad(field, err, what);
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (i > 0 && (c == '-' || c == '_' || c == '.'));
    if (!ok)
      return bad(field, err,
                 "may hold only a-z, 0-9, '-', '_' and '.', starting with a letter or digit");
  }
  return FS_OK;
}

int auth_check_email(const char *s, const char *field, struct fs_err *err)
{
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
      s[n - 1] == '.')
    return bad(field, err, "is not an e-mail address");
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' || s[i] == '>' || s[i] == ',')
      return bad(field, err, "is not an e-mail address");
  return FS_OK;
}

int auth_check_phone(const char *s, const char *field, struct fs_err *err)
{
  size_t n = strlen(s);
  if (n < 3 || n > 40)
    return bad(field, err, "must be 3 to 40 characters long");
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || strchr(" +()-#ext.", c)))
      return bad(field, err, "may hold only digits, spaces and + ( ) - #");
  }
  return FS_OK;
}
