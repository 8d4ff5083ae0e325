/* Logsource routing and field mapping: which class of event this is (Windows channel and event id,
 * ECS categories, syslog), which rules' logsources fit each class, and the field names a rule
 * would use for each field of the event (evtx-as-JSON, ECS, CEF, firewall key=value, syslog). */
#include "detect/sigma_int.h"

#include <string.h>

struct sigma_class {
  const char *product, *service;
  const char *categories[3];
};

/* Class 0 is "unknown": every rule applies (as with no pipeline at all). */
static const struct sigma_class classes[] = {
    {NULL, NULL, {NULL}},
    {"windows", NULL, {NULL}},
    /* Sysmon, by event id (pySigma's windows pipeline) */
    {"windows", "sysmon", {NULL}},
    {"windows", "sysmon", {"process_creation"}},
    {"windows", "sysmon", {"file_change"}},
    {"windows", "sysmon", {"network_connection"}},
    {"windows", "sysmon", {"sysmon_status"}},
    {"windows", "sysmon", {"process_termination"}},
    {"windows", "sysmon", {"driver_load"}},
    {"windows", "sysmon", {"image_load"}},
    {"windows", "sysmon", {"create_remote_thread"}},
    {"windows", "sysmon", {"raw_access_thread"}},
    {"windows", "sysmon", {"process_access"}},
    {"windows", "sysmon", {"file_event"}},
    {"windows", "sysmon", {"registry_add", "registry_event"}},
    {"windows", "sysmon", {"registry_delete", "registry_event"}},
    {"windows", "sysmon", {"registry_set", "registry_event"}},
    {"windows", "sysmon", {"registry_rename", "registry_event"}},
    {"windows", "sysmon", {"create_stream_hash"}},
    {"windows", "sysmon", {"pipe_created"}},
    {"windows", "sysmon", {"wmi_event"}},
    {"windows", "sysmon", {"dns_query"}},
    {"windows", "sysmon", {"file_delete"}},
    {"windows", "sysmon", {"clipboard_capture"}},
    {"windows", "sysmon", {"process_tampering"}},
    {"windows", "sysmon", {"file_delete_detected"}},
    {"windows", "sysmon", {"file_block_executable"}},
    {"windows", "sysmon", {"file_block_shredding"}},
    {"windows", "sysmon", {"file_executable_detected"}},
    {"windows", "sysmon", {"sysmon_error"}},
    /* Security 4688, PowerShell */
    {"windows", "security", {"process_creation"}},
    {"windows", "powershell", {"ps_module"}},
    {"windows", "powershell", {"ps_script"}},
    {"windows", "powershell-classic", {"ps_classic_start"}},
    {"windows", "powershell-classic", {"ps_classic_provider_start"}},
    {"windows", "powershell-classic", {"ps_classic_script"}},
    /* ECS events without a Windows channel */
    {"windows", NULL, {"process_creation"}},
    {"linux", NULL, {"process_creation"}},
    {"macos", NULL, {"process_creation"}},
    {NULL, NULL, {"process_creation"}},
    {NULL, NULL, {"network_connection"}},
    {NULL, NULL, {"dns_query", "dns"}},
    {NULL, NULL, {"file_event"}},
    /* syslog */
    {"linux", "syslog", {NULL}},
    {"linux", "sshd", {NULL}},
    {"linux", "sudo", {NULL}},
    {"linux", "cron", {NULL}},
    {"linux", "auditd", {NULL}},
    {"linux", "vsftpd", {NULL}},
};

/* Windows services by channel (pySigma's windows logsource mapping); each is a class too, after
 * the fixed ones above, in this order. */
