/* A self-signed certificate for testing (GnuTLS): ECDSA P-256, one year, SAN with the hostname,
 * 127.0.0.1 and ::1. */
#include "hub/hub.h"

#include "core/encode.h"
#include "core/file.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int hub_make_self_signed(const char *data_dir, const char *hostname, struct fs_err *err)
{
  char dir[FS_CONFIG_PATH_MAX + 16], cert_path[FS_CONFIG_PATH_MAX + 32],
      key_path[FS_CONFIG_PATH_MAX + 32];
  if (fs_path_join(dir, sizeof(dir), data_dir, "tls") ||
      fs_path_join(cert_path, sizeof(cert_path), dir, "cert.pem") ||
      fs_path_join(key_path, sizeof(key_path), dir, "key.pem"))
    return fs_err_set(err, FS_ERR_INVALID, data_dir, "path too long");
  int rc = fs_mkdir_p(dir, 0700, err);
  if (rc)
    return rc;
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  unsigned char cert_pem[8192], key_pem[8192];
  size_t cert_len = sizeof(cert_pem), key_len = sizeof(key_pem);
  int g = gnutls_x509_privkey_init(&key);
  if (!g)
    g = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
  if (!g)
    g = gnutls_x509_crt_init(&crt);
  time_t now = time(NULL);
  unsigned char serial[16];
  fs_random(serial, sizeof(serial));
  serial[0] &= 0x7f;
  unsigned char v4[4], v6[16];
  inet_pton(AF_INET, "127.0.0.1", v4);
  inet_pton(AF_INET6, "::1", v6);
  if (!g)
    g = gnutls_x509_crt_set_version(crt, 3);
  if (!g)
    g = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
  if (!g)
    g = gnutls_x509_crt_set_activation_time(crt, now - 3600);
  if (!g)
    g = gnutls_x509_crt_set_expiration_time(crt, now + 365 * 86400);
  if (!g)
    g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, hostname,
                                      (unsigned)strlen(hostname));
  if (!g)
    g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                      "finshield self-signed (testing only)", 36);
  if (!g)
    g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, hostname,
                                             (unsigned)strlen(hostname), GNUTLS_FSAN_APPEND);
  if (!g)
    g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4, GNUTLS_FSAN_APPEND);
  if (!g)
    g = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16, GNUTLS_FSAN_APPEND);
  if (!g)
    g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
  if (!g)
    g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  if (!g)
    g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
  if (!g)
    g = gnutls_x509_crt_set_key(crt, key);
  if (!g)
    g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
  if (!g)
    g = gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, cert_pem, &cert_len);
  if (!g)
    g = gnutls_x509_privkey_export(key, GNUTLS_X509_FMT_PEM, key_pem, &key_len);
  if (crt)
    gnutls_x509_crt_deinit(crt);
  if (key)
    gnutls_x509_privkey_deinit(key);
  if (g)
    return fs_err_set(err, FS_ERR_CRYPTO, "tls", "cannot make a certificate: %s",
                      gnutls_strerror(g));
  rc = fs_file_write_atomic(key_path, key_pem, key_len, 0600, err);
  if (!rc)
    rc = fs_file_write_atomic(cert_path, cert_pem, cert_len, 0644, err);
  memset(key_pem, 0, sizeof(key_pem));
  return rc;
}
