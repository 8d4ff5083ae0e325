/* The free-text tokenizer: finds IPv4 and IPv6 addresses, domain names, URLs (and their host),
 * e-mail addresses (and their domain) and hex digests in unstructured text, in one pass. Pure;
 * allocates nothing. Candidates are syntactic: whether they are indicators is the index's call. */
#ifndef FS_DETECT_TOKENIZE_H
#define FS_DETECT_TOKENIZE_H

#include "core/base.h"

enum detect_tok_type {
  DETECT_TOK_IPV4,
  DETECT_TOK_IPV6,
  DETECT_TOK_DOMAIN, /* syntactically a name with 2+ labels; not yet lower-cased */
  DETECT_TOK_URL,
  DETECT_TOK_EMAIL,
  DETECT_TOK_HASH, /* 32, 40, 64 or 128 hex digits */
};

#define DETECT_TOK_BIT(t) (1u << (t))
#define DETECT_TOK_ALL 0x3Fu

struct detect_token {
  enum detect_tok_type type;
  const char *s; /* the token in the input */
  size_t len;
  uint32_t v4;    /* DETECT_TOK_IPV4: the address */
  uint8_t v6[16]; /* DETECT_TOK_IPV6: the address */
};

/* Return non-zero to stop; detect_tokenize then returns that value. */
typedef int (*detect_token_fn)(void *arg, const struct detect_token *t);

/* Calls fn for every candidate of the types in `want` (DETECT_TOK_BIT mask), left to right. */
int detect_tokenize(const char *s, size_t n, unsigned want, detect_token_fn fn, void *arg);

#endif
