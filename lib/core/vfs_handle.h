/*
 * vfs_handle: host file handles (name_to_handle_at / open_by_handle_at).
 *
 * A handle names a file by (mount id, type, bytes); the bytes hold the
 * inode number *and* its generation, so unlike (st_dev, st_ino) a handle is
 * never shared by an unlinked file and the new file that reused its inode
 * number. Making a handle needs no mount fd: that is the "lookup-only"
 * handle of the reference thread. Opening one needs a mount fd (mount_fds).
 */
#ifndef VFS_HANDLE_H
#define VFS_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs/fault.h"

struct vfs_handle {
	int mnt_id;
	int type;
	uint32_t bytes;
	unsigned char data[];
};

/*
 * Makes a lookup-only handle of @name relative to @dirfd (flags as for
 * name_to_handle_at, e.g. AT_EMPTY_PATH). Fault point handle_generate.
 * Returns 0, or -EOPNOTSUPP / -EOVERFLOW where the filesystem gives no
 * handles, or another -errno.
 */
int vfs_handle_make(struct faults *faults, int dirfd, const char *name,
		    int flags, struct vfs_handle **out);
void vfs_handle_free(struct vfs_handle *h);

/* Opens the file behind @h through @mount_fd. Fault point open_by_handle. */
int vfs_handle_open(struct faults *faults, int mount_fd,
		    const struct vfs_handle *h, int flags);

uint64_t vfs_handle_hash(const struct vfs_handle *h);
bool vfs_handle_equal(const struct vfs_handle *a, const struct vfs_handle *b);
/* "TYPE:HEX" into @buf; returns @buf. */
char *vfs_handle_format(const struct vfs_handle *h, char *buf, size_t len);
/* True for the errors that mean "this filesystem has no usable handles". */
bool vfs_handle_unsupported(int err);

#endif
