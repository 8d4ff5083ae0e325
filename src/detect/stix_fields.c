/* STIX object paths on events: the path names, the field table per source, canonical forms, and
 * the per-thread view that gives stix_pattern_eval the values of a path in one event. */
#include "detect/stix_fields.h"

#include "detect/ioc.h"
#include "detect/ioc_norm.h"
#include "detect/sigma_int.h"
#include "detect/tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const path_names[DETECT_STIX__COUNT] = {
    [DETECT_STIX_NONE] = "",
    [DETECT_STIX_IPV4] = "ipv4-addr:value",
    [DETECT_STIX_IPV6] = "ipv6-addr:value",
    [DETECT_STIX_DOMAIN] = "domain-name:value",
    [DETECT_STIX_URL] = "url:value",
    [DETECT_STIX_EMAIL] = "email-addr:value",
    [DETECT_STIX_MD5] = "file:hashes.MD5",
    [DETECT_STIX_SHA1] = "file:hashes.'SHA-1'",
    [DETECT_STIX_SHA256] = "file:hashes.'SHA-256'",
    [DETECT_STIX_SHA512] = "file:hashes.'SHA-512'",
    [DETECT_STIX_SRC] = "network-traffic:src_ref.value",
    [DETECT_STIX_DST] = "network-traffic:dst_ref.value",
    [DETECT_STIX_SRC_TYPE] = "network-traffic:src_ref.type",
    [DETECT_STIX_DST_TYPE] = "network-traffic:dst_ref.type",
    [DETECT_STIX_SRC_PORT] = "network-traffic:src_port",
    [DETECT_STIX_DST_PORT] = "network-traffic:dst_port",
    [DETECT_STIX_PROTOCOLS] = "network-traffic:protocols[*]",
    [DETECT_STIX_FILE_NAME] = "file:name",
    [DETECT_STIX_FILE_SIZE] = "file:size",
    [DETECT_STIX_PROC_NAME] = "process:name",
    [DETECT_STIX_PROC_CMD] = "process:command_line",
    [DETECT_STIX_PROC_PID] = "process:pid",
    [DETECT_STIX_USER_ID] = "user-account:user_id",
    [DETECT_STIX_USER_LOGIN] = "user-account:account_login",
    [DETECT_STIX_MAIL_FROM] = "email-message:from_ref.value",
    [DETECT_STIX_MAIL_TO] = "email-message:to_refs[*].value",
    [DETECT_STIX_MAIL_SUBJECT] = "email-message:subject",
    [DETECT_STIX_REG_KEY] = "windows-registry-key:key",
};

const char *detect_stix_path_name(enum detect_stix_path id)
{
  return (unsigned)id < DETECT_STIX__COUNT ? path_names[id] : "";
}

bool detect_stix_path_is_address(enum detect_stix_path id)
{
  return id == DETECT_STIX_IPV4 || id == DETECT_STIX_IPV6 || id == DETECT_STIX_DOMAIN ||
         id == DETECT_STIX_SRC || id == DETECT_STIX_DST;
}

/* ---- paths -------------------------------------------------------------------------------- */

static bool key_is(const struct stix_pattern_path *p, size_t i, const char *k)
{
  return i < p->n && p->steps[i].kind == STIX_PATTERN_STEP_KEY && !strcmp(p->steps[i].key, k);
}

/* A list step ([*] or [n]) at i; *index is n or -1. */
static bool list_at(const struct stix_pattern_path *p, size_t i, int64_t *index)
{
  if (i >= p->n || p->steps[i].kind == STIX_PATTERN_STEP_KEY)
    return false;
  *index = -1;
  if (p->steps[i].kind == STIX_PATTERN_STEP_INDEX) /* a negative [n] is never in range */
    *index = p->steps[i].index >= 0 ? p->steps[i].index : INT64_MAX;
  return true;
}

