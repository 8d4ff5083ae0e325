/* Unit tests of the vault's pure parts: sealing, chunker, binary formats, delta operations, the
 * standard critical-data validator and manifest, token files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vault/cdf.h"
#include "vault/continuity.h"
#include "vault/crypto.h"
#include "vault/format.h"
#include "vault/internal.h"
#include "vault/snapfmt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rnd(uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Sealing goes through OpenSSL and must stay byte for byte libsodium's XChaCha20-Poly1305-IETF
 * (format version 1): each opens what the other sealed, in place too, and a flipped bit is refused
 * with nothing unauthenticated left in the output. */
static void test_seal_is_libsodium_xchacha20poly1305(void **state)
{
  (void)state;
  assert_true(sodium_init() >= 0);
  uint8_t key[VAULT_KEY_LEN], ad[33];
  randombytes_buf(key, sizeof(key));
  randombytes_buf(ad, sizeof(ad));
  static const size_t sizes[] = {0, 1, 63, 64, 65, 1000, 1u << 20};
  for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
    size_t n = sizes[k];
    uint8_t *plain = malloc(n + 1), *sealed = malloc(n + VAULT_SEAL_OVERHEAD),
            *out = malloc(n + VAULT_SEAL_OVERHEAD);
    assert_non_null(plain);
    assert_non_null(sealed);
    assert_non_null(out);
    randombytes_buf(plain, n + 1);
    size_t adlen = k % 2 ? sizeof(ad) : 0;
    vault_seal(key, ad, adlen, plain, n, sealed);
    unsigned long long got;
    assert_int_equal(
        crypto_aead_xchacha20poly1305_ietf_decrypt(out, &got, NULL, sealed + VAULT_NONCE_LEN,
                                                   n + VAULT_TAG_LEN, ad, adlen, sealed, key),
        0);
    assert_int_equal(got, n);
    assert_memory_equal(out, plain, n);
    /* libsodium seals, vault_open_sealed opens, then in place. */
    randombytes_buf(sealed, VAULT_NONCE_LEN);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + VAULT_NONCE_LEN, &clen, plain, n, ad, adlen,
                                               NULL, sealed, key);
    memset(out, 0, n + 1);
    assert_int_equal(vault_open_sealed(key, ad, adlen, sealed, n + VAULT_SEAL_OVERHEAD, out),
                     FS_OK);
    assert_memory_equal(out, plain, n);
    memcpy(out, sealed, n + VAULT_SEAL_OVERHEAD);
    assert_int_equal(
        vault_open_sealed(key, ad, adlen, out, n + VAULT_SEAL_OVERHEAD, out + VAULT_NONCE_LEN),
        FS_OK);
    assert_memory_equal(out + VAULT_NONCE_LEN, plain, n);
    /* A flipped bit anywhere (nonce, ciphertext, tag) or other associated data: refused. */
    for (size_t at = 0; at < n + VAULT_SEAL_OVERHEAD; at += 1 + (n + VAULT_SEAL_OVERHEAD) / 7) {
      memcpy(out, sealed, n + VAULT_SEAL_OVERHEAD);
      out[at] ^= 0x10;
      assert_int_equal(
          vault_open_sealed(key, ad, adlen, out, n + VAULT_SEAL_OVERHEAD, out + VAULT_NONCE_LEN),
          FS_ERR_CORRUPT);
      for (size_t i = 0; i < n; i++)
        assert_int_equal(out[VAULT_NONCE_LEN + i], 0);
    }
    if (adlen) {
      ad[0] ^= 1;
      assert_int_equal(vault_open_sealed(key, ad, adlen, sealed, n + VAULT_SEAL_OVERHEAD, out),
                       FS_ERR_CORRUPT);
      ad[0] ^= 1;
    }
    free(plain);
    free(sealed);
    free(out);
  }
}

