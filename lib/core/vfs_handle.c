/*
 * vfs_handle: thin wrappers that keep handles in exactly-sized allocations
 * (a cached inode must stay small).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/handle_text.h"
#include "util/hash_table.h"
#include "core/vfs_handle.h"

int vfs_handle_make(int dirfd, const char *name, int flags, struct vfs_handle **out)
{
	union handle_buf u;
	struct vfs_handle *h;
	int mnt_id;

	u.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd, name, &u.fh, &mnt_id, flags) < 0)
		return -errno;
	h = malloc(sizeof(*h) + u.fh.handle_bytes);
	if (!h)
		return -ENOMEM;
	h->mnt_id = mnt_id;
	h->type = u.fh.handle_type;
	h->bytes = u.fh.handle_bytes;
	memcpy(h->data, u.fh.f_handle, h->bytes);
	*out = h;
	return 0;
}

void vfs_handle_free(struct vfs_handle *h)
{
	free(h);
}

int openable_handle_open(const struct openable_handle *oh, int flags)
{
	const struct vfs_handle *h = oh->handle;
	union handle_buf u;
	int fd;

	if (h->bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	u.fh.handle_bytes = h->bytes;
	u.fh.handle_type = h->type;
	memcpy(u.fh.f_handle, h->data, h->bytes);
	fd = open_by_handle_at(oh->mount.fd, &u.fh, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

uint64_t vfs_handle_hash(const struct vfs_handle *h)
{
	uint64_t seed = ((uint64_t)(uint32_t)h->mnt_id << 32) | (uint32_t)h->type;

	return hash_bytes(h->data, h->bytes, seed);
}

bool vfs_handle_equal(const struct vfs_handle *a, const struct vfs_handle *b)
{
	return a->mnt_id == b->mnt_id && a->type == b->type &&
	       a->bytes == b->bytes && !memcmp(a->data, b->data, a->bytes);
}

char *vfs_handle_format(const struct vfs_handle *h, char *buf, size_t len)
{
	return handle_text_format_bytes(h->type, h->data, h->bytes, buf, len);
}

bool vfs_handle_unsupported(int err)
{
	return err == -EOPNOTSUPP || err == -EOVERFLOW;
}
