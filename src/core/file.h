/* Files: bounded reads, atomic writes (temp, fsync, rename, fsync of the folder), folders. */
#ifndef FS_CORE_FILE_H
#define FS_CORE_FILE_H

#include "core/base.h"
#include "core/buf.h"
#include "core/err.h"

#include <sys/types.h>

/* Appends the whole file at path ("-" is standard input) to out, failing with FS_ERR_TOO_LARGE
 * when it exceeds out's cap. Errors name the path. */
int fs_file_read_all(const char *path, struct fs_buf *out, struct fs_err *err);
/* A file's bytes for reading once from start to end: mapped when it is a regular file (its pages
 * then cost no memory of their own and can be dropped once read), else (a pipe on standard input)
 * read into memory. */
struct fs_file_map {
  const char *data; /* len bytes (not NUL-terminated when mapped) */
  size_t len;
  bool mapped;
  struct fs_buf buf; /* the bytes read when not mapped */
};
/* Maps or reads the file at path ("-" is standard input). FS_ERR_TOO_LARGE when it is larger than
 * max bytes (before reading anything when its size is known). Errors name the path. Release with
 * fs_file_unmap, whatever the result. */
int fs_file_map(const char *path, size_t max, struct fs_file_map *m, struct fs_err *err);
/* Tells the system that the bytes before `upto` will not be read again: their pages leave the
 * process's memory (a mapping only). */
void fs_file_map_drop(struct fs_file_map *m, size_t upto);
void fs_file_unmap(struct fs_file_map *m);
/* Replaces path with data atomically: a reader sees the old or the new file, never a mixture,
 * even after a crash. The file gets the given mode. Errors name the path. */
int fs_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         struct fs_err *err);
/* Creates path and missing parents with mode (existing folders are fine). */
int fs_mkdir_p(const char *path, mode_t mode, struct fs_err *err);
/* True when path exists (any type). */
bool fs_path_exists(const char *path);
/* Joins dir and name into out (size n); an absolute name is used as is. FS_ERR_TOO_LARGE if the
 * result does not fit. */
int fs_path_join(char *out, size_t n, const char *dir, const char *name);

#endif
