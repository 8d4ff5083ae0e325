/* The STIX pattern lexer: longest match as the ANTLR grammar does, keywords (upper case only)
 * before identifiers, Unicode whitespace and comments skipped, literals checked as they are read.
 */
#include "stix/pattern_int.h"
#include "stix/stix_int.h"

#include <stdio.h>
#include <string.h>

static const struct {
  const char *word;
  enum pat_tok t;
} keywords[] = {
    {"AND", TK_AND},
    {"OR", TK_OR},
    {"NOT", TK_NOT},
    {"FOLLOWEDBY", TK_FOLLOWEDBY},
    {"LIKE", TK_LIKE},
    {"MATCHES", TK_MATCHES},
    {"ISSUPERSET", TK_ISSUPERSET},
    {"ISSUBSET", TK_ISSUBSET},
    {"LAST", TK_LAST},
    {"IN", TK_IN},
    {"START", TK_START},
    {"STOP", TK_STOP},
    {"SECONDS", TK_SECONDS},
    {"WITHIN", TK_WITHIN},
    {"REPEATS", TK_REPEATS},
    {"TIMES", TK_TIMES},
    {"EXISTS", TK_EXISTS},
    {"true", TK_BOOL},
    {"false", TK_BOOL},
};

enum pat_tok pat_keyword(const char *s, size_t len)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(keywords); i++)
    if (strlen(keywords[i].word) == len && !memcmp(keywords[i].word, s, len))
      return keywords[i].t;
  return TK_IDENT;
}

const char *pat_tok_name(enum pat_tok t)
{
  switch (t) {
  case TK_EOF:
    return "end of pattern";
  case TK_LBRACK:
    return "'['";
  case TK_RBRACK:
    return "']'";
  case TK_LPAREN:
    return "'('";
  case TK_RPAREN:
    return "')'";
  case TK_COLON:
    return "':'";
  case TK_DOT:
    return "'.'";
  case TK_COMMA:
    return "','";
  case TK_STAR:
    return "'*'";
  case TK_EQ:
    return "'='";
  case TK_NEQ:
    return "'!='";
  case TK_LT:
    return "'<'";
  case TK_LE:
    return "'<='";
  case TK_GT:
    return "'>'";
  case TK_GE:
    return "'>='";
  case TK_AND:
    return "AND";
  case TK_OR:
    return "OR";
  case TK_NOT:
    return "NOT";
  case TK_FOLLOWEDBY:
    return "FOLLOWEDBY";
  case TK_LIKE:
    return "LIKE";
  case TK_MATCHES:
    return "MATCHES";
  case TK_ISSUPERSET:
    return "ISSUPERSET";
  case TK_ISSUBSET:
    return "ISSUBSET";
  case TK_LAST:
    return "LAST";
  case TK_IN:
    return "IN";
  case TK_START:
    return "START";
  case TK_STOP:
    return "STOP";
  case TK_SECONDS:
    return "SECONDS";
  case TK_WITHIN:
    return "WITHIN";
  case TK_REPEATS:
    return "REPEATS";
  case TK_TIMES:
    return "TIMES";
  case TK_EXISTS:
    return "EXISTS";
  case TK_IDENT:
    return "an identifier";
  case TK_IDENT_H:
    return "an identifier with '-'";
  case TK_STRING:
    return "a string";
  case TK_INT:
    return "an integer";
  case TK_FLOAT:
    return "a float";
  case TK_BOOL:
    return "true/false";
  case TK_TIMESTAMP:
    return "a timestamp t'...'";
  case TK_BINARY:
    return "a binary b'...'";
  case TK_HEX:
    return "a hex h'...'";
  default:
    return "an unexpected character";
  }
}

static int lex_error(struct fs_err *err, size_t pos, const char *msg)
{
  char where[32];
  snprintf(where, sizeof(where), "byte %zu", pos);
  return fs_err_set(err, FS_ERR_PARSE, where, "%s", msg);
}

