/* The configuration table, INI parsing (libinih) and validation. */
#include "core/config.h"

#include "core/file.h"
#include "core/net.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(struct fs_config, f)
#define SZ(f) sizeof(((struct fs_config *)0)->f)
#define STR(sec, key, field, def, help)                                                            \
  {                                                                                                \
    sec, key, FS_CONFIG_STR, OFF(field), SZ(field), def, 0, 0, NULL, help                          \
  }
#define INT(sec, key, field, def, lo, hi, help)                                                    \
  {                                                                                                \
    sec, key, FS_CONFIG_INT, OFF(field), 0, def, lo, hi, NULL, help                                \
  }
#define ENUM(sec, key, field, def, vals, help)                                                     \
  {                                                                                                \
    sec, key, FS_CONFIG_ENUM, OFF(field), SZ(field), def, 0, 0, vals, help                         \
  }

static const char *const langs[] = {"zh-TW", "en", NULL};
static const char *const backends[] = {"sqlite", "postgresql", NULL};
static const char *const sync_modes[] = {"full", "normal", NULL};
static const char *const argon2_levels[] = {"interactive", "moderate", "sensitive", NULL};
static const char *const log_levels[] = {"debug", "info", "warn", "error", "off", NULL};
static const char *const log_formats[] = {"kv", "json", NULL};

