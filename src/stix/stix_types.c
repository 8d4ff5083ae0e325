/* The property tables of every STIX 2.1 object type (spec sections 4-7), its closed
 * vocabularies, predefined SCO extensions and SCO ID contributing properties. */
#include "stix/stix_int.h"

#include <string.h>

#define INT53 9007199254740991LL
#define END                                                                                        \
  {                                                                                                \
    .name = NULL                                                                                   \
  }
#define P_STR(n)                                                                                   \
  {                                                                                                \
    .name = n, .type = PT_STRING                                                                   \
  }
#define P_STR_REQ(n)                                                                               \
  {                                                                                                \
    .name = n, .type = PT_STRING, .required = true                                                 \
  }
#define P_BOOL(n)                                                                                  \
  {                                                                                                \
    .name = n, .type = PT_BOOL                                                                     \
  }
#define P_BOOL_REQ(n)                                                                              \
  {                                                                                                \
    .name = n, .type = PT_BOOL, .required = true                                                   \
  }
#define P_INT(n)                                                                                   \
  {                                                                                                \
    .name = n, .type = PT_INT                                                                      \
  }
#define P_UINT(n)                                                                                  \
  {                                                                                                \
    .name = n, .type = PT_INT, .ranged = true, .min = 0, .max = INT53                              \
  }
#define P_RANGE(n, lo, hi)                                                                         \
  {                                                                                                \
    .name = n, .type = PT_INT, .ranged = true, .min = lo, .max = hi                                \
  }
#define P_FLOAT(n)                                                                                 \
  {                                                                                                \
    .name = n, .type = PT_FLOAT                                                                    \
  }
#define P_TS(n)                                                                                    \
  {                                                                                                \
    .name = n, .type = PT_TIMESTAMP                                                                \
  }
#define P_TS_REQ(n)                                                                                \
  {                                                                                                \
    .name = n, .type = PT_TIMESTAMP, .required = true                                              \
  }
#define P_REF(n, t)                                                                                \
  {                                                                                                \
    .name = n, .type = PT_REF, .targets = t                                                        \
  }
#define P_REFS(n, t)                                                                               \
  {                                                                                                \
    .name = n, .type = PT_REFS, .targets = t                                                       \
  }
#define P_LIST(n)                                                                                  \
  {                                                                                                \
    .name = n, .type = PT_STRINGS                                                                  \
  }
#define P_ENUM(n, v)                                                                               \
  {                                                                                                \
    .name = n, .type = PT_ENUM, .targets = v                                                       \
  }
#define P_HASHES(n)                                                                                \
  {                                                                                                \
    .name = n, .type = PT_HASHES                                                                   \
  }
#define P_HEX(n)                                                                                   \
  {                                                                                                \
    .name = n, .type = PT_HEX                                                                      \
  }
#define P_DICT(n, d)                                                                               \
  {                                                                                                \
    .name = n, .type = PT_DICT, .dv = d                                                            \
  }
#define P_KCP(n)                                                                                   \
  {                                                                                                \
    .name = n, .type = PT_KILLCHAIN                                                                \
  }
#define P_OBJ(n, s)                                                                                \
  {                                                                                                \
    .name = n, .type = PT_OBJ, .sub = s                                                            \
  }
#define P_OBJS(n, s)                                                                               \
  {                                                                                                \
    .name = n, .type = PT_OBJS, .sub = s                                                           \
  }

/* ---- Closed vocabularies (section 10) ---- */
static const char *const opinion_enum[] = {"strongly-disagree", "disagree", "neutral", "agree",
                                           "strongly-agree",    NULL};
static const char *const encryption_enum[] = {"AES-256-GCM", "ChaCha20-Poly1305",
                                              "mime-type-indicated", NULL};