/* A file hash's path, by the hash's name (stix_pattern_hash_kind). */
static enum detect_stix_path hash_path(const char *key)
{
  switch (stix_pattern_hash_kind(key)) {
  case STIX_OBS_MD5:
    return DETECT_STIX_MD5;
  case STIX_OBS_SHA1:
    return DETECT_STIX_SHA1;
  case STIX_OBS_SHA256:
    return DETECT_STIX_SHA256;
  case STIX_OBS_SHA512:
    return DETECT_STIX_SHA512;
  default:
    return DETECT_STIX_NONE;
  }
}

enum detect_stix_path detect_stix_path_of(const struct stix_pattern_path *p, int64_t *list_index)
{
  *list_index = -1;
  const char *t = p->type;
  size_t n = p->n;
  if (n == 1 && key_is(p, 0, "value")) {
    if (!strcmp(t, "ipv4-addr"))
      return DETECT_STIX_IPV4;
    if (!strcmp(t, "ipv6-addr"))
      return DETECT_STIX_IPV6;
    if (!strcmp(t, "domain-name"))
      return DETECT_STIX_DOMAIN;
    if (!strcmp(t, "url"))
      return DETECT_STIX_URL;
    if (!strcmp(t, "email-addr"))
      return DETECT_STIX_EMAIL;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "file")) {
    if (n == 2 && key_is(p, 0, "hashes") && p->steps[1].kind == STIX_PATTERN_STEP_KEY)
      return hash_path(p->steps[1].key);
    if (n == 1 && key_is(p, 0, "name"))
      return DETECT_STIX_FILE_NAME;
    if (n == 1 && key_is(p, 0, "size"))
      return DETECT_STIX_FILE_SIZE;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "network-traffic")) {
    bool src = key_is(p, 0, "src_ref"), dst = key_is(p, 0, "dst_ref");
    if (n == 2 && (src || dst) && key_is(p, 1, "value"))
      return src ? DETECT_STIX_SRC : DETECT_STIX_DST;
    if (n == 2 && (src || dst) && key_is(p, 1, "type"))
      return src ? DETECT_STIX_SRC_TYPE : DETECT_STIX_DST_TYPE;
    if (n == 1 && key_is(p, 0, "src_port"))
      return DETECT_STIX_SRC_PORT;
    if (n == 1 && key_is(p, 0, "dst_port"))
      return DETECT_STIX_DST_PORT;
    if (n == 2 && key_is(p, 0, "protocols") && list_at(p, 1, list_index))
      return DETECT_STIX_PROTOCOLS;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "process")) {
    if (n == 1 && key_is(p, 0, "name"))
      return DETECT_STIX_PROC_NAME;
    if (n == 2 && key_is(p, 0, "image_ref") && key_is(p, 1, "name"))
      return DETECT_STIX_PROC_NAME;
    if (n == 1 && key_is(p, 0, "command_line"))
      return DETECT_STIX_PROC_CMD;
    if (n == 1 && key_is(p, 0, "pid"))
      return DETECT_STIX_PROC_PID;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "user-account")) {
    if (n == 1 && key_is(p, 0, "user_id"))
      return DETECT_STIX_USER_ID;
    if (n == 1 && key_is(p, 0, "account_login"))
      return DETECT_STIX_USER_LOGIN;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "email-message")) {
    if (n == 2 && (key_is(p, 0, "from_ref") || key_is(p, 0, "sender_ref")) && key_is(p, 1, "value"))
      return DETECT_STIX_MAIL_FROM;
    if (n == 3 &&
        (key_is(p, 0, "to_refs") || key_is(p, 0, "cc_refs") || key_is(p, 0, "bcc_refs")) &&
        list_at(p, 1, list_index) && key_is(p, 2, "value"))
      return DETECT_STIX_MAIL_TO;
    if (n == 1 && key_is(p, 0, "subject"))
      return DETECT_STIX_MAIL_SUBJECT;
    return DETECT_STIX_NONE;
  }
  if (!strcmp(t, "windows-registry-key") && n == 1 && key_is(p, 0, "key"))
    return DETECT_STIX_REG_KEY;
  return DETECT_STIX_NONE;
}

