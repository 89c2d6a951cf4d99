/*
 * open_files: slots in one array that grows geometrically; a handle is
 * (generation << 32) | (index + 1), so 0 is never one, and a slot reused
 * gets a new generation: an old handle to it stays EBADF. A slot in use
 * is reached again by its index, never by a pointer: the array may have
 * grown (and moved) since.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/open_files.h"
#include "obs/counters.h"
#include "util/array.h"

void open_files_init(struct open_files *t, void (*close_dir)(void *dir), uint64_t *live)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->next_gen = 1;
	t->close_dir = close_dir;
	t->live = live;
}

static void close_slot(struct open_files *t, struct open_file *f)
{
	if (f->kind == OPEN_FILE)
		close(f->fd);
	else if (t->close_dir)
		t->close_dir(f->dir);
	if (t->live)
		counter_dec(*t->live);
}

/* Frees slot @i (its last reference gone); under the lock. */
static void free_slot(struct open_files *t, uint32_t i)
{
	struct open_file *f = &t->slot[i];

	f->gen = 0;
	f->next_free = t->free_head;
	t->free_head = i + 1;
}

void open_files_clear(struct open_files *t)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->used; i++) {
		struct open_file *f = &t->slot[i];

		if (!f->gen || f->released)
			continue;
		f->released = true;
		t->open--;
		if (--f->refs == 0) {
			close_slot(t, f);
			free_slot(t, (uint32_t)i);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

void open_files_release(struct open_files *t)
{
	open_files_clear(t);
	free(t->slot);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

int open_files_add(struct open_files *t, enum open_kind kind, int fd, void *dir, uint64_t *fh)
{
	struct open_file *f;
	uint32_t i;
	int r = 0;

	pthread_mutex_lock(&t->lock);
	if (t->open >= OPEN_FILES_MAX) {
		r = -EMFILE;
	} else if (t->free_head) {
		i = t->free_head - 1;
		t->free_head = t->slot[i].next_free;
	} else if (ARRAY_GROW(t->slot, t->used + 1, t->cap)) {
		r = -ENOMEM;
	} else {
		i = (uint32_t)t->used++;
	}
	if (!r) {
		f = &t->slot[i];
		*f = (struct open_file){ .kind = kind, .fd = fd, .dir = dir, .gen = t->next_gen,
					 .refs = 1 };
		if (++t->next_gen == 0)
			t->next_gen = 1;
		t->open++;
		if (t->live)
			counter_inc(*t->live);
		*fh = (uint64_t)f->gen << 32 | (i + 1);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* The slot @fh names, if it is live and of @kind; under the lock. */
static struct open_file *find(struct open_files *t, uint64_t fh, enum open_kind kind)
{
	uint64_t i = (fh & 0xffffffffu) - 1;
	struct open_file *f;

	if (!(fh & 0xffffffffu) || i >= t->used)
		return NULL;
	f = &t->slot[i];
	if (!f->gen || f->gen != fh >> 32 || f->kind != kind || f->released)
		return NULL;
	return f;
}

int open_files_get(struct open_files *t, uint64_t fh, enum open_kind kind, struct open_ref *ref)
{
	struct open_file *f;

	pthread_mutex_lock(&t->lock);
	f = find(t, fh, kind);
	if (f) {
		f->refs++;
		*ref = (struct open_ref){ .index = (uint32_t)(f - t->slot), .gen = f->gen,
					  .fd = f->fd, .dir = f->dir };
	}
	pthread_mutex_unlock(&t->lock);
	return f ? 0 : -EBADF;
}

void open_files_put(struct open_files *t, const struct open_ref *ref)
{
	struct open_file *f;

	pthread_mutex_lock(&t->lock);
	/* A held slot is never freed, so it still has the generation it was got with. */
	f = &t->slot[ref->index];
	if (f->gen == ref->gen && --f->refs == 0) {
		close_slot(t, f);
		free_slot(t, ref->index);
	}
	pthread_mutex_unlock(&t->lock);
}

int open_files_remove(struct open_files *t, uint64_t fh, enum open_kind kind)
{
	struct open_file *f;
	int r = -EBADF;

	pthread_mutex_lock(&t->lock);
	f = find(t, fh, kind);
	if (f) {
		f->released = true;
		t->open--;
		if (--f->refs == 0) {
			close_slot(t, f);
			free_slot(t, (uint32_t)(f - t->slot));
		}
		r = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

void open_files_each(struct open_files *t,
		     void (*fn)(uint64_t fh, enum open_kind kind, int fd, void *dir, void *arg),
		     void *arg)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->used; i++) {
		struct open_file *f = &t->slot[i];

		if (f->gen && !f->released)
			fn((uint64_t)f->gen << 32 | (i + 1), f->kind, f->fd, f->dir, arg);
	}
	pthread_mutex_unlock(&t->lock);
}

int open_files_restore(struct open_files *t, uint64_t fh, enum open_kind kind, int fd,
		       void *dir)
{
	uint64_t index = (fh & 0xffffffffu) - 1;
	uint32_t gen = (uint32_t)(fh >> 32);
	struct open_file *f;
	int r = 0;

	if (!(fh & 0xffffffffu) || !gen || index >= OPEN_FILES_MAX)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (t->free_head) {
		r = -EINVAL; /* free slots are not tracked here: a table that served already */
		goto out;
	}
	if (index < t->used && t->slot[index].gen) {
		r = -EEXIST;
		goto out;
	}
	if (index >= t->used) {
		if (ARRAY_GROW(t->slot, index + 1, t->cap)) {
			r = -ENOMEM;
			goto out;
		}
		memset(&t->slot[t->used], 0, (index + 1 - t->used) * sizeof(*t->slot));
		t->used = index + 1;
	}
	f = &t->slot[index];
	*f = (struct open_file){ .kind = kind, .fd = fd, .dir = dir, .gen = gen, .refs = 1 };
	if (gen >= t->next_gen)
		t->next_gen = gen + 1 ? gen + 1 : 1;
	t->open++;
	if (t->live)
		counter_inc(*t->live);
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

/*
 * The slots a restore skipped over are free: linked once restoring is
 * done, before the first handle is given.
 */
void open_files_restored(struct open_files *t)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = t->used; i-- > 0;)
		if (!t->slot[i].gen) {
			t->slot[i].next_free = t->free_head;
			t->free_head = (uint32_t)i + 1;
		}
	pthread_mutex_unlock(&t->lock);
}
