/* fuse_notify_check: the sizes are those of include/uapi/linux/fuse.h, 7.45. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/fuse.h>

#include "notify/fuse_notify_check.h"

#define HDR sizeof(struct fuse_out_header)

/* Bytes that follow the fixed part, as the fixed part at @p says; -1 if it lies. */
static long long tail_of(int code, const char *p)
{
	uint32_t n32;
	uint64_t n64;

	switch (code) {
	case FUSE_NOTIFY_INVAL_ENTRY: /* parent, namelen, flags; the name and its NUL */
		memcpy(&n32, p + 8, 4);
		return (long long)n32 + 1;
	case FUSE_NOTIFY_DELETE: /* parent, child, namelen, padding; the name and its NUL */
		memcpy(&n32, p + 16, 4);
		return (long long)n32 + 1;
	case FUSE_NOTIFY_STORE: /* nodeid, offset, size, padding; the data */
		memcpy(&n32, p + 16, 4);
		return n32;
	case VFS_FUSE_NOTIFY_PRUNE: /* count, padding, spare; count nodeids */
		memcpy(&n32, p, 4);
		n64 = (uint64_t)n32 * 8;
		return (long long)n64;
	}
	return 0;
}

int fuse_notify_check(const void *buf, size_t len, int *code, const char **why)
{
	static const size_t fixed[] = {
		[FUSE_NOTIFY_POLL] = sizeof(struct fuse_notify_poll_wakeup_out),
		[FUSE_NOTIFY_INVAL_INODE] = sizeof(struct fuse_notify_inval_inode_out),
		[FUSE_NOTIFY_INVAL_ENTRY] = sizeof(struct fuse_notify_inval_entry_out),
		[FUSE_NOTIFY_STORE] = sizeof(struct fuse_notify_store_out),
		[FUSE_NOTIFY_RETRIEVE] = sizeof(struct fuse_notify_retrieve_out),
		[FUSE_NOTIFY_DELETE] = sizeof(struct fuse_notify_delete_out),
		[VFS_FUSE_NOTIFY_RESEND] = 0,
		[VFS_FUSE_NOTIFY_INC_EPOCH] = 0,
		[VFS_FUSE_NOTIFY_PRUNE] = sizeof(struct vfs_fuse_notify_prune_out),
	};
	struct fuse_out_header o;
	long long tail;

	if (len < HDR) {
		*why = "shorter than a reply header";
		return -EPROTO;
	}
	memcpy(&o, buf, HDR);
	if (o.unique) {
		*why = "not a notification (unique is not 0)";
		return -EPROTO;
	}
	if (o.error <= 0 || o.error >= (int)(sizeof(fixed) / sizeof(fixed[0]))) {
		*why = "no mainline notify code (1 to 9)";
		return -EPROTO;
	}
	if (o.len != len) {
		*why = "the header's length is not the record's";
		return -EPROTO;
	}
	if (len < HDR + fixed[o.error]) {
		*why = "shorter than its code's fixed part";
		return -EPROTO;
	}
	tail = tail_of(o.error, (const char *)buf + HDR);
	if ((long long)(len - HDR - fixed[o.error]) != tail) {
		*why = "its length is not what its fixed part says follows";
		return -EPROTO;
	}
	if ((o.error == FUSE_NOTIFY_INVAL_ENTRY || o.error == FUSE_NOTIFY_DELETE) &&
	    ((const char *)buf)[len - 1] != '\0') {
		*why = "a name without its NUL";
		return -EPROTO;
	}
	*code = o.error;
	return 0;
}
