/* Deterministic generator of critical-data exports in the standard format for the vault benchmark:
 * `gen ACCOUNTS DAY OUTDIR` writes day DAY (0 = the first export) of a bank with ACCOUNTS accounts:
 * customers, accounts, balances, holds and transactions (CSV, sorted by key) and manifest.json.
 * Each day after the first changes 1.5 % of balances (scattered over the whole file), opens 0.1 %
 * new accounts, closes 0.05 %, and lists that day's transactions. Same arguments, same bytes. */
#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct acct {
  int64_t bal;
  int32_t hold_back;
  int16_t as_of; /* day of the last change */
  uint8_t alive, changed_today;
};

struct out {
  FILE *f;
  char *buf;
  size_t len, cap;
  gnutls_hash_hd_t h;
  uint64_t rows;
  char name[64];
};

static void out_flush(struct out *o)
{
  fwrite(o->buf, 1, o->len, o->f);
  gnutls_hash(o->h, o->buf, o->len);
  o->len = 0;
}

static char *room(struct out *o, size_t n)
{
  if (o->len + n > o->cap)
    out_flush(o);
  return o->buf + o->len;
}

static void put(struct out *o, const char *s, size_t n)
{
  memcpy(room(o, n), s, n);
  o->len += n;
}

static size_t fmt_money(char *p, int64_t cents)
{
  char tmp[32];
  size_t n = 0;
  int neg = cents < 0;
  uint64_t v = neg ? (uint64_t)-cents : (uint64_t)cents;
  tmp[n++] = (char)('0' + v % 10);
  v /= 10;
  tmp[n++] = (char)('0' + v % 10);
  v /= 10;
  tmp[n++] = '.';
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (neg)
    tmp[n++] = '-';
  for (size_t i = 0; i < n; i++)
    p[i] = tmp[n - 1 - i];
  return n;
}

static size_t fmt_id(char *p, char prefix, uint64_t id)
{
  p[0] = prefix;
  for (int i = 10; i >= 1; i--) {
    p[i] = (char)('0' + id % 10);
    id /= 10;
  }
  return 11;
}

static size_t fmt_date(char *p, int day)
{
  /* Day 0 is 2026-11-01; the generator stays within 2026-11-01 .. 2027-01-30 for <= 90 days. */
  static const int mdays[] = {30, 31, 31};
  int m = 0, d = day;
  while (m < 2 && d >= mdays[m])
    d -= mdays[m++];
  static const char *const ym[] = {"2026-11-", "2026-12-", "2027-01-"};
  memcpy(p, ym[m], 8);
  p[8] = (char)('0' + (d + 1) / 10);
  p[9] = (char)('0' + (d + 1) % 10);
  return 10;
}

static void open_out(struct out *o, const char *dir, const char *name, const char *header)
{
  char path[4096];
  snprintf(o->name, sizeof(o->name), "%s.csv", name);
  snprintf(path, sizeof(path), "%s/%s", dir, o->name);
  o->f = fopen(path, "wb");
  if (!o->f) {
    perror(path);
    exit(1);
  }
  o->cap = 8u << 20;
  o->buf = malloc(o->cap);
  o->len = 0;
  o->rows = 0;
  gnutls_hash_init(&o->h, GNUTLS_DIG_SHA256);
  put(o, header, strlen(header));
  put(o, "\n", 1);
}

