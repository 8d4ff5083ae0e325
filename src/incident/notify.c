/* The notification outbox: queueing (in the caller's transaction), delivery by e-mail (SMTP)
 * and signed webhooks through libcurl, back-off and the record of every attempt. */
#include "incident/notify.h"

#include "auth/policy.h"
#include "core/encode.h"
#include "core/jsonx.h"
#include "core/uuid.h"
#include "incident/internal.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int enqueue(struct store_conn *c, const char *incident_id, const char *event,
                   const char *channel, const char *target, const char *subject, const char *body,
                   int64_t now, struct fs_err *err)
{
  char id[37];
  fs_uuid_v4(id);
  /* next_at is the machine's clock: delivery is transport, not part of the legal timeline. */
  return store_exec(c, NULL, err,
                    "INSERT INTO notify_outbox (id, incident_id, event, channel, target, subject,"
                    " body, status, attempts, next_at, created_at) VALUES"
                    " (?,?,?,?,?,?,?,'pending',0,?,?)",
                    "sssssssii", id, incident_id, event, channel, target, subject, body,
                    fs_time_now_ms(), now);
}

int notify_enqueue_webhook(struct store_conn *c, const char *url, const char *event,
                           const char *body, int64_t now, struct fs_err *err)
{
  return enqueue(c, NULL, event, "webhook", url, event, body, now, err);
}

/* Every CISO contact's address of the organisation. */
static int ciso_emails(struct store_conn *c, const char *org_id, json_t *out, struct fs_err *err)
{
  json_t *arr;
  int rc = org_contacts(c, org_id, &arr, err);
  size_t i;
  json_t *ct;
  json_array_foreach(arr, i, ct)
  {
    const char *role = json_string_value(json_object_get(ct, "role"));
    const char *email = json_string_value(json_object_get(ct, "email"));
    if (role && email && !strcmp(role, "ciso"))
      json_array_append_new(out, json_string(email));
  }
  json_decref(arr);
  return rc;
}

int notify_incident(struct store_conn *c, const struct incident_env *env,
                    const struct incident_row *r, const char *event, unsigned to,
                    const char *team_email, const char *msg_en, const char *msg_zh, int64_t now,
                    struct fs_err *err)
{
  json_t *emails = json_array();
  int rc = FS_OK;
  if ((to & NOTIFY_TO_HUB) && env->hub_email[0])
    json_array_append_new(emails, json_string(env->hub_email));
  if (to & NOTIFY_TO_CISO)
    rc = ciso_emails(c, r->org_id, emails, err);
  if ((to & NOTIFY_TO_TEAM) && team_email && *team_email)
    json_array_append_new(emails, json_string(team_email));
  char local[48];
  incident_local_time(now, local);
  char subject[512], body[4096];
  snprintf(subject, sizeof(subject), "[finshield] %s L%d %.200s", r->ref, r->level, r->title);
  snprintf(body, sizeof(body),
           "事件：%s %s\n機構：%s\n等級：第 %d 級\n狀態：%s\n說明：%s\n時間：%s（台北）\n\n"
           "Incident: %s %s\nOrganisation: %s\nLevel: %d\nStatus: %s\nMessage: %s\n"
           "Time: %s (Asia/Taipei)\nEvent: %s\n",
           r->ref, r->title, r->org.code, r->level,
           r->status >= 0 ? incident_status_names[r->status] : "?", msg_zh, local, r->ref, r->title,
           r->org.code, r->level, r->status >= 0 ? incident_status_names[r->status] : "?", msg_en,
           local, event);
  size_t i;
  json_t *e;
  json_array_foreach(emails, i, e)
  {
    /* One message per address, not duplicated when the hub and the CISO share one. */
    bool dup = false;
    for (size_t k = 0; k < i && !dup; k++)
      dup = json_equal(json_array_get(emails, k), e);
    if (!rc && !dup)
      rc = enqueue(c, r->id, event, "email", json_string_value(e), subject, body, now, err);
  }
  json_decref(emails);
  if (!rc && env->webhook_url[0]) {
    json_t *p = json_pack("{s:s,s:o,s:{s:s,s:s,s:s,s:i,s:s,s:s},s:s,s:s}", "event", event, "at",
                          jsonx_time_new(now), "incident", "id", r->id, "ref", r->ref, "org",
                          r->org.code, "level", r->level, "status",
                          r->status >= 0 ? incident_status_names[r->status] : "?", "title",
                          r->title, "message_en", msg_en, "message_zh", msg_zh);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    rc = text ? enqueue(c, r->id, event, "webhook", env->webhook_url, event, text, now, err)
              : fs_err_set(err, FS_ERR_NOMEM, "notify", "out of memory");
    free(text);
  }
  return rc;
}

