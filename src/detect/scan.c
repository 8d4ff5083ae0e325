/* The scan driver: blocks of whole records read from each input, processed by workers (or on the
 * calling thread), and written in input order with duplicates dropped. Alerts are JSON lines. */
#include "detect/scan.h"
#include "core/thread.h"

#include "core/buf.h"
#include "core/progress.h"
#include "core/time.h"
#include "core/vec.h"
#include "detect/hash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define BLOCK_SIZE (4u << 20)
#define BLOCK_CAP (BLOCK_SIZE + DETECT_MAX_RECORD + 1)
#define OUT_MAX ((size_t)1 << 30)

enum { E_ALERT = 1, E_ERROR = 2 };

struct rec {
  uint32_t off, len;
  uint64_t line;
};

enum bstate { B_FREE, B_READY, B_BUSY, B_DONE };

struct block {
  enum bstate state;
  char *data;
  size_t len;
  struct rec *recs;
  size_t nrecs, recs_cap;
  const char *file;
  int64_t year_ref_ms; /* the file's modification time (0: now) */
  struct fs_buf out;   /* entries: kind (1 byte), key (8), length (4), bytes */
  uint64_t records, parse_errors;
  int rc; /* a callback's stop or out of memory */
};

struct scan {
  const struct detect_scan_opts *o;
  struct detect_scan_stats *st;
  struct block *blocks;
  size_t nblocks;
  pthread_mutex_t lock;
  pthread_cond_t work, done;
  bool stop;
  /* reader state */
  uint64_t line; /* lines read of the current file */
  bool skipping; /* inside an over-long line */
  /* writer state */
  uint64_t *seen; /* dedup keys (0 marks empty) */
  size_t seen_mask, nseen;
};

/* ---- JSON output -------------------------------------------------------------------------- */

static int json_str(struct fs_buf *b, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  int rc = fs_buf_reserve(b, n + 2);
  if (rc)
    return rc;
  rc = fs_buf_append_char(b, '"');
  size_t run = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
      continue;
    rc = fs_buf_append(b, s + run, i - run);
    char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
    if (!rc) {
      if (c == '"' || c == '\\') {
        char q[2] = {'\\', (char)c};
        rc = fs_buf_append(b, q, 2);
      } else if (c == '\n') {
        rc = fs_buf_append(b, "\\n", 2);
      } else if (c == '\t') {
        rc = fs_buf_append(b, "\\t", 2);
      } else if (c == '\r') {
        rc = fs_buf_append(b, "\\r", 2);
      } else {
        rc = fs_buf_append(b, e, 6);
      }
    }
    run = i + 1;
  }
  if (!rc)
    rc = fs_buf_append(b, s + run, n - run);
  return rc ? rc : fs_buf_append_char(b, '"');
}

static int json_cstr(struct fs_buf *b, const char *s)
{
  return s ? json_str(b, s, strlen(s)) : fs_buf_append_str(b, "null");
}

static int json_time(struct fs_buf *b, int64_t ms)
{
  if (ms == INT64_MIN)
    return fs_buf_append_str(b, "null");
  char t[32];
  fs_time_format_ms(ms, t);
  return json_cstr(b, t);
}

static int json_rule(struct fs_buf *b, const struct detect_sigma_set *s, uint32_t rule)
{
  struct detect_sigma_rule_info r;
  detect_sigma_rule_info(s, rule, &r);
  int rc = fs_buf_append_str(b, "\"rule\":{\"id\":");
  if (!rc)
    rc = json_cstr(b, r.id);
  if (!rc)
    rc = fs_buf_append_str(b, ",\"title\":");
  if (!rc)
    rc = json_cstr(b, r.title);
  if (!rc)
    rc = fs_buf_append_str(b, ",\"level\":");
  if (!rc)
    rc = json_cstr(b, r.level);
  if (!rc)
    rc = fs_buf_append_str(b, ",\"file\":");
  if (!rc)
    rc = json_cstr(b, r.file);
  return rc ? rc : fs_buf_append_char(b, '}');
}

struct worker_ctx {
  struct scan *sc;
  struct block *b;
  const struct rec *r;
};

