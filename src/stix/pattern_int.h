/* Internal to the pattern files: tokens and the lexer. */
#ifndef FS_STIX_PATTERN_INT_H
#define FS_STIX_PATTERN_INT_H

#include "stix/pattern.h"

enum pat_tok {
  TK_EOF,
  TK_LBRACK,
  TK_RBRACK,
  TK_LPAREN,
  TK_RPAREN,
  TK_COLON,
  TK_DOT,
  TK_COMMA,
  TK_STAR,
  TK_EQ,
  TK_NEQ,
  TK_LT,
  TK_LE,
  TK_GT,
  TK_GE,
  /* keywords */
  TK_AND,
  TK_OR,
  TK_NOT,
  TK_FOLLOWEDBY,
  TK_LIKE,
  TK_MATCHES,
  TK_ISSUPERSET,
  TK_ISSUBSET,
  TK_LAST,
  TK_IN,
  TK_START,
  TK_STOP,
  TK_SECONDS,
  TK_WITHIN,
  TK_REPEATS,
  TK_TIMES,
  TK_EXISTS,
  /* the rest */
  TK_IDENT,   /* [a-zA-Z_][a-zA-Z0-9_]* */
  TK_IDENT_H, /* an identifier with a hyphen (object types only) */
  TK_STRING,
  TK_INT,
  TK_FLOAT,
  TK_BOOL,
  TK_TIMESTAMP,
  TK_BINARY,
  TK_HEX,
  TK_OTHER, /* a character no token starts with */
};

struct pat_token {
  enum pat_tok t;
  size_t pos, len; /* the token's bytes in the text */
};

struct pat_lexer {
  const char *s;
  size_t len, pos;
  bool stix20; /* STIX 2.0 content: line feeds inside b'...' are skipped, not refused */
};

/* Reads the next token. FS_OK, or FS_ERR_PARSE with err->where "byte N" for a malformed literal,
 * an unterminated string or comment. */
int pat_lex(struct pat_lexer *lx, struct pat_token *tok, struct fs_err *err);
/* A short description of a token kind for messages ("']'", "a string", "end of pattern"). */
const char *pat_tok_name(enum pat_tok t);
/* The keyword spelled by s (len bytes), or TK_IDENT. */
enum pat_tok pat_keyword(const char *s, size_t len);
/* Decodes the body of a string literal token (quotes and \' \\ escapes removed) into the arena. */
char *pat_unescape(struct fs_arena *a, const char *s, size_t len, size_t *out_len);

#endif
