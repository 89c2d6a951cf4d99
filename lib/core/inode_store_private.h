/*
 * inode_store_private: the store's own structs, for its own files only
 * (inode_store.c, inode_store_check.c). Everyone else holds an opaque
 * struct inode * and uses inode_store.h.
 */
#ifndef VFS_INODE_STORE_PRIVATE_H
#define VFS_INODE_STORE_PRIVATE_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "core/inode_store.h"
#include "util/hash_table.h"
#include "util/slab.h"

/*
 * An inode's handle, its bytes inline where they fit (ext4: 8 bytes,
 * tmpfs: 12); a larger one lives apart and data holds the pointer. mnt_id
 * is the inode's mount id, handle or not (name_to_handle_at and statx
 * give the same one; a handle that says otherwise is kept apart too). Laid out
 * as struct vfs_handle (the bytes start at the same offset), so the inline
 * one is handed out as one. The inode's has_handle is written last
 * (release), read first (acquire): a handle adopted later is whole when it
 * can be seen.
 */
#define INODE_HANDLE_INLINE 12

struct inode_handle {
	int mnt_id;
	int type;
	uint32_t bytes;
	unsigned char data[INODE_HANDLE_INLINE];
};

_Static_assert(offsetof(struct inode_handle, data) == offsetof(struct vfs_handle, data),
	       "struct inode_handle must be laid out as struct vfs_handle");

/*
 * A cached inode: 112 bytes, from the store's slab (make bench measures
 * what it costs). Set at creation and never changed: nodeid, dev, ino,
 * mnt_id, type. Set at most once, under the lock, published with a
 * release store: the handle. Protected by the store lock: everything else
 * (fd is also read with an atomic load by reference holders: it is given
 * at most once and closed only when no reference is left).
 */
struct inode {
	struct hash_link by_nodeid, by_ids, by_handle;
	struct inode *lru_prev, *lru_next;
	uint64_t nodeid;
	uint64_t dev, ino;    /* the ids key, with h.mnt_id */
	uint32_t nlookup;     /* guest's lookup count (FUSE semantics), saturating */
	uint32_t refs;        /* requests using it now */
	int fd;               /* O_PATH fd, or -1 */
	int mount_fd;         /* a mount fd reference on h.mnt_id, or -1 */
	uint16_t type;        /* file type bits of st_mode */
	bool in_ids;          /* entered in by-ids */
	bool retired;         /* forgotten by the guest, kept for its handle */
	bool has_handle;      /* h is set (release store, after h) */
	bool h_apart;         /* h.data holds a pointer to the handle */
	bool noted;           /* its handle is in the --state file */
	struct inode_handle h; /* also the inode's mnt_id */
};

_Static_assert(sizeof(struct inode) <= 112, "a cached inode must stay at 112 bytes");

/* The inode's handle, or NULL. */
static inline const struct vfs_handle *inode_handle_of(const struct inode *i)
{
	struct vfs_handle *big;

	if (!__atomic_load_n(&i->has_handle, __ATOMIC_ACQUIRE))
		return NULL;
	if (!i->h_apart)
		return (const struct vfs_handle *)(const void *)&i->h;
	memcpy(&big, i->h.data, sizeof(big));
	return big;
}

/* Protected by lock: every field but generation, keep_retired, retired_max, hooks. */
struct inode_store {
	pthread_mutex_t lock;
	struct hash_table nodeids, ids, handles;
	uint64_t next_nodeid;
	uint32_t generation;  /* set at creation, or restored once before any request */
	struct inode *root;
	struct inode *lru_oldest, *lru_newest;
	size_t nretired, retired_max;
	size_t nlive;
	bool keep_retired;
	struct inode_store_hooks hooks;
	struct slab inodes;
};

#endif