/* Appends one alert as an output entry. */
static int on_alert(void *arg, const struct detect_alert *a)
{
  struct worker_ctx *x = arg;
  const struct detect_scan_opts *o = x->sc->o;
  struct fs_buf *b = &x->b->out;
  size_t mark = b->len;
  unsigned char head[13] = {E_ALERT};
  memcpy(head + 1, &a->dedup_key, 8);
  int rc = fs_buf_append(b, head, sizeof(head));
  static const char *const kinds[] = {"indicator", "sigma", "correlation"};
  if (!rc)
    rc = fs_buf_appendf(b, "{\"type\":\"%s\",\"source\":", kinds[a->kind]);
  char src[600];
  int sn = snprintf(src, sizeof(src), "%s:%llu", x->b->file, (unsigned long long)x->r->line);
  if (!rc)
    rc = json_str(b, src, (size_t)FS_MIN(sn, (int)sizeof(src) - 1));
  if (!rc)
    rc = fs_buf_append_str(b, ",\"time\":");
  if (!rc)
    rc = json_time(b, a->event_ms);
  if (!rc && a->kind == DETECT_ALERT_IOC) {
    struct detect_ioc_info info;
    detect_ioc_describe(o->view.ioc, a->ioc_entry, &info);
    rc = fs_buf_appendf(
        b, ",\"indicator\":{\"type\":\"%s\",\"value\":", detect_ioc_type_name(info.type));
    if (!rc)
      rc = json_cstr(b, info.value);
    if (!rc && info.label) {
      rc = fs_buf_append_str(b, ",\"label\":");
      if (!rc)
        rc = json_cstr(b, info.label);
    }
    if (!rc)
      rc = fs_buf_append_str(b, ",\"id\":");
    if (!rc)
      rc = info.source_id[0] ? json_cstr(b, info.source_id) : fs_buf_append_str(b, "null");
    if (!rc && info.pattern) { /* a compound pattern, evaluated on the event: value is its anchor */
      rc = fs_buf_append_str(b, ",\"pattern\":");
      if (!rc)
        rc = json_cstr(b, info.pattern);
    }
    if (!rc)
      rc = fs_buf_append_str(b, "},\"field\":");
    if (!rc)
      rc = json_str(b, a->field, a->field_len);
    if (!rc)
      rc = fs_buf_append_str(b, ",\"match\":");
    if (!rc)
      rc = json_str(b, a->match, a->match_len);
  } else if (!rc && a->kind == DETECT_ALERT_SIGMA) {
    rc = fs_buf_append_char(b, ',');
    if (!rc)
      rc = json_rule(b, o->view.sigma, a->rule);
    if (!rc)
      rc = fs_buf_append_str(b, ",\"fields\":[");
    for (size_t i = 0; i < a->hit->nfields && !rc; i++) {
      if (i)
        rc = fs_buf_append_char(b, ',');
      if (!rc)
        rc = json_cstr(b, a->hit->fields[i]);
    }
    if (!rc)
      rc = fs_buf_append_char(b, ']');
  } else if (!rc) {
    rc = fs_buf_append_char(b, ',');
    if (!rc)
      rc = json_rule(b, o->view.sigma, a->rule);
    if (!rc)
      rc = fs_buf_append_str(b, ",\"group\":");
    if (!rc)
      rc = json_cstr(b, a->corr->group);
    if (!rc)
      rc = fs_buf_appendf(b, ",\"value\":%.17g,\"first\":", a->corr->value);
    if (!rc)
      rc = json_time(b, a->corr->first_ms);
    if (!rc)
      rc = fs_buf_append_str(b, ",\"last\":");
    if (!rc)
      rc = json_time(b, a->corr->last_ms);
  }
  const struct detect_event *ev = a->ev;
  size_t max = o->max_event_text;
  if (!rc)
    rc = fs_buf_appendf(b, ",\"format\":\"%s\"", detect_format_name(ev->format));
  if (!rc && max) {
    rc = fs_buf_append_str(b, ",\"event\":");
    if (!rc)
      rc = json_str(b, ev->raw, FS_MIN(ev->raw_len, max));
    if (!rc && ev->raw_len > max)
      rc = fs_buf_append_str(b, ",\"event_truncated\":true");
  }
  if (!rc)
    rc = fs_buf_append_str(b, "}\n");
  if (rc) {
    b->len = mark;
    return FS_ERR_NOMEM;
  }
  uint32_t len = (uint32_t)(b->len - mark - sizeof(head));
  memcpy(b->data + mark + 9, &len, 4);
  return 0;
}

