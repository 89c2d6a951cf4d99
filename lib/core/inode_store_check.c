/*
 * inode_store_check: the store's invariants, checked by the store. The
 * maps and states are read under the lock; the one system call the check
 * needs (the handle of an fd inode, to tell whether two inodes name one
 * file) is made after the lock is dropped, on inodes pinned by a
 * reference meanwhile. An allocation failure is an error, never a pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/inode_store_private.h"
#include "util/array.h"

/* Identity of a live inode's file, to find two inodes for one file. */
struct identity {
	uint64_t nodeid;
	int kind; /* 0: handle, 1: ids */
	int mnt_id, type;
	uint32_t bytes;
	unsigned char data[MAX_HANDLE_SZ];
	struct inode *pinned; /* an fd inode whose handle is made after unlocking */
};

struct check {
	struct inode_store *s;
	struct strbuf *out;
	int violations;
	bool nomem;
	size_t with_handle, in_ids;
	struct identity *ids;
	size_t nids, cap;
};

static int cmp_identity(const void *x, const void *y)
{
	const struct identity *a = x, *b = y;
	int c;

	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->mnt_id != b->mnt_id)
		return a->mnt_id < b->mnt_id ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? -1 : 1;
	c = memcmp(a->data, b->data, a->bytes);
	return c ? c : (a->nodeid < b->nodeid ? -1 : a->nodeid > b->nodeid);
}

static void violation(struct check *c, const char *what, const struct inode *i)
{
	strbuf_addf(c->out, "violation %s nodeid=%" PRIu64 " ino=%" PRIu64 "\n",
		    what, i->nodeid, i->ino);
	c->violations++;
}

static void set_from_handle(struct identity *id, const struct vfs_handle *h)
{
	id->kind = 0;
	id->mnt_id = h->mnt_id;
	id->type = h->type;
	id->bytes = h->bytes;
	memcpy(id->data, h->data, h->bytes);
}

/* It holds the fd, so its inode number cannot have been reused. */
static void set_from_ids(struct identity *id, const struct inode *i)
{
	id->kind = 1;
	id->mnt_id = i->h.mnt_id;
	id->bytes = 2 * sizeof(uint64_t);
	memcpy(id->data, &i->dev, sizeof(uint64_t));
	memcpy(id->data + 8, &i->ino, sizeof(uint64_t));
}

static void check_one(struct check *c, struct inode *i)
{
	struct identity *id;

	if (inode_handle_of(i)) {
		c->with_handle++;
		if (inode_store_find_handle_locked(c->s, inode_handle_of(i)) != i)
			violation(c, "handle-inode-not-in-by-handle", i);
	}
	if (i->in_ids)
		c->in_ids++;
	if (i->retired) {
		if (i->fd >= 0 || i->mount_fd >= 0 || i->in_ids || i->nlookup)
			violation(c, "retired-inode-holds-resources", i);
		return;
	}
	if (!i->nlookup && !i->refs && i->nodeid != ROOT_NODEID)
		violation(c, "live-inode-without-lookups", i);
	if (!inode_handle_of(i) && i->fd < 0)
		violation(c, "inode-without-handle-or-fd", i);
	if (ARRAY_GROW(c->ids, c->nids + 1, c->cap)) {
		c->nomem = true;
		return;
	}
	id = &c->ids[c->nids++];
	memset(id, 0, sizeof(*id));
	id->nodeid = i->nodeid;
	if (inode_handle_of(i)) {
		set_from_handle(id, inode_handle_of(i));
	} else if (i->fd >= 0) {
		/* Its handle, where the filesystem has them, says which file. */
		i->refs++;
		id->pinned = i;
		set_from_ids(id, i);
	}
}

/* After unlocking: fd inodes get their handle's identity, then are let go. */
static void identify_pinned(struct check *c)
{
	for (size_t k = 0; k < c->nids; k++) {
		struct identity *id = &c->ids[k];
		struct vfs_handle *h;

		if (!id->pinned)
			continue;
		if (vfs_handle_make(inode_fd(id->pinned), "", AT_EMPTY_PATH, &h) == 0) {
			set_from_handle(id, h);
			vfs_handle_free(h);
		}
		inode_store_put(c->s, id->pinned);
		id->pinned = NULL;
	}
}

int inode_store_check(struct inode_store *s, struct strbuf *out)
{
	struct check c = { .s = s, .out = out };

	inode_store_lock(s);
	for (size_t b = 0; b < s->nodeids.nbuckets && !c.nomem; b++)
		for (struct hash_link *l = s->nodeids.buckets[b]; l && !c.nomem; l = l->next)
			check_one(&c, container_of(l, struct inode, by_nodeid));
	if (!c.nomem && c.with_handle != s->handles.count) {
		strbuf_addf(out, "violation by-handle-map-size map=%zu inodes-with-handle=%zu\n",
			    s->handles.count, c.with_handle);
		c.violations++;
	}
	if (!c.nomem && c.in_ids != s->ids.count) {
		strbuf_addf(out, "violation by-ids-map-size map=%zu inodes-in-ids=%zu\n",
			    s->ids.count, c.in_ids);
		c.violations++;
	}
	inode_store_unlock(s);
	identify_pinned(&c);
	if (!c.nomem) {
		qsort(c.ids, c.nids, sizeof(*c.ids), cmp_identity);
		for (size_t k = 1; k < c.nids; k++) {
			struct identity x = c.ids[k - 1], y = c.ids[k];

			x.nodeid = y.nodeid = 0;
			if (!cmp_identity(&x, &y)) {
				strbuf_addf(out, "violation duplicate-live-inodes nodeid=%" PRIu64
					    " nodeid=%" PRIu64 "\n", c.ids[k - 1].nodeid,
					    c.ids[k].nodeid);
				c.violations++;
			}
		}
	}
	free(c.ids);
	return c.nomem || out->failed ? -ENOMEM : c.violations;
}
