/*
 * slab: fixed-size objects carved from large chunks, for the one object
 * there are very many of (cached inodes): no allocator header and no
 * rounding per object. Not thread-safe: the owner's lock protects it.
 */
#ifndef VFS_SLAB_H
#define VFS_SLAB_H

#include <stddef.h>

struct slab {
	size_t size;       /* of an object, rounded to 8 */
	size_t per_chunk;
	void *free;        /* freed objects, linked through their first word */
	char *chunk;       /* the chunk being carved */
	size_t used;       /* objects carved from it */
	void **chunks;     /* every chunk, to give back at the end */
	size_t nchunks, cap;
};

void slab_init(struct slab *s, size_t size);
/* A zeroed object, or NULL with errno ENOMEM. */
void *slab_alloc(struct slab *s);
void slab_free(struct slab *s, void *obj);
/* Gives every chunk back; objects still in use go with them. */
void slab_release(struct slab *s);

#endif