static const struct fs_config_key keys[] = {
    STR("hub", "name", hub_name, "finshield hub",
        "Name shown to users in the portal, API and reports."),
    STR("hub", "data_dir", data_dir, "./var",
        "Folder for the database, TLS material, secrets and vaults; relative paths below are "
        "resolved against it."),
    ENUM("hub", "lang", lang, "zh-TW", langs,
         "Language of messages meant for people when a request does not ask for one."),
    STR("hub", "clock_file", clock_file, "",
        "Testing and drills only: a file holding an RFC 3339 time that the hub takes as now. "
        "Empty: the system clock."),
    STR("http", "listen", listen, "127.0.0.1:8443",
        "Address and port of the HTTP server. Plain HTTP only on loopback; any other address needs "
        "tls_cert and tls_key."),
    STR("http", "tls_cert", tls_cert, "",
        "PEM certificate chain for HTTPS. Empty: plain HTTP (loopback only)."),
    STR("http", "tls_key", tls_key, "", "PEM private key for tls_cert."),
    INT("http", "threads", http_threads, "4", 1, 256, "Worker threads of the HTTP server."),
    INT("http", "max_body_bytes", max_body_bytes, "10485760", 1024, 1073741824,
        "Largest request body accepted from an authenticated caller; larger requests get 413."),
    INT("http", "max_anonymous_body_bytes", max_anonymous_body_bytes, "65536", 1024, 1073741824,
        "Largest request body accepted without a valid token (public routes such as the login); a "
        "caller that is not authenticated is answered from the headers, and a larger body is "
        "refused before it is read."),
    INT("http", "body_memory_bytes", body_memory_bytes, "536870912", 1048576, 1099511627776,
        "Memory all request bodies in flight may hold together (announced sizes are reserved up "
        "front); a body that does not fit gets 503 with Retry-After. At least max_body_bytes and "
        "taxii.max_content_length."),
    INT("http", "max_header_bytes", max_header_bytes, "16384", 4096, 1048576,
        "Memory for one request's line and headers; larger requests are refused."),
    INT("http", "connection_timeout", connection_timeout_s, "30", 1, 3600,
        "Seconds an idle keep-alive connection stays open."),
    INT("http", "max_connections", max_connections, "1024", 1, 100000,
        "Concurrent connections accepted; more are closed at once "
        "(finshield_http_connections_refused_total)."),
    INT("http", "max_connections_per_address", max_connections_per_address, "128", 0, 100000,
        "Concurrent connections accepted from one client address (0: no limit); more are closed at "
        "once (finshield_http_connections_refused_total). Behind a reverse proxy every client has "
        "the proxy's address."),
    INT("http", "head_timeout", head_timeout_s, "10", 1, 3600,
        "Seconds a request's line and headers may take from its first line (the first line itself: "
        "connection_timeout + head_timeout from the connection's start or the previous answer); a "
        "slower client is disconnected (finshield_http_connections_cut_total{reason=\"head\"})."),
    INT("http", "body_min_rate", body_min_rate, "1024", 0, 1073741824,
        "Bytes per second a request body must average once it has had head_timeout seconds; a "
        "slower client is disconnected (finshield_http_connections_cut_total{reason=\"body\"}). 0 "
        "turns the minimum off."),
    INT("http", "rate_per_second", rate_per_second, "50", 0, 1000000,
        "Requests per second allowed to one token (or one address without a token); 0 turns the "
        "limit off."),
    INT("http", "rate_burst", rate_burst, "200", 1, 10000000,
        "Requests a token may send at once before the rate applies."),
    INT("http", "auth_failures_per_minute", auth_failures_per_minute, "60", 0, 1000000,
        "Failed authentications (a token presented, as Bearer or as the Basic password, and "
        "refused) one address may make per minute; once its burst is spent the address gets 429 "
        "without its token being looked up, valid or not. 0 turns the limit off."),
    INT("http", "auth_failure_burst", auth_failure_burst, "100", 1, 1000000,
        "Failed authentications one address may make at once before auth_failures_per_minute "
        "applies."),
    STR("http", "access_log", access_log, "-",
        "Structured access log: a file path, '-' for standard error, or 'off'."),
    ENUM("store", "backend", store_backend, "sqlite", backends,
         "Storage engine: 'sqlite' (one node, the database in a file) or 'postgresql' (one or "
         "several nodes on one PostgreSQL database, store.url; docs/postgresql.md)."),
    STR("store", "path", store_path, "hub.db", "SQLite database file."),
    STR("store", "url", store_url, "",
        "PostgreSQL database (store.backend = postgresql): a libpq URL, "
        "postgresql://user@host:port/dbname?options, several hosts for fail-over "
        "(host1:5432,host2:5432 with target_session_attrs=read-write). finshield init creates the "
        "database when it does not exist. Keep the password out of it (~/.pgpass, PGPASSFILE or "
        "passfile=)."),
    INT("store", "busy_timeout_ms", busy_timeout_ms, "5000", 0, 600000,
        "How long a write waits for the database lock (on PostgreSQL: the write lock every node "
        "shares) before the request fails with 503."),
    ENUM("store", "synchronous", synchronous, "full", sync_modes,
         "'full': every commit is on disk before it is acknowledged; 'normal': survives a crash of "
         "the hub but not of the machine (PostgreSQL: 'full' keeps the server's "
         "synchronous_commit, 'normal' sets it off)."),
    INT("store", "max_size_mb", max_size_mb, "0", 0, 16777216,
        "Largest size of the database in MiB (an empty hub takes about 1.5 MiB: 16 KiB pages); "
        "writes beyond it fail with 503 and change nothing. 0: no limit. SQLite only (PostgreSQL: "
        "quotas of the server)."),
    INT("store", "cache_mb", cache_mb, "64", 1, 65536,
        "Page cache of each database connection, in MiB: large imports and pages of intelligence "
        "read from it instead of the disk. SQLite only (PostgreSQL: the server's shared_buffers)."),
    INT("auth", "token_days", token_days, "90", 1, 3650,
        "Default lifetime of a new API token, in days."),
    INT("auth", "token_max_days", token_max_days, "365", 1, 3650,
        "Longest lifetime a token may be given."),
    INT("auth", "session_hours", session_hours, "12", 1, 168,
        "Lifetime of a portal session token after a password login."),
    INT("auth", "session_idle_minutes", session_idle_minutes, "30", 1, 1440,
        "A portal session held in the browser's cookie ends after this many minutes without a "
        "request (its lifetime, session_hours, still bounds it)."),
    ENUM("auth", "argon2", argon2, "interactive", argon2_levels,
         "Argon2id cost for password hashes (libsodium's named limits)."),
    INT("auth", "login_max_failures", login_max_failures, "5", 1, 1000,
        "Failed logins in a row for one user name from one address before that address is locked "
        "out of that name (other addresses are not)."),
    INT("auth", "login_lockout_minutes", login_lockout_minutes, "15", 1, 10080,
        "How long an address stays locked out of a user name."),
    INT("taxii", "max_content_length", taxii_max_content_length, "104857600", 1024, 4294967296,
        "Largest TAXII POST body (the API root's max_content_length); larger ones get 413."),
    INT("taxii", "page_limit", taxii_page_limit, "1000", 1, 10000,
        "Most objects in one TAXII page; a larger limit asked by a client is cut to it."),
    INT("taxii", "page_cache_mb", taxii_page_cache_mb, "64", 0, 65536,
        "Memory for TAXII pages that are the same for every reader (all CLEAR or GREEN), reused "
        "until their collection changes. 0 turns the cache off."),
    INT("feeds", "worker_interval", feeds_worker_interval_s, "300", 0, 86400,
        "Seconds between two passes of serve's sources worker: each runs the scheduled sources "
        "that are due (docs/intel.md) and recomputes the scores. 0: none (run `finshield feed run "
        "--due` and `finshield feed score` from cron instead)."),
    INT("feeds", "max_bytes", feeds_max_bytes, "268435456", 1024, 4294967296,
        "Largest file (a MISP event, a CSV list, a manifest) or TAXII page a source may send; "
        "larger ones are refused and named in the run's problems."),
    INT("feeds", "timeout", feeds_timeout_s, "120", 1, 3600,
        "Seconds one request to a source (HTTPS, TAXII) may take."),
    INT("feeds", "batch", feeds_batch, "250000", 1000, 1000000,
        "Values of a MISP or CSV source merged and stored in one transaction. Larger batches "
        "write much less (each transaction rewrites the pages of the indexes its values touch) "
        "but hold the store's write lock longer: other writers wait up to "
        "store.busy_timeout_ms. About 30 MB of memory for each 100,000."),
    STR("feeds", "cacert", feeds_cacert, "",
        "CA certificates (PEM) to verify sources served over HTTPS with. Empty: the system's."),
    INT("score", "threshold", score_threshold, "20", 0, 100,
        "Score (0-100) below which an indicator from a source is withheld: not distributed to "
        "members (TAXII, REST, exports) and not matched, with the reason on it for the hub."),
    STR("score", "decay_ip", score_decay_ip, "30,1",
        "Decay of IP address indicators: LIFETIME_DAYS,SPEED of MISP's polynomial model, score = "
        "base * (1 - (age / lifetime)^(1 / speed)), age since last reported or sighted."),
    STR("score", "decay_domain", score_decay_domain, "90,1",
        "Decay of domain name indicators (LIFETIME_DAYS,SPEED, as decay_ip)."),
    STR("score", "decay_url", score_decay_url, "60,1",
        "Decay of URL indicators (LIFETIME_DAYS,SPEED, as decay_ip)."),
    STR("score", "decay_hash", score_decay_hash, "365,1",
        "Decay of file hash indicators (LIFETIME_DAYS,SPEED, as decay_ip)."),
    STR("score", "decay_email", score_decay_email, "180,1",
        "Decay of e-mail address indicators (LIFETIME_DAYS,SPEED, as decay_ip)."),
    STR("soc", "rules_dir", soc_rules_dir, "",
        "Folder of Sigma rules (.yml, searched recursively) the hub matches members' events "
        "against. Empty: indicators only."),
    INT("soc", "dedup_window", soc_dedup_window_s, "300", 1, 86400,
        "Seconds during which repeated hits of the same indicator or rule on the same key values "
        "at one organisation count into one alert."),
    INT("soc", "sector_window", soc_sector_window_s, "3600", 60, 2592000,
        "Seconds within which hits at several organisations make a sector alert."),
    INT("soc", "sector_threshold", soc_sector_threshold, "3", 2, 1000,
        "Organisations with the same indicator or rule within sector_window that make a sector "
        "alert (and a draft incident)."),
    INT("soc", "sighting_interval", soc_sighting_interval_s, "60", 0, 86400,
        "Least seconds between two versions of one sighting: hits in between are counted into the "
        "next version, written at a later flush or by the engine once the interval has passed. 0: "
        "every flush that brings hits."),
    STR("soc", "syslog_tcp", soc_syslog_tcp, "",
        "Address:port for syslog over TCP (octet counting or LF framing, detected per connection). "
        "Empty: off."),
    STR("soc", "syslog_udp", soc_syslog_udp, "", "Address:port for syslog over UDP. Empty: off."),
    STR("soc", "syslog_tls", soc_syslog_tls, "",
        "Address:port for syslog over TLS (RFC 5425), with http.tls_cert and http.tls_key. Empty: "
        "off."),
    STR("soc", "webhook_url", soc_webhook_url, "",
        "URL that receives every new alert and sector alert as signed JSON (POST, signed like "
        "notify.webhook_url with notify.webhook_secret). Empty: none."),
    INT("soc", "max_connections", soc_max_connections, "256", 1, 100000,
        "Concurrent syslog TCP and TLS connections."),
    ENUM("log", "level", log_level, "info", log_levels,
         "Least severe level written to the hub log."),
    ENUM("log", "format", log_format, "kv", log_formats, "Log lines as key=value or as JSON."),
    STR("log", "file", log_file, "-", "Hub log: a file path or '-' for standard error."),
    STR("incident", "policy_file", incident_policy_file, "incident-policy.ini",
        "Clock policy of incident response (INI, docs/incidents.md); a missing file means the "
        "built-in legal defaults."),
    STR("incident", "evidence_dir", incident_evidence_dir, "evidence",
        "Folder where incident evidence files are kept, named by their SHA-256."),
    INT("incident", "max_evidence_bytes", incident_max_evidence_bytes, "8388608", 1, 1073741824,
        "Largest evidence file accepted; larger uploads get 413 and nothing is written "
        "(http.max_body_bytes caps it too)."),
    INT("incident", "worker_interval_ms", incident_worker_interval_ms, "1000", 50, 3600000,
        "How often serve's background worker checks the clocks for escalation and delivers "
        "notifications."),
    STR("notify", "smtp_url", notify_smtp_url, "",
        "Mail server for notifications, as smtp://host:port or smtps://host:port. Empty: e-mail is "
        "not sent: each one is recorded as failed at its first attempt, without retries, and "
        "logged at warning."),
    STR("notify", "smtp_from", notify_smtp_from, "finshield@localhost",
        "Sender address of notification e-mails."),
    STR("notify", "hub_email", notify_hub_email, "",
        "The hub's CERT mailbox, told of new incidents and of every overdue clock. Empty: none."),
    STR("notify", "webhook_url", notify_webhook_url, "",
        "URL that receives every incident notification as signed JSON (POST). Empty: none."),
    STR("notify", "webhook_secret", notify_webhook_secret, "",
        "Key of the HMAC-SHA256 signature header X-Finshield-Signature on webhook posts."),
    INT("notify", "max_attempts", notify_max_attempts, "8", 1, 100,
        "Delivery attempts of one notification before it is marked failed."),
    INT("notify", "retry_base_s", notify_retry_base_s, "30", 1, 86400,
        "First retry delay in seconds; each further retry waits twice as long (capped at six "
        "hours)."),
    INT("resilience", "drill_period_days", resilience_drill_period_days, "365", 1, 1095,
        "A core business service without a restore drill within this many days is overdue (a "
        "service's own drill_period_days overrides it)."),
    STR("supervision", "score_policy_file", supervision_score_policy_file, "score-policy.ini",
        "Incentive-score model (INI, docs/supervision.md); a missing file means the built-in "
        "example (a reconstruction of the insurance stabilisation fund's 2018 security factor)."),
    INT("intel", "export_revalidate_ms", intel_export_revalidate_ms, "1000", 0, 3600000,
        "A running serve answers an export's If-None-Match from memory (304, no table read) while "
        "no change went through it; at most this often it reads the store's position to see "
        "changes made by other processes (finshield intel import, the SOC's sightings). 0: every "
        "request reads it."),
    INT("intel", "export_max_age_s", intel_export_max_age_s, "300", 1, 86400,
        "Seconds an export's remembered ETag is trusted without recomputing the export (indicators "
        "expire with time, not only with changes)."),
    INT("intel", "export_max_bytes", intel_export_max_bytes, "1073741824", 1048576, 17179869184,
        "Largest export body; a larger export fails with 413 (ask for one collection or one "
        "format)."),
    INT("intel", "correlation_fanout", intel_correlation_fanout, "50", 1, 10000,
        "Objects one correlated value is expanded to; a value that more visible objects mention is "
        "popular: counted, not listed."),
    INT("intel", "correlation_count_max", intel_correlation_count_max, "10000", 10, 10000000,
        "Visible objects counted for one popular value before the count stops (count_capped)."),
    INT("intel", "import_max_bytes", intel_import_max_bytes, "2147483648", 1024, 1099511627776,
        "Largest STIX bundle or TAXII envelope `finshield intel import` takes (a file is mapped "
        "and "
        "stored in parts of import_part_objects, so memory does not grow with it; standard input "
        "from a pipe is held in memory whole). Larger ones are refused before anything is stored."),
    INT("intel", "import_part_objects", intel_import_part_objects, "100000", 1, 1000000,
        "Objects of a large bundle read and stored in one transaction by `finshield intel import` "
        "(a part also ends before 64 MiB of text). Memory grows with it, not with the bundle: with "
        "100,000 an import of 1,000,000 indicators peaked at 265 MiB (docs/benchmarks.md, "
        "bundle)."),
    STR("products", "collection", products_collection, "sector",
        "Collection (alias) where publications are stored as STIX reports when published or "
        "revised."),
};

