/*
 * inode_store: an inode is finished (retired or freed) only when both the
 * guest has forgotten it (nlookup 0) and no request is using it (refs 0),
 * so no request ever sees its fd closed underneath it. What a finished
 * inode held (its fd, its mount fd reference) is handed back through the
 * hooks after the lock is dropped: no system call runs under it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/inode_store_private.h"

/* What one locked section let go of, given back after unlocking. */
struct release {
	int fd;
	struct mount_ref mount;
};

#define RELEASE_NONE { .fd = -1, .mount = MOUNT_REF_NONE }

static void release_run(struct inode_store *s, struct release *r)
{
	if (r->fd >= 0 && s->hooks.close_fd)
		s->hooks.close_fd(r->fd, s->hooks.arg);
	if (r->mount.fd >= 0 && s->hooks.put_mount_ref)
		s->hooks.put_mount_ref(&r->mount, s->hooks.arg);
	r->fd = -1;
	r->mount.fd = -1;
}

/* Moves @inode's fd and mount fd reference into @r. */
static void take_resources(struct inode *inode, struct release *r)
{
	if (inode->fd >= 0) {
		r->fd = inode->fd;
		__atomic_store_n(&inode->fd, -1, __ATOMIC_RELEASE);
	}
	if (inode->mount_fd >= 0) {
		r->mount = (struct mount_ref){ .mnt_id = inode->h.mnt_id, .fd = inode->mount_fd };
		inode->mount_fd = -1;
	}
}

/* Gives @inode the handle @h (taken: inline and freed if it fits, else kept). */
static void set_handle(struct inode *inode, struct vfs_handle *h)
{
	inode->h.type = h->type;
	inode->h.bytes = h->bytes;
	if (h->bytes <= INODE_HANDLE_INLINE && h->mnt_id == inode->h.mnt_id) {
		memcpy(inode->h.data, h->data, h->bytes);
		vfs_handle_free(h);
	} else {
		memcpy(inode->h.data, &h, sizeof(h));
		inode->h_apart = true;
	}
	__atomic_store_n(&inode->has_handle, true, __ATOMIC_RELEASE);
}

static void free_handle(struct inode *inode)
{
	if (inode->has_handle && inode->h_apart)
		vfs_handle_free((struct vfs_handle *)inode_handle_of(inode));
	inode->has_handle = inode->h_apart = false;
}

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

	return i->dev == k->dev && i->ino == k->ino && i->h.mnt_id == k->mnt_id;
}

