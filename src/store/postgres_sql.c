/* The PostgreSQL backend's SQL translation and error mapping: the portable SQL of store.h becomes
 * PostgreSQL's ('?' -> $n; in scripts WITHOUT ROWID dropped and BLOB -> BYTEA), and SQLSTATEs
 * become the store's errors. Pure functions: no connection. */
#include "store/postgres_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the quoted literal, identifier or comment starting at s (0 when s starts none). */
static size_t skip_quoted(const char *s)
{
  if (*s == '\'' || *s == '"') {
    char q = *s;
    size_t i = 1;
    for (; s[i]; i++) {
      if (s[i] == q) {
        if (s[i + 1] == q) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    return i;
  }
  if (s[0] == '-' && s[1] == '-') {
    size_t i = 2;
    while (s[i] && s[i] != '\n')
      i++;
    return i;
  }
  if (s[0] == '/' && s[1] == '*') {
    const char *end = strstr(s + 2, "*/");
    return end ? (size_t)(end - s) + 2 : strlen(s);
  }
  return 0;
}

static bool word_at(const char *sql, size_t i, const char *word)
{
  size_t n = strlen(word);
  if (i > 0 && (isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_'))
    return false;
  if (strncasecmp(sql + i, word, n))
    return false;
  return !isalnum((unsigned char)sql[i + n]) && sql[i + n] != '_';
}

/* Appends n bytes to the growing output; false when out of memory. */
struct out {
  char *p;
  size_t len, cap;
};

static bool put(struct out *o, const char *s, size_t n)
{
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (o->len + n + 1 > cap)
      cap *= 2;
    char *p = realloc(o->p, cap);
    if (!p)
      return false;
    o->p = p;
    o->cap = cap;
  }
  memcpy(o->p + o->len, s, n);
  o->len += n;
  o->p[o->len] = 0;
  return true;
}

char *pg_translate(const char *sql, bool script, int *nparams)
{
  struct out o = {0};
  int n = 0;
  bool ok = put(&o, "", 0);
  for (size_t i = 0; ok && sql[i];) {
    size_t q = skip_quoted(sql + i);
    if (q) {
      ok = put(&o, sql + i, q);
      i += q;
    } else if (sql[i] == '?' && !script) {
      char num[16];
      int len = snprintf(num, sizeof(num), "$%d", ++n);
      ok = put(&o, num, (size_t)len);
      i++;
    } else if (script && word_at(sql, i, "WITHOUT") && !strncasecmp(sql + i + 7, " ROWID", 6) &&
               !isalnum((unsigned char)sql[i + 13]) && sql[i + 13] != '_') {
      /* A storage hint of SQLite's (store.h): PostgreSQL has no clustered tables. */
      while (o.len && o.p[o.len - 1] == ' ')
        o.p[--o.len] = 0;
      i += 13;
    } else if (script && word_at(sql, i, "BLOB")) {
      ok = put(&o, "BYTEA", 5);
      i += 4;
    } else {
      ok = put(&o, sql + i, 1);
      i++;
    }
  }
  if (!ok) {
    free(o.p);
    return NULL;
  }
  if (nparams)
    *nparams = n;
  return o.p;
}

enum fs_code pg_code_of_state(const char *state)
{
  if (!state || strlen(state) != 5)
    return FS_ERR_INTERNAL;
  /* Whole classes first, then the codes that differ from their class. */
  if (!strcmp(state, "53100"))
    return FS_ERR_NO_SPACE; /* disk_full */
  if (!strcmp(state, "53200"))
    return FS_ERR_NOMEM;
  if (!strcmp(state, "22001"))
    return FS_ERR_TOO_LARGE; /* string_data_right_truncation */
  if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
      !strcmp(state, "57014") || !strcmp(state, "25006"))
    return FS_ERR_BUSY; /* serialization, deadlock, lock timeout, cancel, read-only standby */
  if (!strcmp(state, "XX001") || !strcmp(state, "XX002"))
    return FS_ERR_CORRUPT;
  if (!strncmp(state, "23", 2))
    return FS_ERR_CONFLICT; /* integrity constraint violation */
  if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) || !strncmp(state, "53", 2))
    return FS_ERR_BUSY; /* connection lost, server shutting down, too many connections */
  if (!strncmp(state, "54", 2))
    return FS_ERR_TOO_LARGE; /* program limit exceeded */
  if (!strncmp(state, "58", 2))
    return FS_ERR_IO; /* system error */
  if (!strncmp(state, "22", 2))
    return FS_ERR_INVALID; /* data exception (invalid UTF-8, out of range) */
  return FS_ERR_INTERNAL;
}