size_t fs_config_keys(const struct fs_config_key **out)
{
  *out = keys;
  return FS_ARRAY_SIZE(keys);
}

static const struct fs_config_key *find_key(const char *section, const char *name)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(keys); i++)
    if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
      return &keys[i];
  return NULL;
}

static int set_value(struct fs_config *c, const struct fs_config_key *k, const char *value,
                     struct fs_err *err)
{
  char where[64];
  snprintf(where, sizeof(where), "[%s] %s", k->section, k->name);
  char *field = (char *)c + k->offset;
  switch (k->type) {
  case FS_CONFIG_STR:
    if (strlen(value) >= k->size)
      return fs_err_set(err, FS_ERR_INVALID, where, "value longer than %zu bytes", k->size - 1);
    memcpy(field, value, strlen(value) + 1);
    return FS_OK;
  case FS_CONFIG_ENUM:
    for (const char *const *v = k->values; *v; v++) {
      if (!strcmp(*v, value)) {
        memcpy(field, value, strlen(value) + 1);
        return FS_OK;
      }
    }
    return fs_err_set(err, FS_ERR_INVALID, where, "\"%.64s\" is not one of the allowed values",
                      value);
  case FS_CONFIG_INT: {
    char *end;
    if (!*value)
      return fs_err_set(err, FS_ERR_INVALID, where, "expected a number");
    long long v = strtoll(value, &end, 10);
    if (*end)
      return fs_err_set(err, FS_ERR_INVALID, where, "\"%.64s\" is not a whole number", value);
    if (v < k->min || v > k->max)
      return fs_err_set(err, FS_ERR_INVALID, where, "%lld is outside %lld..%lld", v,
                        (long long)k->min, (long long)k->max);
    int64_t x = v;
    memcpy(field, &x, sizeof(x));
    return FS_OK;
  }
  }
  return FS_ERR_INTERNAL;
}