void detect_stix_path_text(const struct stix_pattern_path *p, char *out, size_t cap)
{
  size_t o = 0;
#define PUT(...)                                                                                   \
  do {                                                                                             \
    int k_ = snprintf(out + o, cap - o, __VA_ARGS__);                                              \
    o = k_ < 0 || (size_t)k_ >= cap - o ? cap - 1 : o + (size_t)k_;                                \
  } while (0)
  if (!cap)
    return;
  out[0] = '\0';
  PUT("%s:", p->type);
  for (size_t i = 0; i < p->n; i++) {
    const struct stix_pattern_step *s = &p->steps[i];
    if (s->kind == STIX_PATTERN_STEP_ANY) {
      PUT("[*]");
    } else if (s->kind == STIX_PATTERN_STEP_INDEX) {
      PUT("[%lld]", (long long)s->index);
    } else {
      bool plain = s->key_len > 0;
      for (size_t k = 0; k < s->key_len; k++) {
        char c = s->key[k];
        plain &=
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      }
      PUT(plain ? "%s%s" : "%s'%s'", i ? "." : "", s->key);
    }
  }
#undef PUT
}

/* ---- canonical forms ---------------------------------------------------------------------- */

static bool put(char *out, size_t cap, const char *s, size_t n, size_t *len)
{
  if (n > cap)
    return false;
  memcpy(out, s, n);
  *len = n;
  return true;
}

static bool canon_ip(const char *s, size_t n, int family, char *out, size_t cap, size_t *len)
{
  struct detect_ip ip;
  char text[64];
  if (!detect_ip_parse(s, n, true, &ip) || (family == 4 && ip.v6) || (family == 6 && !ip.v6))
    return false;
  detect_ip_format(&ip, text, sizeof(text));
  return put(out, cap, text, strlen(text), len);
}

static bool canon_lower(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
  if (n > cap)
    return false;
  for (size_t i = 0; i < n; i++)
    out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
  *len = n;
  return true;
}

static bool canon_email(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
  char e[DETECT_EMAIL_MAX + 1];
  while (n && (*s == ' ' || *s == '<'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '>'))
    n--;
  size_t k = n <= DETECT_EMAIL_MAX ? detect_email_normalize(s, n, e) : 0;
  return k && put(out, cap, e, k, len);
}

/* Registry hives in full and upper case: "HKLM\Software" -> "HKEY_LOCAL_MACHINE\Software". */
static bool canon_regkey(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
  static const struct {
    const char *abbr, *full;
  } hives[] = {{"HKLM", "HKEY_LOCAL_MACHINE"},
               {"HKCU", "HKEY_CURRENT_USER"},
               {"HKU", "HKEY_USERS"},
               {"HKCR", "HKEY_CLASSES_ROOT"},
               {"HKCC", "HKEY_CURRENT_CONFIG"}};
  const char *bs = memchr(s, '\\', n);
  size_t h = bs ? (size_t)(bs - s) : n;
  const char *full = NULL;
  for (size_t i = 0; i < FS_ARRAY_SIZE(hives) && !full; i++)
    if ((h == strlen(hives[i].abbr) && !strncasecmp(s, hives[i].abbr, h)) ||
        (h == strlen(hives[i].full) && !strncasecmp(s, hives[i].full, h)))
      full = hives[i].full;
  if (!full)
    return put(out, cap, s, n, len);
  size_t fl = strlen(full);
  if (fl + (n - h) > cap)
    return false;
  memcpy(out, full, fl);
  memcpy(out + fl, s + h, n - h);
  *len = fl + n - h;
  return true;
}

static bool canon_protocol(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
  static const struct {
    const char *num, *name;
  } iana[] = {{"1", "icmp"}, {"6", "tcp"}, {"17", "udp"}, {"58", "ipv6-icmp"}};
  for (size_t i = 0; i < FS_ARRAY_SIZE(iana); i++)
    if (n == strlen(iana[i].num) && !memcmp(s, iana[i].num, n))
      return put(out, cap, iana[i].name, strlen(iana[i].name), len);
  return canon_lower(s, n, out, cap, len);
}