static int32_t local_offset_s(void *arg, int64_t utc_ms)
{
  (void)arg;
  time_t t = (time_t)(utc_ms / 1000);
  struct tm tm;
  return localtime_r(&t, &tm) ? (int32_t)tm.tm_gmtoff : 0;
}

const struct detect_zone detect_scan_local_zone = {local_offset_s, NULL};

/* An error travels to the writing thread as "FILE:LINE[: where]\0msg\0msg_zh" (both languages:
 * the reader's is picked when it is shown). */
static void note_error(struct block *b, const struct rec *r, const struct fs_err *e)
{
  size_t mark = b->out.len;
  unsigned char head[13] = {E_ERROR};
  if (fs_buf_append(&b->out, head, sizeof(head)) ||
      fs_buf_appendf(&b->out, "%s:%llu%s%s", b->file, (unsigned long long)r->line,
                     e->where[0] ? ": " : "", e->where) ||
      fs_buf_append(&b->out, "", 1) || fs_buf_append(&b->out, e->msg, strlen(e->msg) + 1) ||
      fs_buf_append(&b->out, e->msg_zh, strlen(e->msg_zh))) {
    b->out.len = mark;
    return;
  }
  uint32_t len = (uint32_t)(b->out.len - mark - sizeof(head));
  memcpy(b->out.data + mark + 9, &len, 4);
}

/* ---- processing --------------------------------------------------------------------------- */

static void process(struct scan *sc, struct detect_worker *w, struct block *b)
{
  struct detect_record_ctx c = {.format = sc->o->format,
                                .org = DETECT_ORG_UNRESTRICTED,
                                .now_ms = sc->o->now_ms,
                                .year_ref_ms = b->year_ref_ms,
                                .zone = sc->o->zone};
  struct worker_ctx x = {.sc = sc, .b = b};
  fs_buf_reset(&b->out);
  b->records = b->parse_errors = 0;
  b->rc = 0;
  for (size_t i = 0; i < b->nrecs && !b->rc; i++) {
    struct fs_err err;
    x.r = &b->recs[i];
    int rc =
        detect_worker_record(w, &sc->o->view, &c, b->data + x.r->off, x.r->len, on_alert, &x, &err);
    b->records++;
    if (rc == FS_ERR_PARSE || rc == FS_ERR_TOO_LARGE) {
      b->parse_errors++;
      note_error(b, x.r, &err);
    } else if (rc) {
      b->rc = rc;
    }
  }
}

static void *worker_main(void *arg)
{
  struct scan *sc = arg;
  struct detect_worker *w = detect_worker_new();
  pthread_mutex_lock(&sc->lock);
  for (;;) {
    struct block *b = NULL;
    while (!sc->stop) {
      for (size_t i = 0; i < sc->nblocks && !b; i++)
        if (sc->blocks[i].state == B_READY)
          b = &sc->blocks[i];
      if (b)
        break;
      pthread_cond_wait(&sc->work, &sc->lock);
    }
    if (!b)
      break;
    b->state = B_BUSY;
    pthread_mutex_unlock(&sc->lock);
    if (w)
      process(sc, w, b);
    else
      b->rc = FS_ERR_NOMEM;
    pthread_mutex_lock(&sc->lock);
    b->state = B_DONE;
    pthread_cond_broadcast(&sc->done);
  }
  pthread_mutex_unlock(&sc->lock);
  detect_worker_free(w);
  return NULL;
}

/* ---- writing ------------------------------------------------------------------------------ */

static bool seen_add(struct scan *sc, uint64_t key)
{
  key |= 1;
  if ((sc->nseen + 1) * 2 > sc->seen_mask + 1) {
    size_t cap = sc->seen ? (sc->seen_mask + 1) * 2 : 4096;
    uint64_t *t = calloc(cap, sizeof(*t));
    if (!t)
      return true; /* cannot remember more: let it through */
    for (size_t i = 0; sc->seen && i <= sc->seen_mask; i++)
      if (sc->seen[i]) {
        size_t k = sc->seen[i] & (cap - 1);
        while (t[k])
          k = (k + 1) & (cap - 1);
        t[k] = sc->seen[i];
      }
    free(sc->seen);
    sc->seen = t;
    sc->seen_mask = cap - 1;
  }
  size_t i = key & sc->seen_mask;
  for (; sc->seen[i]; i = (i + 1) & sc->seen_mask)
    if (sc->seen[i] == key)
      return false;
  sc->seen[i] = key;
  sc->nseen++;
  return true;
}

