/*
 * inode_store: an inode is finished (retired or freed) only when both the
 * guest has forgotten it (nlookup 0) and no request is using it (refs 0),
 * so no request ever sees its fd closed underneath it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/inode_store.h"

static bool match_nodeid(const struct hash_link *l, const void *key)
{
	return container_of(l, struct inode, by_nodeid)->nodeid == *(const uint64_t *)key;
}

struct ids_key {
	uint64_t dev, ino;
	int mnt_id;
};

static bool match_ids(const struct hash_link *l, const void *key)
{
	const struct inode *i = container_of(l, struct inode, by_ids);
	const struct ids_key *k = key;

	return i->dev == k->dev && i->ino == k->ino && i->mnt_id == k->mnt_id;
}

static bool match_handle(const struct hash_link *l, const void *key)
{
	return vfs_handle_equal(container_of(l, struct inode, by_handle)->handle, key);
}

static uint64_t hash_nodeid(uint64_t nodeid)
{
	return hash_bytes(&nodeid, sizeof(nodeid), 0);
}

static uint64_t hash_ids(const struct ids_key *k)
{
	uint64_t v[3] = { k->dev, k->ino, (uint64_t)k->mnt_id };

	return hash_bytes(v, sizeof(v), 1);
}

int inode_store_init(struct inode_store *s, uint32_t generation,
		     bool keep_retired, size_t retired_max,
		     void (*drop_resources)(struct inode *, void *), void *arg)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	if (hash_table_init(&s->nodeids) || hash_table_init(&s->ids) ||
	    hash_table_init(&s->handles)) {
		inode_store_release(s);
		return -ENOMEM;
	}
	s->next_nodeid = ROOT_NODEID;
	s->generation = generation ? generation : 1;
	s->keep_retired = keep_retired;
	s->retired_max = retired_max;
	s->drop_resources = drop_resources;
	s->drop_arg = arg;
	return 0;
}

static void free_inode(struct inode_store *s, struct inode *inode)
{
	if (s->drop_resources)
		s->drop_resources(inode, s->drop_arg);
	vfs_handle_free(inode->handle);
	free(inode);
}

static void collect(struct hash_link *l, void *arg)
{
	struct inode ***out = arg;

	*(*out)++ = container_of(l, struct inode, by_nodeid);
}

void inode_store_release(struct inode_store *s)
{
	if (s->nodeids.buckets && s->nodeids.count) {
		struct inode **all = malloc(s->nodeids.count * sizeof(*all));
		struct inode **p = all;
		size_t n = s->nodeids.count;

		if (all) {
			hash_table_each(&s->nodeids, collect, &p);
			for (size_t i = 0; i < n; i++)
				free_inode(s, all[i]);
			free(all);
		}
	}
	hash_table_release(&s->nodeids);
	hash_table_release(&s->ids);
	hash_table_release(&s->handles);
}

struct inode *inode_new(struct inode_store *s)
{
	struct inode *inode = calloc(1, sizeof(*inode));

	if (!inode)
		return NULL;
	inode->fd = -1;
	inode->mount_fd = -1;
	/* Atomic, not locked: lookups make inodes while holding the store lock. */
	inode->nodeid = __atomic_fetch_add(&s->next_nodeid, 1, __ATOMIC_RELAXED);
	return inode;
}

uint32_t inode_generation(const struct inode_store *s, const struct inode *inode)
{
	return inode->nodeid == ROOT_NODEID ? 0 : s->generation;
}

void inode_store_add_ids_locked(struct inode_store *s, struct inode *inode)
{
	struct ids_key k = { inode->dev, inode->ino, inode->mnt_id };

	if (!inode->in_ids) {
		hash_table_insert(&s->ids, &inode->by_ids, hash_ids(&k));
		inode->in_ids = true;
	}
}

void inode_store_add_locked(struct inode_store *s, struct inode *inode, bool ids)
{
	hash_table_insert(&s->nodeids, &inode->by_nodeid, hash_nodeid(inode->nodeid));
	if (inode->handle)
		hash_table_insert(&s->handles, &inode->by_handle,
				  vfs_handle_hash(inode->handle));
	if (ids)
		inode_store_add_ids_locked(s, inode);
	s->nlive++;
}

void inode_store_set_handle_locked(struct inode_store *s, struct inode *inode,
				   struct vfs_handle *h)
{
	inode->handle = h;
	hash_table_insert(&s->handles, &inode->by_handle, vfs_handle_hash(h));
}

struct inode *inode_store_find_nodeid_locked(struct inode_store *s, uint64_t nodeid)
{
	struct hash_link *l = hash_table_find(&s->nodeids, hash_nodeid(nodeid),
					      match_nodeid, &nodeid);

	return l ? container_of(l, struct inode, by_nodeid) : NULL;
}

