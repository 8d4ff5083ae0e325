/* Languages for what people read: Traditional Chinese (zh-TW, the default) and English.
 * Messages are written bilingual at the call site with FS_TR, so that printf-style format checking
 * still sees both literals: printf(FS_TR(lang, "%d orgs\n", "%d 個機構\n"), n). */
#ifndef FS_CORE_I18N_H
#define FS_CORE_I18N_H

#include "core/base.h"

enum fs_lang { FS_LANG_ZH_TW, FS_LANG_EN };

#define FS_TR(lang, en, zh) ((lang) == FS_LANG_EN ? (en) : (zh))

/* The language named by FINSHIELD_LANG, else by LC_ALL / LC_MESSAGES / LANG ("en*" gives English,
 * "zh*" Chinese); zh-TW when nothing says otherwise. */
enum fs_lang fs_lang_from_env(void);
/* Parses "zh-TW", "zh", "en" (case-insensitive, '_' or '-'); -1 when unknown. */
int fs_lang_parse(const char *s);
/* "zh-TW" or "en". */
const char *fs_lang_name(enum fs_lang lang);

#endif
