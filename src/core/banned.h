/* Functions that are easy to misuse; included before every source file of ours (git's banned.h). */
#ifndef FS_CORE_BANNED_H
#define FS_CORE_BANNED_H

#define FS_BANNED(func) sorry_##func##_is_banned_in_finshield

#undef strcpy
#define strcpy(x, y) FS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) FS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) FS_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) FS_BANNED(strncat)
#undef sprintf
#define sprintf(...) FS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) FS_BANNED(vsprintf)
#undef gets
#define gets(x) FS_BANNED(gets)
#undef strtok
#define strtok(x, y) FS_BANNED(strtok)
#undef asctime
#define asctime(x) FS_BANNED(asctime)
#undef ctime
#define ctime(x) FS_BANNED(ctime)
#undef gmtime
#define gmtime(x) FS_BANNED(gmtime)
#undef localtime
#define localtime(x) FS_BANNED(localtime)

#endif