void fs_config_defaults(struct fs_config *c)
{
  memset(c, 0, sizeof(*c));
  for (size_t i = 0; i < FS_ARRAY_SIZE(keys); i++)
    set_value(c, &keys[i], keys[i].def, NULL);
}

int fs_config_set(struct fs_config *c, const char *section, const char *key, const char *value,
                  struct fs_err *err)
{
  const struct fs_config_key *k = find_key(section, key);
  if (!k)
    return fs_err_set(err, FS_ERR_INVALID, section, "unknown key \"%.64s\" in section [%.64s]", key,
                      section);
  return set_value(c, k, value, err);
}

int fs_config_set_override(struct fs_config *c, const char *assignment, struct fs_err *err)
{
  const char *dot = strchr(assignment, '.');
  const char *eq = strchr(assignment, '=');
  if (!dot || !eq || dot > eq)
    return fs_err_set(err, FS_ERR_USAGE, assignment, "expected section.key=value");
  char section[32], key[64];
  size_t slen = (size_t)(dot - assignment), klen = (size_t)(eq - dot - 1);
  if (slen >= sizeof(section) || klen >= sizeof(key))
    return fs_err_set(err, FS_ERR_USAGE, assignment, "unknown key");
  memcpy(section, assignment, slen);
  section[slen] = '\0';
  memcpy(key, dot + 1, klen);
  key[klen] = '\0';
  return fs_config_set(c, section, key, eq + 1, err);
}

