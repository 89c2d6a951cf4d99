/*
 * inode_store: the inodes the server has handed to the guest.
 *
 * Three maps, as in the reference thread: nodeid -> inode, by-ids
 * (st_dev, st_ino, mnt_id) -> inode, by-handle (mount id, handle type,
 * handle bytes) -> inode. Which map a lookup consults, and which inodes go
 * into by-ids, is the design's business (lookup.c); the store only keeps
 * the maps and the lookup counts straight.
 *
 * Nodeids are a 64-bit counter and are never reused, so a (nodeid,
 * generation) pair can only ever name the file it was first given for;
 * the generation is therefore one value per server instance (0 for the
 * root, which the kernel requires), so that handles from an earlier run of
 * the server are refused. Nodeids from the guest are looked up in a map,
 * never turned into pointers.
 *
 * When the guest forgets an inode that has a handle, the store may keep it
 * "retired": no fd, no mount fd reference, out of by-ids (its inode number
 * may be reused now), but still in by-nodeid and by-handle. That is what
 * lets the kernel's LOOKUP "." on a forgotten nodeid (open_by_handle_at on
 * the FUSE mount after a cache drop) find the file again, and what gives a
 * file the same nodeid when it is looked up again. At most retired_max
 * inodes are kept, oldest dropped first.
 */
#ifndef VFS_INODE_STORE_H
#define VFS_INODE_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/hash_table.h"
#include "core/vfs_handle.h"

#define ROOT_NODEID 1

struct inode {
	struct hash_link by_nodeid, by_ids, by_handle;
	struct inode *lru_prev, *lru_next;
	uint64_t nodeid;
	uint64_t nlookup;     /* guest's lookup count (FUSE semantics) */
	uint64_t dev, ino;    /* the ids key, with mnt_id */
	int mnt_id;
	int fd;               /* O_PATH fd, or -1 */
	int mount_fd;         /* the mount fd, while mount_ref */
	struct vfs_handle *handle; /* NULL: no handle */
	uint32_t refs;        /* requests using it now */
	mode_t mode;          /* file type bits of st_mode */
	bool in_ids;          /* entered in by-ids */
	bool mount_ref;       /* holds a mount fd reference (usable handle) */
	bool retired;         /* forgotten by the guest, kept for its handle */
};

struct inode_store {
	pthread_mutex_t lock;
	struct hash_table nodeids, ids, handles;
	uint64_t next_nodeid;
	uint32_t generation;
	struct inode *lru_oldest, *lru_newest;
	size_t nretired, retired_max;
	size_t nlive;
	bool keep_retired;
	/* Closes the inode's fd and drops its mount fd reference. */
	void (*drop_resources)(struct inode *inode, void *arg);
	void *drop_arg;
};

int inode_store_init(struct inode_store *s, uint32_t generation,
		     bool keep_retired, size_t retired_max,
		     void (*drop_resources)(struct inode *, void *), void *arg);
/* Frees every inode (dropping its resources), root included. */
void inode_store_release(struct inode_store *s);

static inline void inode_store_lock(struct inode_store *s) { pthread_mutex_lock(&s->lock); }
static inline void inode_store_unlock(struct inode_store *s) { pthread_mutex_unlock(&s->lock); }

/* A fresh inode with the next nodeid, fd -1, not yet in any map. */
struct inode *inode_new(struct inode_store *s);
/* Generation the guest is told for @inode. */
uint32_t inode_generation(const struct inode_store *s, const struct inode *inode);

/* The *_locked calls need inode_store_lock held. */
/* Enters @inode in by-nodeid, by-handle if it has a handle, by-ids if @ids. */
void inode_store_add_locked(struct inode_store *s, struct inode *inode, bool ids);
void inode_store_add_ids_locked(struct inode_store *s, struct inode *inode);
/* Gives @inode (which has none) the handle @h and enters it in by-handle. */
void inode_store_set_handle_locked(struct inode_store *s, struct inode *inode,
				   struct vfs_handle *h);
struct inode *inode_store_find_nodeid_locked(struct inode_store *s, uint64_t nodeid);
struct inode *inode_store_find_ids_locked(struct inode_store *s, uint64_t dev,
					  uint64_t ino, int mnt_id);
struct inode *inode_store_find_handle_locked(struct inode_store *s,
					     const struct vfs_handle *h);
/* Counts a lookup of @inode, bringing it back if it was retired. */
void inode_store_ref_lookup_locked(struct inode_store *s, struct inode *inode);

/*
 * For a request on @nodeid: the live inode with a reference taken, or NULL
 * if the guest does not hold that nodeid (unknown, forged or forgotten).
 */
struct inode *inode_store_get(struct inode_store *s, uint64_t nodeid);
void inode_store_put(struct inode_store *s, struct inode *inode);

/* FUSE forget: drops @n lookups (clamped at the count). 0 or -ESTALE. */
int inode_store_forget(struct inode_store *s, uint64_t nodeid, uint64_t n);

/* Calls @fn on every inode, live and retired, under the lock. */
void inode_store_each(struct inode_store *s,
		      void (*fn)(struct inode *inode, void *arg), void *arg);

#endif
