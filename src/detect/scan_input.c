/* Scan inputs: a file or standard input, plain, gzip (several members) or zstd (several frames),
 * told apart by their first bytes. */
#include "detect/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_SIZE (256 * 1024)

enum kind { K_PLAIN, K_GZIP, K_ZSTD };

struct detect_input {
  int fd;
  bool own_fd;
  enum kind kind;
  char path[512];
  unsigned char *raw; /* compressed bytes read but not yet used */
  size_t raw_pos, raw_len;
  bool eof;
  z_stream z;
  bool z_live;
  ZSTD_DStream *zs;
  size_t zs_ret;     /* 0 between frames */
  uint64_t consumed; /* bytes read from the file so far */
};

static int io_fail(struct detect_input *in, const char *msg, struct fs_err *err)
{
  return fs_err_set(err, FS_ERR_IO, in->path, "%s", msg);
}

/* Refills raw when it is used up; false at the end of the file. */
static int refill(struct detect_input *in, struct fs_err *err)
{
  if (in->raw_pos < in->raw_len || in->eof)
    return FS_OK;
  ssize_t n;
  do
    n = read(in->fd, in->raw, RAW_SIZE);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return io_fail(in, strerror(errno), err);
  in->consumed += (uint64_t)n;
  in->raw_pos = 0;
  in->raw_len = (size_t)n;
  in->eof = n == 0;
  return FS_OK;
}

int detect_input_open(const char *path, struct detect_input **out, struct fs_err *err)
{
  struct detect_input *in = calloc(1, sizeof(*in));
  *out = NULL;
  if (!in || !(in->raw = malloc(RAW_SIZE))) {
    free(in);
    return fs_err_set(err, FS_ERR_NOMEM, path, "out of memory");
  }
  snprintf(in->path, sizeof(in->path), "%s", path);
  if (!strcmp(path, "-")) {
    in->fd = 0;
  } else if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
    int rc = fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, path,
                        "cannot open: %s", strerror(errno));
    free(in->raw);
    free(in);
    return rc;
  } else {
    in->own_fd = true;
  }
  int rc = refill(in, err);
  /* A short first read may hold less than the magic; that is fine for plain text. */
  if (!rc && in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
    in->kind = K_GZIP;
    if (inflateInit2(&in->z, 15 + 32) != Z_OK)
      rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory for the gzip decompressor");
    else
      in->z_live = true;
  } else if (!rc && in->raw_len >= 4 && !memcmp(in->raw, "\x28\xb5\x2f\xfd", 4)) {
    in->kind = K_ZSTD;
    if (!(in->zs = ZSTD_createDStream()))
      rc = fs_err_set(err, FS_ERR_NOMEM, path, "out of memory for the zstd decompressor");
    else
      ZSTD_initDStream(in->zs);
  }
  if (rc) {
    detect_input_close(in);
    return rc;
  }
  *out = in;
  return FS_OK;
}

void detect_input_close(struct detect_input *in)
{
  if (!in)
    return;
  if (in->z_live)
    inflateEnd(&in->z);
  ZSTD_freeDStream(in->zs);
  if (in->own_fd)
    close(in->fd);
  free(in->raw);
  free(in);
}

static int read_gzip(struct detect_input *in, char *buf, size_t cap, size_t *got,
                     struct fs_err *err)
{
  *got = 0;
  while (*got < cap) {
    int rc = refill(in, err);
    if (rc)
      return rc;
    if (in->raw_pos == in->raw_len) /* end of the file */
      return in->zs_ret ? io_fail(in, "gzip stream cut short", err) : FS_OK;
    size_t room = FS_MIN(cap - *got, (size_t)UINT32_MAX);
    in->z.next_in = in->raw + in->raw_pos;
    in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
    in->z.next_out = (Bytef *)buf + *got;
    in->z.avail_out = (uInt)room;
    int z = inflate(&in->z, Z_NO_FLUSH);
    in->raw_pos = in->raw_len - in->z.avail_in;
    *got += room - in->z.avail_out;
    if (z == Z_STREAM_END) {
      in->zs_ret = 0;
      inflateReset(&in->z); /* another member may follow */
    } else if (z == Z_OK || z == Z_BUF_ERROR) {
      in->zs_ret = 1;
    } else {
      return io_fail(in, in->z.msg ? in->z.msg : "gzip data is damaged", err);
    }
  }
  return FS_OK;
}

static int read_zstd(struct detect_input *in, char *buf, size_t cap, size_t *got,
                     struct fs_err *err)
{
  ZSTD_outBuffer out = {buf, cap, 0};
  while (out.pos < out.size) {
    int rc = refill(in, err);
    if (rc)
      return rc;
    if (in->raw_pos == in->raw_len) {
      if (in->zs_ret && !out.pos)
        return io_fail(in, "zstd stream cut short", err);
      break;
    }
    ZSTD_inBuffer inb = {in->raw, in->raw_len, in->raw_pos};
    size_t r = ZSTD_decompressStream(in->zs, &out, &inb);
    if (ZSTD_isError(r))
      return io_fail(in, ZSTD_getErrorName(r), err);
    in->raw_pos = inb.pos;
    in->zs_ret = r;
  }
  *got = out.pos;
  return FS_OK;
}

uint64_t detect_input_consumed(const struct detect_input *in)
{
  return in->consumed;
}

int64_t detect_input_mtime_ms(const struct detect_input *in)
{
  struct stat st;
  if (fstat(in->fd, &st) || !S_ISREG(st.st_mode))
    return 0;
  return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

int detect_input_read(struct detect_input *in, char *buf, size_t cap, size_t *got,
                      struct fs_err *err)
{
  if (in->kind == K_GZIP)
    return read_gzip(in, buf, cap, got, err);
  if (in->kind == K_ZSTD)
    return read_zstd(in, buf, cap, got, err);
  /* Plain: what the first read peeked at, then straight into buf. */
  *got = FS_MIN(cap, in->raw_len - in->raw_pos);
  memcpy(buf, in->raw + in->raw_pos, *got);
  in->raw_pos += *got;
  while (*got < cap && !in->eof) {
    ssize_t n = read(in->fd, buf + *got, cap - *got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return io_fail(in, strerror(errno), err);
    in->eof = n == 0;
    in->consumed += (uint64_t)n;
    *got += (size_t)n;
  }
  return FS_OK;
}
