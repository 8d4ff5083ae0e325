/* The trail's keys (derived from the hub's secret), the mark where its keyed part begins (in the
 * database, sealed, and in a witness file beside the secret), and signed heads. */
#include "audit/audit_int.h"

#include "core/buf.h"
#include "core/encode.h"
#include "core/file.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_CONTEXT "finshield audit head 1\n"

void audit_keys_derive(struct audit_keys *k, const uint8_t hub_secret[32])
{
  memset(k, 0, sizeof(*k));
  fs_key_derive(hub_secret, "finshield audit chain", k->chain);
  uint8_t seed[crypto_sign_SEEDBYTES];
  fs_key_derive(hub_secret, "finshield audit head signing", seed);
  crypto_sign_seed_keypair(k->sign_pk, k->sign_sk, seed);
  sodium_memzero(seed, sizeof(seed));
}

void audit_keys_wipe(struct audit_keys *k)
{
  sodium_memzero(k, sizeof(*k));
}

/* The seal of a mark: HMAC-SHA-256 of "finshield audit keyed from SEQ" under the chain key. */
static void mark_seal(const struct audit_keys *k, int64_t seq, char out[65])
{
  char text[64];
  int n = snprintf(text, sizeof(text), "finshield audit keyed from %lld", (long long)seq);
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, (const unsigned char *)text, (size_t)n, k->chain);
  fs_hex_encode(mac, sizeof(mac), out);
}

int audit_mark_read(struct store_conn *c, const struct audit_keys *k, struct audit_mark *m,
                    struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  char value[128];
  bool found;
  int rc = store_query_text(c, value, sizeof(value), &found, err,
                            "SELECT value FROM audit_meta WHERE name = 'keyed_from'", "");
  if (rc || !found)
    return rc;
  m->found = true;
  char *end;
  m->seq = strtoll(value, &end, 10);
  if (k && m->seq > 0 && *end == ':' && strlen(end + 1) == 64) {
    char seal[65];
    mark_seal(k, m->seq, seal);
    m->sealed = fs_ct_equal(seal, end + 1, 64);
  }
  return FS_OK;
}

static int witness_read(const char *path, bool *found, int64_t *seq, struct fs_err *err)
{
  *found = false;
  struct fs_buf b;
  fs_buf_init(&b, 64);
  int rc = fs_file_read_all(path, &b, err);
  if (rc == FS_ERR_NOT_FOUND) {
    rc = FS_OK;
  } else if (!rc) {
    char *end;
    long long v = strtoll(fs_buf_cstr(&b), &end, 10);
    if (v < 1 || (*end && strcmp(end, "\n")))
      rc = fs_err_set(err, FS_ERR_CORRUPT, path,
                      "expected the number of the audit trail's first keyed record");
    *found = !rc;
    *seq = v;
  }
  fs_buf_release(&b);
  return rc;
}

/* Marks an unmarked trail at its next record, in one transaction with the `audit.keyed` record
 * that starts the keyed part (when there are records before it). Another node may have marked it
 * meanwhile: then its mark stands. */
static int mark_create(struct store_conn *c, const struct audit_keys *k, const struct actor *who,
                       struct fs_err *err)
{
  int rc = store_begin(c, true, err);
  if (rc)
    return rc;
  struct audit_mark m;
  char head[100];
  if (!(rc = audit_mark_read(c, k, &m, err)) && !m.found && !(rc = audit_head(c, head, err))) {
    int64_t last = strtoll(head, NULL, 10);
    char seal[65], value[96];
    mark_seal(k, last + 1, seal);
    snprintf(value, sizeof(value), "%lld:%s", (long long)(last + 1), seal);
    rc = store_exec(c, NULL, err, "INSERT INTO audit_meta (name, value) VALUES ('keyed_from', ?)",
                    "s", value);
    if (!rc && last > 0) {
      json_t *d =
          json_pack("{s:I,s:s}", "keyed_from", (json_int_t)(last + 1), "unkeyed_head", head);
      rc = d ? audit_append(c, who, "audit.keyed", "audit", NULL, d, err) : FS_ERR_NOMEM;
      json_decref(d);
    }
  }
  if (!rc)
    return store_commit(c, err);
  store_rollback(c);
  return rc;
}