static size_t hash_len(enum detect_stix_path id)
{
  return id == DETECT_STIX_MD5      ? 32
         : id == DETECT_STIX_SHA1   ? 40
         : id == DETECT_STIX_SHA256 ? 64
                                    : 128;
}

bool detect_stix_canon(enum detect_stix_path id, const char *s, size_t n, char *out, size_t cap,
                       size_t *len)
{
  char tmp[DETECT_URL_MAX + 1];
  size_t k;
  switch (id) {
  case DETECT_STIX_IPV4:
    return canon_ip(s, n, 4, out, cap, len);
  case DETECT_STIX_IPV6:
    return canon_ip(s, n, 6, out, cap, len);
  case DETECT_STIX_SRC:
  case DETECT_STIX_DST:
    if (canon_ip(s, n, 0, out, cap, len))
      return true;
    /* a host name */
    __attribute__((fallthrough));
  case DETECT_STIX_DOMAIN:
    k = n <= DETECT_DOMAIN_MAX + 1 ? detect_domain_normalize(s, n, false, tmp) : 0;
    return k && put(out, cap, tmp, k, len);
  case DETECT_STIX_URL:
    k = n <= DETECT_URL_MAX ? detect_url_normalize(s, n, tmp) : 0;
    return k && put(out, cap, tmp, k, len);
  case DETECT_STIX_EMAIL:
  case DETECT_STIX_MAIL_FROM:
  case DETECT_STIX_MAIL_TO:
    return canon_email(s, n, out, cap, len);
  case DETECT_STIX_MD5:
  case DETECT_STIX_SHA1:
  case DETECT_STIX_SHA256:
  case DETECT_STIX_SHA512:
    return n == hash_len(id) && detect_is_hex(s, n) && canon_lower(s, n, out, cap, len);
  case DETECT_STIX_PROTOCOLS:
    return canon_protocol(s, n, out, cap, len);
  case DETECT_STIX_REG_KEY:
    return canon_regkey(s, n, out, cap, len);
  default:
    return put(out, cap, s, n, len);
  }
}

int detect_stix_anchor_type(enum detect_stix_path id, const char *canon, size_t n)
{
  char tmp[DETECT_URL_MAX + 1];
  struct detect_ip ip;
  switch (id) {
  case DETECT_STIX_IPV4:
  case DETECT_STIX_IPV6:
  case DETECT_STIX_SRC:
  case DETECT_STIX_DST:
    if (detect_ip_parse(canon, n, true, &ip)) {
      if ((id == DETECT_STIX_IPV4 && ip.v6) || (id == DETECT_STIX_IPV6 && !ip.v6))
        return -1;
      return ip.v6 ? DETECT_IOC_IPV6 : DETECT_IOC_IPV4;
    }
    if (id == DETECT_STIX_IPV4 || id == DETECT_STIX_IPV6)
      return -1;
    /* a host name */
    __attribute__((fallthrough));
  case DETECT_STIX_DOMAIN:
    /* two labels or more: what the tokenizer finds in events */
    return n <= DETECT_DOMAIN_MAX && detect_domain_normalize(canon, n, true, tmp)
               ? DETECT_IOC_DOMAIN
               : -1;
  case DETECT_STIX_URL:
    return n <= DETECT_URL_MAX && detect_url_normalize(canon, n, tmp) ? DETECT_IOC_URL : -1;
  case DETECT_STIX_EMAIL:
  case DETECT_STIX_MAIL_FROM:
  case DETECT_STIX_MAIL_TO:
    return n <= DETECT_EMAIL_MAX && detect_email_normalize(canon, n, tmp) ? DETECT_IOC_EMAIL : -1;
  case DETECT_STIX_MD5:
  case DETECT_STIX_SHA1:
  case DETECT_STIX_SHA256:
  case DETECT_STIX_SHA512:
    if (n != hash_len(id) || !detect_is_hex(canon, n))
      return -1;
    return detect_hash_type_for_hex(n);
  default:
    return -1;
  }
}