static const char *const extension_type_enum[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension", NULL};
static const char *const address_family_enum[] = {"AF_UNSPEC",    "AF_INET",    "AF_IPX",
                                                  "AF_APPLETALK", "AF_NETBIOS", "AF_INET6",
                                                  "AF_IRDA",      "AF_BTH",     NULL};
static const char *const socket_type_enum[] = {"SOCK_STREAM", "SOCK_DGRAM",     "SOCK_RAW",
                                               "SOCK_RDM",    "SOCK_SEQPACKET", NULL};
static const char *const integrity_enum[] = {"low", "medium", "high", "system", NULL};
static const char *const registry_type_enum[] = {"REG_NONE",
                                                 "REG_SZ",
                                                 "REG_EXPAND_SZ",
                                                 "REG_BINARY",
                                                 "REG_DWORD",
                                                 "REG_DWORD_BIG_ENDIAN",
                                                 "REG_DWORD_LITTLE_ENDIAN",
                                                 "REG_LINK",
                                                 "REG_MULTI_SZ",
                                                 "REG_RESOURCE_LIST",
                                                 "REG_FULL_RESOURCE_DESCRIPTION",
                                                 "REG_RESOURCE_REQUIREMENTS_LIST",
                                                 "REG_QWORD",
                                                 "REG_INVALID_TYPE",
                                                 NULL};
static const char *const start_type_enum[] = {"SERVICE_AUTO_START",   "SERVICE_BOOT_START",
                                              "SERVICE_DEMAND_START", "SERVICE_DISABLED",
                                              "SERVICE_SYSTEM_ALERT", NULL};
static const char *const service_type_enum[] = {
    "SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS",
    "SERVICE_WIN32_SHARE_PROCESS", NULL};
static const char *const service_status_enum[] = {
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED",  "SERVICE_RUNNING",
    "SERVICE_START_PENDING",    "SERVICE_STOP_PENDING",  "SERVICE_STOPPED", NULL};

/* ---- Reference targets ---- */
static const char *const t_software[] = {"software", NULL};
static const char *const t_file_artifact[] = {"file", "artifact", NULL};
static const char *const t_sample[] = {"file", "network-traffic", "artifact", NULL};
static const char *const t_observed[] = {"observed-data", NULL};
static const char *const t_where[] = {"identity", "location", NULL};
static const char *const t_file_dir[] = {"file", "directory", NULL};
static const char *const t_dir[] = {"directory", NULL};
static const char *const t_resolves[] = {"ipv4-addr", "ipv6-addr", "domain-name", NULL};
static const char *const t_user[] = {"user-account", NULL};
static const char *const t_email[] = {"email-addr", NULL};
static const char *const t_artifact[] = {"artifact", NULL};
static const char *const t_endpoint[] = {"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name", NULL};
static const char *const t_traffic[] = {"network-traffic", NULL};
static const char *const t_process[] = {"process", NULL};
static const char *const t_mac[] = {"mac-addr", NULL};
static const char *const t_as[] = {"autonomous-system", NULL};
static const char *const t_file[] = {"file", NULL};

/* ---- SDOs (section 4) ---- */
static const struct stix_prop attack_pattern[] = {
    P_STR_REQ("name"), P_STR("description"), P_LIST("aliases"), P_KCP("kill_chain_phases"), END};
static const struct stix_prop campaign[] = {P_STR_REQ("name"),
                                            P_STR("description"),
                                            P_LIST("aliases"),
                                            P_TS("first_seen"),
                                            P_TS("last_seen"),
                                            P_STR("objective"),
                                            END};
static const struct stix_prop course_of_action[] = {
    P_STR_REQ("name"), P_STR("description"), {.name = "action", .type = PT_RESERVED}, END};
/* name is optional in STIX 2.1 OS (the 2025 errata draft would require it). */
static const struct stix_prop grouping[] = {
    P_STR("name"),
    P_STR("description"),
    P_STR_REQ("context"),
    {.name = "object_refs", .type = PT_REFS, .required = true},
    END};
static const struct stix_prop identity[] = {P_STR_REQ("name"),
                                            P_STR("description"),
                                            P_LIST("roles"),
                                            P_STR("identity_class"),
                                            P_LIST("sectors"),
                                            P_STR("contact_information"),
                                            END};
static const struct stix_prop incident[] = {P_STR_REQ("name"), P_STR("description"), END};
static const struct stix_prop indicator[] = {P_STR("name"),
                                             P_STR("description"),
                                             P_LIST("indicator_types"),
                                             P_STR_REQ("pattern"),
                                             P_STR_REQ("pattern_type"),
                                             P_STR("pattern_version"),
                                             P_TS_REQ("valid_from"),
                                             P_TS("valid_until"),
                                             P_KCP("kill_chain_phases"),
                                             END};
static const struct stix_prop infrastructure[] = {P_STR_REQ("name"),
                                                  P_STR("description"),
                                                  P_LIST("infrastructure_types"),
                                                  P_LIST("aliases"),
                                                  P_KCP("kill_chain_phases"),
                                                  P_TS("first_seen"),
                                                  P_TS("last_seen"),
                                                  END};
static const struct stix_prop intrusion_set[] = {P_STR_REQ("name"),
                                                 P_STR("description"),
                                                 P_LIST("aliases"),
                                                 P_TS("first_seen"),
                                                 P_TS("last_seen"),
                                                 P_LIST("goals"),
                                                 P_STR("resource_level"),
                                                 P_STR("primary_motivation"),
                                                 P_LIST("secondary_motivations"),
                                                 END};
static const struct stix_prop location[] = {
    P_STR("name"),
    P_STR("description"),
    {.name = "latitude", .type = PT_FLOAT, .ranged = true, .fmin = -90.0, .fmax = 90.0},
    {.name = "longitude", .type = PT_FLOAT, .ranged = true, .fmin = -180.0, .fmax = 180.0},
    P_FLOAT("precision"),
    P_STR("region"),
    P_STR("country"),
    P_STR("administrative_area"),
    P_STR("city"),
    P_STR("street_address"),
    P_STR("postal_code"),
    END};
/* is_family is required in STIX 2.1 OS (the 2025 errata draft would make it optional). */
static const struct stix_prop malware[] = {P_STR("name"),
                                           P_STR("description"),
                                           P_LIST("malware_types"),
                                           P_BOOL_REQ("is_family"),
                                           P_LIST("aliases"),
                                           P_KCP("kill_chain_phases"),
                                           P_TS("first_seen"),
                                           P_TS("last_seen"),
                                           P_REFS("operating_system_refs", t_software),
                                           P_LIST("architecture_execution_envs"),
                                           P_LIST("implementation_languages"),
                                           P_LIST("capabilities"),
                                           P_REFS("sample_refs", t_file_artifact),
                                           END};
static const struct stix_prop malware_analysis[] = {P_STR_REQ("product"),
                                                    P_STR("version"),
                                                    P_REF("host_vm_ref", t_software),
                                                    P_REF("operating_system_ref", t_software),
                                                    P_REFS("installed_software_refs", t_software),
                                                    P_STR("configuration_version"),
                                                    P_LIST("modules"),
                                                    P_STR("analysis_engine_version"),
                                                    P_STR("analysis_definition_version"),
                                                    P_TS("submitted"),
                                                    P_TS("analysis_started"),
                                                    P_TS("analysis_ended"),
                                                    P_STR("result_name"),
                                                    P_STR("result"),
                                                    P_REFS("analysis_sco_refs", NULL),
                                                    P_REF("sample_ref", t_sample),
                                                    END};
static const struct stix_prop note[] = {P_STR("abstract"),
                                        P_STR_REQ("content"),
                                        P_LIST("authors"),
                                        {.name = "object_refs", .type = PT_REFS, .required = true},
                                        END};
static const struct stix_prop observed_data[] = {
    P_TS_REQ("first_observed"),
    P_TS_REQ("last_observed"),
    {.name = "number_observed",
     .type = PT_INT,
     .required = true,
     .ranged = true,
     .min = 1,
     .max = 999999999},
    /* the deprecated observable container: checked by rule_observed_data */
    {.name = "objects", .type = PT_DICT, .dv = DV_ANY},
    {.name = "object_refs", .type = PT_REFS, .tclass = TC_SCO | TC_SRO},
    END};
static const struct stix_prop opinion[] = {
    P_STR("explanation"),
    P_LIST("authors"),
    {.name = "opinion", .type = PT_ENUM, .required = true, .targets = opinion_enum},
    {.name = "object_refs", .type = PT_REFS, .required = true},
    END};
static const struct stix_prop report[] = {
    P_STR_REQ("name"),
    P_STR("description"),
    P_LIST("report_types"),
    P_TS_REQ("published"),
    {.name = "object_refs", .type = PT_REFS, .required = true},
    END};
static const struct stix_prop threat_actor[] = {P_STR_REQ("name"),
                                                P_STR("description"),
                                                P_LIST("threat_actor_types"),
                                                P_LIST("aliases"),
                                                P_TS("first_seen"),
                                                P_TS("last_seen"),
                                                P_LIST("roles"),
                                                P_LIST("goals"),
                                                P_STR("sophistication"),
                                                P_STR("resource_level"),
                                                P_STR("primary_motivation"),
                                                P_LIST("secondary_motivations"),
                                                P_LIST("personal_motivations"),
                                                END};
static const struct stix_prop tool[] = {P_STR_REQ("name"),
                                        P_STR("description"),
                                        P_LIST("tool_types"),
                                        P_LIST("aliases"),
                                        P_KCP("kill_chain_phases"),
                                        P_STR("tool_version"),
                                        END};
static const struct stix_prop vulnerability[] = {P_STR_REQ("name"), P_STR("description"), END};

/* ---- SROs (section 5) ---- */
static const struct stix_prop relationship[] = {
    P_STR_REQ("relationship_type"),
    P_STR("description"),
    {.name = "source_ref", .type = PT_REF, .required = true, .tclass = TC_SDO | TC_SCO},
    {.name = "target_ref", .type = PT_REF, .required = true, .tclass = TC_SDO | TC_SCO},
    P_TS("start_time"),
    P_TS("stop_time"),
    END};
static const struct stix_prop sighting[] = {
    P_STR("description"),
    P_TS("first_seen"),
    P_TS("last_seen"),
    P_RANGE("count", 0, 999999999),
    {.name = "sighting_of_ref", .type = PT_REF, .required = true, .tclass = TC_SDO},
    P_REFS("observed_data_refs", t_observed),
    P_REFS("where_sighted_refs", t_where),
    P_BOOL("summary"),
    END};

/* ---- Meta objects (section 7) ---- */
static const struct stix_prop language_content[] = {
    {.name = "object_ref", .type = PT_REF, .required = true},
    P_TS("object_modified"),
    {.name = "contents", .type = PT_DICT, .required = true, .dv = DV_ANY},
    END};
static const struct stix_prop marking_definition[] = {
    P_STR("name"), P_STR("definition_type"), {.name = "definition", .type = PT_OBJ}, END};
static const struct stix_prop extension_definition[] = {
    P_STR_REQ("name"),
    P_STR("description"),
    P_STR_REQ("schema"),
    P_STR_REQ("version"),
    {.name = "extension_types", .type = PT_ENUMS, .required = true, .targets = extension_type_enum},
    P_LIST("extension_properties"),
    END};

/* ---- SCO embedded types and predefined extensions (section 6) ---- */
static const struct stix_prop mime_part[] = {P_STR("body"), P_REF("body_raw_ref", t_file_artifact),
                                             P_STR("content_type"), P_STR("content_disposition"),
                                             END};
static const struct stix_obj_spec mime_part_spec = {mime_part, false, rule_mime_part};

static const struct stix_prop ads[] = {P_STR_REQ("name"), P_HASHES("hashes"), P_UINT("size"), END};
static const struct stix_obj_spec ads_spec = {ads, false, NULL};
static const struct stix_prop ntfs_ext[] = {P_STR("sid"),
                                            P_OBJS("alternate_data_streams", &ads_spec), END};
static const struct stix_prop raster_ext[] = {P_INT("image_height"), P_INT("image_width"),
                                              P_INT("bits_per_pixel"),
                                              P_DICT("exif_tags", DV_INT_OR_STRING), END};
static const struct stix_prop pdf_ext[] = {
    P_STR("version"), P_BOOL("is_optimized"), P_DICT("document_info_dict", DV_STRING),
    P_STR("pdfid0"),  P_STR("pdfid1"),        END};
static const struct stix_prop archive_ext[] = {
    {.name = "contains_refs", .type = PT_REFS, .required = true, .targets = t_file_dir},
    P_STR("comment"),
    END};
static const struct stix_prop pe_optional_header[] = {P_HEX("magic_hex"),
                                                      P_INT("major_linker_version"),
                                                      P_INT("minor_linker_version"),
                                                      P_UINT("size_of_code"),
                                                      P_UINT("size_of_initialized_data"),
                                                      P_UINT("size_of_uninitialized_data"),
                                                      P_INT("address_of_entry_point"),
                                                      P_INT("base_of_code"),
                                                      P_INT("base_of_data"),
                                                      P_INT("image_base"),
                                                      P_INT("section_alignment"),
                                                      P_INT("file_alignment"),
                                                      P_INT("major_os_version"),
                                                      P_INT("minor_os_version"),
                                                      P_INT("major_image_version"),
                                                      P_INT("minor_image_version"),
                                                      P_INT("major_subsystem_version"),
                                                      P_INT("minor_subsystem_version"),
                                                      P_HEX("win32_version_value_hex"),
                                                      P_UINT("size_of_image"),
                                                      P_UINT("size_of_headers"),
                                                      P_HEX("checksum_hex"),
                                                      P_HEX("subsystem_hex"),
                                                      P_HEX("dll_characteristics_hex"),
                                                      P_UINT("size_of_stack_reserve"),
                                                      P_UINT("size_of_stack_commit"),
                                                      P_UINT("size_of_heap_reserve"),
                                                      P_UINT("size_of_heap_commit"),
                                                      P_HEX("loader_flags_hex"),
                                                      P_INT("number_of_rva_and_sizes"),
                                                      P_HASHES("hashes"),
                                                      END};
static const struct stix_obj_spec pe_optional_header_spec = {pe_optional_header, true, NULL};
static const struct stix_prop pe_section[] = {P_STR_REQ("name"), P_UINT("size"), P_FLOAT("entropy"),
                                              P_HASHES("hashes"), END};
static const struct stix_obj_spec pe_section_spec = {pe_section, false, NULL};
static const struct stix_prop pe_ext[] = {P_STR_REQ("pe_type"),
                                          P_STR("imphash"),
                                          P_HEX("machine_hex"),
                                          P_UINT("number_of_sections"),
                                          P_TS("time_date_stamp"),
                                          P_HEX("pointer_to_symbol_table_hex"),
                                          P_UINT("number_of_symbols"),
                                          P_UINT("size_of_optional_header"),
                                          P_HEX("characteristics_hex"),
                                          P_HASHES("file_header_hashes"),
                                          P_OBJ("optional_header", &pe_optional_header_spec),
                                          P_OBJS("sections", &pe_section_spec),
                                          END};
static const struct stix_obj_spec ntfs_ext_spec = {ntfs_ext, true, NULL};
static const struct stix_obj_spec raster_ext_spec = {raster_ext, true, NULL};
static const struct stix_obj_spec pdf_ext_spec = {pdf_ext, true, NULL};
static const struct stix_obj_spec archive_ext_spec = {archive_ext, false, NULL};
static const struct stix_obj_spec pe_ext_spec = {pe_ext, false, rule_pe_binary};
static const struct stix_ext_spec file_exts[] = {{"ntfs-ext", &ntfs_ext_spec},
                                                 {"raster-image-ext", &raster_ext_spec},
                                                 {"pdf-ext", &pdf_ext_spec},
                                                 {"archive-ext", &archive_ext_spec},
                                                 {"windows-pebinary-ext", &pe_ext_spec},
                                                 {NULL, NULL}};

static const struct stix_prop http_ext[] = {P_STR_REQ("request_method"),
                                            P_STR_REQ("request_value"),
                                            P_STR("request_version"),
                                            P_DICT("request_header", DV_STRINGS),
                                            P_INT("message_body_length"),
                                            P_REF("message_body_data_ref", t_artifact),
                                            END};
static const struct stix_prop icmp_ext[] = {
    {.name = "icmp_type_hex", .type = PT_HEX, .required = true},
    {.name = "icmp_code_hex", .type = PT_HEX, .required = true},
    END};
static const struct stix_prop socket_ext[] = {
    {.name = "address_family", .type = PT_ENUM, .required = true, .targets = address_family_enum},
    P_BOOL("is_blocking"),
    P_BOOL("is_listening"),
    P_DICT("options", DV_INT),
    P_ENUM("socket_type", socket_type_enum),
    P_UINT("socket_descriptor"),
    P_INT("socket_handle"),
    END};
static const struct stix_prop tcp_ext[] = {P_HEX("src_flags_hex"), P_HEX("dst_flags_hex"), END};
static const struct stix_obj_spec http_ext_spec = {http_ext, false, NULL};
static const struct stix_obj_spec icmp_ext_spec = {icmp_ext, false, NULL};
static const struct stix_obj_spec socket_ext_spec = {socket_ext, false, NULL};
static const struct stix_obj_spec tcp_ext_spec = {tcp_ext, true, NULL};
static const struct stix_ext_spec traffic_exts[] = {{"http-request-ext", &http_ext_spec},
                                                    {"icmp-ext", &icmp_ext_spec},
                                                    {"socket-ext", &socket_ext_spec},
                                                    {"tcp-ext", &tcp_ext_spec},
                                                    {NULL, NULL}};

/* The 2.1 OS names the Windows window title "window_title"; the errata draft "windows_title".
 * Both are accepted (as strings). */
static const struct stix_prop winproc_ext[] = {P_BOOL("aslr_enabled"),
                                               P_BOOL("dep_enabled"),
                                               P_STR("priority"),
                                               P_STR("owner_sid"),
                                               P_STR("window_title"),
                                               P_STR("windows_title"),
                                               P_DICT("startup_info", DV_ANY),
                                               P_ENUM("integrity_level", integrity_enum),
                                               END};
static const struct stix_prop winsvc_ext[] = {P_STR("service_name"),
                                              P_LIST("descriptions"),
                                              P_STR("display_name"),
                                              P_STR("group_name"),
                                              P_ENUM("start_type", start_type_enum),
                                              P_REFS("service_dll_refs", t_file),
                                              P_ENUM("service_type", service_type_enum),
                                              P_ENUM("service_status", service_status_enum),
                                              END};
static const struct stix_obj_spec winproc_ext_spec = {winproc_ext, true, NULL};
static const struct stix_obj_spec winsvc_ext_spec = {winsvc_ext, true, NULL};
static const struct stix_ext_spec process_exts[] = {{"windows-process-ext", &winproc_ext_spec},
                                                    {"windows-service-ext", &winsvc_ext_spec},
                                                    {NULL, NULL}};

static const struct stix_prop unix_ext[] = {P_INT("gid"), P_LIST("groups"), P_STR("home_dir"),
                                            P_STR("shell"), END};
static const struct stix_obj_spec unix_ext_spec = {unix_ext, true, NULL};
static const struct stix_ext_spec account_exts[] = {{"unix-account-ext", &unix_ext_spec},
                                                    {NULL, NULL}};

static const struct stix_prop registry_value[] = {P_STR("name"), P_STR("data"),
                                                  P_ENUM("data_type", registry_type_enum), END};
static const struct stix_obj_spec registry_value_spec = {registry_value, true, NULL};

static const struct stix_prop x509_v3[] = {P_STR("basic_constraints"),
                                           P_STR("name_constraints"),
                                           P_STR("policy_constraints"),
                                           P_STR("key_usage"),
                                           P_STR("extended_key_usage"),
                                           P_STR("subject_key_identifier"),
                                           P_STR("authority_key_identifier"),
                                           P_STR("subject_alternative_name"),
                                           P_STR("issuer_alternative_name"),
                                           P_STR("subject_directory_attributes"),
                                           P_STR("crl_distribution_points"),
                                           P_STR("inhibit_any_policy"),
                                           P_TS("private_key_usage_period_not_before"),
                                           P_TS("private_key_usage_period_not_after"),
                                           P_STR("certificate_policies"),
                                           P_STR("policy_mappings"),
                                           END};
static const struct stix_obj_spec x509_v3_spec = {x509_v3, true, NULL};

/* ---- SCOs (section 6) ---- */
static const struct stix_prop artifact[] = {P_STR("mime_type"),
                                            {.name = "payload_bin", .type = PT_BINARY},
                                            P_STR("url"),
                                            P_HASHES("hashes"),
                                            P_ENUM("encryption_algorithm", encryption_enum),
                                            P_STR("decryption_key"),
                                            END};
static const struct stix_prop autonomous_system[] = {
    {.name = "number", .type = PT_INT, .required = true}, P_STR("name"), P_STR("rir"), END};
static const struct stix_prop directory[] = {P_STR_REQ("path"),
                                             P_STR("path_enc"),
                                             P_TS("ctime"),
                                             P_TS("mtime"),
                                             P_TS("atime"),
                                             P_REFS("contains_refs", t_file_dir),
                                             END};
static const struct stix_prop domain_name[] = {P_STR_REQ("value"),
                                               P_REFS("resolves_to_refs", t_resolves), END};
static const struct stix_prop email_addr[] = {P_STR_REQ("value"), P_STR("display_name"),
                                              P_REF("belongs_to_ref", t_user), END};
static const struct stix_prop email_message[] = {P_BOOL_REQ("is_multipart"),
                                                 P_TS("date"),
                                                 P_STR("content_type"),
                                                 P_REF("from_ref", t_email),
                                                 P_REF("sender_ref", t_email),
                                                 P_REFS("to_refs", t_email),
                                                 P_REFS("cc_refs", t_email),
                                                 P_REFS("bcc_refs", t_email),
                                                 P_STR("message_id"),
                                                 P_STR("subject"),
                                                 P_LIST("received_lines"),
                                                 P_DICT("additional_header_fields", DV_STRINGS),
                                                 P_STR("body"),
                                                 P_OBJS("body_multipart", &mime_part_spec),
                                                 P_REF("raw_email_ref", t_artifact),
                                                 END};
static const struct stix_prop file[] = {P_HASHES("hashes"),
                                        P_UINT("size"),
                                        P_STR("name"),
                                        P_STR("name_enc"),
                                        P_HEX("magic_number_hex"),
                                        P_STR("mime_type"),
                                        P_TS("ctime"),
                                        P_TS("mtime"),
                                        P_TS("atime"),
                                        P_REF("parent_directory_ref", t_dir),
                                        P_REFS("contains_refs", NULL),
                                        P_REF("content_ref", t_artifact),
                                        END};
static const struct stix_prop ipv4_addr[] = {P_STR_REQ("value"), P_REFS("resolves_to_refs", t_mac),
                                             P_REFS("belongs_to_refs", t_as), END};
static const struct stix_prop mac_addr[] = {P_STR_REQ("value"), END};
static const struct stix_prop mutex[] = {P_STR_REQ("name"), END};
static const struct stix_prop network_traffic[] = {
    P_TS("start"),
    P_TS("end"),
    P_BOOL("is_active"),
    P_REF("src_ref", t_endpoint),
    P_REF("dst_ref", t_endpoint),
    P_RANGE("src_port", 0, 65535),
    P_RANGE("dst_port", 0, 65535),
    {.name = "protocols", .type = PT_STRINGS, .required = true},
    P_UINT("src_byte_count"),
    P_UINT("dst_byte_count"),
    P_UINT("src_packets"),
    P_UINT("dst_packets"),
    P_DICT("ipfix", DV_INT_OR_STRING),
    P_REF("src_payload_ref", t_artifact),
    P_REF("dst_payload_ref", t_artifact),
    P_REFS("encapsulates_refs", t_traffic),
    P_REF("encapsulated_by_ref", t_traffic),
    END};
static const struct stix_prop process[] = {P_BOOL("is_hidden"),
                                           P_INT("pid"),
                                           P_TS("created_time"),
                                           P_STR("cwd"),
                                           P_STR("command_line"),
                                           P_DICT("environment_variables", DV_STRING),
                                           P_REFS("opened_connection_refs", t_traffic),
                                           P_REF("creator_user_ref", t_user),
                                           P_REF("image_ref", t_file),
                                           P_REF("parent_ref", t_process),
                                           P_REFS("child_refs", t_process),
                                           END};
static const struct stix_prop software[] = {
    P_STR_REQ("name"), P_STR("cpe"), P_STR("swid"), P_LIST("languages"), P_STR("vendor"),
    P_STR("version"),  END};
static const struct stix_prop url[] = {P_STR_REQ("value"), END};
static const struct stix_prop user_account[] = {P_STR("user_id"),
                                                P_STR("credential"),
                                                P_STR("account_login"),
                                                P_STR("account_type"),
                                                P_STR("display_name"),
                                                P_BOOL("is_service_account"),
                                                P_BOOL("is_privileged"),
                                                P_BOOL("can_escalate_privs"),
                                                P_BOOL("is_disabled"),
                                                P_TS("account_created"),
                                                P_TS("account_expires"),
                                                P_TS("credential_last_changed"),
                                                P_TS("account_first_login"),
                                                P_TS("account_last_login"),
                                                END};
static const struct stix_prop registry_key[] = {P_STR("key"),
                                                P_OBJS("values", &registry_value_spec),
                                                P_TS("modified_time"),
                                                P_REF("creator_user_ref", t_user),
                                                P_INT("number_of_subkeys"),
                                                END};
static const struct stix_prop x509[] = {P_BOOL("is_self_signed"),
                                        P_HASHES("hashes"),
                                        P_STR("version"),
                                        P_STR("serial_number"),
                                        P_STR("signature_algorithm"),
                                        P_STR("issuer"),
                                        P_TS("validity_not_before"),
                                        P_TS("validity_not_after"),
                                        P_STR("subject"),
                                        P_STR("subject_public_key_algorithm"),
                                        P_STR("subject_public_key_modulus"),
                                        P_INT("subject_public_key_exponent"),
                                        P_OBJ("x509_v3_extensions", &x509_v3_spec),
                                        END};

/* ID contributing properties of each SCO (spec section 6, "ID Contributing Properties"). */
static const char *const id_artifact[] = {"hashes", "payload_bin", NULL};
static const char *const id_as[] = {"number", NULL};
static const char *const id_directory[] = {"path", NULL};
static const char *const id_value[] = {"value", NULL};
static const char *const id_email_message[] = {"from_ref", "subject", "body", NULL};
static const char *const id_file[] = {"hashes", "name", "extensions", "parent_directory_ref", NULL};
static const char *const id_mutex[] = {"name", NULL};
static const char *const id_traffic[] = {
    "start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions", NULL};
static const char *const id_software[] = {"name", "cpe", "swid", "vendor", "version", NULL};
static const char *const id_account[] = {"account_type", "user_id", "account_login", NULL};
static const char *const id_registry[] = {"key", "values", NULL};
static const char *const id_x509[] = {"hashes", "serial_number", NULL};
static const char *const id_none[] = {NULL}; /* process: always UUIDv4 */

#define SDO(t, props, check)                                                                       \
  {                                                                                                \
    t, STIX_SDO, {props, false, check}, NULL, NULL                                                 \
  }
#define SCO(t, props, at_least_one, check, exts, ids)                                              \
  {                                                                                                \
    t, STIX_SCO, {props, at_least_one, check}, exts, ids                                           \
  }

static const struct stix_type_spec types[] = {
    SDO("attack-pattern", attack_pattern, rule_attack_pattern),
    SDO("campaign", campaign, rule_first_last_seen),
    SDO("course-of-action", course_of_action, NULL),
    SDO("grouping", grouping, NULL),
    SDO("identity", identity, NULL),
    SDO("incident", incident, NULL),
    SDO("indicator", indicator, rule_indicator),
    SDO("infrastructure", infrastructure, rule_first_last_seen),
    SDO("intrusion-set", intrusion_set, rule_first_last_seen),
    SDO("location", location, rule_location),
    SDO("malware", malware, rule_malware),
    SDO("malware-analysis", malware_analysis, rule_malware_analysis),
    SDO("note", note, NULL),
    SDO("observed-data", observed_data, rule_observed_data),
    SDO("opinion", opinion, NULL),
    SDO("report", report, NULL),
    SDO("threat-actor", threat_actor, rule_first_last_seen),
    SDO("tool", tool, NULL),
    SDO("vulnerability", vulnerability, rule_vulnerability),
    {"relationship", STIX_SRO, {relationship, false, rule_relationship}, NULL, NULL},
    {"sighting", STIX_SRO, {sighting, false, rule_sighting}, NULL, NULL},
    {"language-content", STIX_META, {language_content, false, rule_language_content}, NULL, NULL},
    {"marking-definition",
     STIX_META,
     {marking_definition, false, rule_marking_definition},
     NULL,
     NULL},
    {"extension-definition",
     STIX_META,
     {extension_definition, false, rule_extension_definition},
     NULL,
     NULL},
    SCO("artifact", artifact, false, rule_artifact, NULL, id_artifact),
    SCO("autonomous-system", autonomous_system, false, NULL, NULL, id_as),
    SCO("directory", directory, false, NULL, NULL, id_directory),
    SCO("domain-name", domain_name, false, rule_domain_name, NULL, id_value),
    SCO("email-addr", email_addr, false, NULL, NULL, id_value),
    SCO("email-message", email_message, false, rule_email_message, NULL, id_email_message),
    SCO("file", file, false, rule_file, file_exts, id_file),
    SCO("ipv4-addr", ipv4_addr, false, rule_ipv4, NULL, id_value),
    SCO("ipv6-addr", ipv4_addr, false, rule_ipv6, NULL, id_value),
    SCO("mac-addr", mac_addr, false, rule_mac, NULL, id_value),
    SCO("mutex", mutex, false, NULL, NULL, id_mutex),
    SCO("network-traffic", network_traffic, false, rule_network_traffic, traffic_exts, id_traffic),
    SCO("process", process, false, rule_process, process_exts, id_none),
    SCO("software", software, false, NULL, NULL, id_software),
    SCO("url", url, false, rule_url, NULL, id_value),
    SCO("user-account", user_account, true, NULL, account_exts, id_account),
    SCO("windows-registry-key", registry_key, true, rule_registry_key, NULL, id_registry),
    SCO("x509-certificate", x509, true, NULL, NULL, id_x509),
};

const struct stix_type_spec *stix_type_spec(const char *type)
{
  if (!type)
    return NULL;
  for (size_t i = 0; i < FS_ARRAY_SIZE(types); i++)
    if (!strcmp(types[i].type, type))
      return &types[i];
  return NULL;
}

enum stix_kind stix_type_kind(const char *type)
{
  if (type && !strcmp(type, "bundle"))
    return STIX_BUNDLE;
  const struct stix_type_spec *t = stix_type_spec(type);
  return t ? t->kind : STIX_UNKNOWN;
}