static void close_out(struct out *o, FILE *manifest, const char *table, int last)
{
  out_flush(o);
  fclose(o->f);
  free(o->buf);
  unsigned char d[32];
  gnutls_hash_deinit(o->h, d);
  fprintf(manifest, "    {\"name\": \"%s\", \"table\": \"%s\", \"rows\": %llu, \"sha256\": \"",
          o->name, table, (unsigned long long)o->rows);
  for (int i = 0; i < 32; i++)
    fprintf(manifest, "%02x", d[i]);
  fprintf(manifest, "\"}%s\n", last ? "" : ",");
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: gen ACCOUNTS DAY OUTDIR\n");
    return 2;
  }
  uint64_t n0 = strtoull(argv[1], NULL, 10);
  int day = atoi(argv[2]);
  const char *dir = argv[3];
  if (day < 0 || day > 89 || !n0)
    return 2;
  uint64_t cap = n0 + n0 / 1000 * (uint64_t)(day + 1) + 16;
  struct acct *a = calloc(cap, sizeof(*a));
  uint64_t n = n0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t r = mix(i);
    a[i].bal = (int64_t)(r % 5000000000ull);
    a[i].hold_back = (int32_t)(r >> 40) % 100000;
    a[i].as_of = 0;
    a[i].alive = 1;
  }
  for (int d = 1; d <= day; d++) {
    uint64_t seed = mix(0xda7a0000u + (uint64_t)d);
    for (uint64_t i = 0; i < n; i++) {
      a[i].changed_today = 0;
      if (!a[i].alive)
        continue;
      uint64_t r = mix(seed ^ (i * 0x9e37ull));
      uint64_t u = r % 100000;
      if (u < 1500) { /* 1.5 % of balances change */
        int64_t amount = (int64_t)(r >> 20) % 2000000 - 1000000;
        a[i].bal += amount;
        a[i].as_of = (int16_t)d;
        a[i].changed_today = 1;
      } else if (u < 1550) { /* 0.05 % of accounts close */
        a[i].alive = 0;
      }
    }
    uint64_t add = n0 / 1000; /* 0.1 % new accounts */
    for (uint64_t k = 0; k < add; k++, n++) {
      uint64_t r = mix(n);
      a[n].bal = (int64_t)(r % 5000000000ull);
      a[n].hold_back = (int32_t)(r >> 40) % 100000;
      a[n].as_of = (int16_t)d;
      a[n].alive = 1;
    }
  }
  char path[4096];
  snprintf(path, sizeof(path), "%s/manifest.json", dir);
  FILE *mf = fopen(path, "w");
  if (!mf) {
    perror(path);
    return 1;
  }
  char date[11] = {0};
  fmt_date(date, day);
  fprintf(mf,
          "{\n  \"format\": \"finshield-critical-data\",\n  \"version\": 1,\n"
          "  \"institution\": \"Bench Bank\",\n  \"business_date\": \"%s\",\n  \"files\": [\n",
          date);
  static const char *const products[] = {"savings", "checking", "time_deposit", "loan",
                                         "credit_card"};
  struct out cu, ac, ba, ho, tx;
  open_out(&cu, dir, "customers", "customer_id,full_name,id_hash,phone,branch");
  open_out(&ac, dir, "accounts", "account_id,customer_id,product,currency,status,opened");
  open_out(&ba, dir, "balances", "account_id,ledger,available,as_of");
  open_out(&ho, dir, "holds", "hold_id,account_id,amount,reason,placed,expires");
  open_out(&tx, dir, "transactions", "txn_id,account_id,posted,amount,balance_after,description");
  uint64_t tseq = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (!a[i].alive)
      continue;
    uint64_t id = i + 1, r = mix(i);
    char *p = room(&cu, 200), *s = p;
    p += fmt_id(p, 'C', id);
    p += (size_t)snprintf(p, 64, ",Customer %llu,", (unsigned long long)id);
    for (int k = 0; k < 4; k++) {
      uint64_t h = mix(r + (uint64_t)k);
      for (int b = 0; b < 16; b++)
        *p++ = "0123456789abcdef"[(h >> (4 * b)) & 15];
    }
    p += (size_t)snprintf(p, 64, ",+886-2-%08llu,B%03llu\n", (unsigned long long)(r % 100000000),
                          (unsigned long long)(id % 300));
    cu.len += (size_t)(p - s);
    cu.rows++;

    p = s = room(&ac, 128);
    p += fmt_id(p, 'A', id);
    *p++ = ',';
    p += fmt_id(p, 'C', id);
    p += (size_t)snprintf(p, 64, ",%s,TWD,active,", products[id % 5]);
    p += (size_t)snprintf(p, 16, "20%02llu-%02llu-%02llu\n", (unsigned long long)(10 + id % 16),
                          (unsigned long long)(1 + id % 12), (unsigned long long)(1 + id % 28));
    ac.len += (size_t)(p - s);
    ac.rows++;

    p = s = room(&ba, 128);
    p += fmt_id(p, 'A', id);
    *p++ = ',';
    p += fmt_money(p, a[i].bal);
    *p++ = ',';
    p += fmt_money(p, a[i].bal - a[i].hold_back);
    *p++ = ',';
    p += fmt_date(p, a[i].as_of);
    *p++ = '\n';
    ba.len += (size_t)(p - s);
    ba.rows++;

    if (id % 97 == 0) {
      p = s = room(&ho, 160);
      p += fmt_id(p, 'H', id);
      *p++ = ',';
      p += fmt_id(p, 'A', id);
      *p++ = ',';
      p += fmt_money(p, a[i].hold_back);
      p += (size_t)snprintf(p, 64, ",\"court order, case %llu\",2026-10-05,\n",
                            (unsigned long long)id);
      ho.len += (size_t)(p - s);
      ho.rows++;
    }
    if (a[i].changed_today) {
      p = s = room(&tx, 160);
      p += fmt_id(p, 'T', (uint64_t)day * 100000000ull + ++tseq);
      *p++ = ',';
      p += fmt_id(p, 'A', id);
      *p++ = ',';
      p += fmt_date(p, day);
      *p++ = ',';
      p += fmt_money(p, (int64_t)(mix(i ^ (uint64_t)day) % 1000000) - 500000);
      *p++ = ',';
      p += fmt_money(p, a[i].bal);
      p += (size_t)snprintf(p, 32, ",transfer\n");
      tx.len += (size_t)(p - s);
      tx.rows++;
    }
  }
  close_out(&cu, mf, "customers", 0);
  close_out(&ac, mf, "accounts", 0);
  close_out(&ba, mf, "balances", 0);
  close_out(&ho, mf, "holds", 0);
  close_out(&tx, mf, "transactions", 1);
  fprintf(mf, "  ]\n}\n");
  fclose(mf);
  free(a);
  return 0;
}