/* ---- the field table ---------------------------------------------------------------------- *
 * Names are compared without regard to case, after Sigma's per-source renaming (CEF src ->
 * src_ip, ECS destination.ip -> DestinationIp, evtx Event.EventData.X -> X...) and, when that
 * finds nothing, as written. `base`: the value is a path whose last component is meant. */

struct fmap {
  const char *name;
  uint8_t path;
  bool base;
};

static const struct fmap fields[] = {
    /* network-traffic:src_ref.value */
    {"src", DETECT_STIX_SRC, false},
    {"src_ip", DETECT_STIX_SRC, false},
    {"srcip", DETECT_STIX_SRC, false},
    {"saddr", DETECT_STIX_SRC, false},
    {"sourceAddress", DETECT_STIX_SRC, false},
    {"SourceIp", DETECT_STIX_SRC, false},
    {"source.ip", DETECT_STIX_SRC, false},
    {"source.address", DETECT_STIX_SRC, false},
    {"source.domain", DETECT_STIX_SRC, false},
    {"client.ip", DETECT_STIX_SRC, false},
    {"c-ip", DETECT_STIX_SRC, false},
    {"shost", DETECT_STIX_SRC, false},
    {"SourceHostname", DETECT_STIX_SRC, false},
    /* network-traffic:dst_ref.value */
    {"dst", DETECT_STIX_DST, false},
    {"dst_ip", DETECT_STIX_DST, false},
    {"dstip", DETECT_STIX_DST, false},
    {"daddr", DETECT_STIX_DST, false},
    {"destinationAddress", DETECT_STIX_DST, false},
    {"DestinationIp", DETECT_STIX_DST, false},
    {"destination.ip", DETECT_STIX_DST, false},
    {"destination.address", DETECT_STIX_DST, false},
    {"destination.domain", DETECT_STIX_DST, false},
    {"server.ip", DETECT_STIX_DST, false},
    {"dhost", DETECT_STIX_DST, false},
    {"cs-host", DETECT_STIX_DST, false},
    {"DestinationHostname", DETECT_STIX_DST, false},
    /* ports */
    {"spt", DETECT_STIX_SRC_PORT, false},
    {"sport", DETECT_STIX_SRC_PORT, false},
    {"srcport", DETECT_STIX_SRC_PORT, false},
    {"src_port", DETECT_STIX_SRC_PORT, false},
    {"SourcePort", DETECT_STIX_SRC_PORT, false},
    {"source.port", DETECT_STIX_SRC_PORT, false},
    {"dpt", DETECT_STIX_DST_PORT, false},
    {"dport", DETECT_STIX_DST_PORT, false},
    {"dstport", DETECT_STIX_DST_PORT, false},
    {"dst_port", DETECT_STIX_DST_PORT, false},
    {"DestinationPort", DETECT_STIX_DST_PORT, false},
    {"destination.port", DETECT_STIX_DST_PORT, false},
    /* network-traffic:protocols[*] */
    {"proto", DETECT_STIX_PROTOCOLS, false},
    {"protocol", DETECT_STIX_PROTOCOLS, false},
    {"transport", DETECT_STIX_PROTOCOLS, false},
    {"network.transport", DETECT_STIX_PROTOCOLS, false},
    {"network.protocol", DETECT_STIX_PROTOCOLS, false},
    /* file */
    {"file.name", DETECT_STIX_FILE_NAME, false},
    {"fname", DETECT_STIX_FILE_NAME, false},
    {"filename", DETECT_STIX_FILE_NAME, false},
    {"TargetFilename", DETECT_STIX_FILE_NAME, true},
    {"file.path", DETECT_STIX_FILE_NAME, true},
    {"filePath", DETECT_STIX_FILE_NAME, true},
    {"fsize", DETECT_STIX_FILE_SIZE, false},
    {"file.size", DETECT_STIX_FILE_SIZE, false},
    /* process */
    {"process.name", DETECT_STIX_PROC_NAME, false},
    {"sproc", DETECT_STIX_PROC_NAME, false},
    {"dproc", DETECT_STIX_PROC_NAME, false},
    {"Image", DETECT_STIX_PROC_NAME, true},
    {"process.executable", DETECT_STIX_PROC_NAME, true},
    {"NewProcessName", DETECT_STIX_PROC_NAME, true},
    {"ProcessName", DETECT_STIX_PROC_NAME, true},
    {"CommandLine", DETECT_STIX_PROC_CMD, false},
    {"process.command_line", DETECT_STIX_PROC_CMD, false},
    {"cmd", DETECT_STIX_PROC_CMD, false},
    {"command", DETECT_STIX_PROC_CMD, false},
    {"ProcessId", DETECT_STIX_PROC_PID, false},
    {"process.pid", DETECT_STIX_PROC_PID, false},
    {"pid", DETECT_STIX_PROC_PID, false},
    {"spid", DETECT_STIX_PROC_PID, false},
    {"dpid", DETECT_STIX_PROC_PID, false},
    /* user-account */
    {"user.id", DETECT_STIX_USER_ID, false},
    {"uid", DETECT_STIX_USER_ID, false},
    {"suid", DETECT_STIX_USER_ID, false},
    {"duid", DETECT_STIX_USER_ID, false},
    {"user.name", DETECT_STIX_USER_LOGIN, false},
    {"User", DETECT_STIX_USER_LOGIN, false},
    {"username", DETECT_STIX_USER_LOGIN, false},
    {"usr", DETECT_STIX_USER_LOGIN, false},
    {"suser", DETECT_STIX_USER_LOGIN, false},
    {"duser", DETECT_STIX_USER_LOGIN, false},
    {"TargetUserName", DETECT_STIX_USER_LOGIN, false},
    {"SubjectUserName", DETECT_STIX_USER_LOGIN, false},
    /* email-message */
    {"from", DETECT_STIX_MAIL_FROM, false},
    {"sender", DETECT_STIX_MAIL_FROM, false},
    {"email.from.address", DETECT_STIX_MAIL_FROM, false},
    {"to", DETECT_STIX_MAIL_TO, false},
    {"rcpt", DETECT_STIX_MAIL_TO, false},
    {"recipient", DETECT_STIX_MAIL_TO, false},
    {"email.to.address", DETECT_STIX_MAIL_TO, false},
    {"subject", DETECT_STIX_MAIL_SUBJECT, false},
    {"email.subject", DETECT_STIX_MAIL_SUBJECT, false},
    /* windows-registry-key */
    {"TargetObject", DETECT_STIX_REG_KEY, false},
    {"registry.path", DETECT_STIX_REG_KEY, false},
};