/* Length of the Unicode whitespace at s[0..n), or 0. */
static size_t white(const unsigned char *s, size_t n)
{
  unsigned c = s[0];
  if (c == ' ' || (c >= 0x09 && c <= 0x0d))
    return 1;
  if (c == 0xc2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xa0))
    return 2;
  if (n >= 3 && c == 0xe1 && s[1] == 0x9a && s[2] == 0x80) /* U+1680 */
    return 3;
  if (n >= 3 && c == 0xe2 && s[1] == 0x80 &&
      (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 ||
       s[2] == 0xaf)) /* U+2000-200A, 2028/9, 202F */
    return 3;
  if (n >= 3 && c == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) /* U+205F */
    return 3;
  if (n >= 3 && c == 0xe3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000 */
    return 3;
  return 0;
}

static int skip_space(struct pat_lexer *lx, struct fs_err *err)
{
  const unsigned char *s = (const unsigned char *)lx->s;
  while (lx->pos < lx->len) {
    size_t w = white(s + lx->pos, lx->len - lx->pos);
    if (w) {
      lx->pos += w;
    } else if (lx->pos + 1 < lx->len && s[lx->pos] == '/' && s[lx->pos + 1] == '*') {
      size_t start = lx->pos;
      lx->pos += 2;
      while (lx->pos + 1 < lx->len && !(s[lx->pos] == '*' && s[lx->pos + 1] == '/'))
        lx->pos++;
      if (lx->pos + 1 >= lx->len)
        return lex_error(err, start, "unterminated comment");
      lx->pos += 2;
    } else if (lx->pos + 1 < lx->len && s[lx->pos] == '/' && s[lx->pos + 1] == '/') {
      while (lx->pos < lx->len && s[lx->pos] != '\n' && s[lx->pos] != '\r')
        lx->pos++;
    } else {
      break;
    }
  }
  return FS_OK;
}

/* Scans a quoted body starting at the quote; *end receives the offset after the closing quote.
 * escapes: accept \' and \\ (string literals) or nothing at all (t'', b'', h''). */
static int scan_quoted(struct pat_lexer *lx, size_t quote, bool escapes, size_t *end,
                       struct fs_err *err)
{
  size_t i = quote + 1;
  while (i < lx->len && lx->s[i] != '\'') {
    if (lx->s[i] == '\\') {
      if (!escapes)
        return lex_error(err, i, "a backslash is not allowed in this literal");
      if (i + 1 >= lx->len || (lx->s[i + 1] != '\'' && lx->s[i + 1] != '\\'))
        return lex_error(err, i, "invalid escape: only \\' and \\\\ are allowed in a string");
      i++;
    }
    i++;
  }
  if (i >= lx->len)
    return lex_error(err, quote, "unterminated quoted literal");
  *end = i + 1;
  return FS_OK;
}

static bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static int lex_prefixed(struct pat_lexer *lx, struct pat_token *tok, struct fs_err *err)
{
  char kind = lx->s[lx->pos];
  size_t end;
  int rc = scan_quoted(lx, lx->pos + 1, false, &end, err);
  if (rc)
    return rc;
  const char *body = lx->s + lx->pos + 2;
  size_t n = end - lx->pos - 3;
  tok->pos = lx->pos;
  tok->len = end - lx->pos;
  if (kind == 't') {
    if (!stix_timestamp_valid(body, n, NULL))
      return lex_error(err, lx->pos,
                       "invalid timestamp literal: expected t'YYYY-MM-DDTHH:MM:SS[.s+]Z'");
    tok->t = TK_TIMESTAMP;
  } else if (kind == 'b') {
    size_t data = 0;
    for (size_t i = 0; i < n; i++) {
      bool wrap = body[i] == '\n' || body[i] == '\r';
      /* The 2.1 grammar's BinaryLiteral is base64 characters only; STIX 2.0 producers wrapped
       * long base64 in lines. */
      if (wrap && !lx->stix20)
        return lex_error(err, (size_t)(body + i - lx->s),
                         "a line break inside b'...' is STIX 2.0, not allowed in STIX 2.1");
      data += !wrap;
    }
    if (data == 0 || !stix_base64_valid(body, n, true))
      return lex_error(err, lx->pos, "invalid binary literal: expected padded base64 in b'...'");
    tok->t = TK_BINARY;
  } else {
    if (!stix_hex_valid(body, n, NULL))
      return lex_error(err, lx->pos, "invalid hex literal: expected pairs of hex digits in h'...'");
    tok->t = TK_HEX;
  }
  lx->pos = end;
  return FS_OK;
}

