/* Language selection. */
#include "core/i18n.h"

#include <stdlib.h>
#include <strings.h>

int fs_lang_parse(const char *s)
{
  if (!s || !*s)
    return -1;
  if (!strncasecmp(s, "zh", 2))
    return FS_LANG_ZH_TW;
  if (!strncasecmp(s, "en", 2))
    return FS_LANG_EN;
  return -1;
}

enum fs_lang fs_lang_from_env(void)
{
  static const char *const vars[] = {"FINSHIELD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(vars); i++) {
    int l = fs_lang_parse(getenv(vars[i]));
    if (l >= 0)
      return (enum fs_lang)l;
  }
  return FS_LANG_ZH_TW;
}

const char *fs_lang_name(enum fs_lang lang)
{
  return lang == FS_LANG_EN ? "en" : "zh-TW";
}
