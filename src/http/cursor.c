/* The REST lists' sealed cursors (core/cursor.h): a key of the hub's for list cursors, and a
 * context that binds each cursor to its list and filters. */
#include "http/server.h"

#include "core/cursor.h"
#include "core/encode.h"
#include "hub/hub.h"

#include <sodium.h>
#include <string.h>

static void list_key(const struct hub *hub, uint8_t key[FS_CURSOR_KEYBYTES])
{
  fs_key_derive(hub->auth.secret_key, "finshield list cursor aead", key);
}

void http_cursor_seal(const struct hub *hub, const char *list, int64_t a, int64_t b,
                      char out[FS_CURSOR_LEN + 1])
{
  uint8_t key[FS_CURSOR_KEYBYTES];
  list_key(hub, key);
  struct fs_cursor c = {a, b, fs_cursor_context(list, strlen(list))};
  fs_cursor_seal(&c, key, out);
  sodium_memzero(key, sizeof(key));
}

int http_cursor_open(struct http_request *req, const char *param, const char *text,
                     const char *list, int64_t *a, int64_t *b)
{
  uint8_t key[FS_CURSOR_KEYBYTES];
  list_key(req->hub, key);
  struct fs_cursor c;
  int rc = fs_cursor_open(text, strlen(text), key, param, &c, &req->err);
  sodium_memzero(key, sizeof(key));
  if (!rc && c.context != fs_cursor_context(list, strlen(list)))
    rc = fs_err_set(&req->err, FS_ERR_INVALID, param,
                    "this cursor belongs to another list or other filters");
  if (!rc) {
    *a = c.a;
    *b = c.b;
  }
  return rc;
}
