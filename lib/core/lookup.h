/*
 * lookup: where a lookup decides between handle and ids.
 *
 * One function per design of the reference thread; the comments at each
 * say which case of the thread the design gets right or wrong.
 */
#ifndef VFS_LOOKUP_H
#define VFS_LOOKUP_H

#include <sys/stat.h>

#include "core/passthrough.h"

/*
 * Looks up @name in directory @parent (a live inode the caller holds a
 * reference on) and counts one lookup on the result, which is returned in
 * @out with its attributes in @st. "." is @parent itself and ".." its
 * parent; ".." of the root is the root, so the guest never leaves SOURCE.
 * 0 or -errno.
 */
int passthrough_lookup(struct passthrough *pt, struct inode *parent,
		       const char *name, struct stat *st, struct inode **out);

/*
 * The inode of the unnamed file open at @fd (O_TMPFILE in @parent), with
 * one lookup counted, as passthrough_lookup gives one; @fd stays the
 * caller's. 0 or -errno.
 */
int passthrough_lookup_unnamed(struct passthrough *pt, int fd, struct inode *parent,
			       struct stat *st, struct inode **out);

/*
 * The kernel's LOOKUP "." on @nodeid when it reconnects a file handle of
 * the FUSE mount: also for nodeids it forgot, which are found again through
 * their host handle while the store keeps them. -ESTALE if the nodeid is
 * unknown or its file is gone.
 */
int passthrough_lookup_self(struct passthrough *pt, uint64_t nodeid,
			    struct stat *st, struct inode **out);

/* Attributes of @inode's file now. */
int passthrough_stat(struct passthrough *pt, struct inode *inode, struct stat *st);

#endif
