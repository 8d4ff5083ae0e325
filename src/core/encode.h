/* Byte encodings and digests used across modules: hex, base64url, UTF-8 checks, SHA-256 and
 * random bytes. */
#ifndef FS_CORE_ENCODE_H
#define FS_CORE_ENCODE_H

#include "core/base.h"

/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void fs_hex_encode(const void *in, size_t n, char *out);
/* Decodes exactly 2*n hex digits (either case) into n bytes. FS_OK or FS_ERR_PARSE (out may
 * then hold anything). The one hex decoder of the program. */
int fs_hex_decode(const char *in, size_t hex_len, void *out, size_t n);
/* The value of hex digit c (either case), or -1. */
int fs_hex_digit(char c);

/* The value of the four hex digits at s (either case; the caller has checked that four bytes are
 * there), as in JSON's \uXXXX. FS_OK, or FS_ERR_PARSE when one is not a hex digit. */
int fs_hex4_decode(const char *s, unsigned *out);

/* Base64url without padding into out (fs_b64url_len(n)+1 bytes, NUL-terminated). */
size_t fs_b64url_len(size_t n);
void fs_b64url_encode(const void *in, size_t n, char *out);

/* SHA-256 of n bytes. */
void fs_sha256(const void *in, size_t n, uint8_t out[32]);
/* SHA-256 as 64 lower-case hex digits plus NUL. */
void fs_sha256_hex(const void *in, size_t n, char out[65]);

/* Length of the UTF-8 sequence starting at s (at most n bytes, n > 0), 0 when invalid (overlong,
 * surrogate, beyond U+10FFFF, cut short). */
size_t fs_utf8_len(const unsigned char *s, size_t n);
/* Writes code point cp (at most U+10FFFF; the caller rejects or replaces surrogates) as UTF-8 at
 * out, which has room for 4 bytes; returns the bytes written (1-4). */
size_t fs_utf8_encode(char *out, unsigned cp);
/* Makes s[0..n) printable UTF-8 in place for storing text received from outside: invalid bytes
 * become '?', control characters other than tab become spaces, a sequence cut at the end is
 * dropped. Writes a NUL at the new length (s has room for n+1 bytes) and returns it. */
size_t fs_utf8_scrub(char *s, size_t n);

/* n cryptographically secure random bytes. */
void fs_random(void *out, size_t n);
/* Constant-time equality of two n-byte buffers. */
bool fs_ct_equal(const void *a, const void *b, size_t n);

/* A 32-byte key for one purpose, derived from a master key (the hub's secret) and a label naming
 * the purpose: keyed BLAKE2b-256 of the label. Keys for different labels are independent, and
 * none tells anything of the master key. */
void fs_key_derive(const uint8_t master[32], const char *label, uint8_t out[32]);

/* Initializes the crypto library once per process; FS_OK or FS_ERR_CRYPTO. */
int fs_crypto_init(void);

#endif
