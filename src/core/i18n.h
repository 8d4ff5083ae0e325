/* Languages for what people read: Traditional Chinese (zh-TW, the default) and English.
 *
 * Two ways to say a thing in both languages:
 *  - at the call site with FS_TR, for what the CLI prints, so that printf-style format checking
 *    still sees both literals: printf(FS_TR(lang, "%d orgs\n", "%d 個機構\n"), n);
 *  - through the message catalogue (src/core/messages.def: English format -> zh-TW format, one
 *    entry a line, sorted by the English bytes), for messages made deep in the library in English
 *    (fs_err_set and the parsers' and validators' helpers). scripts/messages.py (test
 *    lint.messages) checks that every such format has an entry with the same conversions. */
#ifndef FS_CORE_I18N_H
#define FS_CORE_I18N_H

#include "core/base.h"

#include <stdarg.h>

enum fs_lang { FS_LANG_ZH_TW, FS_LANG_EN };

#define FS_TR(lang, en, zh) ((lang) == FS_LANG_EN ? (en) : (zh))

/* The language named by FINSHIELD_LANG, else by LC_ALL / LC_MESSAGES / LANG ("en*" gives English,
 * "zh*" Chinese); zh-TW when nothing says otherwise. */
enum fs_lang fs_lang_from_env(void);
/* Parses "zh-TW", "zh", "en" (case-insensitive, '_' or '-'); -1 when unknown. */
int fs_lang_parse(const char *s);
/* "zh-TW" or "en". */
const char *fs_lang_name(enum fs_lang lang);

/* The catalogue's zh-TW text for the English message or format `en` (compared whole); NULL when
 * the catalogue has no entry. */
const char *fs_msg_zh(const char *en);

/* Formats fmt with ap into en (English) and with fmt's catalogue entry into zh (zh-TW); zh is ""
 * when fmt has no entry or the entry's conversions differ from fmt's (it never formats with a
 * mismatched format). In zh, a plain "%s" argument that is itself a message is shown in zh-TW: an
 * entry without conversions, or the English text of one of the last messages this thread
 * formatted (so "%s: %s", inner.where, inner.msg carries the inner message's translation). An
 * argument that fmt quotes ("field \"%s\"", '%s') is a name or a value and stays as it is.
 * Both outputs are NUL-terminated (when their size is not 0) and truncated to fit; neither may
 * overlap an argument. */
void fs_msg_vformat(char *en, size_t en_size, char *zh, size_t zh_size, const char *fmt, va_list ap)
    FS_PRINTF(5, 0);

/* fs_msg_vformat with arguments, for messages kept outside a struct fs_err (validation findings,
 * problem lines, reports): both texts of one record. zh may be NULL (zh_size 0): the message is
 * then formatted in English only, and its translation is still remembered for a following message
 * that takes it as a plain "%s" argument (the `what` of a helper that calls fs_err_set). Every
 * format passed here needs a catalogue entry (scripts/messages.py checks). */
void fs_msg_format(char *en, size_t en_size, char *zh, size_t zh_size, const char *fmt, ...)
    FS_PRINTF(5, 6);
/* Makes en known, on this thread, as a message whose zh-TW is zh, for the next messages formatted
 * here: a plain "%s" argument equal to en is then shown as zh (as for a message formatted here).
 * For a text kept in both languages elsewhere (a record's two fields) that goes into a new
 * message. Nothing when zh is NULL or empty. */
void fs_msg_remember(const char *en, const char *zh);
/* The text of a record kept in both languages: zh when `want_zh` and zh is not empty, else en. */
static inline const char *fs_msg_pick(const char *en, const char *zh, bool want_zh)
{
  return want_zh && zh && zh[0] ? zh : en;
}

/* Entry i of the catalogue (in its order), for tests and tools; false past the end. */
bool fs_msg_entry(size_t i, const char **en, const char **zh);

#endif