struct inode *inode_store_find_ids_locked(struct inode_store *s, uint64_t dev,
					  uint64_t ino, int mnt_id)
{
	struct ids_key k = { dev, ino, mnt_id };
	struct hash_link *l = hash_table_find(&s->ids, hash_ids(&k), match_ids, &k);

	return l ? container_of(l, struct inode, by_ids) : NULL;
}

struct inode *inode_store_find_handle_locked(struct inode_store *s,
					     const struct vfs_handle *h)
{
	struct hash_link *l = hash_table_find(&s->handles, vfs_handle_hash(h),
					      match_handle, h);

	return l ? container_of(l, struct inode, by_handle) : NULL;
}

static void lru_unlink(struct inode_store *s, struct inode *inode)
{
	if (inode->lru_prev)
		inode->lru_prev->lru_next = inode->lru_next;
	else
		s->lru_oldest = inode->lru_next;
	if (inode->lru_next)
		inode->lru_next->lru_prev = inode->lru_prev;
	else
		s->lru_newest = inode->lru_prev;
	inode->lru_prev = inode->lru_next = NULL;
}

static void remove_everywhere(struct inode_store *s, struct inode *inode)
{
	hash_table_remove(&s->nodeids, &inode->by_nodeid);
	if (inode->handle)
		hash_table_remove(&s->handles, &inode->by_handle);
	if (inode->in_ids)
		hash_table_remove(&s->ids, &inode->by_ids);
	inode->in_ids = false;
}

void inode_store_ref_lookup_locked(struct inode_store *s, struct inode *inode)
{
	if (inode->retired) {
		lru_unlink(s, inode);
		inode->retired = false;
		s->nretired--;
		s->nlive++;
	}
	inode->nlookup++;
}

/* Forgotten and unused: keep it for its handle, or let it go. */
static void finish(struct inode_store *s, struct inode *inode)
{
	if (inode->nodeid == ROOT_NODEID || inode->nlookup || inode->refs ||
	    inode->retired)
		return;
	s->nlive--;
	if (!s->keep_retired || !inode->handle) {
		remove_everywhere(s, inode);
		free_inode(s, inode);
		return;
	}
	/* Its inode number may be reused from now on: out of by-ids. */
	if (inode->in_ids) {
		hash_table_remove(&s->ids, &inode->by_ids);
		inode->in_ids = false;
	}
	if (s->drop_resources)
		s->drop_resources(inode, s->drop_arg);
	inode->retired = true;
	inode->lru_prev = s->lru_newest;
	inode->lru_next = NULL;
	if (s->lru_newest)
		s->lru_newest->lru_next = inode;
	else
		s->lru_oldest = inode;
	s->lru_newest = inode;
	s->nretired++;
	while (s->nretired > s->retired_max) {
		struct inode *old = s->lru_oldest;

		/* One being reconnected right now (LOOKUP ".") stays. */
		while (old && old->refs)
			old = old->lru_next;
		if (!old)
			break;
		lru_unlink(s, old);
		s->nretired--;
		remove_everywhere(s, old);
		free_inode(s, old);
	}
}

struct inode *inode_store_get(struct inode_store *s, uint64_t nodeid)
{
	struct inode *inode;

	inode_store_lock(s);
	inode = inode_store_find_nodeid_locked(s, nodeid);
	if (inode && (inode->retired || (!inode->nlookup && nodeid != ROOT_NODEID)))
		inode = NULL;
	if (inode)
		inode->refs++;
	inode_store_unlock(s);
	return inode;
}

void inode_store_put(struct inode_store *s, struct inode *inode)
{
	if (!inode)
		return;
	inode_store_lock(s);
	inode->refs--;
	finish(s, inode);
	inode_store_unlock(s);
}

int inode_store_forget(struct inode_store *s, uint64_t nodeid, uint64_t n)
{
	struct inode *inode;
	int err = 0;

	inode_store_lock(s);
	inode = inode_store_find_nodeid_locked(s, nodeid);
	if (!inode || inode->retired || nodeid == ROOT_NODEID) {
		/* The root is never forgotten; the kernel's forget of it is a no-op. */
		err = nodeid == ROOT_NODEID && inode ? 0 : -ESTALE;
	} else {
		inode->nlookup -= n < inode->nlookup ? n : inode->nlookup;
		finish(s, inode);
	}
	inode_store_unlock(s);
	return err;
}

struct each_arg {
	void (*fn)(struct inode *, void *);
	void *arg;
};

static void each_cb(struct hash_link *l, void *arg)
{
	struct each_arg *a = arg;

	a->fn(container_of(l, struct inode, by_nodeid), a->arg);
}

void inode_store_each(struct inode_store *s,
		      void (*fn)(struct inode *inode, void *arg), void *arg)
{
	struct each_arg a = { fn, arg };

	inode_store_lock(s);
	hash_table_each(&s->nodeids, each_cb, &a);
	inode_store_unlock(s);
}