static void test_chunker_bounds_and_shift(void **state)
{
  (void)state;
  uint64_t gear[256], s = 88172645463325252ull;
  for (int i = 0; i < 256; i++)
    gear[i] = rnd(&s);
  size_t n = 12u << 20;
  uint8_t *p = malloc(n + 4096);
  for (size_t i = 0; i < n + 4096; i++)
    p[i] = (uint8_t)rnd(&s);
  /* Cut points: every chunk within [MIN, MAX] except the last; sizes average about 1 MiB. */
  size_t pos = 0, count = 0, cuts[64];
  while (pos < n) {
    size_t c = vault_chunker_cut(gear, p + pos, n - pos);
    assert_true(c > 0);
    if (pos + c < n) {
      assert_true(c >= VAULT_CHUNK_MIN);
      assert_true(c <= VAULT_CHUNK_MAX);
    }
    pos += c;
    cuts[count++ % 64] = pos;
  }
  assert_true(count >= 4 && count <= 40);
  /* Content-defined: inserting bytes at the front moves the cuts with the content. */
  uint8_t *q = malloc(n + 4096);
  memcpy(q, "0123456789", 10);
  memcpy(q + 10, p, n);
  size_t pos2 = 0, same = 0;
  while (pos2 < n + 10) {
    pos2 += vault_chunker_cut(gear, q + pos2, n + 10 - pos2);
    for (size_t i = 0; i < count && i < 64; i++)
      same += cuts[i] + 10 == pos2 && pos2 < n;
  }
  assert_true(same >= 2);
  free(p);
  free(q);
}

static void test_desc_roundtrip(void **state)
{
  (void)state;
  uint8_t ids[3][32], ops[1][32];
  uint32_t lens[3] = {10, 20, 30};
  memset(ids, 7, sizeof(ids));
  memset(ops, 9, sizeof(ops));
  struct vault_desc d = {.kind = VAULT_DESC_DELTA,
                         .size = 60,
                         .depth = 3,
                         .version = 6,
                         .parent_size = 99,
                         .ndata = 3,
                         .data = ids,
                         .data_len = lens,
                         .nops = 1,
                         .ops = ops};
  memset(d.parent, 5, 32);
  memset(d.base, 6, 32);
  struct fs_buf b;
  fs_buf_init(&b, 0);
  assert_int_equal(vault_desc_encode(&b, &d), 0);
  struct vault_desc e;
  struct fs_err err;
  assert_int_equal(vault_desc_parse((uint8_t *)b.data, b.len, &e, &err), 0);
  assert_int_equal(e.kind, VAULT_DESC_DELTA);
  assert_int_equal(e.depth, 3);
  assert_int_equal(e.version, 6);
  assert_memory_equal(e.base, d.base, 32);
  assert_int_equal(e.parent_size, 99);
  assert_int_equal(e.ndata, 3);
  assert_int_equal(e.data_len[2], 30);
  assert_int_equal(e.nops, 1);
  assert_memory_equal(e.parent, d.parent, 32);
  assert_false(e.has_check);
  assert_int_equal(((uint8_t *)b.data)[4], 1);
  vault_desc_release(&e);
  /* Every truncation is refused, never read past. */
  for (size_t cut = 0; cut < b.len; cut++)
    assert_int_not_equal(vault_desc_parse((uint8_t *)b.data, cut, &e, &err), 0);
  /* Version 2 carries the file check; everything else reads the same. */
  d.has_check = true;
  memset(d.check, 0xc3, sizeof(d.check));
  size_t v1len = b.len;
  fs_buf_reset(&b);
  assert_int_equal(vault_desc_encode(&b, &d), 0);
  assert_int_equal(b.len, v1len + VAULT_CHECK_LEN);
  assert_int_equal(((uint8_t *)b.data)[4], VAULT_DESC_VERSION_CHECK);
  assert_int_equal(vault_desc_parse((uint8_t *)b.data, b.len, &e, &err), 0);
  assert_true(e.has_check);
  assert_memory_equal(e.check, d.check, VAULT_CHECK_LEN);
  assert_memory_equal(e.base, d.base, 32);
  assert_int_equal(e.nops, 1);
  assert_int_equal(e.data_len[2], 30);
  vault_desc_release(&e);
  for (size_t cut = 0; cut < b.len; cut++)
    assert_int_not_equal(vault_desc_parse((uint8_t *)b.data, cut, &e, &err), 0);
  ((uint8_t *)b.data)[4] = 3;
  assert_int_equal(vault_desc_parse((uint8_t *)b.data, b.len, &e, &err), FS_ERR_UNSUPPORTED);
  d.has_check = false;
  /* A chunk list whose lengths do not add up to the size is refused. */
  d.kind = VAULT_DESC_CHUNKS;
  d.size = 61;
  d.depth = 0;
  d.version = 0;
  d.nops = 0;
  fs_buf_reset(&b);
  assert_int_equal(vault_desc_encode(&b, &d), 0);
  assert_int_equal(vault_desc_parse((uint8_t *)b.data, b.len, &e, &err), FS_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, "add up"));
  fs_buf_release(&b);
}

