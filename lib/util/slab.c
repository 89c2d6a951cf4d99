/* slab: 64 KiB chunks, below glibc's mmap threshold, never given back early. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/slab.h"
#include "util/array.h"

#define CHUNK_BYTES (64 << 10)

void slab_init(struct slab *s, size_t size)
{
	memset(s, 0, sizeof(*s));
	s->size = (size + 7) & ~(size_t)7;
	if (s->size < sizeof(void *))
		s->size = sizeof(void *);
	s->per_chunk = CHUNK_BYTES / s->size;
}

static int new_chunk(struct slab *s)
{
	char *c;

	if (ARRAY_GROW(s->chunks, s->nchunks + 1, s->cap))
		return -ENOMEM;
	c = malloc(s->per_chunk * s->size);
	if (!c)
		return -ENOMEM;
	s->chunks[s->nchunks++] = c;
	s->chunk = c;
	s->used = 0;
	return 0;
}

void *slab_alloc(struct slab *s)
{
	void *obj;

	if (s->free) {
		obj = s->free;
		memcpy(&s->free, obj, sizeof(void *));
	} else {
		if ((!s->chunk || s->used == s->per_chunk) && new_chunk(s)) {
			errno = ENOMEM;
			return NULL;
		}
		obj = s->chunk + s->used++ * s->size;
	}
	memset(obj, 0, s->size);
	return obj;
}

void slab_free(struct slab *s, void *obj)
{
	if (!obj)
		return;
	memcpy(obj, &s->free, sizeof(void *));
	s->free = obj;
}

void slab_release(struct slab *s)
{
	for (size_t i = 0; i < s->nchunks; i++)
		free(s->chunks[i]);
	free(s->chunks);
	memset(s, 0, sizeof(*s));
}
