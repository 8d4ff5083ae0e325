/* The error table and the detail record. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int status;
  const char *en;
  const char *zh;
} error_table[] = {
#define FS_X_ROW(name, lower, status, en, zh) {lower, status, en, zh},
    FS_ERROR_MAP(FS_X_ROW)
#undef FS_X_ROW
};

int fs_err_set(struct fs_err *e, enum fs_code code, const char *where, const char *fmt, ...)
{
  if (!e)
    return (int)code;
  e->code = code;
  snprintf(e->where, sizeof(e->where), "%s", where ? where : "");
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
  } else {
    snprintf(e->msg, sizeof(e->msg), "%s", fs_code_message(code, false));
  }
  return (int)code;
}

void fs_err_wrap_where(struct fs_err *e, const char *outer)
{
  if (!e || !outer || !*outer)
    return;
  char tmp[sizeof(e->where)];
  if (e->where[0])
    snprintf(tmp, sizeof(tmp), "%s: %s", outer, e->where);
  else
    snprintf(tmp, sizeof(tmp), "%s", outer);
  memcpy(e->where, tmp, sizeof(tmp));
}

void fs_err_clear(struct fs_err *e)
{
  if (!e)
    return;
  e->code = FS_OK;
  e->where[0] = '\0';
  e->msg[0] = '\0';
}

const char *fs_code_name(enum fs_code code)
{
  if ((unsigned)code >= FS_ERR__COUNT)
    return "unknown";
  return error_table[code].name;
}

const char *fs_code_message(enum fs_code code, bool zh)
{
  if ((unsigned)code >= FS_ERR__COUNT)
    return zh ? "未知錯誤" : "unknown error";
  return zh ? error_table[code].zh : error_table[code].en;
}

int fs_code_http_status(enum fs_code code)
{
  if ((unsigned)code >= FS_ERR__COUNT)
    return 500;
  return error_table[code].status;
}