/* One file check through the sum, fed in uneven pieces. */
static void file_check(const struct vault_keys *k, unsigned want, const uint8_t *p, size_t n,
                       uint8_t sha[32], uint8_t check[VAULT_CHECK_LEN])
{
  struct vault_sum sum;
  assert_int_equal(vault_sum_init(&sum, k, want), 0);
  for (size_t off = 0, piece = 1; off < n; off += piece, piece = piece * 3 + 1)
    vault_sum_update(&sum, p + off, piece < n - off ? piece : n - off);
  vault_sum_final(&sum, k, sha, check);
}

/* The file check is Poly1305 under (r, pad): OpenSSL's and libsodium's agree with libsodium's
 * one-shot Poly1305 under that key, and any change of a byte, of the length or of the expected
 * SHA-256 is caught. */
static void test_file_check_is_poly1305(void **state)
{
  (void)state;
  uint8_t master[32];
  randombytes_buf(master, sizeof(master));
  struct vault_keys *k = malloc(sizeof(*k));
  assert_non_null(k);
  vault_keys_derive(k, master);
  size_t sizes[] = {0, 1, 15, 16, 17, 1000, 65536 + 3};
  uint8_t *p = malloc(65536 + 3);
  assert_non_null(p);
  randombytes_buf(p, 65536 + 3);
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    size_t n = sizes[i];
    uint8_t sha[32], sha2[32], check[VAULT_CHECK_LEN], check2[VAULT_CHECK_LEN];
    file_check(k, VAULT_SUM_SHA256 | VAULT_SUM_CHECK, p, n, sha, check);
    vault_sha256(p, n, sha2);
    assert_memory_equal(sha, sha2, 32);
    file_check(k, VAULT_SUM_SHA256 | VAULT_SUM_CHECK_SODIUM, p, n, sha2, check2);
    assert_memory_equal(check, check2, VAULT_CHECK_LEN);
    uint8_t key[32], in[40], direct[16];
    memcpy(key, k->check_r, 16);
    memcpy(in, sha, 32);
    vault_put_u64(in + 32, n);
    crypto_generichash(key + 16, 16, in, sizeof(in), k->check_pad, 32);
    crypto_onetimeauth(direct, p, n, key);
    assert_memory_equal(check, direct, VAULT_CHECK_LEN);
    /* Without SHA-256, the pad comes from the expected digest the caller gives. */
    memcpy(sha2, sha, 32);
    file_check(k, VAULT_SUM_CHECK, p, n, sha2, check2);
    assert_memory_equal(check, check2, VAULT_CHECK_LEN);
    struct vault_desc d = {.size = n, .has_check = true};
    memcpy(d.sha256, sha, 32);
    memcpy(d.check, check, VAULT_CHECK_LEN);
    struct vault_sum sum;
    assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_CHECK), 0);
    vault_sum_update(&sum, p, n);
    assert_true(vault_sum_matches(&sum, k, &d));
    if (n) { /* one flipped bit */
      p[n / 2] ^= 4;
      assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_CHECK), 0);
      vault_sum_update(&sum, p, n);
      assert_false(vault_sum_matches(&sum, k, &d));
      assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_SHA256), 0);
      vault_sum_update(&sum, p, n);
      assert_false(vault_sum_matches(&sum, k, &d));
      p[n / 2] ^= 4;
    }
    /* One byte more (a zero: Poly1305 pads blocks with zeros, the length still differs). */
    assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_CHECK), 0);
    vault_sum_update(&sum, p, n);
    vault_sum_update(&sum, "", 1);
    assert_false(vault_sum_matches(&sum, k, &d));
    /* Another content's digest gives another pad. */
    d.sha256[0] ^= 1;
    assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_CHECK), 0);
    vault_sum_update(&sum, p, n);
    assert_false(vault_sum_matches(&sum, k, &d));
    /* A descriptor without a check never matches a check. */
    d.sha256[0] ^= 1;
    d.has_check = false;
    assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_CHECK), 0);
    vault_sum_update(&sum, p, n);
    assert_false(vault_sum_matches(&sum, k, &d));
    assert_int_equal(vault_sum_init(&sum, k, VAULT_SUM_SHA256 | VAULT_SUM_CHECK), 0);
    vault_sum_abandon(&sum);
  }
  vault_keys_wipe(k);
  free(k);
  free(p);
}

