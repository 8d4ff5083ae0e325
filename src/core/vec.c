#include "core/vec.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fs_vec_grow(void *array, size_t n, size_t *cap, size_t elem, size_t first)
{
  if (n < *cap)
    return FS_OK;
  size_t want = *cap ? *cap * 2 : (first ? first : 1);
  if (want <= n || *cap > SIZE_MAX / 2 || want > SIZE_MAX / elem)
    return FS_ERR_NOMEM;
  void *data;
  memcpy(&data, array, sizeof(data));
  void *grown = realloc(data, want * elem);
  if (!grown)
    return FS_ERR_NOMEM;
  memcpy(array, &grown, sizeof(grown));
  *cap = want;
  return FS_OK;
}
