/* Language selection and the message catalogue. */
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fs_lang_parse(const char *s)
{
  if (!s || !*s)
    return -1;
  if (!strncasecmp(s, "zh", 2))
    return FS_LANG_ZH_TW;
  if (!strncasecmp(s, "en", 2))
    return FS_LANG_EN;
  return -1;
}

enum fs_lang fs_lang_from_env(void)
{
  static const char *const vars[] = {"FINSHIELD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < FS_ARRAY_SIZE(vars); i++) {
    int l = fs_lang_parse(getenv(vars[i]));
    if (l >= 0)
      return (enum fs_lang)l;
  }
  return FS_LANG_ZH_TW;
}

const char *fs_lang_name(enum fs_lang lang)
{
  return lang == FS_LANG_EN ? "en" : "zh-TW";
}

/* ---- the catalogue ----------------------------------------------------------------------------
 */

static const struct {
  const char *en, *zh;
} catalogue[] = {
#define M(en, zh) {en, zh},
#include "core/messages.def"
#undef M
};

bool fs_msg_entry(size_t i, const char **en, const char **zh)
{
  if (i >= FS_ARRAY_SIZE(catalogue))
    return false;
  *en = catalogue[i].en;
  *zh = catalogue[i].zh;
  return true;
}

const char *fs_msg_zh(const char *en)
{
  size_t lo = 0, hi = FS_ARRAY_SIZE(catalogue);
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(en, catalogue[mid].en);
    if (!c)
      return catalogue[mid].zh;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

/* ---- formatting twice -------------------------------------------------------------------------
 */

/* The last messages this thread formatted with a translation, for arguments that are messages. */
enum { RECENT = 4, RECENT_EN = 384, RECENT_ZH = 512 };
static _Thread_local struct {
  char en[RECENT_EN], zh[RECENT_ZH];
} recent[RECENT];
static _Thread_local unsigned recent_next;

enum { MAX_SPECS = 24 };

enum kind {
  K_INT,
  K_LONG,
  K_LLONG,
  K_SIZE,
  K_INTMAX,
  K_PTRDIFF,
  K_UINT,
  K_ULONG,
  K_ULLONG,
  K_USIZE,
  K_UINTMAX,
  K_UPTRDIFF,
  K_DOUBLE,
  K_LDOUBLE,
  K_STR,
  K_PTR
};

/* One conversion: where it stands in its format, how many '*' it takes, the argument's type. */
struct spec {
  const char *at;
  size_t len;
  int stars;
  enum kind kind;
};

/* The conversions of fmt ("%%" is text, not one); -1 for one this code does not take (%n, an
 * unknown letter) or too many. */
static int parse_specs(const char *fmt, struct spec *out)
{
  int n = 0;
  for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
    const char *s = p++;
    if (*p == '%') {
      p++;
      continue;
    }
    struct spec sp = {.at = s};
    p += strspn(p, "-+ #0");
    if (*p == '*') {
      sp.stars++;
      p++;
    } else {
      p += strspn(p, "0123456789");
    }
    if (*p == '.') {
      p++;
      if (*p == '*') {
        sp.stars++;
        p++;
      } else {
        p += strspn(p, "0123456789");
      }
    }
    int len = 0; /* 1 h/hh, 2 l, 3 ll, 4 j, 5 z, 6 t, 7 L */
    if (*p == 'h') {
      len = 1;
      p += p[1] == 'h' ? 2 : 1;
    } else if (*p == 'l') {
      len = p[1] == 'l' ? 3 : 2;
      p += p[1] == 'l' ? 2 : 1;
    } else if (*p == 'j' || *p == 'z' || *p == 't' || *p == 'L') {
      len = *p == 'j' ? 4 : *p == 'z' ? 5 : *p == 't' ? 6 : 7;
      p++;
    }
    static const enum kind sgn[] = {K_INT, K_INT, K_LONG, K_LLONG, K_INTMAX, K_SIZE, K_PTRDIFF};
    static const enum kind uns[] = {K_UINT,    K_UINT,  K_ULONG,   K_ULLONG,
                                    K_UINTMAX, K_USIZE, K_UPTRDIFF};
    char c = *p;
    if (!c)
      return -1;
    if (len < 7 && (c == 'd' || c == 'i'))
      sp.kind = sgn[len];
    else if (len < 7 && strchr("ouxX", c))
      sp.kind = uns[len];
    else if (len == 0 && c == 'c')
      sp.kind = K_INT;
    else if ((len == 0 || len == 2 || len == 7) && strchr("eEfFgGaA", c))
      sp.kind = len == 7 ? K_LDOUBLE : K_DOUBLE;
    else if (len == 0 && c == 's')
      sp.kind = K_STR;
    else if (len == 0 && c == 'p')
      sp.kind = K_PTR;
    else
      return -1;
    sp.len = (size_t)(++p - s);
    if (n == MAX_SPECS)
      return -1;
    out[n++] = sp;
  }
  return n;
}