static const struct {
  const char *service, *channel;
} channels[] = {
    {"security", "Security"},
    {"system", "System"},
    {"application", "Application"},
    {"sysmon", "Microsoft-Windows-Sysmon/Operational"},
    {"powershell", "Microsoft-Windows-PowerShell/Operational"},
    {"powershell-classic", "Windows PowerShell"},
    {"taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"},
    {"wmi", "Microsoft-Windows-WMI-Activity/Operational"},
    {"dns-server", "DNS Server"},
    {"dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"},
    {"driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
    {"ntlm", "Microsoft-Windows-NTLM/Operational"},
    {"dhcp", "Microsoft-Windows-DHCP-Server/Operational"},
    {"msexchange-management", "MSExchange Management"},
    {"applocker", "Microsoft-Windows-AppLocker/MSI and Script"},
    {"applocker", "Microsoft-Windows-AppLocker/EXE and DLL"},
    {"applocker", "Microsoft-Windows-AppLocker/Packaged app-Deployment"},
    {"applocker", "Microsoft-Windows-AppLocker/Packaged app-Execution"},
    {"printservice-admin", "Microsoft-Windows-PrintService/Admin"},
    {"printservice-operational", "Microsoft-Windows-PrintService/Operational"},
    {"codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"},
    {"smbclient-security", "Microsoft-Windows-SmbClient/Security"},
    {"smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity"},
    {"firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
    {"bits-client", "Microsoft-Windows-Bits-Client/Operational"},
    {"windefend", "Microsoft-Windows-Windows Defender/Operational"},
    {"terminalservices-localsessionmanager",
     "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
    {"dns-client", "Microsoft-Windows-DNS Client Events/Operational"},
    {"diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"},
    {"appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"},
    {"appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational"},
    {"security-mitigations", "Microsoft-Windows-Security-Mitigations/Kernel Mode"},
    {"security-mitigations", "Microsoft-Windows-Security-Mitigations/User Mode"},
    {"openssh", "OpenSSH/Operational"},
    {"ldap", "Microsoft-Windows-LDAP-Client/Debug"},
    {"vhdmp", "Microsoft-Windows-VHDMP/Operational"},
    {"shell-core", "Microsoft-Windows-Shell-Core/Operational"},
    {"iis-configuration", "Microsoft-IIS-Configuration/Operational"},
    {"capi2", "Microsoft-Windows-CAPI2/Operational"},
    {"certificateservicesclient-lifecycle-system",
     "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
    {"hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker-Admin"},
    {"kernel-shimengine", "Microsoft-Windows-Kernel-ShimEngine/Operational"},
    {"lsa-server", "Microsoft-Windows-LSA/Operational"},
    {"appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"},
};

size_t sigma_class_count(void)
{
  return FS_ARRAY_SIZE(classes) + FS_ARRAY_SIZE(channels);
}

static const char *class_service(size_t c)
{
  return c < FS_ARRAY_SIZE(classes) ? classes[c].service
                                    : channels[c - FS_ARRAY_SIZE(classes)].service;
}

static bool eq(const char *a, const char *b)
{
  return a && b && !strcmp(a, b);
}

bool sigma_class_fits(size_t c, const struct sigma_rule *r)
{
  if (c == 0)
    return true;
  const char *product = c < FS_ARRAY_SIZE(classes) ? classes[c].product : "windows";
  const char *service = class_service(c);
  if (r->product && product && !eq(r->product, product))
    return false;
  if (r->service && !eq(r->service, service))
    return false;
  if (r->category) {
    if (c >= FS_ARRAY_SIZE(classes))
      return false;
    for (size_t k = 0; k < 3 && classes[c].categories[k]; k++)
      if (eq(r->category, classes[c].categories[k]))
        return true;
    return false;
  }
  return true;
}

/* ---- field names -------------------------------------------------------------------------- */

enum shape { SH_PLAIN, SH_EVTX, SH_ECS, SH_CEF, SH_KV };

struct rename {
  const char *from, *to;
};

static const struct rename ecs_names[] = {
    {"process.executable", "Image"},
    {"process.command_line", "CommandLine"},
    {"process.parent.executable", "ParentImage"},
    {"process.parent.command_line", "ParentCommandLine"},
    {"process.pe.original_file_name", "OriginalFileName"},
    {"process.working_directory", "CurrentDirectory"},
    {"process.pid", "ProcessId"},
    {"process.parent.pid", "ParentProcessId"},
    {"user.name", "User"},
    {"file.path", "TargetFilename"},
    {"registry.path", "TargetObject"},
    {"registry.data.strings", "Details"},
    {"dns.question.name", "QueryName"},
    {"destination.ip", "DestinationIp"},
    {"destination.port", "DestinationPort"},
    {"destination.domain", "DestinationHostname"},
    {"source.ip", "SourceIp"},
    {"source.port", "SourcePort"},
    {"network.transport", "Protocol"},
    {"dll.path", "ImageLoaded"},
    {"host.name", "Computer"},
    {"event.code", "EventID"},
    {"winlog.event_id", "EventID"},
    {"winlog.channel", "Channel"},
    {"winlog.computer_name", "Computer"},
    {"winlog.provider_name", "Provider_Name"},
    {"url.original", "c-uri"},
    {"url.full", "c-uri"},
    {"user_agent.original", "c-useragent"},
    {"http.request.method", "cs-method"},
};

static const struct rename cef_names[] = {
    {"src", "src_ip"},
    {"dst", "dst_ip"},
    {"spt", "src_port"},
    {"dpt", "dst_port"},
    {"request", "c-uri"},
    {"requestClientApplication", "c-useragent"},
    {"requestMethod", "cs-method"},
    {"dhost", "cs-host"},
    {"suser", "user"},
};

static const struct rename kv_names[] = {
    {"srcip", "src_ip"}, {"dstip", "dst_ip"}, {"srcport", "src_port"}, {"dstport", "dst_port"},
    {"SRC", "src_ip"},   {"DST", "dst_ip"},   {"SPT", "src_port"},     {"DPT", "dst_port"},
    {"src", "src_ip"},   {"dst", "dst_ip"},
};

/* Security 4688 spells the process fields differently (pySigma's windows_audit pipeline). */
static const struct rename audit_names[] = {
    {"NewProcessName", "Image"},
    {"ParentProcessName", "ParentImage"},
    {"SubjectUserName", "User"},
};

static bool lookup(const struct rename *t, size_t n, const char *name, size_t len, const char **out,
                   size_t *out_len)
{
  for (size_t i = 0; i < n; i++)
    if (strlen(t[i].from) == len && !memcmp(t[i].from, name, len)) {
      *out = t[i].to;
      *out_len = strlen(t[i].to);
      return true;
    }
  return false;
}

static bool has_prefix(const char *s, size_t n, const char *p, size_t pl)
{
  return n > pl && !memcmp(s, p, pl);
}

static enum shape shape_of(const struct detect_event *ev)
{
  if (!ev->nfields)
    return SH_PLAIN;
  const struct detect_field *f = &ev->fields[0];
  if (ev->format == DETECT_FMT_JSON) {
    if (has_prefix(f->name, f->name_len, "Event.", 6))
      return SH_EVTX;
    for (size_t i = 0; i < ev->nfields && i < 64; i++) {
      const struct detect_field *g = &ev->fields[i];
      if (has_prefix(g->name, g->name_len, "winlog.", 7) ||
          has_prefix(g->name, g->name_len, "ecs.", 4) ||
          has_prefix(g->name, g->name_len, "process.", 8) ||
          has_prefix(g->name, g->name_len, "event.", 6))
        return SH_ECS;
    }
    return SH_PLAIN;
  }
  if (detect_event_find(ev, "cefVersion", 10))
    return SH_CEF;
  if (ev->format == DETECT_FMT_KV || ev->msg_structured)
    return SH_KV;
  return SH_PLAIN;
}

/* Event log field names with spaces ("Threat Name" in Defender events) are written without them
 * in rules ("ThreatName"); buf (CANON_MAX bytes) holds such a rewritten name. */
static void squeeze(const char **name, size_t *len, char *buf)
{
  if (!memchr(*name, ' ', *len) || *len > CANON_MAX)
    return;
  size_t o = 0;
  for (size_t i = 0; i < *len; i++)
    if ((*name)[i] != ' ')
      buf[o++] = (*name)[i];
  *name = buf;
  *len = o;
}

static void canonical(enum shape sh, const char *name, size_t len, const char **out,
                      size_t *out_len, char *buf)
{
  *out = name;
  *out_len = len;
  switch (sh) {
  case SH_EVTX: {
    if (len >= 6 && !memcmp(name + len - 6, ".#text", 6)) /* {"#text": v, "#attributes": ...} */
      len -= 6;
    static const char prov[] = "Event.System.Provider.#attributes.Name";
    if (len == sizeof(prov) - 1 && !memcmp(name, prov, len)) {
      *out = "Provider_Name";
      *out_len = 13;
      return;
    }
    static const char *const strip[] = {"Event.EventData.", "Event.System.", "Event.UserData."};
    for (size_t k = 0; k < FS_ARRAY_SIZE(strip); k++) {
      size_t pl = strlen(strip[k]);
      if (has_prefix(name, len, strip[k], pl)) {
        const char *rest = name + pl;
        size_t rl = len - pl;
        if (k == 2) { /* UserData.<Element>.<Field> */
          const char *dot = memchr(rest, '.', rl);
          if (dot) {
            rl -= (size_t)(dot + 1 - rest);
            rest = dot + 1;
          }
        }
        *out = rest;
        *out_len = rl;
        squeeze(out, out_len, buf);
        return;
      }
    }
    *out_len = len;
    return;
  }
  case SH_ECS:
    if (has_prefix(name, len, "winlog.event_data.", 18)) {
      *out = name + 18;
      *out_len = len - 18;
      squeeze(out, out_len, buf);
      return;
    }
    lookup(ecs_names, FS_ARRAY_SIZE(ecs_names), name, len, out, out_len);
    return;
  case SH_CEF:
    lookup(cef_names, FS_ARRAY_SIZE(cef_names), name, len, out, out_len);
    return;
  case SH_KV:
    lookup(kv_names, FS_ARRAY_SIZE(kv_names), name, len, out, out_len);
    return;
  case SH_PLAIN:
    return;
  }
}

void sigma_canonical_name(const struct detect_event *ev, size_t i, const char **name, size_t *len,
                          char buf[CANON_MAX])
{
  canonical(shape_of(ev), ev->fields[i].name, ev->fields[i].name_len, name, len, buf);
}

int sigma_event_shape(const struct detect_event *ev)
{
  return (int)shape_of(ev);
}

void sigma_canonical_field(int shape, const char *name, size_t len, const char **out,
                           size_t *out_len, char buf[CANON_MAX])
{
  canonical((enum shape)shape, name, len, out, out_len, buf);
}

/* ---- classes ------------------------------------------------------------------------------ */

static bool value_is(const struct detect_field *f, const char *s)
{
  return f && f->value_len == strlen(s) && !memcmp(f->value, s, f->value_len);
}

static long value_int(const struct detect_field *f)
{
  long v = 0;
  if (!f || !f->value_len || f->value_len > 9)
    return -1;
  for (uint32_t i = 0; i < f->value_len; i++) {
    if (f->value[i] < '0' || f->value[i] > '9')
      return -1;
    v = v * 10 + (f->value[i] - '0');
  }
  return v;
}

static size_t sysmon_class(long id, const struct detect_field *event_type)
{
  switch (id) {
  case 1:
    return 3;
  case 2:
    return 4;
  case 3:
    return 5;
  case 4:
  case 16:
    return 6;
  case 5:
    return 7;
  case 6:
    return 8;
  case 7:
    return 9;
  case 8:
    return 10;
  case 9:
    return 11;
  case 10:
    return 12;
  case 11:
    return 13;
  case 12:
    return value_is(event_type, "CreateKey") ? 14 : 15;
  case 13:
    return 16;
  case 14:
    return 17;
  case 15:
    return 18;
  case 17:
  case 18:
    return 19;
  case 19:
  case 20:
  case 21:
    return 20;
  case 22:
    return 21;
  case 23:
    return 22;
  case 24:
    return 23;
  case 25:
    return 24;
  case 26:
    return 25;
  case 27:
    return 26;
  case 28:
    return 27;
  case 29:
    return 28;
  case 255:
    return 29;
  default:
    return 2;
  }
}

static size_t windows_class(const struct detect_field *channel, long id,
                            const struct detect_field *event_type)
{
  size_t k = 0;
  for (; k < FS_ARRAY_SIZE(channels); k++)
    if (value_is(channel, channels[k].channel))
      break;
  if (k == FS_ARRAY_SIZE(channels))
    return 1;
  const char *svc = channels[k].service;
  if (!strcmp(svc, "sysmon"))
    return sysmon_class(id, event_type);
  if (!strcmp(svc, "security") && id == 4688)
    return 30;
  if (!strcmp(svc, "powershell") && (id == 4103 || id == 4104))
    return id == 4103 ? 31 : 32;
  if (!strcmp(svc, "powershell-classic") && (id == 400 || id == 600 || id == 800))
    return id == 400 ? 33 : id == 600 ? 34 : 35;
  return FS_ARRAY_SIZE(classes) + k;
}

/* ECS: event.category and event.type, host.os.type. */
static size_t ecs_class(const struct detect_event *ev)
{
  bool process = false, start = false, network = false, dns = false, file = false;
  const char *os = NULL;
  for (size_t i = 0; i < ev->nfields; i++) {
    const struct detect_field *f = &ev->fields[i];
    if (f->name_len == 14 && !memcmp(f->name, "event.category", 14)) {
      process |= value_is(f, "process");
      network |= value_is(f, "network");
      file |= value_is(f, "file");
    } else if (f->name_len == 10 && !memcmp(f->name, "event.type", 10)) {
      start |= value_is(f, "start");
    } else if (f->name_len == 12 && !memcmp(f->name, "host.os.type", 12)) {
      os = value_is(f, "windows") ? "windows"
           : value_is(f, "linux") ? "linux"
           : value_is(f, "macos") ? "macos"
                                  : NULL;
    } else if (f->name_len == 17 && !memcmp(f->name, "dns.question.name", 17)) {
      dns = true;
    }
  }
  if (process && start)
    return !os ? 39 : !strcmp(os, "windows") ? 36 : !strcmp(os, "linux") ? 37 : 38;
  if (dns)
    return 41;
  if (network)
    return 40;
  if (file)
    return 42;
  return 0;
}

static size_t syslog_class(const struct detect_event *ev)
{
  const struct detect_field *app = detect_event_find(ev, "appname", 7);
  static const char *const apps[] = {"sshd", "sudo", "cron", "auditd", "vsftpd"};
  for (size_t k = 0; k < FS_ARRAY_SIZE(apps); k++)
    if (value_is(app, apps[k]))
      return 44 + k;
  if (app && app->value_len == 4 && !memcmp(app->value, "CRON", 4))
    return 46;
  return 43;
}

void sigma_name_info(const struct detect_sigma_set *s, int shape, const char *name, size_t len,
                     struct sigma_name_info *out)
{
  char buf[CANON_MAX];
  const char *n;
  size_t nl;
  canonical((enum shape)shape, name, len, &n, &nl, buf);
  out->role = nl == 7 && !memcmp(n, "Channel", 7)     ? SIGMA_ROLE_CHANNEL
              : nl == 7 && !memcmp(n, "EventID", 7)   ? SIGMA_ROLE_EVENT_ID
              : nl == 9 && !memcmp(n, "EventType", 9) ? SIGMA_ROLE_EVENT_TYPE
                                                      : SIGMA_ROLE_NONE;
  out->id = sigma_field_find(s, n, nl);
  out->audit_id = lookup(audit_names, FS_ARRAY_SIZE(audit_names), n, nl, &n, &nl)
                      ? sigma_field_find(s, n, nl)
                      : out->id;
}

size_t sigma_event_class(const struct detect_event *ev, int shape,
                         const struct detect_field *const roles[SIGMA_ROLES])
{
  if (roles[SIGMA_ROLE_CHANNEL])
    return windows_class(roles[SIGMA_ROLE_CHANNEL], value_int(roles[SIGMA_ROLE_EVENT_ID]),
                         roles[SIGMA_ROLE_EVENT_TYPE]);
  if (shape == SH_ECS)
    return ecs_class(ev);
  if ((ev->format == DETECT_FMT_RFC5424 || ev->format == DETECT_FMT_RFC3164) && !ev->msg_structured)
    return syslog_class(ev);
  return 0;
}

bool sigma_class_is_audit(size_t c)
{
  return c == 30;
}
