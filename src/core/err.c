/* The error table and the detail record. */
#include "core/err.h"

#include "core/i18n.h"

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
  va_list ap;
  va_start(ap, fmt);
  int rc = fs_err_vset(e, code, where, fmt, ap);
  va_end(ap);
  return rc;
}

int fs_err_vset(struct fs_err *e, enum fs_code code, const char *where, const char *fmt, va_list ap)
{
  if (!e)
    return (int)code;
  /* Formatted aside first: the arguments may be e's own where or msg. */
  char w[sizeof(e->where)], en[sizeof(e->msg)], zh[sizeof(e->msg_zh)];
  snprintf(w, sizeof(w), "%s", where ? where : "");
  if (fmt) {
    fs_msg_vformat(en, sizeof(en), zh, sizeof(zh), fmt, ap);
  } else {
    snprintf(en, sizeof(en), "%s", fs_code_message(code, false));
    snprintf(zh, sizeof(zh), "%s", fs_code_message(code, true));
  }
  e->code = code;
  snprintf(e->where, sizeof(e->where), "%s", w);
  snprintf(e->msg, sizeof(e->msg), "%s", en);
  snprintf(e->msg_zh, sizeof(e->msg_zh), "%s", zh);
  return (int)code;
}

const char *fs_err_msg(const struct fs_err *e, bool zh)
{
  return zh && e->msg_zh[0] ? e->msg_zh : e->msg;
}

int fs_err_copy(struct fs_err *dst, const struct fs_err *src, enum fs_code code, const char *where)
{
  if (!dst)
    return (int)code;
  char w[sizeof(dst->where)];
  snprintf(w, sizeof(w), "%s", where ? where : src->where);
  if (dst != src)
    *dst = *src;
  dst->code = code;
  memcpy(dst->where, w, sizeof(w));
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
  e->msg_zh[0] = '\0';
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
