/* What the TAXII client reads of a server's replies, as pure functions (bytes in, struct out, or
 * an error naming where): the X-TAXII-Date-Added-Last header, an error reply's TAXII error body,
 * a page of the objects endpoint (an envelope), and the status resource a POST answers with. A
 * server is outside our control: each has a fuzz target (tests/fuzz/taxii/reply.c). */
#ifndef FS_TAXII_REPLY_H
#define FS_TAXII_REPLY_H

#include "core/err.h"
#include "stix/stix.h"

#define TAXII_REPLY_CURSOR_MAX                                                                     \
  512 /* bytes of a "next" cursor the client sends back, NUL included */

/* One response header line as received ("Name: value\r\n"). When it is X-TAXII-Date-Added-Last
 * (the name in any case), its value without surrounding spaces and line end goes into out and
 * true is returned; a value of 64 bytes or more is ignored (out unchanged). */
bool taxii_reply_header(const char *line, size_t len, char out[64]);

/* The error for a reply whose status is not 200 or 202: FS_ERR_UNAUTHENTICATED for 401 and 403,
 * FS_ERR_NOT_FOUND for 404, FS_ERR_IO otherwise; the message names the status and, when the
 * body is a TAXII error (an object with "title" and "description" strings), those. Returns the
 * code; where is url. */
int taxii_reply_error(long status, const char *body, size_t len, const char *url,
                      struct fs_err *err);

/* A page of the objects endpoint: the envelope read and validated (doc: every object with its
 * findings, for intel_ingest), how many objects it holds, and where the next page starts. */
struct taxii_page {
  struct stix_doc doc;
  size_t n;                          /* objects (0: an empty page) */
  bool more;                         /* "more" with a "next" to follow */
  char next[TAXII_REPLY_CURSOR_MAX]; /* the cursor, "" when none */
};

/* Reads the body of GET objects. Every member of an envelope is optional: the OASIS reference
 * server answers an empty collection with {}, which is an empty page. FS_ERR_PARSE (not JSON;
 * where: line, column, byte), FS_ERR_INVALID (not an envelope; a "next" that is not a cursor
 * the client can send back: empty, longer than TAXII_REPLY_CURSOR_MAX - 1 bytes, or holding a
 * control character), FS_ERR_TOO_LARGE; on error p is empty. Release with taxii_page_release. */
int taxii_reply_page(const char *body, size_t len, struct taxii_page *p, struct fs_err *err);
void taxii_page_release(struct taxii_page *p);

/* The counts of a status resource (the reply of POST objects): success_count and failure_count,
 * 0 where absent. FS_ERR_PARSE when the body is not a JSON object, FS_ERR_INVALID when a count
 * is there but is not a whole number from 0 up. */
int taxii_reply_status(const char *body, size_t len, size_t *success, size_t *failure,
                       struct fs_err *err);

#endif