static const struct fmap *find_field(const char *name, size_t len)
{
  for (size_t i = 0; i < FS_ARRAY_SIZE(fields); i++)
    if (strlen(fields[i].name) == len && !strncasecmp(fields[i].name, name, len))
      return &fields[i];
  return NULL;
}

/* ---- the view ----------------------------------------------------------------------------- */

#define VIEW_TOKENS 2048 /* tokens of one event kept for lookups; more are not seen */

struct vtok {
  const char *s;
  uint32_t len;
  uint8_t path;
};

struct detect_stix_view {
  const struct detect_event *ev;
  bool mapped, tokenised;
  uint8_t path[DETECT_MAX_FIELDS]; /* what the table maps each field to */
  bool base[DETECT_MAX_FIELDS];
  size_t ntoks;
  struct vtok toks[VIEW_TOKENS];
  char buf[DETECT_URL_MAX + 64]; /* the value of the last lookup */
  struct stix_pattern_scratch re;
};

struct detect_stix_view *detect_stix_view_new(void)
{
  struct detect_stix_view *v = calloc(1, sizeof(*v));
  if (v && stix_pattern_scratch_init(&v->re)) {
    free(v);
    return NULL;
  }
  return v;
}

void detect_stix_view_free(struct detect_stix_view *v)
{
  if (!v)
    return;
  stix_pattern_scratch_release(&v->re);
  free(v);
}