static void lex_number(struct pat_lexer *lx, struct pat_token *tok)
{
  size_t i = lx->pos;
  if (lx->s[i] == '+' || lx->s[i] == '-')
    i++;
  size_t digits = i;
  while (i < lx->len && is_digit(lx->s[i]))
    i++;
  if (i + 1 < lx->len && lx->s[i] == '.' && is_digit(lx->s[i + 1])) {
    i++;
    while (i < lx->len && is_digit(lx->s[i]))
      i++;
    tok->t = TK_FLOAT;
  } else {
    /* IntLiteral: '0' | [1-9][0-9]*: a leading zero ends the literal there. */
    if (lx->s[digits] == '0')
      i = digits + 1;
    tok->t = TK_INT;
  }
  tok->pos = lx->pos;
  tok->len = i - lx->pos;
  lx->pos = i;
}

int pat_lex(struct pat_lexer *lx, struct pat_token *tok, struct fs_err *err)
{
  int rc = skip_space(lx, err);
  if (rc)
    return rc;
  tok->pos = lx->pos;
  tok->len = 1;
  if (lx->pos >= lx->len) {
    tok->t = TK_EOF;
    tok->len = 0;
    return FS_OK;
  }
  const char *s = lx->s;
  size_t p = lx->pos, rest = lx->len - p;
  char c = s[p], c1 = rest > 1 ? s[p + 1] : '\0';
  switch (c) {
  case '[':
    tok->t = TK_LBRACK;
    break;
  case ']':
    tok->t = TK_RBRACK;
    break;
  case '(':
    tok->t = TK_LPAREN;
    break;
  case ')':
    tok->t = TK_RPAREN;
    break;
  case ':':
    tok->t = TK_COLON;
    break;
  case ',':
    tok->t = TK_COMMA;
    break;
  case '*':
    tok->t = TK_STAR;
    break;
  case '=':
    tok->t = TK_EQ;
    tok->len = c1 == '=' ? 2 : 1;
    break;
  case '!':
    tok->t = c1 == '=' ? TK_NEQ : TK_OTHER;
    tok->len = c1 == '=' ? 2 : 1;
    break;
  case '<':
    tok->t = c1 == '=' ? TK_LE : c1 == '>' ? TK_NEQ : TK_LT;
    tok->len = c1 == '=' || c1 == '>' ? 2 : 1;
    break;
  case '>':
    tok->t = c1 == '=' ? TK_GE : TK_GT;
    tok->len = c1 == '=' ? 2 : 1;
    break;
  case '\'': {
    size_t end;
    if ((rc = scan_quoted(lx, p, true, &end, err)))
      return rc;
    tok->t = TK_STRING;
    tok->len = end - p;
    break;
  }
  case '.':
    if (is_digit(c1)) {
      lex_number(lx, tok);
      return FS_OK;
    }
    tok->t = TK_DOT;
    break;
  default:
    if ((c == 't' || c == 'b' || c == 'h') && c1 == '\'')
      return lex_prefixed(lx, tok, err);
    if (is_digit(c) || ((c == '+' || c == '-') &&
                        (is_digit(c1) || (c1 == '.' && rest > 2 && is_digit(s[p + 2]))))) {
      lex_number(lx, tok);
      return FS_OK;
    }
    if (is_alpha(c)) {
      size_t i = p + 1;
      bool hyphen = false;
      while (i < lx->len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-')) {
        hyphen = hyphen || s[i] == '-';
        i++;
      }
      tok->len = i - p;
      tok->t = hyphen ? TK_IDENT_H : pat_keyword(s + p, tok->len);
      break;
    }
    tok->t = TK_OTHER;
    /* one whole UTF-8 character, for the message */
    while (tok->len < rest && tok->len < 4 && ((unsigned char)s[p + tok->len] & 0xc0) == 0x80)
      tok->len++;
  }
  lx->pos = p + tok->len;
  return FS_OK;
}

char *pat_unescape(struct fs_arena *a, const char *s, size_t len, size_t *out_len)
{
  char *o = fs_arena_alloc(a, len + 1);
  if (!o)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len)
      i++;
    o[n++] = s[i];
  }
  o[n] = '\0';
  *out_len = n;
  return o;
}
