/*
 * vfs_handle: host file handles (name_to_handle_at / open_by_handle_at),
 * in two types.
 *
 * A lookup-only handle (struct vfs_handle) names a file by (mount id,
 * type, bytes); the bytes hold the inode number *and* its generation, so
 * unlike (st_dev, st_ino) a handle is never shared by an unlinked file and
 * the new file that reused its inode number. Making one needs no mount fd:
 * it is the "lookup-only" handle of the reference thread, enough to tell
 * which inode a file is.
 *
 * An openable handle (struct openable_handle) is a lookup-only handle
 * together with a counted reference on its mount's fd (struct mount_ref,
 * from mount_fds): only that can be opened.
 *
 * These are the bare system calls; fault points are the caller's (the
 * core checks them before calling), so no call here takes the fault table.
 */
#ifndef VFS_HANDLE_H
#define VFS_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfs_handle {
	int mnt_id;
	int type;
	uint32_t bytes;
	unsigned char data[];
};

/* A counted reference on the fd of mount @mnt_id (fd -1: none). */
struct mount_ref {
	int mnt_id;
	int fd;
};

#define MOUNT_REF_NONE ((struct mount_ref){ .mnt_id = 0, .fd = -1 })

struct openable_handle {
	const struct vfs_handle *handle;
	struct mount_ref mount;
};

/*
 * Makes a lookup-only handle of @name relative to @dirfd (flags as for
 * name_to_handle_at, e.g. AT_EMPTY_PATH). Returns 0, or -EOPNOTSUPP /
 * -EOVERFLOW where the filesystem gives no handles, or another -errno.
 */
int vfs_handle_make(int dirfd, const char *name, int flags, struct vfs_handle **out);
void vfs_handle_free(struct vfs_handle *h);

/* Opens the file behind @oh with @flags (O_CLOEXEC added): the fd or -errno. */
int openable_handle_open(const struct openable_handle *oh, int flags);

uint64_t vfs_handle_hash(const struct vfs_handle *h);
bool vfs_handle_equal(const struct vfs_handle *a, const struct vfs_handle *b);
/* "TYPE:HEX" into @buf; returns @buf. */
char *vfs_handle_format(const struct vfs_handle *h, char *buf, size_t len);
/* True for the errors that mean "this filesystem has no usable handles". */
bool vfs_handle_unsupported(int err);

#endif
