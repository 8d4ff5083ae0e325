/* The continuity service's bearer tokens: created at random, shown once, stored as SHA-256
 * hashes only. The service itself runs on the program's HTTP server (http/api_continuity.c). */
#include "vault/continuity.h"

#include "core/encode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vault_tokens_parse(const char *text, size_t len, uint8_t (*hashes)[32], size_t max, size_t *n,
                       struct fs_err *err)
{
  *n = 0;
  size_t line = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    const char *l = text + pos;
    size_t ll = end - pos;
    line++;
    pos = end + 1;
    if (!ll || l[0] == '#')
      continue;
    char where[32];
    snprintf(where, sizeof(where), "line %zu", line);
    if (ll < 64 || (ll > 64 && l[64] != '\t'))
      return fs_err_set(err, FS_ERR_PARSE, where, "expected 64 hex digits, a tab and a name");
    if (*n >= max)
      return fs_err_set(err, FS_ERR_TOO_LARGE, where, "more than %zu tokens", max);
    if (fs_hex_decode(l, 64, hashes[*n], 32))
      return fs_err_set(err, FS_ERR_PARSE, where, "token hash is not hex");
    (*n)++;
  }
  return FS_OK;
}

int vault_token_create(const char *tokens_file, const char *name, char *out, size_t n,
                       struct fs_err *err)
{
  if (!*name || strchr(name, '\n') || strchr(name, '\t') || strlen(name) > 128)
    return fs_err_set(err, FS_ERR_INVALID, "name", "1 to 128 characters, no tab or newline");
  uint8_t raw[32], h[32];
  fs_random(raw, sizeof(raw));
  char b64[64];
  fs_b64url_encode(raw, sizeof(raw), b64);
  if (snprintf(out, n, "fsv_%s", b64) >= (int)n)
    return fs_err_set(err, FS_ERR_TOO_LARGE, "token", "buffer too small");
  fs_sha256(out, strlen(out), h);
  char hex[65], line[256];
  fs_hex_encode(h, 32, hex);
  int len = snprintf(line, sizeof(line), "%s\t%s\n", hex, name);
  int fd = open(tokens_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return fs_err_set(err, FS_ERR_IO, tokens_file, "cannot open: %s", strerror(errno));
  bool ok = write(fd, line, (size_t)len) == len && !fsync(fd);
  close(fd);
  if (!ok)
    return fs_err_set(err, FS_ERR_IO, tokens_file, "cannot write the token");
  return FS_OK;
}