/* ---- delivery ------------------------------------------------------------------------------ */

static void base64(const unsigned char *in, size_t n, struct fs_buf *out)
{
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t line = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                 (i + 2 < n ? in[i + 2] : 0);
    char q[4] = {tbl[v >> 18 & 63], tbl[v >> 12 & 63], i + 1 < n ? tbl[v >> 6 & 63] : '=',
                 i + 2 < n ? tbl[v & 63] : '='};
    fs_buf_append(out, q, 4);
    if ((line += 4) >= 76) {
      fs_buf_append_str(out, "\r\n");
      line = 0;
    }
  }
  if (line)
    fs_buf_append_str(out, "\r\n");
}

static void rfc5322_date(int64_t ms, char out[40])
{
  static const char *const wd[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t sec = ms / 1000, days = sec / 86400, rem = sec % 86400;
  int64_t y;
  unsigned m, d;
  fs_civil_from_days(days, &y, &m, &d);
  snprintf(out, 40, "%s, %02u %s %04lld %02lld:%02lld:%02lld +0000", wd[days % 7], d, mon[m - 1],
           (long long)y, (long long)(rem / 3600), (long long)(rem / 60 % 60),
           (long long)(rem % 60));
}

struct upload {
  const char *p;
  size_t left;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
  struct upload *u = ud;
  size_t n = size * nmemb < u->left ? size * nmemb : u->left;
  memcpy(ptr, u->p, n);
  u->p += n;
  u->left -= n;
  return n;
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
  (void)ptr;
  (void)ud;
  return size * nmemb;
}

/* -1: failed, may succeed later; -2: cannot succeed with this configuration (no retry). */
static int send_email(const struct incident_env *env, const char *id, const char *to,
                      const char *subject, const char *body, char *detail, size_t dn)
{
  if (!env->smtp_url[0]) {
    snprintf(detail, dn, "notify.smtp_url is not set: e-mail is not sent");
    return -2;
  }
  struct fs_buf msg;
  fs_buf_init(&msg, 1 << 20);
  char date[40];
  rfc5322_date(fs_time_now_ms(), date);
  fs_buf_appendf(&msg,
                 "Date: %s\r\nFrom: finshield <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@finshield>\r\n"
                 "Subject: =?UTF-8?B?",
                 date, env->smtp_from, to, id);
  struct fs_buf subj;
  fs_buf_init(&subj, 4096);
  base64((const unsigned char *)subject, strlen(subject), &subj);
  /* An encoded word is one line: drop the line breaks of the body encoding. */
  for (size_t i = 0; i < subj.len; i++)
    if (subj.data[i] != '\r' && subj.data[i] != '\n')
      fs_buf_append_char(&msg, subj.data[i]);
  fs_buf_release(&subj);
  fs_buf_append_str(&msg, "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n");
  base64((const unsigned char *)body, strlen(body), &msg);
  CURL *curl = curl_easy_init();
  struct curl_slist *rcpt = NULL;
  char from[300], rto[300];
  snprintf(from, sizeof(from), "<%s>", env->smtp_from);
  snprintf(rto, sizeof(rto), "<%s>", to);
  rcpt = curl_slist_append(rcpt, rto);
  struct upload u = {msg.data, msg.len};
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode cc = CURLE_FAILED_INIT;
  if (curl && rcpt) {
    curl_easy_setopt(curl, CURLOPT_URL, env->smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(curl);
  }
  if (cc == CURLE_OK)
    snprintf(detail, dn, "accepted by %s for %s", env->smtp_url, to);
  else
    snprintf(detail, dn, "%s: %s", curl_easy_strerror(cc), errbuf);
  curl_slist_free_all(rcpt);
  if (curl)
    curl_easy_cleanup(curl);
  fs_buf_release(&msg);
  return cc == CURLE_OK ? 0 : -1;
}

void notify_webhook_signature(const char *secret, const char *timestamp, const char *body,
                              size_t len, char out[80])
{
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  memcpy(out, "sha256=", 7);
  fs_hex_encode(mac, sizeof(mac), out + 7);
}

static int send_webhook(const struct incident_env *env, const char *id, const char *url,
                        const char *event, const char *body, char *detail, size_t dn)
{
  char ts[24], sig[80], h[5][200];
  snprintf(ts, sizeof(ts), "%lld", (long long)(fs_time_now_ms() / 1000));
  notify_webhook_signature(env->webhook_secret, ts, body, strlen(body), sig);
  snprintf(h[0], sizeof(h[0]), "Content-Type: application/json");
  snprintf(h[1], sizeof(h[1]), "X-Finshield-Event: %s", event);
  snprintf(h[2], sizeof(h[2]), "X-Finshield-Delivery: %s", id);
  snprintf(h[3], sizeof(h[3]), "X-Finshield-Timestamp: %s", ts);
  snprintf(h[4], sizeof(h[4]), "X-Finshield-Signature: %s", sig);
  struct curl_slist *hl = NULL;
  for (int i = 0; i < 5; i++)
    hl = curl_slist_append(hl, h[i]);
  CURL *curl = curl_easy_init();
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode cc = CURLE_FAILED_INIT;
  long status = 0;
  if (curl && hl) {
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    cc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  bool ok = cc == CURLE_OK && status >= 200 && status < 300;
  if (cc != CURLE_OK)
    snprintf(detail, dn, "%s: %s", curl_easy_strerror(cc), errbuf);
  else
    snprintf(detail, dn, "HTTP %ld from %s", status, url);
  curl_slist_free_all(hl);
  if (curl)
    curl_easy_cleanup(curl);
  return ok ? 0 : -1;
}

struct due {
  char id[37];
  char channel[16];
  char event[64];
  char *target, *subject, *body;
  int64_t attempts;
};

/* A failed attempt: the first of a notification and the one that gives up at warning (somebody
 * should look at the mail server or the configuration), retries between them at info. */
static void log_failure(struct fs_log *log, const struct due *d, int64_t attempts, bool final,
                        const char *detail)
{
  FS_LOG(log, attempts == 1 || final ? FS_LOG_WARN : FS_LOG_INFO, "notify.failed",
         FS_KV_STR("id", d->id), FS_KV_STR("event", d->event), FS_KV_STR("channel", d->channel),
         FS_KV_STR("target", d->target), FS_KV_INT("attempt", attempts),
         FS_KV_STR("next", final ? "none: recorded as failed" : "retried later"),
         FS_KV_STR("detail", detail));
}

int notify_deliver_due(struct store_conn *c, const struct incident_env *env, struct fs_log *log,
                       int64_t wall_ms, int max, int *done, struct fs_err *err)
{
  *done = 0;
  struct due items[16];
  size_t n = 0;
  if (max > (int)FS_ARRAY_SIZE(items))
    max = (int)FS_ARRAY_SIZE(items);
  /* Claim the due entries with a lease, so that another node (or a slow pass) does not send
   * them twice. */
  int rc = store_begin(c, true, err);
  struct store_stmt *s = NULL;
  if (!rc)
    rc = store_query(c, &s, err,
                     "SELECT id, channel, event, target, subject, body, attempts FROM notify_outbox"
                     " WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                     "ii", wall_ms, (int64_t)max);
  bool row;
  while (!rc && n < (size_t)max && !(rc = store_step(s, &row, err)) && row) {
    struct due *d = &items[n++];
    snprintf(d->id, sizeof(d->id), "%s", store_col_text(s, 0));
    snprintf(d->channel, sizeof(d->channel), "%s", store_col_text(s, 1));
    snprintf(d->event, sizeof(d->event), "%s", store_col_text(s, 2));
    d->target = strdup(store_col_text(s, 3));
    d->subject = strdup(store_col_text(s, 4));
    d->body = strdup(store_col_text(s, 5));
    d->attempts = store_col_int(s, 6);
  }
  store_done(s);
  for (size_t i = 0; !rc && i < n; i++)
    rc = store_exec(c, NULL, err, "UPDATE notify_outbox SET next_at = ? WHERE id = ?", "is",
                    wall_ms + 300000, items[i].id);
  if (!rc)
    rc = store_commit(c, err);
  else
    store_rollback(c);
  for (size_t i = 0; !rc && i < n; i++) {
    struct due *d = &items[i];
    char detail[512];
    int ok = -1;
    if (d->target && d->subject && d->body)
      ok = !strcmp(d->channel, "email")
               ? send_email(env, d->id, d->target, d->subject, d->body, detail, sizeof(detail))
               : send_webhook(env, d->id, d->target, d->event, d->body, detail, sizeof(detail));
    else
      snprintf(detail, sizeof(detail), "out of memory");
    int64_t attempts = d->attempts + 1;
    int64_t delay = env->retry_base_s * 1000;
    for (int64_t k = 1; k < attempts && delay < 6LL * 3600 * 1000; k++)
      delay *= 2;
    if (delay > 6LL * 3600 * 1000)
      delay = 6LL * 3600 * 1000;
    bool final = ok == -2 || attempts >= env->max_attempts;
    const char *status = ok == 0 ? "sent" : final ? "failed" : "pending";
    if (ok)
      log_failure(log, d, attempts, final, detail);
    int64_t now = fs_time_now_ms();
    rc = store_begin(c, true, err);
    if (!rc)
      rc =
          store_exec(c, NULL, err,
                     "INSERT INTO notify_attempt (outbox_id, n, at, ok, detail) VALUES (?,?,?,?,?)",
                     "siiis", d->id, attempts, now, (int64_t)(ok == 0), detail);
    if (!rc)
      rc = store_exec(c, NULL, err,
                      "UPDATE notify_outbox SET status = ?, attempts = ?, next_at = ?,"
                      " last_error = ?, sent_at = ? WHERE id = ?",
                      "siisis", status, attempts, now + delay, ok == 0 ? NULL : detail,
                      ok == 0 ? now : 0, d->id);
    if (!rc)
      rc = store_commit(c, err);
    else
      store_rollback(c);
    (*done)++;
  }
  for (size_t i = 0; i < n; i++) {
    free(items[i].target);
    free(items[i].subject);
    free(items[i].body);
  }
  return rc;
}

static json_t *outbox_item(struct store_stmt *s, const struct actor *who)
{
  (void)who;
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s?,s:o,s:o}", "id", store_col_text(s, 0), "event",
                   store_col_text(s, 1), "channel", store_col_text(s, 2), "target",
                   store_col_text(s, 3), "status", store_col_text(s, 4), "attempts",
                   (json_int_t)store_col_int(s, 5), "last_error", store_col_text(s, 6),
                   "created_at", jsonx_time_new(store_col_int(s, 7)), "sent_at",
                   incident_time_json(store_col_int(s, 8)));
}

int notify_outbox_json(struct store_conn *c, const struct actor *who, const char *id, json_t **out,
                       struct fs_err *err)
{
  return incident_items_json(c, who, id, POLICY_INCIDENT_GRADE,
                             "SELECT id, event, channel, target, status, attempts, last_error,"
                             " created_at, sent_at FROM notify_outbox WHERE incident_id = ?"
                             " ORDER BY created_at, id",
                             outbox_item, out, err);
}