static void test_ops_roundtrip(void **state)
{
  (void)state;
  struct fs_buf b;
  fs_buf_init(&b, 0);
  struct vault_op in[] = {{100, 0, 5}, {0, 7, 0}, {1ull << 40, 3, 128}};
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(vault_op_encode(&b, &in[i]), 0);
  uint64_t used, prod, ins;
  struct fs_err err;
  assert_int_equal(vault_ops_check((uint8_t *)b.data, b.len, &used, &prod, &ins, &err), 0);
  assert_int_equal(used, 100 + 7 + (1ull << 40) + 3);
  assert_int_equal(prod, 100 + 5 + (1ull << 40) + 128);
  assert_int_equal(ins, 133);
  assert_int_equal(vault_ops_check((uint8_t *)b.data, b.len - 1, &used, &prod, &ins, &err),
                   FS_ERR_CORRUPT);
  fs_buf_release(&b);
}

static void test_trailer_and_index(void **state)
{
  (void)state;
  struct fs_buf b;
  fs_buf_init(&b, 0);
  uint8_t cnt[4];
  vault_put_u32(cnt, 2);
  fs_buf_append(&b, cnt, 4);
  struct vault_entry e1 = {.type = VAULT_BLOB_CHUNK, .offset = 8, .enc_len = 100, .raw_len = 80};
  struct vault_entry e2 = {.type = VAULT_BLOB_DESC, .offset = 108, .enc_len = 50, .raw_len = 60};
  memset(e1.id, 1, 32);
  memset(e2.id, 2, 32);
  vault_entry_encode(&b, &e1);
  vault_entry_encode(&b, &e2);
  struct vault_entry *out;
  size_t n;
  struct fs_err err;
  assert_int_equal(vault_trailer_parse((uint8_t *)b.data, b.len, 158, &out, &n, &err), 0);
  assert_int_equal(n, 2);
  assert_int_equal(out[1].offset, 108);
  free(out);
  /* Blobs past the data end or overlapping are refused. */
  assert_int_equal(vault_trailer_parse((uint8_t *)b.data, b.len, 150, &out, &n, &err),
                   FS_ERR_CORRUPT);
  b.data[4 + VAULT_ENTRY_LEN + 33] = 50; /* second blob now starts inside the first */
  assert_int_equal(vault_trailer_parse((uint8_t *)b.data, b.len, 158, &out, &n, &err),
                   FS_ERR_CORRUPT);
  fs_buf_release(&b);

  /* An index with one pack of one blob. */
  fs_buf_init(&b, 0);
  vault_put_u32(cnt, 1);
  fs_buf_append(&b, cnt, 4);
  uint8_t h[44];
  memset(h, 3, 32);
  vault_put_u64(h + 32, 1000);
  vault_put_u32(h + 40, 1);
  fs_buf_append(&b, h, 44);
  vault_entry_encode(&b, &e1);
  struct vault_index_file f;
  assert_int_equal(vault_index_file_parse((uint8_t *)b.data, b.len, &f, &err), 0);
  assert_int_equal(f.npacks, 1);
  assert_int_equal(f.nentries, 1);
  assert_int_equal(f.packs[0].size, 1000);
  vault_index_file_release(&f);
  for (size_t cut = 0; cut < b.len; cut++)
    assert_int_not_equal(vault_index_file_parse((uint8_t *)b.data, cut, &f, &err), 0);
  fs_buf_release(&b);
}

/* ---- the standard critical-data format ----------------------------------------------------------
 */

static const char GOOD_BALANCES[] = "account_id,ledger,available,as_of\n"
                                    "A001,100.50,90.00,2026-11-27\n"
                                    "A002,-3.1,0,2026-02-28\n"
                                    "A010,0.000001,0.5,2024-02-29\n";

