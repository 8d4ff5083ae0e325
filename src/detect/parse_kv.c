/* key=value parser for firewall-style logs (FortiGate, Sophos, iptables, Check Point exports):
 * pairs separated by spaces or commas, values bare or quoted with "..." or '...' (backslash
 * escapes the quote). Pure function. */
#include "detect/event.h"

#include <stdio.h>
#include <string.h>

static bool key_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == ':' || c == '@' || c == '/';
}

int detect_parse_kv(const char *p, size_t n, struct detect_event *ev, struct fs_err *err)
{
  size_t i = 0, pairs = 0;
  ev->format = DETECT_FMT_KV;
  while (i < n) {
    while (i < n && (p[i] == ' ' || p[i] == ',' || p[i] == '\t' || p[i] == ';'))
      i++;
    size_t k = i;
    while (i < n && key_char(p[i]))
      i++;
    if (i >= n || p[i] != '=' || i == k || i - k > 256) {
      /* Not a pair: skip the word (a quoted word as a whole). */
      if (i < n && (p[i] == '"' || p[i] == '\'')) {
        char q = p[i++];
        while (i < n && p[i] != q)
          i += (p[i] == '\\' && i + 1 < n) ? 2 : 1;
        i++;
      }
      while (i < n && p[i] != ' ' && p[i] != ',' && p[i] != '\t')
        i++;
      continue;
    }
    size_t klen = i - k;
    i++; /* '=' */
    const char *v = p + i;
    size_t vlen;
    if (i < n && (p[i] == '"' || p[i] == '\'')) {
      char q = p[i++];
      size_t s = i;
      bool esc = false;
      while (i < n && p[i] != q) {
        if (p[i] == '\\' && i + 1 < n) {
          esc = true;
          i++;
        }
        i++;
      }
      if (i >= n) {
        char where[32];
        snprintf(where, sizeof(where), "byte %zu", s - 1);
        return fs_err_set(err, FS_ERR_PARSE, where, "quoted value not closed");
      }
      v = p + s;
      vlen = i - s;
      i++;
      if (esc) {
        char *o = detect_event_scratch(ev, vlen);
        if (!o)
          return fs_err_set(err, FS_ERR_TOO_LARGE, "", "event scratch full");
        size_t w = 0;
        for (size_t r = 0; r < vlen; r++) {
          if (v[r] == '\\' && r + 1 < vlen && (v[r + 1] == q || v[r + 1] == '\\'))
            r++;
          o[w++] = v[r];
        }
        ev->scratch_used -= vlen - w;
        v = o;
        vlen = w;
      }
    } else {
      size_t s = i;
      while (i < n && p[i] != ' ' && p[i] != '\t' && p[i] != ',')
        i++;
      vlen = i - s;
    }
    int rc = detect_event_add(ev, p + k, klen, v, vlen, 0, err);
    if (rc)
      return rc;
    pairs++;
  }
  if (!pairs)
    return fs_err_set(err, FS_ERR_PARSE, "byte 0", "no key=value pair");
  return FS_OK;
}
