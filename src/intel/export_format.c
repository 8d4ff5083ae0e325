/* The formats of the exports: firewall lists (EDL style), CSV, STIX bundles, Suricata rules and
 * datasets, Zeek intel files. Each value is written once (export.c deduplicates); a value that
 * the format cannot carry (a control character in a line format) is left out. */
#include "intel/export_int.h"

#include "core/encode.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/pattern.h"

#include <stdio.h>
#include <string.h>

const char *const intel_export_formats[] = {"ips",      "domains",          "urls", "csv", "stix",
                                            "suricata", "suricata-dataset", "zeek", NULL};
const char *const intel_export_datasets[] = {"domains", "ips", "md5", "sha256", NULL};

const char *intel_export_media_type(enum intel_export_format f)
{
  switch (f) {
  case INTEL_EXPORT_CSV:
    return "text/csv; charset=utf-8";
  case INTEL_EXPORT_STIX:
    return "application/stix+json;version=2.1";
  default:
    return "text/plain; charset=utf-8";
  }
}

static const char *kind_name(int kind)
{
  switch (kind) {
  case STIX_OBS_IPV4:
    return "ipv4";
  case STIX_OBS_IPV6:
    return "ipv6";
  case STIX_OBS_DOMAIN:
    return "domain";
  case STIX_OBS_URL:
    return "url";
  case STIX_OBS_EMAIL:
    return "email";
  case STIX_OBS_MD5:
    return "md5";
  case STIX_OBS_SHA1:
    return "sha1";
  case STIX_OBS_SHA256:
    return "sha256";
  default:
    return "other";
  }
}

/* True when s has a byte a line format cannot carry (control characters, DEL). */
static bool has_control(const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* A URL without its scheme ("http://a.example/x" -> "a.example/x"), as EDL and Zeek list them. */
static const char *without_scheme(const char *url)
{
  const char *p = strstr(url, "://");
  return p && p - url < 16 ? p + 3 : url;
}

static int csv_field(struct fs_buf *b, const char *s)
{
  if (!strpbrk(s, ",\"\r\n"))
    return fs_buf_append_str(b, s);
  int rc = fs_buf_append_char(b, '"');
  for (; !rc && *s; s++)
    rc = *s == '"' ? fs_buf_append_str(b, "\"\"") : fs_buf_append_char(b, *s);
  return rc ? rc : fs_buf_append_char(b, '"');
}

/* A Suricata content string: printable bytes as they are, the others and ";\"|\\" as |XX|. */
static int suricata_content(struct fs_buf *b, const char *s, size_t n)
{
  int rc = FS_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch < 0x20 || ch >= 0x7f || ch == ';' || ch == '"' || ch == '|' || ch == '\\' || ch == ':')
      rc = fs_buf_appendf(b, "|%02X|", ch);
    else
      rc = fs_buf_append_char(b, (char)ch);
  }
  return rc;
}

static int suricata_rule(struct export_writer *w, const struct intel_export_item *it)
{
  struct fs_buf *b = w->out;
  const char *kind = kind_name(it->kind);
  int rc = FS_OK;
  switch (it->kind) {
  case STIX_OBS_IPV4:
  case STIX_OBS_IPV6:
    rc = fs_buf_appendf(b,
                        "alert ip any any <> %s any (msg:\"finshield %s %s\"; "
                        "sid:%lld; rev:1;)\n",
                        it->value, kind, it->id, (long long)w->sid++);
    break;
  case STIX_OBS_DOMAIN: {
    static const char *const bufs[][2] = {{"dns", "dns.query"}, {"tls", "tls.sni"}};
    for (size_t i = 0; !rc && i < 2; i++) {
      rc = fs_buf_appendf(b,
                          "alert %s any any -> any any (msg:\"finshield %s %s\"; %s; dotprefix; "
                          "content:\".",
                          bufs[i][0], kind, it->id, bufs[i][1]);
      if (!rc)
        rc = suricata_content(b, it->value, strlen(it->value));
      if (!rc)
        rc = fs_buf_appendf(b, "\"; nocase; endswith; sid:%lld; rev:1;)\n", (long long)w->sid++);
    }
    break;
  }
  case STIX_OBS_URL: {
    const char *rest = without_scheme(it->value);
    const char *slash = strchr(rest, '/');
    size_t hostlen = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *colon = memchr(rest, ':', hostlen); /* http.host has no port */
    if (colon)
      hostlen = (size_t)(colon - rest);
    if (!hostlen)
      break;
    rc = fs_buf_appendf(b,
                        "alert http any any -> any any (msg:\"finshield %s %s\"; http.host; "
                        "content:\"",
                        kind, it->id);
    if (!rc)
      rc = suricata_content(b, rest, hostlen);
    if (!rc)
      rc = fs_buf_append_str(b, "\"; nocase; startswith; endswith;");
    if (!rc && slash && slash[1]) {
      rc = fs_buf_append_str(b, " http.uri; content:\"");
      if (!rc)
        rc = suricata_content(b, slash, strlen(slash));
      if (!rc)
        rc = fs_buf_append_str(b, "\"; startswith;");
    }
    if (!rc)
      rc = fs_buf_appendf(b, " sid:%lld; rev:1;)\n", (long long)w->sid++);
    break;
  }
  default:
    break;
  }
  return rc;
}

