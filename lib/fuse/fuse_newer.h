/*
 * fuse_newer: FUSE 7.39 to 7.45 as Linux's include/uapi/linux/fuse.h
 * defines it, for what Debian 12's linux/fuse.h (7.38) lacks. Our own
 * names (VFS_FUSE_*, vfs_fuse_*), so a newer system header that has them
 * as enums and structs does not clash. Layouts checked against the uapi
 * header of Linux 6.18 (7.45) and asserted below.
 *
 *   7.39  FUSE_STATX (52), struct fuse_statx, fuse_statx_in, fuse_statx_out;
 *         FUSE_EXT_GROUPS (32), struct fuse_supp_groups
 *   7.45  FUSE_COPY_FILE_RANGE_64 (53), struct fuse_copy_file_range_out
 * The notify codes since 7.40 (RESEND, INC_EPOCH, PRUNE) are in
 * notify/fuse_notify_check.h, where notifications are read.
 * FUSE_TMPFILE (51, 7.37) is in Debian 12's header: fuse_create_in, then a
 * name ("/", the kernel's placeholder dentry), replied as CREATE is.
 */
#ifndef VFS_FUSE_NEWER_H
#define VFS_FUSE_NEWER_H

#include <stdint.h>
#include <linux/fuse.h>

#define VFS_FUSE_NEWEST_MINOR 45

#define VFS_FUSE_STATX 52
#define VFS_FUSE_COPY_FILE_RANGE_64 53

#define VFS_FUSE_EXT_GROUPS 32 /* enum fuse_ext_type */

struct vfs_fuse_sx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct vfs_fuse_statx {
	uint32_t mask;
	uint32_t blksize;
	uint64_t attributes;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint16_t mode;
	uint16_t spare0[1];
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t attributes_mask;
	struct vfs_fuse_sx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor;
	uint32_t dev_major, dev_minor;
	uint64_t spare2[14];
};

struct vfs_fuse_statx_in {
	uint32_t getattr_flags; /* FUSE_GETATTR_FH: fh names an open file */
	uint32_t reserved;
	uint64_t fh;
	uint32_t sx_flags;      /* the caller's AT_STATX_* sync flags */
	uint32_t sx_mask;       /* STATX_* the caller asked for */
};

struct vfs_fuse_statx_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec;
	uint32_t flags;
	uint64_t spare[2];
	struct vfs_fuse_statx stat;
};

struct vfs_fuse_copy_file_range_out {
	uint64_t bytes_copied;
};

struct vfs_fuse_supp_groups {
	uint32_t nr_groups;
	uint32_t groups[];
};

_Static_assert(sizeof(struct vfs_fuse_statx) == 256, "fuse_statx is 256 bytes");
_Static_assert(sizeof(struct vfs_fuse_statx_in) == 24, "fuse_statx_in is 24 bytes");
_Static_assert(sizeof(struct vfs_fuse_statx_out) == 288, "fuse_statx_out is 288 bytes");

#endif
