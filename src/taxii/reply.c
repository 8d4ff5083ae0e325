/* The TAXII client's reading of replies: pure, no I/O (see reply.h). */
#include "taxii/reply.h"

#include "core/i18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool taxii_reply_header(const char *line, size_t len, char out[64])
{
  static const char name[] = "X-TAXII-Date-Added-Last:";
  const size_t nl = sizeof(name) - 1;
  if (len < nl || strncasecmp(line, name, nl))
    return false;
  const char *v = line + nl, *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  size_t vl = (size_t)(end - v);
  if (vl < 64) {
    memcpy(out, v, vl);
    out[vl] = '\0';
  }
  return true;
}

int taxii_reply_error(long status, const char *body, size_t len, const char *url,
                      struct fs_err *err)
{
  json_t *e = body && len ? json_loadb(body, len, 0, NULL) : NULL;
  const char *title = json_string_value(json_object_get(e, "title"));
  const char *desc = json_string_value(json_object_get(e, "description"));
  /* A hub like this one gives its words in zh-TW too, in details (taxii/server.c): the message
   * then takes them in the reader's language. */
  json_t *details = json_object_get(e, "details");
  if (title)
    fs_msg_remember(title, json_string_value(json_object_get(details, "title_zh")));
  if (desc)
    fs_msg_remember(desc, json_string_value(json_object_get(details, "description_zh")));
  enum fs_code code = status == 401 || status == 403 ? FS_ERR_UNAUTHENTICATED
                      : status == 404                ? FS_ERR_NOT_FOUND
                                                     : FS_ERR_IO;
  /* One format per shape, so that the zh-TW sentence has its own punctuation. */
  if (title && desc)
    fs_err_set(err, code, url, "the server answered %ld: %s: %s", status, title, desc);
  else if (title || desc)
    fs_err_set(err, code, url, "the server answered %ld: %s", status, title ? title : desc);
  else
    fs_err_set(err, code, url, "the server answered %ld", status);
  json_decref(e);
  return (int)code;
}

int taxii_reply_page(const char *body, size_t len, struct taxii_page *p, struct fs_err *err)
{
  memset(p, 0, sizeof(*p));
  int rc = stix_doc_parse(&p->doc, body, len, NULL, err);
  if (rc) {
    fs_err_wrap_where(err, "the server's envelope");
    memset(p, 0, sizeof(*p));
    return rc;
  }
  /* The document reader takes an object without a list for a lone object: without a "type",
   * it is an envelope with none of its optional members. */
  bool empty = p->doc.kind == STIX_DOC_OBJECT && !json_object_get(p->doc.root, "type");
  p->n = empty ? 0 : p->doc.n;
  const char *next = p->doc.next;
  if (p->doc.more && next) {
    size_t n = strlen(next);
    bool ok = n && n < sizeof(p->next);
    for (size_t i = 0; ok && i < n; i++)
      ok = (unsigned char)next[i] >= 0x20 && next[i] != 0x7f;
    if (!ok) {
      taxii_page_release(p);
      return fs_err_set(err, FS_ERR_INVALID, "the server's envelope: next",
                        "not a cursor to send back (1 to %d bytes of text)",
                        TAXII_REPLY_CURSOR_MAX - 1);
    }
    memcpy(p->next, next, n + 1);
    p->more = true;
  }
  return FS_OK;
}

void taxii_page_release(struct taxii_page *p)
{
  stix_doc_release(&p->doc);
  memset(p, 0, sizeof(*p));
}

static int count(json_t *s, const char *key, size_t *out, struct fs_err *err)
{
  json_t *v = json_object_get(s, key);
  *out = 0;
  if (!v)
    return FS_OK;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return fs_err_set(err, FS_ERR_INVALID, key, "the status resource's %s is not a count", key);
  *out = (size_t)json_integer_value(v);
  return FS_OK;
}

int taxii_reply_status(const char *body, size_t len, size_t *success, size_t *failure,
                       struct fs_err *err)
{
  *success = *failure = 0;
  json_error_t je;
  json_t *s = json_loadb(body ? body : "", len, 0, &je);
  int rc = json_is_object(s)
               ? FS_OK
               : fs_err_set(err, FS_ERR_PARSE, "the server's status resource", "not a JSON object");
  if (!rc)
    rc = count(s, "success_count", success, err);
  if (!rc)
    rc = count(s, "failure_count", failure, err);
  json_decref(s);
  return rc;
}
