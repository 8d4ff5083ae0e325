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
