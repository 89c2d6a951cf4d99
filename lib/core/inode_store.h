/*
 * inode_store: the inodes the server has handed to the guest.
 *
 * Three maps, as in the reference thread: nodeid -> inode, by-ids
 * (st_dev, st_ino, mnt_id) -> inode, by-handle (mount id, handle type,
 * handle bytes) -> inode. Which map a lookup consults, and which inodes go
 * into by-ids, is the design's business (lookup_*.c); the store keeps the
 * maps, the lookup counts and the resources straight, and checks its own
 * invariants. Its structs are its own: callers hold `struct inode *` as an
 * opaque reference and go through this API for everything.
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
 *
 * Locking: one mutex (the store lock) protects the maps, every inode's
 * lookup count, reference count, retired state, fd and mount fd
 * reference. An inode's nodeid, ids, type and handle never change once it
 * is in the maps (a handle is set at most once, under the lock), so a
 * holder of a reference reads them without the lock. The store lock is
 * innermost: nothing else is locked, and no system call is made, while it
 * is held; fds and mount fd references it lets go of are released after
 * it is dropped.
 */
#ifndef VFS_INODE_STORE_H
#define VFS_INODE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/vfs_handle.h"
#include "util/strbuf.h"

#define ROOT_NODEID 1

struct inode;
struct inode_store;

/* How the store gives resources back (after dropping its lock). */
struct inode_store_hooks {
	void (*close_fd)(int fd, void *arg);                 /* an inode's O_PATH fd */
	void (*put_mount_ref)(struct mount_ref *ref, void *arg); /* its mount fd ref */
	void *arg;
};

/* What the store knows of one inode, copied under its lock. */
struct inode_info {
	uint64_t nodeid, nlookup, dev, ino;
	uint32_t generation;
	int mnt_id;
	mode_t type;            /* S_IFMT bits */
	bool has_fd, mount_ref, retired, in_ids;
	const struct vfs_handle *handle; /* NULL: none; lives as long as the inode */
};

/* What a new inode starts with; the store takes h, fd and mount. */
struct inode_new {
	uint64_t dev, ino;
	int mnt_id;
	mode_t type;
	struct vfs_handle *h;   /* NULL: no handle */
	int fd;                 /* O_PATH fd, or -1 */
	struct mount_ref mount; /* .fd -1: none */
	bool in_ids;            /* enter it in by-ids */
};

/* NULL with errno set. */
struct inode_store *inode_store_new(uint32_t generation, bool keep_retired,
				    size_t retired_max, const struct inode_store_hooks *hooks);
/* Frees every inode (giving back its resources), root included. */
void inode_store_free(struct inode_store *s);

/* Set once: readable by any holder of a reference, without the lock. */
uint64_t inode_nodeid(const struct inode *i);
uint32_t inode_generation(const struct inode_store *s, const struct inode *i);
void inode_ids(const struct inode *i, uint64_t *dev, uint64_t *ino, int *mnt_id);
mode_t inode_type(const struct inode *i);
const struct vfs_handle *inode_handle(const struct inode *i);
/* Its O_PATH fd or -1: never closed while a reference is held. */
int inode_fd(const struct inode *i);
/*
 * Its handle with the mount fd it holds a reference on, borrowed for as
 * long as the caller's reference: 0, or -ENOENT if it holds none.
 */
int inode_store_openable(struct inode_store *s, struct inode *i, struct openable_handle *out);
/*
 * Gives @i the mount fd reference *@ref if it has neither one nor an fd
 * (then ref->fd becomes -1); the caller puts back a reference not taken.
 */
void inode_store_give_mount_ref(struct inode_store *s, struct inode *i, struct mount_ref *ref);
void inode_store_info(struct inode_store *s, struct inode *i, struct inode_info *out);

/*
 * A lookup decides under the lock: find, create, count. The *_locked
 * calls need inode_store_lock() held and make no system calls.
 */
void inode_store_lock(struct inode_store *s);
void inode_store_unlock(struct inode_store *s);
struct inode *inode_store_find_ids_locked(struct inode_store *s, uint64_t dev,
					  uint64_t ino, int mnt_id);