void detect_stix_view_reset(struct detect_stix_view *v, const struct detect_event *ev)
{
  v->ev = ev;
  v->mapped = v->tokenised = false;
}

struct stix_pattern_scratch *detect_stix_view_scratch(struct detect_stix_view *v)
{
  return &v->re;
}

static void map_fields(struct detect_stix_view *v)
{
  const struct detect_event *ev = v->ev;
  int shape = sigma_event_shape(ev);
  char buf[CANON_MAX];
  for (size_t i = 0; i < ev->nfields; i++) {
    const struct detect_field *f = &ev->fields[i];
    const char *n;
    size_t len;
    sigma_canonical_field(shape, f->name, f->name_len, &n, &len, buf);
    const struct fmap *m = find_field(n, len);
    if (!m && n != f->name)
      m = find_field(f->name, f->name_len);
    v->path[i] = m ? m->path : DETECT_STIX_NONE;
    v->base[i] = m && m->base;
  }
  v->mapped = true;
}

static int on_token(void *arg, const struct detect_token *t)
{
  struct detect_stix_view *v = arg;
  static const uint8_t by_type[] = {
      [DETECT_TOK_IPV4] = DETECT_STIX_IPV4,     [DETECT_TOK_IPV6] = DETECT_STIX_IPV6,
      [DETECT_TOK_DOMAIN] = DETECT_STIX_DOMAIN, [DETECT_TOK_URL] = DETECT_STIX_URL,
      [DETECT_TOK_EMAIL] = DETECT_STIX_EMAIL,   [DETECT_TOK_HASH] = DETECT_STIX_NONE};
  if (v->ntoks == VIEW_TOKENS)
    return 1;
  uint8_t path = by_type[t->type];
  if (t->type == DETECT_TOK_HASH)
    path = t->len == 32   ? DETECT_STIX_MD5
           : t->len == 40 ? DETECT_STIX_SHA1
           : t->len == 64 ? DETECT_STIX_SHA256
                          : DETECT_STIX_SHA512;
  v->toks[v->ntoks++] = (struct vtok){t->s, (uint32_t)t->len, path};
  return 0;
}

/* Tokenises every field as the indicator index does (numbers, booleans and nulls left out). */
static void tokenise(struct detect_stix_view *v)
{
  const struct detect_event *ev = v->ev;
  v->ntoks = 0;
  for (size_t i = 0; i < ev->nfields && v->ntoks < VIEW_TOKENS; i++) {
    const struct detect_field *f = &ev->fields[i];
    if (f->value_len && !(f->flags & (DETECT_FIELD_NUMBER | DETECT_FIELD_BOOL | DETECT_FIELD_NULL)))
      detect_tokenize(f->value, f->value_len, DETECT_TOK_ALL, on_token, v);
  }
  v->tokenised = true;
}

static bool string_value(struct detect_stix_view *v, enum detect_stix_path id, const char *s,
                         size_t n, struct stix_pattern_value *out)
{
  size_t len;
  out->kind = STIX_PATTERN_VAL_STRING;
  if (detect_stix_canon(id, s, n, v->buf, sizeof(v->buf), &len)) {
    out->s = v->buf;
    out->len = len;
  } else {
    out->s = s;
    out->len = n;
  }
  return true;
}

static bool token_value(struct detect_stix_view *v, enum detect_stix_path id, size_t index,
                        struct stix_pattern_value *out)
{
  if (!v->tokenised)
    tokenise(v);
  for (size_t i = 0; i < v->ntoks; i++)
    if (v->toks[i].path == id && index-- == 0)
      return string_value(v, id, v->toks[i].s, v->toks[i].len, out);
  return false;
}

static bool int_value(const char *s, size_t n, struct stix_pattern_value *out)
{
  int64_t x = 0;
  if (!n || n > 18)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    x = x * 10 + (s[i] - '0');
  }
  out->kind = STIX_PATTERN_VAL_INT;
  out->i = x;
  return true;
}

