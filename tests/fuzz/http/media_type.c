/* Fuzz target: Accept and Content-Type parsing. */
#include "http/mediatype.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct http_accept a;
  struct http_media m;
  struct fs_err err;
  http_accept_parse((const char *)data, size, &a, &err);
  http_media_parse((const char *)data, size, &m, &err);
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  http_accept_allows(s, "application", "taxii+json", "2.1");
  free(s);
  return 0;
}
