/*
 * fuse_notify_check: a mainline FUSE notification (unique 0, error the notify
 * code) checked against its code's layout, up to 7.45's PRUNE, so a
 * front-end that meets one says what it was and whether it was whole.
 */
#ifndef VFS_FUSE_NOTIFY_CHECK_H
#define VFS_FUSE_NOTIFY_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Newer than Debian 12's linux/fuse.h (uapi linux/fuse.h, 7.40 to 7.45). */
#define VFS_FUSE_NOTIFY_RESEND 7    /* 7.40: no body */
#define VFS_FUSE_NOTIFY_INC_EPOCH 8 /* 7.44: no body */
#define VFS_FUSE_NOTIFY_PRUNE 9     /* 7.45: fuse_notify_prune_out, then count nodeids */
#define VFS_FUSE_NOTIFY_MAX 9

struct vfs_fuse_notify_prune_out {
	uint32_t count;
	uint32_t padding;
	uint64_t spare;
};

_Static_assert(sizeof(struct vfs_fuse_notify_prune_out) == 16, "fuse_notify_prune_out is 16 bytes");

/*
 * The @len bytes at @buf: 0 with *@code set for a well-formed mainline
 * notification, else -EPROTO with @why naming what was wrong.
 */
int fuse_notify_check(const void *buf, size_t len, int *code, const char **why);

#endif
