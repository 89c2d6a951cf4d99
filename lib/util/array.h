/*
 * array: the one growth helper for arrays that grow as they are filled,
 * as git's ALLOC_GROW: capacity grows geometrically (never one element at
 * a time), sizes are checked for overflow, and a failure leaves the array
 * as it was, so every caller can check and go on.
 */
#ifndef VFS_ARRAY_H
#define VFS_ARRAY_H

#include <stddef.h>

/*
 * Makes *@arr (of elements of @elem bytes, room for *@cap) hold at least
 * @need elements. 0, or -ENOMEM with *@arr and *@cap unchanged.
 */
int array_grow(void **arr, size_t elem, size_t need, size_t *cap);

/* Elements of a fixed array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ARRAY_GROW(arr, need, cap) array_grow((void **)&(arr), sizeof(*(arr)), (need), &(cap))

#endif