union value {
  intmax_t i;
  uintmax_t u;
  long double ld;
  const char *s;
  void *p;
};

struct arg {
  int star[2];
  union value v;
};

static void take_args(const struct spec *sp, int n, struct arg *args, va_list ap)
{
  for (int k = 0; k < n; k++) {
    for (int s = 0; s < sp[k].stars; s++)
      args[k].star[s] = va_arg(ap, int);
    union value *v = &args[k].v;
    switch (sp[k].kind) {
    case K_INT:
      v->i = va_arg(ap, int);
      break;
    case K_LONG:
      v->i = va_arg(ap, long);
      break;
    case K_LLONG:
      v->i = va_arg(ap, long long);
      break;
    case K_SIZE:
      v->i = (intmax_t)va_arg(ap, size_t);
      break;
    case K_INTMAX:
      v->i = va_arg(ap, intmax_t);
      break;
    case K_PTRDIFF:
      v->i = va_arg(ap, ptrdiff_t);
      break;
    case K_UINT:
      v->u = va_arg(ap, unsigned);
      break;
    case K_ULONG:
      v->u = va_arg(ap, unsigned long);
      break;
    case K_ULLONG:
      v->u = va_arg(ap, unsigned long long);
      break;
    case K_USIZE:
      v->u = va_arg(ap, size_t);
      break;
    case K_UINTMAX:
      v->u = va_arg(ap, uintmax_t);
      break;
    case K_UPTRDIFF:
      v->u = (uintmax_t)va_arg(ap, ptrdiff_t);
      break;
    case K_DOUBLE:
      v->ld = va_arg(ap, double);
      break;
    case K_LDOUBLE:
      v->ld = va_arg(ap, long double);
      break;
    case K_STR:
      v->s = va_arg(ap, const char *);
      break;
    case K_PTR:
      v->p = va_arg(ap, void *);
      break;
    }
  }
}

/* A "%s" argument that is a message, in zh-TW; NULL when it is none. */
static const char *arg_zh(const char *s)
{
  if (!s || !*s)
    return NULL;
  const char *zh = fs_msg_zh(s);
  struct spec none[MAX_SPECS];
  if (zh && parse_specs(s, none) <= 0) /* a plain message, not a format ('%' may stand alone) */
    return zh;
  for (unsigned i = 0; i < RECENT; i++)
    if (recent[i].zh[0] && !strcmp(recent[i].en, s))
      return recent[i].zh;
  return NULL;
}

/* The formats handed to snprintf below are single conversions cut from a catalogue format that
 * parse_specs checked against the caller's (compiler-checked) format. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#define PUT_ONE(type, val)                                                                         \
  (sp->stars == 0   ? snprintf(out, n, f, (type)(val))                                             \
   : sp->stars == 1 ? snprintf(out, n, f, a->star[0], (type)(val))                                 \
                    : snprintf(out, n, f, a->star[0], a->star[1], (type)(val)))

/* Formats one conversion of the catalogue's format with its argument; returns snprintf's count.
 * `word`: the argument may be a message (a plain %s that the English format does not quote). */
