/* Value checks shared by organisations and users (internal to auth/). Each returns FS_OK or
 * FS_ERR_INVALID with err naming `field`. */
#ifndef FS_AUTH_VALIDATE_H
#define FS_AUTH_VALIDATE_H

#include "core/err.h"

/* Lower-case identifier: first [a-z0-9], then [a-z0-9._-], min..max bytes. */
int auth_check_slug(const char *s, const char *field, size_t min, size_t max, struct fs_err *err);
/* A plausible e-mail address: local@domain.tld, at most 254 bytes, no spaces or controls. */
int auth_check_email(const char *s, const char *field, struct fs_err *err);
/* A telephone number: digits, spaces and + ( ) - # ext, 3..40 bytes. */
int auth_check_phone(const char *s, const char *field, struct fs_err *err);

#endif