static void test_cdf_good(void **state)
{
  (void)state;
  struct vault_problems p = {0};
  uint64_t rows;
  const struct vault_cdf_table *t = vault_cdf_table("balances");
  assert_non_null(t);
  assert_int_equal(vault_cdf_validate(t, VAULT_CDF_CSV, "balances.csv", GOOD_BALANCES,
                                      strlen(GOOD_BALANCES), &p, &rows),
                   0);
  assert_int_equal(rows, 3);
  assert_int_equal(p.n, 0);
  static const char holds[] = "hold_id,account_id,amount,reason,placed,expires\n"
                              "H1,A1,5.00,\"court order, \"\"urgent\"\"\",2026-01-05,\n"
                              "H2,A1,1.00,法院扣押,2026-01-05,2027-01-05\n";
  assert_int_equal(vault_cdf_validate(vault_cdf_table("holds"), VAULT_CDF_CSV, "holds.csv", holds,
                                      strlen(holds), &p, &rows),
                   0);
  assert_int_equal(rows, 2);
  static const char jl[] =
      "{\"account_id\":\"A1\",\"ledger\":\"1.00\",\"available\":\"1\",\"as_of\":\"2026-11-27\"}\n"
      "{\"as_of\":\"2026-11-27\",\"available\":\"2\",\"ledger\":\"2\",\"account_id\":\"A2\"}\n";
  assert_int_equal(
      vault_cdf_validate(t, VAULT_CDF_JSONL, "balances.jsonl", jl, strlen(jl), &p, &rows), 0);
  assert_int_equal(rows, 2);
  const struct vault_cdf_table *tt;
  enum vault_cdf_format fmt;
  assert_true(vault_cdf_table_of_file("/x/accounts.jsonl", &tt, &fmt));
  assert_string_equal(tt->name, "accounts");
  assert_int_equal(fmt, VAULT_CDF_JSONL);
  assert_false(vault_cdf_table_of_file("ledger.csv", &tt, &fmt));
  vault_problems_release(&p);
}

static void test_cdf_errors_name_file_line_field(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    const char *want; /* a substring of the first problem */
  } cases[] = {
      {"account_id,ledger,available\n", "balances.csv:1: header must be"},
      {"account_id,ledger,available,as_of\nA1,1.0,x,2026-01-01\n",
       "balances.csv:2: field \"available\" (column 3): is not a decimal"},
      {"account_id,ledger,available,as_of\nA1,1,1,2026-02-30\n",
       "balances.csv:2: field \"as_of\" (column 4): is not a date"},
      {"account_id,ledger,available,as_of\nA2,1,1,2026-01-01\nA1,1,1,2026-01-01\n",
       "balances.csv:3: field \"account_id\" (column 1): key \"A1\" is out of order"},
      {"account_id,ledger,available,as_of\nA1,1,1,2026-01-01\nA1,1,1,2026-01-01\n",
       "balances.csv:3: field \"account_id\" (column 1): duplicate key"},
      {"account_id,ledger,available,as_of\nA1,1,1\n", "balances.csv:2: row has 3 fields"},
      {"account_id,ledger,available,as_of\nA1,1,1,2026-01-01,x\n",
       "balances.csv:2: row has more fields"},
      {"account_id,ledger,available,as_of\nA 1,1,1,2026-01-01\n",
       "balances.csv:2: field \"account_id\" (column 1): is not an id"},
      {"account_id,ledger,available,as_of\r\n", "balances.csv:1: line ends with CR"},
      {"account_id,ledger,available,as_of\nA1,1,1,2026-01-01",
       "balances.csv:2: last line does not end"},
      {"account_id,ledger,available,as_of\nA1,1234567890123456789,1,2026-01-01\n",
       "more than 18 integer"},
      {"", "file is empty"},
  };
  const struct vault_cdf_table *t = vault_cdf_table("balances");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct vault_problems p = {0};
    uint64_t errs = vault_cdf_validate(t, VAULT_CDF_CSV, "balances.csv", cases[i].text,
                                       strlen(cases[i].text), &p, NULL);
    assert_true(errs > 0);
    assert_true(p.n > 0);
    if (!strstr(p.items[0], cases[i].want))
      fail_msg("case %zu: got \"%s\", want \"%s\"", i, p.items[0], cases[i].want);
    vault_problems_release(&p);
  }
  /* Several errors are all reported, each with its own line. */
  static const char many[] =
      "customer_id,full_name,id_hash,phone,branch\n"
      "C1,Ann,abc,,B1\n"
      "C2,,0000000000000000000000000000000000000000000000000000000000000000,,B1\n"
      "C3,Bob\x01,0000000000000000000000000000000000000000000000000000000000000000,,B1\n";
  struct vault_problems p = {0};
  assert_int_equal(vault_cdf_validate(vault_cdf_table("customers"), VAULT_CDF_CSV, "customers.csv",
                                      many, strlen(many), &p, NULL),
                   3);
  assert_non_null(strstr(p.items[0], "customers.csv:2: field \"id_hash\""));
  assert_non_null(strstr(p.items[1], "customers.csv:3: field \"full_name\" (column 2): is empty"));
  assert_non_null(strstr(p.items[2], "customers.csv:4: field \"full_name\""));
  vault_problems_release(&p);
  static const char jl[] = "{\"account_id\":\"A1\",\"ledger\":1,\"available\":\"1\",\"as_of\":"
                           "\"2026-11-27\",\"x\":\"\"}\n";
  assert_int_equal(vault_cdf_validate(vault_cdf_table("balances"), VAULT_CDF_JSONL, "b.jsonl", jl,
                                      strlen(jl), &p, NULL),
                   2);
  assert_non_null(strstr(p.items[0], "unknown field \"x\""));
  assert_non_null(strstr(p.items[1], "field \"ledger\" (column 2): must be a string"));
  vault_problems_release(&p);
}