struct inode *inode_store_find_handle_locked(struct inode_store *s,
					     const struct vfs_handle *h);
/* A new inode with one lookup, in by-nodeid (and by-handle, by-ids). NULL: ENOMEM, nothing taken. */
struct inode *inode_store_create_locked(struct inode_store *s, struct inode_new *n);
/* Counts a lookup of @i, bringing it back if it was retired. */
void inode_store_ref_lookup_locked(struct inode_store *s, struct inode *i);
/* Gives *@h to @i, an fd inode without a handle (*@h becomes NULL); false if it may not. */
bool inode_store_adopt_handle_locked(struct inode_store *s, struct inode *i,
				     struct vfs_handle **h);
/* Gives the O_PATH fd *@fd to @i if it has neither fd nor mount ref (*@fd becomes -1). */
bool inode_store_give_fd_locked(struct inode_store *s, struct inode *i, int *fd, bool in_ids);
/* Same for a mount fd reference. */
bool inode_store_give_mount_ref_locked(struct inode_store *s, struct inode *i,
				       struct mount_ref *ref);
void inode_store_info_locked(struct inode_store *s, struct inode *i, struct inode_info *out);

/* The root, nodeid 1, made by the first inode_store_create_locked. */
struct inode *inode_store_root(struct inode_store *s);
/* Counts a lookup of @i (a "." or ".." lookup that found it). */
void inode_store_ref_lookup(struct inode_store *s, struct inode *i);

/*
 * For a request on @nodeid: the live inode with a reference taken, or NULL
 * if the guest does not hold that nodeid (unknown, forged or forgotten).
 */
struct inode *inode_store_get(struct inode_store *s, uint64_t nodeid);
/* The same, retired inodes included (the kernel's LOOKUP "." on a forgotten nodeid). */
struct inode *inode_store_get_any(struct inode_store *s, uint64_t nodeid);
void inode_store_put(struct inode_store *s, struct inode *i);

/* FUSE forget: drops @n lookups (clamped at the count). 0 or -ESTALE. */
int inode_store_forget(struct inode_store *s, uint64_t nodeid, uint64_t n);

/*
 * Persistence (--state, device state): a restored inode is retired (the
 * guest holds no lookup of it) with the nodeid it had, so that the
 * kernel's LOOKUP "." finds it by nodeid and a lookup by name by handle.
 * Called before any request, after the root was made. NULL: ENOMEM or
 * EEXIST (the nodeid or the handle is taken); *@h is taken only on success.
 */
struct inode_restore {
	uint64_t nodeid, dev, ino;
	mode_t type;
};
struct inode *inode_store_restore(struct inode_store *s, const struct inode_restore *r,
				  struct vfs_handle **h);
/* The generation and next nodeid, as restored (next only ever grows). */
void inode_store_set_generation(struct inode_store *s, uint32_t generation);
uint32_t inode_store_generation(const struct inode_store *s);
void inode_store_skip_nodeids(struct inode_store *s, uint64_t next);
uint64_t inode_store_next_nodeid(struct inode_store *s);
/* A restored inode live again with @n lookups (a migration's): 0 or -ESTALE. */
int inode_store_set_lookups(struct inode_store *s, uint64_t nodeid, uint64_t n);
/* True once per inode with a handle: the caller records it now. */
bool inode_store_claim_note(struct inode_store *s, struct inode *i);

/* Calls @fn on every inode, live and retired, under the lock: @fn must not block. */
void inode_store_each(struct inode_store *s,
		      void (*fn)(const struct inode_info *info, void *arg), void *arg);
/* How many inodes are live (root included) and retired, at one moment. */
void inode_store_counts(struct inode_store *s, size_t *live, size_t *retired);

/*
 * Checks the store's invariants, one "violation WHAT nodeid=N ..." line
 * each into @out: the maps against the inodes, retired inodes holding
 * nothing, live inodes with lookups and a handle or fd, and no two live
 * inodes for one file. The number of violations, or -ENOMEM (a check that
 * could not be made is not a pass).
 */
int inode_store_check(struct inode_store *s, struct strbuf *out);

#endif