static int suricata_dataset(struct export_writer *w, const struct intel_export_item *it)
{
  struct fs_buf *b = w->out;
  if (it->kind == STIX_OBS_DOMAIN) { /* type string: base64 of the bytes */
    size_t n = strlen(it->value);
    char enc[1400];
    if (fs_b64_len(n) + 1 > sizeof(enc))
      return FS_OK;
    fs_b64_encode(it->value, n, enc);
    return fs_buf_appendf(b, "%s\n", enc);
  }
  if ((it->kind == STIX_OBS_IPV4 || it->kind == STIX_OBS_IPV6) && strchr(it->value, '/'))
    return FS_OK; /* type ip holds addresses, not blocks */
  return fs_buf_appendf(b, "%s\n", it->value);
}

static int zeek_line(struct export_writer *w, const struct intel_export_item *it)
{
  const char *type = NULL, *value = it->value;
  switch (it->kind) {
  case STIX_OBS_IPV4:
  case STIX_OBS_IPV6:
    type = strchr(value, '/') ? "Intel::SUBNET" : "Intel::ADDR";
    break;
  case STIX_OBS_DOMAIN:
    type = "Intel::DOMAIN";
    break;
  case STIX_OBS_URL:
    type = "Intel::URL";
    value = without_scheme(value);
    break;
  case STIX_OBS_EMAIL:
    type = "Intel::EMAIL";
    break;
  case STIX_OBS_MD5:
  case STIX_OBS_SHA1:
  case STIX_OBS_SHA256:
    type = "Intel::FILE_HASH";
    break;
  default:
    return FS_OK;
  }
  if (!*value)
    return FS_OK;
  return fs_buf_appendf(w->out, "%s\t%s\tfinshield\t%s\n", value, type, it->id);
}

int export_begin(struct export_writer *w)
{
  w->sid = w->opt->sid_base > 0 ? w->opt->sid_base : 9100000;
  switch (w->opt->format) {
  case INTEL_EXPORT_CSV:
    return fs_buf_append_str(w->out, "indicator,kind,value,tlp,valid_until\r\n");
  case INTEL_EXPORT_ZEEK:
    return fs_buf_append_str(w->out,
                             "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n");
  case INTEL_EXPORT_SURICATA:
    return fs_buf_append_str(w->out, "# finshield: indicators for Suricata (one rule a value)\n");
  case INTEL_EXPORT_STIX:
    w->start = w->out->len;
    return fs_buf_append_str(w->out, "{\"type\":\"bundle\",\"id\":\"bundle--");
  default:
    return FS_OK;
  }
}

int export_write_value(struct export_writer *w, const struct intel_export_item *it, const char *tlp)
{
  if (has_control(it->value))
    return FS_OK;
  struct fs_buf *b = w->out;
  switch (w->opt->format) {
  case INTEL_EXPORT_IPS: /* a line a value: appended, not formatted (a million of them) */
  case INTEL_EXPORT_DOMAINS: {
    int rc = fs_buf_append_str(b, it->value);
    return rc ? rc : fs_buf_append_char(b, '\n');
  }
  case INTEL_EXPORT_URLS: {
    int rc = fs_buf_append_str(b, without_scheme(it->value));
    return rc ? rc : fs_buf_append_char(b, '\n');
  }
  case INTEL_EXPORT_CSV: {
    int rc = csv_field(b, it->id);
    rc = rc ? rc : fs_buf_appendf(b, ",%s,", kind_name(it->kind));
    rc = rc ? rc : csv_field(b, it->value);
    rc = rc ? rc : fs_buf_appendf(b, ",%s,", tlp);
    if (!rc && it->valid_until_ms) {
      char t[32];
      fs_time_format_ms(it->valid_until_ms, t);
      rc = fs_buf_append_str(b, t);
    }
    return rc ? rc : fs_buf_append_str(b, "\r\n");
  }
  case INTEL_EXPORT_SURICATA:
    return suricata_rule(w, it);
  case INTEL_EXPORT_SURICATA_DATASET:
    return suricata_dataset(w, it);
  case INTEL_EXPORT_ZEEK:
    return zeek_line(w, it);
  default:
    return FS_OK;
  }
}

/* The STIX bundle is written as: opening (without the id), objects, then the id is chosen from
 * the objects' bytes and put in front. */
int export_write_object(struct export_writer *w, const char *body, size_t len)
{
  int rc = fs_buf_append_str(w->out, w->objects++ ? "," : "\",\"objects\":[");
  return rc ? rc : fs_buf_append(w->out, body, len);
}

int export_end(struct export_writer *w)
{
  if (w->opt->format != INTEL_EXPORT_STIX)
    return FS_OK;
  int rc = fs_buf_append_str(w->out, w->objects ? "]}\n" : "\",\"objects\":[]}\n");
  if (rc)
    return rc;
  /* The bundle's id is made of its content's digest, so that the same objects give the same
   * bytes (and ETag) every time. */
  static const char head[] = "{\"type\":\"bundle\",\"id\":\"bundle--";
  uint8_t d[32];
  size_t at = w->start + sizeof(head) - 1;
  fs_sha256(w->out->data + at, w->out->len - at, d);
  char id[37];
  fs_uuid_v4_from(d, id);
  /* insert the id after the head */
  size_t n = strlen(id);
  if ((rc = fs_buf_reserve(w->out, n)))
    return rc;
  memmove(w->out->data + at + n, w->out->data + at, w->out->len - at + 1);
  memcpy(w->out->data + at, id, n);
  w->out->len += n;
  return FS_OK;
}
