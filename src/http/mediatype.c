/* Media-type parsing. */
#include "http/mediatype.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool tchar(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int bad(struct fs_err *err, size_t at, const char *what)
{
  char where[40];
  snprintf(where, sizeof(where), "byte %zu", at);
  return fs_err_set(err, FS_ERR_INVALID, where, "malformed media type: %s", what);
}

static void skip_ows(const char *s, size_t len, size_t *i)
{
  while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
    (*i)++;
}

static int token(const char *s, size_t len, size_t *i, char *out, size_t n, struct fs_err *err,
                 const char *what)
{
  size_t start = *i;
  while (*i < len && tchar(s[*i]))
    (*i)++;
  size_t tl = *i - start;
  if (tl == 0)
    return bad(err, start, what);
  if (tl >= n)
    return bad(err, start, "name too long");
  memcpy(out, s + start, tl);
  out[tl] = '\0';
  return FS_OK;
}

/* Parses one media type starting at *i, stopping before ',' or the end. */
static int parse_one(const char *s, size_t len, size_t *i, struct http_media *m, struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  m->q = 1000;
  skip_ows(s, len, i);
  int rc = token(s, len, i, m->type, sizeof(m->type), err, "expected a type");
  if (rc)
    return rc;
  if (*i >= len || s[*i] != '/')
    return bad(err, *i, "expected '/'");
  (*i)++;
  if ((rc = token(s, len, i, m->subtype, sizeof(m->subtype), err, "expected a subtype")))
    return rc;
  for (;;) {
    skip_ows(s, len, i);
    if (*i >= len || s[*i] == ',')
      return FS_OK;
    if (s[*i] != ';')
      return bad(err, *i, "expected ';' or ','");
    (*i)++;
    skip_ows(s, len, i);
    char name[32], value[64];
    if ((rc = token(s, len, i, name, sizeof(name), err, "expected a parameter name")))
      return rc;
    if (*i >= len || s[*i] != '=')
      return bad(err, *i, "expected '='");
    (*i)++;
    size_t vstart = *i, vl = 0;
    if (*i < len && s[*i] == '"') {
      (*i)++;
      while (*i < len && s[*i] != '"') {
        if (s[*i] == '\\')
          (*i)++;
        if (*i < len && vl + 1 < sizeof(value))
          value[vl++] = s[*i];
        (*i)++;
      }
      if (*i >= len)
        return bad(err, vstart, "unterminated quoted string");
      (*i)++;
    } else {
      while (*i < len && tchar(s[*i])) {
        if (vl + 1 < sizeof(value))
          value[vl++] = s[*i];
        (*i)++;
      }
      if (vl == 0)
        return bad(err, vstart, "expected a parameter value");
    }
    value[vl] = '\0';
    if (!strcasecmp(name, "q")) {
      /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
      if (!(value[0] == '0' || value[0] == '1') || (value[1] && value[1] != '.'))
        return bad(err, vstart, "q must be between 0 and 1");
      int q = (value[0] - '0') * 1000, scale = 100;
      for (size_t k = 2; value[1] && value[k]; k++, scale /= 10) {
        if (value[k] < '0' || value[k] > '9' || k > 4)
          return bad(err, vstart, "q must be between 0 and 1");
        q += (value[k] - '0') * scale;
      }
      if (q > 1000)
        return bad(err, vstart, "q must be between 0 and 1");
      m->q = q;
    } else if (!strcasecmp(name, "version")) {
      snprintf(m->version, sizeof(m->version), "%s", value);
    } else {
      m->nparams++;
    }
  }
}

int http_media_parse(const char *s, size_t len, struct http_media *out, struct fs_err *err)
{
  if (len > HTTP_MEDIA_MAX_HEADER)
    return bad(err, HTTP_MEDIA_MAX_HEADER, "header too long");
  size_t i = 0;
  int rc = parse_one(s, len, &i, out, err);
  if (!rc && i < len)
    return bad(err, i, "more than one media type");
  return rc;
}

int http_accept_parse(const char *s, size_t len, struct http_accept *out, struct fs_err *err)
{
  out->n = 0;
  if (len > HTTP_MEDIA_MAX_HEADER)
    return bad(err, HTTP_MEDIA_MAX_HEADER, "header too long");
  size_t i = 0;
  while (i < len) {
    skip_ows(s, len, &i);
    if (i < len && s[i] == ',') { /* empty list elements are allowed */
      i++;
      continue;
    }
    if (i >= len)
      break;
    if (out->n == HTTP_MEDIA_MAX_RANGES)
      return bad(err, i, "too many media ranges");
    int rc = parse_one(s, len, &i, &out->ranges[out->n++], err);
    if (rc)
      return rc;
    if (i < len)
      i++; /* the ',' */
  }
  return FS_OK;
}

bool http_accept_allows(const char *accept, const char *type, const char *subtype,
                        const char *version)
{
  if (!accept || !*accept)
    return true;
  struct http_accept a;
  if (http_accept_parse(accept, strlen(accept), &a, NULL))
    return false;
  for (size_t i = 0; i < a.n; i++) {
    const struct http_media *m = &a.ranges[i];
    bool type_ok = !strcmp(m->type, "*") || !strcasecmp(m->type, type);
    bool sub_ok = !strcmp(m->subtype, "*") || !strcasecmp(m->subtype, subtype);
    bool version_ok = !m->version[0] || !strcmp(m->version, version);
    if (type_ok && sub_ok && version_ok && m->q > 0)
      return true;
  }
  return false;
}
