/* A strict JSON reader that builds jansson values, several times faster than json_loadb on large
 * documents, and that reads one value at a time so that a caller can walk a large document (a
 * bundle of 100,000 objects) holding the tree of one element at a time.
 *
 * It accepts exactly what jsonx_parse accepts (json_loadb with JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL): RFC 8259 JSON in UTF-8 (no overlong forms, no surrogate code points), "\u0000"
 * allowed in strings but not in object keys, duplicate keys refused, integers that fit in
 * json_int_t (others are errors, as in jansson), reals that do not overflow, at most 2048 nested
 * arrays and objects. Values are built as jansson builds them (integers stay integers, reals are
 * reals), so json_equal() holds between the two readers' trees.
 *
 * Pure: no I/O, no globals; errors name the position ("line L, column C (byte B)", B counted from
 * the start of the text). Safe to use from any thread, one reader per thread. */
#ifndef FS_STIX_JSON_READ_H
#define FS_STIX_JSON_READ_H

#include "core/base.h"
#include "core/err.h"

#include <jansson.h>

/* Arrays and objects nested deeper than this are a parse error (jansson's limit). */
#define STIX_JSON_MAX_DEPTH 2048

/* A position in a text and the scratch memory of one reader. The text is borrowed: it must outlive
 * the reader. pos may be set by the caller between reads (to read a span found earlier). */
struct stix_json_reader {
  const char *s;
  size_t len;
  size_t pos;
  char *key_buf, *str_buf; /* decoded strings that had escapes */
  size_t key_cap, str_cap;
  json_t **stack; /* open arrays and objects while building */
  size_t stack_cap;
};

/* Starts a reader on len bytes of text at position 0. Allocates nothing yet. */
void stix_json_reader_init(struct stix_json_reader *r, const char *text, size_t len);
/* Frees the scratch memory; the reader may be initialized again. */
void stix_json_reader_release(struct stix_json_reader *r);

/* Skips JSON white space from r->pos. */
void stix_json_skip_ws(struct stix_json_reader *r);

/* Reads the value that starts at r->pos (after white space) and leaves r->pos just after it.
 * With out non-NULL the value is built and *out receives a new reference (the caller owns it);
 * with out NULL the value is only checked: every rule above holds except that duplicate keys are
 * not looked for (they are found when the same bytes are read again with out non-NULL).
 * FS_ERR_PARSE with the position in err->where, or FS_ERR_NOMEM. */
int stix_json_read(struct stix_json_reader *r, json_t **out, struct fs_err *err);

/* Sets err to FS_ERR_PARSE "malformed JSON: <what>" at byte offset at of r's text. Returns
 * FS_ERR_PARSE. For callers that walk a document's top level with the reader. */
int stix_json_fail(const struct stix_json_reader *r, size_t at, const char *what,
                   struct fs_err *err);

/* Parses a whole document like jsonx_parse: one object or array, then only white space.
 * The caller owns *out. */
int stix_json_parse(const char *text, size_t len, json_t **out, struct fs_err *err);

#endif
