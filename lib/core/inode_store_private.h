/*
 * inode_store_private: the store's own structs, for its own files only
 * (inode_store.c, inode_store_check.c). Everyone else holds an opaque
 * struct inode * and uses inode_store.h.
 */
#ifndef VFS_INODE_STORE_PRIVATE_H
#define VFS_INODE_STORE_PRIVATE_H

#include <pthread.h>

#include "core/inode_store.h"
#include "util/hash_table.h"

/*
 * Set at creation and never changed: nodeid, dev, ino, mnt_id, type.
 * Set at most once, under the lock, read with atomic loads: handle.
 * Protected by the store lock: everything else (fd is also read with an
 * atomic load by reference holders: it is given at most once and closed
 * only when no reference is left).
 */
struct inode {
	struct hash_link by_nodeid, by_ids, by_handle;
	struct inode *lru_prev, *lru_next;
	uint64_t nodeid;
	uint64_t nlookup;     /* guest's lookup count (FUSE semantics) */
	uint64_t dev, ino;    /* the ids key, with mnt_id */
	int mnt_id;
	int fd;               /* O_PATH fd, or -1 */
	struct mount_ref mount; /* .fd -1: no mount fd reference */
	struct vfs_handle *handle; /* NULL: no handle */
	uint32_t refs;        /* requests using it now */
	mode_t type;          /* file type bits of st_mode */
	bool in_ids;          /* entered in by-ids */
	bool retired;         /* forgotten by the guest, kept for its handle */
};

/* Protected by lock: every field but generation, keep_retired, retired_max, hooks. */
struct inode_store {
	pthread_mutex_t lock;
	struct hash_table nodeids, ids, handles;
	uint64_t next_nodeid;
	uint32_t generation;
	struct inode *root;
	struct inode *lru_oldest, *lru_newest;
	size_t nretired, retired_max;
	size_t nlive;
	bool keep_retired;
	struct inode_store_hooks hooks;
};

#endif
