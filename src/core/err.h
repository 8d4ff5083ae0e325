/* One error enum for the whole program, its names and messages (en, zh-TW), and a detail record
 * that says what went wrong and where. Library code returns these codes; only cli/ prints. */
#ifndef FS_CORE_ERR_H
#define FS_CORE_ERR_H

#include "core/base.h"

#include <stdarg.h>

/* X(NAME, "name", http_status, english, traditional chinese) */
#define FS_ERROR_MAP(X)                                                                            \
  X(OK, "ok", 200, "success", "成功")                                                              \
  X(NOMEM, "nomem", 503, "out of memory", "記憶體不足")                                            \
  X(INVALID, "invalid", 400, "invalid input", "輸入內容有誤")                                      \
  X(PARSE, "parse", 400, "malformed input", "格式錯誤")                                            \
  X(TOO_LARGE, "too_large", 413, "input too large", "輸入內容過大")                                \
  X(NOT_FOUND, "not_found", 404, "not found", "找不到指定的項目")                                  \
  X(CONFLICT, "conflict", 409, "conflict with the current state", "與目前狀態衝突")                \
  X(UNAUTHENTICATED, "unauthenticated", 401, "authentication required or failed",                  \
    "需要驗證或驗證失敗")                                                                          \
  X(FORBIDDEN, "forbidden", 403, "not permitted", "沒有權限")                                      \
  X(RATE_LIMITED, "rate_limited", 429, "too many requests", "請求過於頻繁")                        \
  X(BUSY, "busy", 503, "storage busy, try again", "資料庫忙碌中，請稍後再試")                      \
  X(NO_SPACE, "no_space", 503, "storage full", "儲存空間已滿")                                     \
  X(IO, "io", 500, "input/output error", "讀寫錯誤")                                               \
  X(CORRUPT, "corrupt", 500, "stored data is damaged", "儲存的資料已損毀")                         \
  X(CRYPTO, "crypto", 500, "cryptographic failure", "加解密失敗")                                  \
  X(UNSUPPORTED, "unsupported", 501, "not supported", "不支援")                                    \
  X(USAGE, "usage", 400, "usage error", "用法錯誤")                                                \
  X(INTERNAL, "internal", 500, "internal error", "內部錯誤")

enum fs_code {
#define FS_X_ENUM(name, lower, status, en, zh) FS_ERR_##name,
  FS_ERROR_MAP(FS_X_ENUM)
#undef FS_X_ENUM
      FS_ERR__COUNT
};
#define FS_OK FS_ERR_OK

/* Details of one failure. `where` names the place (file:line, byte offset, JSON path, field);
 * `msg` says what was wrong in English, `msg_zh` the same in Traditional Chinese ("" when the
 * message has no translation: show `msg`, see fs_err_msg). All are NUL-terminated, possibly empty.
 * Code that fills `msg` by hand must clear `msg_zh`. */
struct fs_err {
  enum fs_code code;
  char where[128];
  char msg[384];
  char msg_zh[512];
};

/* Records code, where and a formatted message in `e` (which may be NULL) and returns code. The
 * message is formatted twice: in English from fmt, and in zh-TW from fmt's entry in the message
 * catalogue (src/core/messages.def, see fs_msg_vformat in core/i18n.h), so every format passed
 * here needs an entry (scripts/messages.py checks). Arguments may point into `e` itself. A NULL
 * fmt gives the code's own message in both languages. */
int fs_err_set(struct fs_err *e, enum fs_code code, const char *where, const char *fmt, ...)
    FS_PRINTF(4, 5);
/* fs_err_set with a va_list, for helpers that take a format of their own (they are listed in
 * scripts/messages.py so that their formats need catalogue entries too). */
int fs_err_vset(struct fs_err *e, enum fs_code code, const char *where, const char *fmt, va_list ap)
    FS_PRINTF(4, 0);
/* Makes dst a copy of src (both languages) with code, and with where unless it is NULL; for an
 * error handed on from another call or thread under a code or place of the caller's. dst and src
 * may be the same; dst may be NULL. Returns code. */
int fs_err_copy(struct fs_err *dst, const struct fs_err *src, enum fs_code code, const char *where);
/* The message in zh-TW when zh is true and there is one, else in English. */
const char *fs_err_msg(const struct fs_err *e, bool zh);
/* Prefixes e->where with `outer` and a separator (for nested parsers). No-op when e is NULL. */
void fs_err_wrap_where(struct fs_err *e, const char *outer);
/* Clears e to FS_OK with empty strings. */
void fs_err_clear(struct fs_err *e);

/* Stable lower-case name, e.g. "not_found"; "unknown" outside the enum. */
const char *fs_code_name(enum fs_code code);
/* Short message in English or, when zh is true, Traditional Chinese. */
const char *fs_code_message(enum fs_code code, bool zh);
/* HTTP status that best reports the code. */
int fs_code_http_status(enum fs_code code);

#endif