/* inih reads through this reader so that we know the line being handled and can refuse lines
 * longer than inih's buffer instead of having them split. */
struct ini_reader_ctx {
  const char *p, *end;
  int line;
  bool too_long;
};

static char *read_ini_line(char *str, int num, void *stream)
{
  struct ini_reader_ctx *r = stream;
  if (r->p >= r->end)
    return NULL;
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  size_t len = nl ? (size_t)(nl - r->p) + 1 : (size_t)(r->end - r->p);
  r->line++;
  if (len >= (size_t)num) {
    r->too_long = true;
    return NULL;
  }
  memcpy(str, r->p, len);
  str[len] = '\0';
  /* inih stops at a NUL; a NUL inside the line would silently cut it. */
  if (memchr(str, '\0', len)) {
    r->too_long = true;
    return NULL;
  }
  r->p += len;
  return str;
}

struct ini_ctx {
  struct fs_config *c;
  struct ini_reader_ctx *reader;
  const char *name;
  struct fs_err *err;
  bool failed;
};

static int on_ini_value(void *user, const char *section, const char *name, const char *value)
{
  struct ini_ctx *x = user;
  if (x->failed)
    return 0;
  struct fs_err e;
  fs_err_clear(&e);
  if (!name || fs_config_set(x->c, section, name, value ? value : "", &e)) {
    char where[sizeof(e.where)];
    snprintf(where, sizeof(where), "%s:%d", x->name, x->reader->line);
    fs_err_set(x->err, e.code ? (enum fs_code)e.code : FS_ERR_INVALID, where, "%s%s%s", e.where,
               e.where[0] ? ": " : "", e.msg[0] ? e.msg : "unexpected line");
    x->failed = true;
    return 0;
  }
  return 1;
}

