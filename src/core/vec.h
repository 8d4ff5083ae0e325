/* Growing arrays: the one way the code makes room for one more element of an array it fills one
 * element at a time (rows of a query, names of a folder, problems found). */
#ifndef FS_CORE_VEC_H
#define FS_CORE_VEC_H

#include "core/base.h"

/* Makes room for element n of the array whose pointer is at `array` (any element type, elem bytes
 * each; NULL with *cap 0 to start): when n == *cap the capacity doubles, from `first` when it is
 * 0. FS_OK, or FS_ERR_NOMEM (also when the size would overflow) with the array and *cap as they
 * were. The array's pointer is read and written through memcpy, so any object pointer type fits. */
int fs_vec_grow(void *array, size_t n, size_t *cap, size_t elem, size_t first);

/* fs_vec_grow for an array variable `arr` (T *) with its capacity variable `cap` (size_t). */
#define FS_VEC_GROW(arr, n, cap, first) fs_vec_grow(&(arr), (n), &(cap), sizeof(*(arr)), (first))

#endif