int audit_keyed_open(struct store_conn *c, struct audit_keys *k, const char *witness,
                     const struct actor *who, struct fs_err *err)
{
  bool have_witness;
  int64_t witnessed = 0;
  struct audit_mark m;
  int rc = witness_read(witness, &have_witness, &witnessed, err);
  if (!rc && !have_witness)
    rc = audit_mark_read(c, k, &m, err);
  if (rc)
    return rc;
  if (have_witness) {
    k->keyed_from = witnessed;
    return FS_OK;
  }
  if (!m.found && ((rc = mark_create(c, k, who, err)) || (rc = audit_mark_read(c, k, &m, err))))
    return rc;
  /* A mark this hub's key did not seal is kept for audit_verify to report; no witness of it. */
  k->keyed_from = m.seq > 0 ? m.seq : 1;
  if (!m.sealed)
    return FS_OK;
  char text[32];
  int n = snprintf(text, sizeof(text), "%lld\n", (long long)m.seq);
  return fs_file_write_atomic(witness, text, (size_t)n, 0400, err);
}

/* ---- signed heads ---- */

static void head_message(const struct audit_signed_head *h, char *out, size_t n)
{
  snprintf(out, n, HEAD_CONTEXT "%lld:%s:%lld:%lld", (long long)h->seq, h->hash,
           (long long)h->keyed_from, (long long)h->at_ms);
}

int audit_head_sign(struct store_conn *c, int64_t now_ms, struct audit_signed_head *out,
                    struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  const struct audit_keys *k = audit_store_keys(c);
  if (!k)
    return fs_err_set(err, FS_ERR_CRYPTO, "audit", "signing a head needs the hub's key");
  char head[100];
  long long seq = 0;
  int rc = audit_head(c, head, err);
  if (rc)
    return rc;
  if (sscanf(head, "%lld:%64s", &seq, out->hash) != 2)
    return fs_err_set(err, FS_ERR_CORRUPT, "audit", "the last record has no hash");
  out->seq = seq;
  out->keyed_from = k->keyed_from;
  out->at_ms = now_ms;
  char msg[256];
  uint8_t sig[crypto_sign_BYTES];
  head_message(out, msg, sizeof(msg));
  crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), k->sign_sk);
  fs_hex_encode(sig, sizeof(sig), out->signature);
  snprintf(out->text, sizeof(out->text), "%lld:%s:%lld:%lld:%s", seq, out->hash,
           (long long)out->keyed_from, (long long)now_ms, out->signature);
  return FS_OK;
}

int audit_head_check(const char *text, const uint8_t pk[32], struct audit_signed_head *out,
                     struct fs_err *err)
{
  memset(out, 0, sizeof(*out));
  long long seq = -1, keyed = 0, at = 0;
  int used = 0;
  size_t n = strlen(text);
  while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
    n--;
  if (n >= sizeof(out->text) ||
      sscanf(text, "%lld:%64[0-9a-f]:%lld:%lld:%128[0-9a-f]%n", &seq, out->hash, &keyed, &at,
             out->signature, &used) != 5 ||
      (size_t)used != n || strlen(out->hash) != 64 || strlen(out->signature) != 128 || seq < 0 ||
      keyed < 1 || at < 0)
    return fs_err_set(err, FS_ERR_INVALID, "head",
                      "not a signed head (SEQ:HASH:KEYED_FROM:AT:SIGNATURE)");
  out->seq = seq;
  out->keyed_from = keyed;
  out->at_ms = at;
  memcpy(out->text, text, n);
  char msg[256];
  uint8_t sig[crypto_sign_BYTES];
  head_message(out, msg, sizeof(msg));
  if (fs_hex_decode(out->signature, 128, sig, sizeof(sig)) ||
      crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), pk))
    return fs_err_set(err, FS_ERR_CRYPTO, "head",
                      "the signature does not match this public key: the head was altered or "
                      "signed by another hub");
  return FS_OK;
}

void audit_public_key_hex(const struct audit_keys *k, char out[65])
{
  fs_hex_encode(k->sign_pk, sizeof(k->sign_pk), out);
}

int audit_public_key_parse(const char *hex, uint8_t pk[32], struct fs_err *err)
{
  if (!hex || strlen(hex) != 64 || fs_hex_decode(hex, 64, pk, 32))
    return fs_err_set(err, FS_ERR_INVALID, "key", "a public key is 64 hex digits (audit key)");
  return FS_OK;
}