int fs_config_load_string(struct fs_config *c, const char *text, size_t len, const char *name,
                          struct fs_err *err)
{
  struct ini_reader_ctx r = {text, text + len, 0, false};
  struct ini_ctx x = {c, &r, name, err, false};
  int rc = ini_parse_stream(read_ini_line, &r, on_ini_value, &x);
  if (x.failed)
    return FS_ERR_INVALID;
  char where[FS_CONFIG_PATH_MAX + 32];
  if (r.too_long) {
    snprintf(where, sizeof(where), "%s:%d", name, r.line);
    return fs_err_set(err, FS_ERR_INVALID, where, "line too long or contains a NUL byte");
  }
  if (rc != 0) {
    snprintf(where, sizeof(where), "%s:%d", name, rc > 0 ? rc : r.line);
    return fs_err_set(err, FS_ERR_PARSE, where,
                      "not a valid INI line (expected [section] or key = value)");
  }
  return FS_OK;
}

int fs_config_load_file(struct fs_config *c, const char *path, struct fs_err *err)
{
  struct fs_buf b;
  fs_buf_init(&b, 1024 * 1024);
  int rc = fs_file_read_all(path, &b, err);
  if (!rc)
    rc = fs_config_load_string(c, fs_buf_cstr(&b), b.len, path, err);
  fs_buf_release(&b);
  return rc;
}

int fs_config_validate(const struct fs_config *c, struct fs_err *err)
{
  char host[128];
  uint16_t port;
  int rc = fs_hostport_parse(c->listen, host, sizeof(host), &port, err);
  if (rc) {
    fs_err_wrap_where(err, "[http] listen");
    return rc;
  }
  bool tls = c->tls_cert[0] || c->tls_key[0];
  if (tls && (!c->tls_cert[0] || !c->tls_key[0]))
    return fs_err_set(err, FS_ERR_INVALID, "[http] tls_cert, tls_key",
                      "set both the certificate and the key, or neither");
  if (!tls && !fs_host_is_loopback(host))
    return fs_err_set(err, FS_ERR_INVALID, "[http] listen",
                      "%s is not a loopback address: plain HTTP is allowed only on loopback; set "
                      "tls_cert and tls_key (finshield init --self-signed can make a test pair)",
                      c->listen);
  if (c->body_memory_bytes < c->max_body_bytes ||
      c->body_memory_bytes < c->taxii_max_content_length)
    return fs_err_set(err, FS_ERR_INVALID, "[http] body_memory_bytes",
                      "%lld is smaller than one largest body (http.max_body_bytes %lld, "
                      "taxii.max_content_length %lld)",
                      (long long)c->body_memory_bytes, (long long)c->max_body_bytes,
                      (long long)c->taxii_max_content_length);
  if (c->token_days > c->token_max_days)
    return fs_err_set(err, FS_ERR_INVALID, "[auth] token_days",
                      "token_days is larger than token_max_days");
  return FS_OK;
}

int fs_config_path(const struct fs_config *c, const char *path, char *out, size_t n)
{
  return fs_path_join(out, n, c->data_dir, path);
}
