/* Structured log lines. */
#include "core/log.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/time.h"

#include <string.h>

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void fs_log_init(struct fs_log *log, FILE *out, enum fs_log_level level, bool json)
{
  log->level = level;
  log->json = json;
  log->out = out;
  log->owns_out = false;
  pthread_mutex_init(&log->lock, NULL);
}

int fs_log_open(struct fs_log *log, const char *path, enum fs_log_level level, bool json)
{
  fs_log_init(log, stderr, level, json);
  if (!path || !strcmp(path, "-") || !*path)
    return FS_OK;
  FILE *f = fopen(path, "ae");
  if (!f)
    return FS_ERR_IO;
  setvbuf(f, NULL, _IOLBF, 0);
  log->out = f;
  log->owns_out = true;
  return FS_OK;
}

void fs_log_release(struct fs_log *log)
{
  if (log->owns_out && log->out)
    fclose(log->out);
  log->out = NULL;
  pthread_mutex_destroy(&log->lock);
}

int fs_log_level_parse(const char *s)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(level_names); i++)
    if (!strcmp(s, level_names[i]))
      return (int)i;
  return -1;
}

/* key=value: values with spaces, quotes or '=' are quoted, with \" and \\ escaped; control
 * characters become \xNN so that one event is always one line. */
static void append_kv_value(struct fs_buf *b, const char *s)
{
  bool quote = !*s;
  for (const char *p = s; *p && !quote; p++)
    quote = *p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20;
  if (!quote) {
    fs_buf_append_str(b, s);
    return;
  }
  fs_buf_append_char(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fs_buf_appendf(b, "\\%c", *p);
    else if (*p < 0x20)
      fs_buf_appendf(b, "\\x%02x", *p);
    else
      fs_buf_append_char(b, (char)*p);
  }
  fs_buf_append_char(b, '"');
}

void fs_log_emit(struct fs_log *log, enum fs_log_level level, const char *event,
                 const struct fs_log_kv *kv, size_t n)
{
  if (!fs_log_enabled(log, level) || !log->out)
    return;
  char ts[32];
  fs_time_format_ms(fs_time_now_ms(), ts);
  struct fs_buf b;
  fs_buf_init(&b, 64 * 1024);
  if (log->json) {
    fs_buf_appendf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":", ts, level_names[level]);
    fs_buf_append_json_string(&b, event);
    for (size_t i = 0; i < n; i++) {
      fs_buf_append_char(&b, ',');
      fs_buf_append_json_string(&b, kv[i].key);
      fs_buf_append_char(&b, ':');
      if (kv[i].is_num)
        fs_buf_appendf(&b, "%lld", (long long)kv[i].num);
      else
        fs_buf_append_json_string(&b, kv[i].str ? kv[i].str : "");
    }
    fs_buf_append_str(&b, "}\n");
  } else {
    fs_buf_appendf(&b, "ts=%s level=%s event=", ts, level_names[level]);
    append_kv_value(&b, event);
    for (size_t i = 0; i < n; i++) {
      fs_buf_appendf(&b, " %s=", kv[i].key);
      if (kv[i].is_num)
        fs_buf_appendf(&b, "%lld", (long long)kv[i].num);
      else
        append_kv_value(&b, kv[i].str ? kv[i].str : "");
    }
    fs_buf_append_char(&b, '\n');
  }
  pthread_mutex_lock(&log->lock);
  fwrite(fs_buf_cstr(&b), 1, b.len, log->out);
  fflush(log->out);
  pthread_mutex_unlock(&log->lock);
  fs_buf_release(&b);
}
