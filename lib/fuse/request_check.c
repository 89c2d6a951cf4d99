/*
 * request_check: the input sizes are those of linux/fuse.h at minor 38
 * (the largest struct a server of that minor reads), and of STATX,
 * TMPFILE and COPY_FILE_RANGE_64 (fuse/fuse_newer.h); names are the
 * NUL-terminated strings that follow, and must have no '/' (an xattr's
 * name may: it names no file).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/fuse.h>

#include "fuse/fuse_newer.h"
#include "fuse/request_check.h"

struct rule {
	int fixed; /* bytes of struct before any name */
	int names; /* NUL-terminated names after it */
};

static const struct rule rules[] = {
	[FUSE_LOOKUP] = { 0, 1 },
	[FUSE_FORGET] = { sizeof(struct fuse_forget_in), 0 },
	[FUSE_GETATTR] = { sizeof(struct fuse_getattr_in), 0 },
	[FUSE_SETATTR] = { sizeof(struct fuse_setattr_in), 0 },
	[FUSE_READLINK] = { 0, 0 },
	[FUSE_SYMLINK] = { 0, 2 },
	[FUSE_MKNOD] = { sizeof(struct fuse_mknod_in), 1 },
	[FUSE_MKDIR] = { sizeof(struct fuse_mkdir_in), 1 },
	[FUSE_UNLINK] = { 0, 1 },
	[FUSE_RMDIR] = { 0, 1 },
	[FUSE_RENAME] = { sizeof(struct fuse_rename_in), 2 },
	[FUSE_LINK] = { sizeof(struct fuse_link_in), 1 },
	[FUSE_OPEN] = { sizeof(struct fuse_open_in), 0 },
	[FUSE_READ] = { sizeof(struct fuse_read_in), 0 },
	[FUSE_WRITE] = { sizeof(struct fuse_write_in), 0 },
	[FUSE_STATFS] = { 0, 0 },
	[FUSE_RELEASE] = { sizeof(struct fuse_release_in), 0 },
	[FUSE_FSYNC] = { sizeof(struct fuse_fsync_in), 0 },
	/* libfuse 3.14 never takes SETXATTR_EXT: the 8-byte layout, always. */
	[FUSE_SETXATTR] = { FUSE_COMPAT_SETXATTR_IN_SIZE, 1 },
	[FUSE_GETXATTR] = { sizeof(struct fuse_getxattr_in), 1 },
	[FUSE_LISTXATTR] = { sizeof(struct fuse_getxattr_in), 0 },
	[FUSE_REMOVEXATTR] = { 0, 1 },
	[FUSE_FLUSH] = { sizeof(struct fuse_flush_in), 0 },
	[FUSE_INIT] = { 8, 0 }, /* major, minor: the rest depends on them */
	[FUSE_OPENDIR] = { sizeof(struct fuse_open_in), 0 },
	[FUSE_READDIR] = { sizeof(struct fuse_read_in), 0 },
	[FUSE_RELEASEDIR] = { sizeof(struct fuse_release_in), 0 },
	[FUSE_FSYNCDIR] = { sizeof(struct fuse_fsync_in), 0 },
	[FUSE_GETLK] = { sizeof(struct fuse_lk_in), 0 },
	[FUSE_SETLK] = { sizeof(struct fuse_lk_in), 0 },
	[FUSE_SETLKW] = { sizeof(struct fuse_lk_in), 0 },
	[FUSE_ACCESS] = { sizeof(struct fuse_access_in), 0 },
	[FUSE_CREATE] = { sizeof(struct fuse_create_in), 1 },
	[FUSE_INTERRUPT] = { sizeof(struct fuse_interrupt_in), 0 },
	[FUSE_BMAP] = { sizeof(struct fuse_bmap_in), 0 },
	[FUSE_DESTROY] = { 0, 0 },
	[FUSE_IOCTL] = { sizeof(struct fuse_ioctl_in), 0 },
	[FUSE_POLL] = { sizeof(struct fuse_poll_in), 0 },
	[FUSE_BATCH_FORGET] = { sizeof(struct fuse_batch_forget_in), 0 },
	[FUSE_FALLOCATE] = { sizeof(struct fuse_fallocate_in), 0 },
	[FUSE_READDIRPLUS] = { sizeof(struct fuse_read_in), 0 },
	[FUSE_RENAME2] = { sizeof(struct fuse_rename2_in), 2 },
	[FUSE_LSEEK] = { sizeof(struct fuse_lseek_in), 0 },
	[FUSE_COPY_FILE_RANGE] = { sizeof(struct fuse_copy_file_range_in), 0 },
	/* TMPFILE's name is the kernel's placeholder, "/": read to its NUL, never used. */
	[FUSE_TMPFILE] = { sizeof(struct fuse_create_in), 1 },
	[VFS_FUSE_STATX] = { sizeof(struct vfs_fuse_statx_in), 0 },
	[VFS_FUSE_COPY_FILE_RANGE_64] = { sizeof(struct fuse_copy_file_range_in), 0 },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

int fuse_request_min_input(uint32_t opcode)
{
	if (opcode >= NRULES || (!rules[opcode].fixed && !rules[opcode].names &&
				 opcode != FUSE_READLINK && opcode != FUSE_STATFS &&
				 opcode != FUSE_DESTROY))
		return -1;
	return rules[opcode].fixed;
}

int fuse_request_check(char *buf, size_t len, uint64_t *unique, const char **why)
{
	struct fuse_in_header h;
	const struct rule *r;
	size_t at;

	*unique = 0;
	if (len < sizeof(h)) {
		*why = "shorter than a request header";
		return -EINVAL;
	}
	memcpy(&h, buf, sizeof(h));
	if (!h.unique) {
		*why = "unique 0";
		return -EINVAL;
	}
	*unique = h.unique;
	if (h.len != len) {
		*why = h.len < len ? "the header's length is shorter than the request"
				   : "the header's length is longer than the request";
		return -EINVAL;
	}
	buf[len] = '\0';
	if (fuse_request_min_input(h.opcode) < 0)
		return 0; /* unknown: libfuse answers ENOSYS */
	r = &rules[h.opcode];
	at = sizeof(h) + (size_t)r->fixed;
	if (at > len) {
		*why = "shorter than its operation's input";
		return -EINVAL;
	}
	if (h.opcode == FUSE_WRITE) {
		const struct fuse_write_in *w = (const void *)(buf + sizeof(h));

		if (w->size > len - at) {
			*why = "WRITE: size past the data sent";
			return -EINVAL;
		}
	}
	if (h.opcode == FUSE_BATCH_FORGET) {
		const struct fuse_batch_forget_in *b = (const void *)(buf + sizeof(h));

		if (b->count > (len - at) / sizeof(struct fuse_forget_one)) {
			*why = "BATCH_FORGET: count past the entries sent";
			return -EINVAL;
		}
	}
	for (int k = 0; k < r->names; k++) {
		char *name = buf + at, *nul = memchr(name, '\0', len - at);
		bool xattr = h.opcode == FUSE_SETXATTR || h.opcode == FUSE_GETXATTR ||
			     h.opcode == FUSE_REMOVEXATTR;

		if (!nul) {
			*why = "a name without its NUL";
			return -EINVAL;
		}
		if (xattr || h.opcode == FUSE_TMPFILE) {
			if (nul == name && xattr) {
				*why = "an empty name";
				return -EINVAL;
			}
			at = (size_t)(nul - buf) + 1;
			continue;
		}
		/* A symlink's target (SYMLINK's second name) may have '/'. */
		if (!(h.opcode == FUSE_SYMLINK && k == 1) &&
		    (nul == name || memchr(name, '/', (size_t)(nul - name)))) {
			*why = nul == name ? "an empty name" : "a name with '/'";
			return -EINVAL;
		}
		if (h.opcode == FUSE_LOOKUP && h.nodeid == FUSE_ROOT_ID && !strcmp(name, ".."))
			name[1] = '\0';
		/* Only LOOKUP walks "." and ".." (the kernel's export support does). */
		else if (h.opcode != FUSE_LOOKUP && !(h.opcode == FUSE_SYMLINK && k == 1) &&
			 (!strcmp(name, ".") || !strcmp(name, ".."))) {
			*why = "a name of \".\" or \"..\"";
			return -EINVAL;
		}
		at = (size_t)(nul - buf) + 1;
	}
	/* libfuse hands SETXATTR's value on with the size it claims: it must be there. */
	if (h.opcode == FUSE_SETXATTR &&
	    ((const struct fuse_setxattr_in *)(buf + sizeof(h)))->size != len - at) {
		*why = "SETXATTR: a value size other than the bytes sent";
		return -EINVAL;
	}
	return 0;
}

int fuse_request_gate(struct fuse_request_gate *g, const char *buf, const char **why)
{
	if (__atomic_load_n(&g->destroyed, __ATOMIC_ACQUIRE)) {
		*why = "after DESTROY";
		return -EIO;
	}
	if (((const struct fuse_in_header *)buf)->opcode == FUSE_DESTROY)
		__atomic_store_n(&g->destroyed, true, __ATOMIC_RELEASE);
	return 0;
}