struct span {
  const char *s;
  size_t len;
};

static int on_email(void *arg, const struct detect_token *t)
{
  struct span *first = arg;
  if (t->type != DETECT_TOK_EMAIL)
    return 0;
  *first = (struct span){t->s, t->len};
  return 1;
}

/* The k-th value field i gives for path id (most fields give one; an account "DOMAIN\user" gives
 * itself and "user"). */
static bool field_value(struct detect_stix_view *v, size_t i, enum detect_stix_path id, size_t k,
                        struct stix_pattern_value *out)
{
  const struct detect_field *f = &v->ev->fields[i];
  const char *s = f->value;
  size_t n = f->value_len;
  if (!n || (f->flags & (DETECT_FIELD_BOOL | DETECT_FIELD_NULL)))
    return false;
  if (id == DETECT_STIX_USER_LOGIN && k == 1) {
    const char *bs = memrchr(s, '\\', n);
    if (!bs || bs + 1 == s + n)
      return false;
    return string_value(v, id, bs + 1, (size_t)(s + n - bs - 1), out);
  }
  if (k)
    return false;
  if (v->base[i]) {
    for (size_t j = n; j > 0; j--)
      if (s[j - 1] == '\\' || s[j - 1] == '/') {
        s += j;
        n -= j;
        break;
      }
    if (!n)
      return false;
  }
  switch (id) {
  case DETECT_STIX_SRC_TYPE:
  case DETECT_STIX_DST_TYPE: {
    struct detect_ip ip;
    char d[DETECT_DOMAIN_MAX + 1];
    out->kind = STIX_PATTERN_VAL_STRING;
    if (detect_ip_parse(s, n, false, &ip))
      out->s = ip.v6 ? "ipv6-addr" : "ipv4-addr";
    else if (n <= DETECT_DOMAIN_MAX + 1 && detect_domain_normalize(s, n, false, d))
      out->s = "domain-name";
    else
      return false;
    out->len = strlen(out->s);
    return true;
  }
  case DETECT_STIX_SRC_PORT:
  case DETECT_STIX_DST_PORT:
  case DETECT_STIX_PROC_PID:
  case DETECT_STIX_FILE_SIZE:
    return int_value(s, n, out);
  case DETECT_STIX_MAIL_FROM:
  case DETECT_STIX_MAIL_TO: {
    size_t len;
    if (!detect_stix_canon(id, s, n, v->buf, sizeof(v->buf), &len)) {
      struct span t = {NULL, 0}; /* "Name <a@b.example>" */
      detect_tokenize(s, n, DETECT_TOK_BIT(DETECT_TOK_EMAIL), on_email, &t);
      if (t.s)
        return string_value(v, id, t.s, t.len, out);
    }
    return string_value(v, id, s, n, out); /* canonical when it could be */
  }
  default:
    return string_value(v, id, s, n, out);
  }
}

bool detect_stix_lookup(void *view, const struct stix_pattern_path *path, size_t index,
                        struct stix_pattern_value *out)
{
  struct detect_stix_view *v = view;
  int64_t li;
  enum detect_stix_path id = detect_stix_path_of(path, &li);
  if (id == DETECT_STIX_NONE || !v->ev)
    return false;
  if (li >= 0) { /* a list step [n]: the n-th value only */
    if (index || li == INT64_MAX)
      return false;
    index = (size_t)li;
  }
  if (id <= DETECT_STIX_SHA512)
    return token_value(v, id, index, out);
  if (!v->mapped)
    map_fields(v);
  enum detect_stix_path from = id == DETECT_STIX_SRC_TYPE   ? DETECT_STIX_SRC
                               : id == DETECT_STIX_DST_TYPE ? DETECT_STIX_DST
                                                            : id;
  const struct detect_event *ev = v->ev;
  for (size_t i = 0; i < ev->nfields; i++) {
    if (v->path[i] != from)
      continue;
    for (size_t k = 0; k < 2; k++)
      if (field_value(v, i, id, k, out) && index-- == 0)
        return true;
  }
  return false;
}