static bool match_handle(const struct hash_link *l, const void *key)
{
	return vfs_handle_equal(inode_handle_of(container_of(l, struct inode, by_handle)), key);
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

/* The tables ask for an entry's hash when they grow: links do not keep it. */
static uint64_t rehash_nodeid(const struct hash_link *l)
{
	return hash_nodeid(container_of(l, struct inode, by_nodeid)->nodeid);
}

static uint64_t rehash_ids(const struct hash_link *l)
{
	const struct inode *i = container_of(l, struct inode, by_ids);
	struct ids_key k = { i->dev, i->ino, i->h.mnt_id };

	return hash_ids(&k);
}

static uint64_t rehash_handle(const struct hash_link *l)
{
	return vfs_handle_hash(inode_handle_of(container_of(l, struct inode, by_handle)));
}

struct inode_store *inode_store_new(uint32_t generation, bool keep_retired,
				    size_t retired_max, const struct inode_store_hooks *hooks)
{
	struct inode_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	slab_init(&s->inodes, sizeof(struct inode));
	if (hash_table_init(&s->nodeids, rehash_nodeid) || hash_table_init(&s->ids, rehash_ids) ||
	    hash_table_init(&s->handles, rehash_handle)) {
		inode_store_free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->next_nodeid = ROOT_NODEID;
	s->generation = generation ? generation : 1;
	s->keep_retired = keep_retired;
	s->retired_max = retired_max;
	if (hooks)
		s->hooks = *hooks;
	return s;
}

static void free_inode(struct inode_store *s, struct inode *inode)
{
	struct release r = RELEASE_NONE;

	take_resources(inode, &r);
	release_run(s, &r);
	free_handle(inode); /* the inode's memory goes with the slab */
}

static void collect(struct hash_link *l, void *arg)
{
	struct inode ***out = arg;

	*(*out)++ = container_of(l, struct inode, by_nodeid);
}

void inode_store_free(struct inode_store *s)
{
	if (!s)
		return;
	if (s->nodeids.buckets && s->nodeids.count) {
		size_t n = s->nodeids.count;
		struct inode **all = malloc(n * sizeof(*all)), **p = all;

		/* Without room for the list, walk bucket by bucket instead. */
		if (all) {
			hash_table_each(&s->nodeids, collect, &p);
			for (size_t i = 0; i < n; i++)
				free_inode(s, all[i]);
			free(all);
		} else {
			for (size_t b = 0; b < s->nodeids.nbuckets; b++)
				while (s->nodeids.buckets[b]) {
					struct hash_link *l = s->nodeids.buckets[b];

					s->nodeids.buckets[b] = l->next;
					free_inode(s, container_of(l, struct inode, by_nodeid));
				}
		}
	}
	hash_table_release(&s->nodeids);
	hash_table_release(&s->ids);
	hash_table_release(&s->handles);
	slab_release(&s->inodes);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void inode_store_lock(struct inode_store *s)
{
	pthread_mutex_lock(&s->lock);
}

void inode_store_unlock(struct inode_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

uint64_t inode_nodeid(const struct inode *i)
{
	return i->nodeid;
}

uint32_t inode_generation(const struct inode_store *s, const struct inode *i)
{
	return i->nodeid == ROOT_NODEID ? 0 : s->generation;
}

void inode_ids(const struct inode *i, uint64_t *dev, uint64_t *ino, int *mnt_id)
{
	if (dev)
		*dev = i->dev;
	if (ino)
		*ino = i->ino;
	if (mnt_id)
		*mnt_id = i->h.mnt_id;
}

mode_t inode_type(const struct inode *i)
{
	return i->type;
}

const struct vfs_handle *inode_handle(const struct inode *i)
{
	return inode_handle_of(i);
}

int inode_fd(const struct inode *i)
{
	return __atomic_load_n(&i->fd, __ATOMIC_ACQUIRE);
}

void inode_store_info_locked(struct inode_store *s, struct inode *i, struct inode_info *out)
{
	*out = (struct inode_info){
		.nodeid = i->nodeid, .nlookup = i->nlookup, .dev = i->dev, .ino = i->ino,
		.generation = inode_generation(s, i), .mnt_id = i->h.mnt_id, .type = i->type,
		.has_fd = i->fd >= 0, .mount_ref = i->mount_fd >= 0, .retired = i->retired,
		.in_ids = i->in_ids,
		.handle = inode_handle_of(i),
	};
}

void inode_store_info(struct inode_store *s, struct inode *i, struct inode_info *out)
{
	inode_store_lock(s);
	inode_store_info_locked(s, i, out);
	inode_store_unlock(s);
}

int inode_store_openable(struct inode_store *s, struct inode *i, struct openable_handle *out)
{
	int err = -ENOENT;

	inode_store_lock(s);
	if (i->has_handle && i->mount_fd >= 0) {
		*out = (struct openable_handle){
			.handle = inode_handle_of(i),
			.mount = { .mnt_id = i->h.mnt_id, .fd = i->mount_fd },
		};
		err = 0;
	}
	inode_store_unlock(s);
	return err;
}

static void add_ids_locked(struct inode_store *s, struct inode *inode)
{
	struct ids_key k = { inode->dev, inode->ino, inode->h.mnt_id };

	if (!inode->in_ids) {
		hash_table_insert(&s->ids, &inode->by_ids, hash_ids(&k));
		inode->in_ids = true;
	}
}

struct inode *inode_store_create_locked(struct inode_store *s, struct inode_new *n)
{
	struct inode *inode = slab_alloc(&s->inodes);

	if (!inode)
		return NULL;
	inode->nodeid = s->next_nodeid++;
	inode->dev = n->dev;
	inode->ino = n->ino;
	inode->h.mnt_id = n->mnt_id;
	inode->type = (uint16_t)n->type;
	inode->mount_fd = -1;
	inode->nlookup = 1;
	if (n->h)
		set_handle(inode, n->h);
	inode->fd = n->fd;
	inode->mount_fd = n->mount.fd;
	n->h = NULL;
	n->fd = -1;
	n->mount.fd = -1;
	hash_table_insert(&s->nodeids, &inode->by_nodeid, hash_nodeid(inode->nodeid));
	if (inode->has_handle)
		hash_table_insert(&s->handles, &inode->by_handle,
				  vfs_handle_hash(inode_handle_of(inode)));
	if (n->in_ids)
		add_ids_locked(s, inode);
	if (inode->nodeid == ROOT_NODEID)
		s->root = inode;
	s->nlive++;
	return inode;
}

bool inode_store_adopt_handle_locked(struct inode_store *s, struct inode *i,
				     struct vfs_handle **h)
{
	if (i->has_handle || i->fd < 0 || i->retired)
		return false;
	set_handle(i, *h);
	*h = NULL;
	hash_table_insert(&s->handles, &i->by_handle, vfs_handle_hash(inode_handle_of(i)));
	return true;
}

bool inode_store_give_fd_locked(struct inode_store *s, struct inode *i, int *fd, bool in_ids)
{
	if (i->fd >= 0 || i->mount_fd >= 0 || i->retired || *fd < 0)
		return false;
	__atomic_store_n(&i->fd, *fd, __ATOMIC_RELEASE);
	*fd = -1;
	if (in_ids)
		add_ids_locked(s, i);
	return true;
}

bool inode_store_give_mount_ref_locked(struct inode_store *s, struct inode *i,
				       struct mount_ref *ref)
{
	(void)s;
	if (i->fd >= 0 || i->mount_fd >= 0 || i->retired || !i->has_handle || ref->fd < 0 ||
	    ref->mnt_id != i->h.mnt_id)
		return false;
	i->mount_fd = ref->fd;
	ref->fd = -1;
	return true;
}

void inode_store_give_mount_ref(struct inode_store *s, struct inode *i, struct mount_ref *ref)
{
	inode_store_lock(s);
	inode_store_give_mount_ref_locked(s, i, ref);
	inode_store_unlock(s);
}

struct inode *inode_store_root(struct inode_store *s)
{
	return s->root; /* set by the first create, before any request */
}

static struct inode *find_nodeid_locked(struct inode_store *s, uint64_t nodeid)
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
	if (inode->has_handle)
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
	if (inode->nlookup != UINT32_MAX) /* saturates: then it is never forgotten */
		inode->nlookup++;
}

void inode_store_ref_lookup(struct inode_store *s, struct inode *inode)
{
	inode_store_lock(s);
	inode_store_ref_lookup_locked(s, inode);
	inode_store_unlock(s);
}

/* Frees an inode that holds nothing but memory now (its resources are in @r). */
static void drop_locked(struct inode_store *s, struct inode *inode, struct release *r)
{
	remove_everywhere(s, inode);
	take_resources(inode, r);
	free_handle(inode);
	slab_free(&s->inodes, inode);
}

static void retire_locked(struct inode_store *s, struct inode *inode);

/* Forgotten and unused: keep it for its handle, or let it go. */
static void finish(struct inode_store *s, struct inode *inode, struct release *r)
{
	if (inode->nodeid == ROOT_NODEID || inode->nlookup || inode->refs ||
	    inode->retired)
		return;
	s->nlive--;
	if (!s->keep_retired || !inode->has_handle) {
		drop_locked(s, inode, r);
		return;
	}
	/* Its inode number may be reused from now on: out of by-ids. */
	if (inode->in_ids) {
		hash_table_remove(&s->ids, &inode->by_ids);
		inode->in_ids = false;
	}
	take_resources(inode, r);
	retire_locked(s, inode);
}

/* @inode joins the retired, newest; the oldest go past retired_max. */
static void retire_locked(struct inode_store *s, struct inode *inode)
{
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
		struct release none = RELEASE_NONE;

		/* One being reconnected right now (LOOKUP ".") stays. */
		while (old && old->refs)
			old = old->lru_next;
		if (!old)
			break;
		lru_unlink(s, old);
		s->nretired--;
		drop_locked(s, old, &none); /* a retired inode holds nothing */
	}
}

static struct inode *get(struct inode_store *s, uint64_t nodeid, bool retired_too)
{
	struct inode *inode;

	inode_store_lock(s);
	inode = find_nodeid_locked(s, nodeid);
	if (inode && !retired_too &&
	    (inode->retired || (!inode->nlookup && nodeid != ROOT_NODEID)))
		inode = NULL;
	if (inode)
		inode->refs++;
	inode_store_unlock(s);
	return inode;
}

struct inode *inode_store_get(struct inode_store *s, uint64_t nodeid)
{
	return get(s, nodeid, false);
}

struct inode *inode_store_restore(struct inode_store *s, const struct inode_restore *r,
				  struct vfs_handle **h)
{
	struct inode *inode = NULL;

	inode_store_lock(s);
	if (find_nodeid_locked(s, r->nodeid) || inode_store_find_handle_locked(s, *h)) {
		errno = EEXIST;
		goto out;
	}
	inode = slab_alloc(&s->inodes);
	if (!inode) {
		errno = ENOMEM;
		goto out;
	}
	inode->nodeid = r->nodeid;
	inode->dev = r->dev;
	inode->ino = r->ino;
	inode->h.mnt_id = (*h)->mnt_id;
	inode->type = (uint16_t)r->type;
	inode->fd = inode->mount_fd = -1;
	inode->noted = true;
	set_handle(inode, *h);
	*h = NULL;
	hash_table_insert(&s->nodeids, &inode->by_nodeid, hash_nodeid(inode->nodeid));
	hash_table_insert(&s->handles, &inode->by_handle, vfs_handle_hash(inode_handle_of(inode)));
	if (r->nodeid >= s->next_nodeid)
		s->next_nodeid = r->nodeid + 1;
	retire_locked(s, inode);
out:
	inode_store_unlock(s);
	return inode;
}

void inode_store_set_generation(struct inode_store *s, uint32_t generation)
{
	inode_store_lock(s);
	s->generation = generation ? generation : 1;
	inode_store_unlock(s);
}

uint32_t inode_store_generation(const struct inode_store *s)
{
	return s->generation; /* set before any request, never after */
}

void inode_store_skip_nodeids(struct inode_store *s, uint64_t next)
{
	inode_store_lock(s);
	if (next > s->next_nodeid)
		s->next_nodeid = next;
	inode_store_unlock(s);
}

uint64_t inode_store_next_nodeid(struct inode_store *s)
{
	uint64_t next;

	inode_store_lock(s);
	next = s->next_nodeid;
	inode_store_unlock(s);
	return next;
}

int inode_store_set_lookups(struct inode_store *s, uint64_t nodeid, uint64_t n)
{
	struct inode *inode;
	int err = -ESTALE;

	inode_store_lock(s);
	inode = find_nodeid_locked(s, nodeid);
	if (inode && inode->retired && n) {
		inode_store_ref_lookup_locked(s, inode);
		inode->nlookup = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
		err = 0;
	}
	inode_store_unlock(s);
	return err;
}

bool inode_store_claim_note(struct inode_store *s, struct inode *i)
{
	bool claim;

	inode_store_lock(s);
	claim = i->has_handle && !i->noted && i->nodeid != ROOT_NODEID;
	if (claim)
		i->noted = true;
	inode_store_unlock(s);
	return claim;
}

struct inode *inode_store_get_any(struct inode_store *s, uint64_t nodeid)
{
	return get(s, nodeid, true);
}

void inode_store_put(struct inode_store *s, struct inode *inode)
{
	struct release r = RELEASE_NONE;

	if (!inode)
		return;
	inode_store_lock(s);
	inode->refs--;
	finish(s, inode, &r);
	inode_store_unlock(s);
	release_run(s, &r);
}

int inode_store_forget(struct inode_store *s, uint64_t nodeid, uint64_t n)
{
	struct release r = RELEASE_NONE;
	struct inode *inode;
	int err = 0;

	inode_store_lock(s);
	inode = find_nodeid_locked(s, nodeid);
	if (!inode || inode->retired || nodeid == ROOT_NODEID) {
		/* The root is never forgotten; the kernel's forget of it is a no-op. */
		err = nodeid == ROOT_NODEID && inode ? 0 : -ESTALE;
	} else {
		inode->nlookup -= n < inode->nlookup ? (uint32_t)n : inode->nlookup;
		finish(s, inode, &r);
	}
	inode_store_unlock(s);
	release_run(s, &r);
	return err;
}

struct each_arg {
	struct inode_store *s;
	void (*fn)(const struct inode_info *, void *);
	void *arg;
};

static void each_cb(struct hash_link *l, void *arg)
{
	struct each_arg *a = arg;
	struct inode_info info;

	inode_store_info_locked(a->s, container_of(l, struct inode, by_nodeid), &info);
	a->fn(&info, a->arg);
}

void inode_store_each(struct inode_store *s,
		      void (*fn)(const struct inode_info *info, void *arg), void *arg)
{
	struct each_arg a = { s, fn, arg };

	inode_store_lock(s);
	hash_table_each(&s->nodeids, each_cb, &a);
	inode_store_unlock(s);
}

void inode_store_counts(struct inode_store *s, size_t *live, size_t *retired)
{
	inode_store_lock(s);
	*live = s->nlive;
	*retired = s->nretired;
	inode_store_unlock(s);
}