static void test_manifest(void **state)
{
  (void)state;
  static const char good[] =
      "{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"Bank\","
      "\"business_date\":\"2026-11-27\",\"files\":[{\"name\":\"balances.csv\",\"table\":"
      "\"balances\","
      "\"rows\":3,\"sha256\":\""
      "0000000000000000000000000000000000000000000000000000000000000000"
      "\"}]}";
  struct vault_cdf_manifest m;
  struct fs_err err;
  assert_int_equal(vault_cdf_manifest_parse(good, strlen(good), &m, &err), 0);
  assert_int_equal(m.nfiles, 1);
  assert_string_equal(m.business_date, "2026-11-27");
  static const struct {
    const char *text, *where;
  } bad[] = {
      {"{\"format\":\"x\"}", "$.format"},
      {"{\"format\":\"finshield-critical-data\",\"version\":2,\"institution\":\"B\",\"business_"
       "date\":\"2026-11-27\",\"files\":[]}",
       "$.version"},
      {"{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"B\",\"business_"
       "date\":\"2026-13-27\",\"files\":[]}",
       "$.business_date"},
      {"{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"B\",\"business_"
       "date\":\"2026-11-27\",\"files\":[]}",
       "$.files"},
      {"{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"B\",\"business_"
       "date\":\"2026-11-27\",\"files\":[{\"name\":\"x.csv\",\"table\":\"balances\",\"rows\":1,"
       "\"sha256\":\"00\"}]}",
       "$.files[0]"},
      {"{\"format\":\"finshield-critical-data\",\"version\":1,\"institution\":\"B\",\"business_"
       "date\":\"2026-11-27\",\"extra\":1,\"files\":[]}",
       "$.extra"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_not_equal(vault_cdf_manifest_parse(bad[i].text, strlen(bad[i].text), &m, &err), 0);
    if (!strstr(err.where, bad[i].where))
      fail_msg("case %zu: where \"%s\", want \"%s\"", i, err.where, bad[i].where);
  }
}

static void test_tokens_and_snapshot_parse(void **state)
{
  (void)state;
  uint8_t h[4][32];
  size_t n;
  struct fs_err err;
  static const char ok[] =
      "# tokens\n"
      "0000000000000000000000000000000000000000000000000000000000000001\tops\n";
  assert_int_equal(vault_tokens_parse(ok, strlen(ok), h, 4, &n, &err), 0);
  assert_int_equal(n, 1);
  assert_int_equal(h[0][31], 1);
  assert_int_not_equal(vault_tokens_parse("xyz\tname\n", 9, h, 4, &n, &err), 0);
  struct vault_snapshot s;
  static const char snap[] =
      "{\"v\":1,\"seq\":2,\"parent\":\""
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "\",\"time_ms\":1,\"kind\":\"backup\",\"institution\":\"\",\"business_date\":\"\",\"host\":"
      "\"h\","
      "\"files\":[{\"path\":\"d\",\"type\":\"d\",\"mode\":493,\"mtime_ms\":0},"
      "{\"path\":\"d/../x\",\"type\":\"f\",\"mode\":420,\"mtime_ms\":0}]}";
  assert_int_equal(vault_snapshot_parse(snap, strlen(snap), &s, &err), FS_ERR_CORRUPT);
  assert_non_null(strstr(err.msg, ".."));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seal_is_libsodium_xchacha20poly1305),
      cmocka_unit_test(test_chunker_bounds_and_shift),
      cmocka_unit_test(test_desc_roundtrip),
      cmocka_unit_test(test_file_check_is_poly1305),
      cmocka_unit_test(test_ops_roundtrip),
      cmocka_unit_test(test_trailer_and_index),
      cmocka_unit_test(test_cdf_good),
      cmocka_unit_test(test_cdf_errors_name_file_line_field),
      cmocka_unit_test(test_manifest),
      cmocka_unit_test(test_tokens_and_snapshot_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