/* Writes a processed block's alerts in order, dropping duplicates. */
static int write_block(struct scan *sc, struct block *b)
{
  const struct detect_scan_opts *o = sc->o;
  sc->st->records += b->records;
  sc->st->parse_errors += b->parse_errors;
  const char *out = b->out.data;
  int rc = b->rc;
  for (size_t pos = 0; !rc && pos < b->out.len;) {
    unsigned char kind = (unsigned char)out[pos];
    uint64_t key;
    uint32_t len;
    memcpy(&key, out + pos + 1, 8);
    memcpy(&len, out + pos + 9, 4);
    const char *body = out + pos + 13;
    pos += 13 + (size_t)len;
    if (kind == E_ALERT) {
      if (o->dedup && !seen_add(sc, key)) {
        sc->st->duplicates++;
        continue;
      }
      sc->st->alerts++;
      rc = o->write(o->write_arg, body, len);
    } else if (o->on_parse_error) {
      struct fs_err e = {.code = FS_ERR_PARSE};
      const char *parts[3] = {body, "", ""}; /* where, msg, msg_zh: see note_error */
      size_t lens[3] = {len, 0, 0};
      for (int k = 1; k < 3; k++) {
        const char *nul = memchr(parts[k - 1], '\0', lens[k - 1]);
        if (!nul)
          break;
        parts[k] = nul + 1;
        lens[k] = lens[k - 1] - (size_t)(parts[k] - parts[k - 1]);
        lens[k - 1] = (size_t)(nul - parts[k - 1]);
      }
      snprintf(e.where, sizeof(e.where), "%.*s", (int)lens[0], parts[0]);
      snprintf(e.msg, sizeof(e.msg), "%.*s", (int)lens[1], parts[1]);
      snprintf(e.msg_zh, sizeof(e.msg_zh), "%.*s", (int)lens[2], parts[2]);
      o->on_parse_error(o->error_arg, &e);
    }
  }
  return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* The end (one past the closing brace) of the JSON object starting at p[i], or 0. */
static size_t json_end(const char *p, size_t i, size_t n)
{
  int depth = 0;
  bool str = false;
  for (; i < n; i++) {
    char c = p[i];
    if (str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        str = false;
      continue;
    }
    if (c == '"')
      str = true;
    else if (c == '{' || c == '[')
      depth++;
    else if ((c == '}' || c == ']') && --depth == 0)
      return i + 1;
  }
  return 0;
}

static bool add_rec(struct block *b, size_t off, size_t len, uint64_t line)
{
  if (FS_VEC_GROW(b->recs, b->nrecs, b->recs_cap, 4096))
    return false;
  b->recs[b->nrecs++] = (struct rec){(uint32_t)off, (uint32_t)len, line};
  return true;
}

/* Splits data[0, len) into records: lines, or a JSON object over several lines (a line that
 * starts with '{' and does not end with '}'). Returns where an incomplete record starts. */
static size_t split(struct scan *sc, struct block *b, bool eof)
{
  const char *p = b->data;
  size_t n = b->len, i = 0;
  b->nrecs = 0;
  while (i < n) {
    const char *nl = memchr(p + i, '\n', n - i);
    if (sc->skipping) { /* the rest of an over-long line */
      if (!nl)
        return n;
      sc->skipping = false;
      i = (size_t)(nl - p) + 1;
      continue;
    }
    if (!nl && !eof)
      return i;
    size_t rs = i, re = nl ? (size_t)(nl - p) : n, next = nl ? re + 1 : n;
    uint64_t line = ++sc->line;
    size_t k = rs;
    while (k < re && (p[k] == ' ' || p[k] == '\t'))
      k++;
    if (k < re && p[k] == '{') {
      size_t t = re;
      while (t > k && (p[t - 1] == '\r' || p[t - 1] == ' ' || p[t - 1] == '\t'))
        t--;
      if (p[t - 1] != '}') {
        size_t e = json_end(p, k, FS_MIN(n, rs + DETECT_MAX_RECORD));
        if (!e && !eof && n - rs <= DETECT_MAX_RECORD) {
          sc->line--;
          return rs; /* wait for the rest of the object */
        }
        if (e && e - rs <= DETECT_MAX_RECORD && e > re) {
          for (size_t q = re; q < e; q++)
            sc->line += p[q] == '\n';
          re = e;
          const char *nl2 = memchr(p + e, '\n', n - e);
          size_t stop = nl2 ? (size_t)(nl2 - p) : n;
          bool blank = true; /* a "," or spaces after the object belong to it */
          for (size_t q = e; q < stop && blank; q++)
            blank = p[q] == ' ' || p[q] == '\t' || p[q] == '\r' || p[q] == ',';
          if (blank) {
            if (!nl2 && !eof) {
              sc->line = line - 1;
              return rs;
            }
            next = nl2 ? stop + 1 : n;
          } else {
            next = e;
          }
        }
      }
    }
    if (re > rs && p[re - 1] == '\r')
      re--;
    if (re > rs && !add_rec(b, rs, re - rs, line)) {
      b->rc = FS_ERR_NOMEM;
      return n;
    }
    i = next;
  }
  return n;
}

/* The block for the next read, once the one in its slot is written out. While waiting for it, the
 * reading thread processes blocks too (it is one of the `threads`). */
static struct block *take_slot(struct scan *sc, size_t idx, struct detect_worker *w, int *rc)
{
  struct block *b = &sc->blocks[idx % sc->nblocks];
  if (sc->o->threads > 1) {
    pthread_mutex_lock(&sc->lock);
    while (b->state != B_FREE && b->state != B_DONE) {
      struct block *r = NULL;
      for (size_t i = 0; i < sc->nblocks && !r; i++)
        if (sc->blocks[i].state == B_READY)
          r = &sc->blocks[i];
      if (!r) {
        pthread_cond_wait(&sc->done, &sc->lock);
        continue;
      }
      r->state = B_BUSY;
      pthread_mutex_unlock(&sc->lock);
      process(sc, w, r);
      pthread_mutex_lock(&sc->lock);
      r->state = B_DONE;
      pthread_cond_broadcast(&sc->done);
    }
    pthread_mutex_unlock(&sc->lock);
  }
  if (b->state == B_DONE) {
    int wrc = write_block(sc, b);
    if (wrc && !*rc)
      *rc = wrc;
    b->state = B_FREE;
  }
  return b;
}

static void submit(struct scan *sc, struct block *b, struct detect_worker *inline_worker)
{
  if (sc->o->threads <= 1) {
    process(sc, inline_worker, b);
    b->state = B_DONE;
    return;
  }
  pthread_mutex_lock(&sc->lock);
  b->state = B_READY;
  pthread_cond_signal(&sc->work);
  pthread_mutex_unlock(&sc->lock);
}

static int scan_file(struct scan *sc, const char *path, size_t *slot, char *carry,
                     struct detect_worker *w, struct fs_err *err)
{
  struct detect_input *in;
  int rc = detect_input_open(path, &in, err);
  if (rc)
    return rc;
  size_t carry_len = 0;
  int64_t mtime = detect_input_mtime_ms(in);
  sc->line = 0;
  sc->skipping = false;
  uint64_t counted = 0; /* of the file's bytes, on the progress */
  for (bool eof = false; !eof && !rc;) {
    struct block *b = take_slot(sc, (*slot)++, w, &rc);
    if (rc)
      break;
    b->file = path;
    b->year_ref_ms = mtime;
    b->rc = 0;
    memcpy(b->data, carry, carry_len);
    b->len = carry_len;
    size_t want = b->len < BLOCK_SIZE ? BLOCK_SIZE - b->len : BLOCK_CAP - 1 - b->len;
    size_t got;
    if ((rc = detect_input_read(in, b->data + b->len, want, &got, err))) {
      b->state = B_FREE;
      break;
    }
    sc->st->bytes += got;
    fs_progress_add(sc->o->progress, detect_input_consumed(in) - counted);
    counted = detect_input_consumed(in);
    b->len += got;
    eof = got < want;
    size_t off = split(sc, b, eof);
    carry_len = b->len - off;
    if (!eof && off == 0 && b->len >= BLOCK_CAP - 1) {
      /* One record longer than a block: hand over its head (the parser reports it too large)
       * and skip its rest. */
      sc->line++;
      add_rec(b, 0, DETECT_MAX_RECORD + 1, sc->line);
      sc->skipping = true;
      carry_len = 0;
      off = b->len;
    }
    memcpy(carry, b->data + off, carry_len);
    b->len = off;
    submit(sc, b, w);
  }
  sc->st->lines += sc->line;
  sc->st->files++;
  detect_input_close(in);
  return rc;
}

static double cpu_seconds(void)
{
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru))
    return 0;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int detect_scan_files(const struct detect_scan_opts *o, const char *const *paths, size_t n,
                      struct detect_scan_stats *st, struct fs_err *err)
{
  struct scan sc = {.o = o, .st = st};
  memset(st, 0, sizeof(*st));
  int64_t t0 = fs_time_mono_ns();
  double c0 = cpu_seconds();
  unsigned threads = o->threads ? o->threads : 1;
  sc.nblocks = threads <= 1 ? 1 : threads * 2 + 1;
  sc.blocks = calloc(sc.nblocks, sizeof(*sc.blocks));
  char *carry = malloc(BLOCK_CAP);
  struct detect_worker *w = detect_worker_new(); /* the reading thread's */
  pthread_t *tids = calloc(threads, sizeof(*tids));
  size_t started = 0;
  int rc = FS_OK;
  if (!sc.blocks || !carry || !tids || !w) {
    rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < sc.nblocks; i++) {
    fs_buf_init(&sc.blocks[i].out, OUT_MAX);
    if (!(sc.blocks[i].data = malloc(BLOCK_CAP))) {
      rc = fs_err_set(err, FS_ERR_NOMEM, "", "out of memory");
      goto out;
    }
  }
  pthread_mutex_init(&sc.lock, NULL);
  pthread_cond_init(&sc.work, NULL);
  pthread_cond_init(&sc.done, NULL);
  for (; threads > 1 && started < threads - 1; started++) /* the reading thread is the last */
    if (fs_thread_start(&tids[started], worker_main, &sc)) {
      rc = fs_err_set(err, FS_ERR_INTERNAL, "", "cannot start a thread");
      break;
    }
  /* The total, when every input is a regular file. */
  uint64_t total = 0;
  struct stat fst;
  for (size_t i = 0; o->progress && i < n && total != UINT64_MAX; i++)
    total = strcmp(paths[i], "-") && !stat(paths[i], &fst) && S_ISREG(fst.st_mode)
                ? total + (uint64_t)fst.st_size
                : UINT64_MAX;
  fs_progress_set_total(o->progress, total == UINT64_MAX ? 0 : total);
  size_t slot = 0;
  for (size_t i = 0; i < n && !rc; i++)
    rc = scan_file(&sc, paths[i], &slot, carry, w, err);
  for (size_t k = 0; k < sc.nblocks; k++) { /* the rest, in order */
    int wrc = rc;
    take_slot(&sc, slot++, w, &wrc);
    if (wrc && !rc) {
      rc = wrc;
      fs_err_set(err, rc, "", rc == FS_ERR_NOMEM ? "out of memory" : "output failed");
    }
  }
  pthread_mutex_lock(&sc.lock);
  sc.stop = true;
  pthread_cond_broadcast(&sc.work);
  pthread_mutex_unlock(&sc.lock);
  for (size_t i = 0; i < started; i++)
    pthread_join(tids[i], NULL);
  pthread_mutex_destroy(&sc.lock);
  pthread_cond_destroy(&sc.work);
  pthread_cond_destroy(&sc.done);
out:
  for (size_t i = 0; sc.blocks && i < sc.nblocks; i++) {
    free(sc.blocks[i].data);
    free(sc.blocks[i].recs);
    fs_buf_release(&sc.blocks[i].out);
  }
  free(sc.blocks);
  free(carry);
  free(tids);
  free(sc.seen);
  detect_worker_free(w);
  st->seconds = (double)(fs_time_mono_ns() - t0) / 1e9;
  st->cpu_seconds = cpu_seconds() - c0;
  return rc;
}