static int put_one(char *out, size_t n, const struct spec *sp, const struct arg *a, bool word)
{
  char f[32];
  if (sp->len >= sizeof(f))
    return 0;
  memcpy(f, sp->at, sp->len);
  f[sp->len] = '\0';
  const union value *v = &a->v;
  switch (sp->kind) {
  case K_INT:
    return PUT_ONE(int, v->i);
  case K_LONG:
    return PUT_ONE(long, v->i);
  case K_LLONG:
    return PUT_ONE(long long, v->i);
  case K_SIZE:
    return PUT_ONE(size_t, v->i);
  case K_INTMAX:
    return PUT_ONE(intmax_t, v->i);
  case K_PTRDIFF:
    return PUT_ONE(ptrdiff_t, v->i);
  case K_UINT:
    return PUT_ONE(unsigned, v->u);
  case K_ULONG:
    return PUT_ONE(unsigned long, v->u);
  case K_ULLONG:
    return PUT_ONE(unsigned long long, v->u);
  case K_USIZE:
    return PUT_ONE(size_t, v->u);
  case K_UINTMAX:
    return PUT_ONE(uintmax_t, v->u);
  case K_UPTRDIFF:
    return PUT_ONE(ptrdiff_t, v->u);
  case K_DOUBLE:
    return PUT_ONE(double, v->ld);
  case K_LDOUBLE:
    return PUT_ONE(long double, v->ld);
  case K_STR: {
    const char *zh = word && sp->len == 2 ? arg_zh(v->s) : NULL;
    return PUT_ONE(const char *, zh ? zh : v->s);
  }
  case K_PTR:
    return PUT_ONE(void *, v->p);
  }
  return 0;
}
#undef PUT_ONE
#pragma GCC diagnostic pop

/* Appends len bytes of s to out[*w..n), truncating; *w counts what fits. */
static void append(char *out, size_t n, size_t *w, const char *s, size_t len)
{
  if (*w + 1 >= n)
    return;
  size_t room = n - 1 - *w;
  if (len > room)
    len = room;
  memcpy(out + *w, s, len);
  *w += len;
  out[*w] = '\0';
}

/* zh: the catalogue's format `tr` with the arguments of `fmt`; false when they do not agree. */
static bool format_zh(char *zh, size_t n, const char *fmt, const char *tr, va_list ap)
{
  struct spec fs[MAX_SPECS], ts[MAX_SPECS];
  int nf = parse_specs(fmt, fs), nt = parse_specs(tr, ts);
  if (nf < 0 || nt != nf)
    return false;
  for (int k = 0; k < nf; k++)
    if (fs[k].len != ts[k].len || memcmp(fs[k].at, ts[k].at, fs[k].len))
      return false;
  struct arg args[MAX_SPECS];
  take_args(fs, nf, args, ap);
  size_t w = 0;
  zh[0] = '\0';
  const char *p = tr;
  for (int k = 0; k <= nt; k++) {
    const char *end = k < nt ? ts[k].at : p + strlen(p);
    /* The text before the conversion, with "%%" as '%'. */
    for (const char *q = p; q < end;) {
      const char *pc = memchr(q, '%', (size_t)(end - q));
      size_t len = pc ? (size_t)(pc - q) + 1 : (size_t)(end - q);
      append(zh, n, &w, q, len);
      q += len + (pc ? 1 : 0);
    }
    if (k == nt)
      break;
    /* A quoted argument ("field \"%s\"") is a name or a value, never words to translate. */
    bool word = fs[k].at == fmt || (fs[k].at[-1] != '"' && fs[k].at[-1] != '\'');
    char piece[RECENT_ZH];
    int c = put_one(piece, sizeof(piece), &ts[k], &args[k], word);
    if (c > 0)
      append(zh, n, &w, piece, FS_MIN((size_t)c, sizeof(piece) - 1));
    p = ts[k].at + ts[k].len;
  }
  return true;
}

void fs_msg_vformat(char *en, size_t en_size, char *zh, size_t zh_size, const char *fmt, va_list ap)
{
  va_list copy;
  va_copy(copy, ap);
  if (en_size)
    vsnprintf(en, en_size, fmt, ap);
  const char *tr = fs_msg_zh(fmt);
  if (zh_size && !(tr && format_zh(zh, zh_size, fmt, tr, copy)))
    zh[0] = '\0';
  va_end(copy);
  if (en_size && zh_size && zh[0])
    fs_msg_remember(en, zh);
}

void fs_msg_remember(const char *en, const char *zh)
{
  if (!en || !zh || !zh[0])
    return;
  unsigned i = recent_next++ % RECENT;
  snprintf(recent[i].en, sizeof(recent[i].en), "%s", en);
  snprintf(recent[i].zh, sizeof(recent[i].zh), "%s", zh);
}

void fs_msg_format(char *en, size_t en_size, char *zh, size_t zh_size, const char *fmt, ...)
{
  char own[RECENT_ZH];
  if (!zh || !zh_size) {
    zh = own;
    zh_size = sizeof(own);
  }
  va_list ap;
  va_start(ap, fmt);
  fs_msg_vformat(en, en_size, zh, zh_size, fmt, ap);
  va_end(ap);
}
