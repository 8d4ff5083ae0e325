/* Bounded reads and crash-safe writes. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_file_read_all(const char *path, struct fs_buf *out, struct fs_err *err)
{
  bool is_stdin = !strcmp(path, "-");
  int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, path, "cannot open: %s",
                      strerror(errno));
  int rc = FS_OK;
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      rc = fs_err_set(err, FS_ERR_IO, path, "read failed: %s", strerror(errno));
      break;
    }
    if (n == 0)
      break;
    rc = fs_buf_append(out, chunk, (size_t)n);
    if (rc) {
      if (rc == FS_ERR_TOO_LARGE)
        fs_err_set(err, rc, path, "file larger than the limit of %zu bytes", out->max);
      else
        fs_err_set(err, rc, path, "out of memory reading the file");
      break;
    }
  }
  if (!is_stdin)
    close(fd);
  return rc;
}

int fs_file_map(const char *path, size_t max, struct fs_file_map *m, struct fs_err *err)
{
  memset(m, 0, sizeof(*m));
  fs_buf_init(&m->buf, max);
  m->data = "";
  bool is_stdin = !strcmp(path, "-");
  int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fs_err_set(err, errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO, path, "cannot open: %s",
                      strerror(errno));
  struct stat st;
  bool regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
  int rc = FS_OK;
  if (regular && (uint64_t)st.st_size > max) {
    rc = fs_err_set(err, FS_ERR_TOO_LARGE, path, "file larger than the limit of %zu bytes", max);
  } else if (regular && st.st_size > 0) {
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      rc = fs_err_set(err, FS_ERR_IO, path, "read failed: %s", strerror(errno));
    } else {
      (void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
      m->data = p;
      m->len = (size_t)st.st_size;
      m->mapped = true;
    }
  }
  if (!is_stdin)
    close(fd);
  if (!rc && !regular) {
    rc = fs_file_read_all(path, &m->buf, err);
    m->data = fs_buf_cstr(&m->buf);
    m->len = m->buf.len;
  }
  return rc;
}

void fs_file_map_drop(struct fs_file_map *m, size_t upto)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  upto = upto > m->len ? m->len : upto;
  upto -= upto % page;
  if (m->mapped && upto)
    (void)madvise((void *)(uintptr_t)m->data, upto, MADV_DONTNEED);
}

void fs_file_unmap(struct fs_file_map *m)
{
  if (m->mapped)
    munmap((void *)(uintptr_t)m->data, m->len);
  fs_buf_release(&m->buf);
  memset(m, 0, sizeof(*m));
}

static int fsync_dir_of(const char *path)
{
  char copy[4096];
  snprintf(copy, sizeof(copy), "%s", path);
  int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -1;
  int rc = fsync(dfd);
  close(dfd);
  return rc;
}

int fs_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         struct fs_err *err)
{
  char tmp[4096];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
    return fs_err_set(err, FS_ERR_TOO_LARGE, path, "path too long");
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return fs_err_set(err, errno == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, tmp, "cannot create: %s",
                      strerror(errno));
  const char *p = data;
  size_t left = len;
  while (left) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      return fs_err_set(err, e == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, path, "write failed: %s",
                        strerror(e));
    }
    p += n;
    left -= (size_t)n;
  }
  if (fchmod(fd, mode) || fsync(fd)) {
    int e = errno;
    close(fd);
    unlink(tmp);
    return fs_err_set(err, e == ENOSPC ? FS_ERR_NO_SPACE : FS_ERR_IO, path, "fsync failed: %s",
                      strerror(e));
  }
  close(fd);
  if (rename(tmp, path)) {
    int e = errno;
    unlink(tmp);
    return fs_err_set(err, FS_ERR_IO, path, "rename failed: %s", strerror(e));
  }
  if (fsync_dir_of(path))
    return fs_err_set(err, FS_ERR_IO, path, "fsync of the folder failed: %s", strerror(errno));
  return FS_OK;
}

int fs_mkdir_p(const char *path, mode_t mode, struct fs_err *err)
{
  char buf[4096];
  if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
    return fs_err_set(err, FS_ERR_TOO_LARGE, path, "path too long");
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, mode) && errno != EEXIST)
      return fs_err_set(err, FS_ERR_IO, buf, "cannot create folder: %s", strerror(errno));
    *p = '/';
  }
  if (mkdir(buf, mode) && errno != EEXIST)
    return fs_err_set(err, FS_ERR_IO, buf, "cannot create folder: %s", strerror(errno));
  return FS_OK;
}

bool fs_path_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

int fs_path_join(char *out, size_t n, const char *dir, const char *name)
{
  int w = name[0] == '/' ? snprintf(out, n, "%s", name) : snprintf(out, n, "%s/%s", dir, name);
  return w < 0 || (size_t)w >= n ? FS_ERR_TOO_LARGE : FS_OK;
}
