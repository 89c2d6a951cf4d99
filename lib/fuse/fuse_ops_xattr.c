/*
 * fuse_ops_xattr: extended attributes. O_PATH fds refuse f*xattr(), so the
 * calls go through /proc/self/fd/N, which names the file the fd holds
 * whatever its name is now.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "fuse/fuse_ops_internal.h"
#include "util/proc_fd.h"

enum xattr_op { XATTR_GET, XATTR_LIST, XATTR_SET, XATTR_REMOVE };

struct xattr_args {
	enum xattr_op op;
	const char *name;
	const char *value;
	size_t size;
	int flags;
};

static ssize_t xattr_call(const char *path, const struct xattr_args *a, char *buf)
{
	switch (a->op) {
	case XATTR_GET:
		return getxattr(path, a->name, buf, a->size);
	case XATTR_LIST:
		return listxattr(path, buf, a->size);
	case XATTR_SET:
		return setxattr(path, a->name, a->value, a->size, a->flags);
	default:
		return removexattr(path, a->name);
	}
}

/*
 * trusted.* and security.* act on the host: overlayfs's metadata, LSM
 * labels, what root's tools trust. A guest may set security.capability
 * (its own binaries' file capabilities, as the Rust virtiofsd lets it:
 * a host that runs them mounts the share nosuid); the rest is refused,
 * whoever the request claims to be, and the host's trusted.* are not
 * read back. 0 or -errno.
 */
static int xattr_name_allowed(const struct xattr_args *a)
{
	bool trusted, security;

	if (a->op == XATTR_LIST)
		return 0;
	trusted = !strncmp(a->name, "trusted.", 8);
	security = !strncmp(a->name, "security.", 9) && strcmp(a->name, "security.capability");
	if (a->op == XATTR_GET)
		return trusted ? -ENODATA : 0;
	if (a->op == XATTR_SET || a->op == XATTR_REMOVE)
		return trusted || security ? -EPERM : 0;
	return 0;
}

static void do_xattr(fuse_req_t req, fuse_ino_t ino, const struct xattr_args *a)
{
	struct passthrough *pt = req_pt(req);
	bool reads = a->op == XATTR_GET || a->op == XATTR_LIST;
	char path[PROC_FD_PATH_MAX], *buf = NULL;
	struct path_ref ref;
	ssize_t n;

	n = xattr_name_allowed(a);
	if (n < 0) {
		reply_errno(req, (int)n);
		return;
	}
	if (!req_path(req, ino, &ref))
		return;
	if (reads && a->size && !(buf = malloc(a->size))) {
		reply_errno(req, -ENOMEM);
		goto out;
	}
	n = xattr_call(proc_fd_path(ref.fd, path), a, buf);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (!reads)
		fuse_reply_err(req, 0);
	else if (a->size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
out:
	path_ref_release(pt, &ref);
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		 const char *value, size_t size, int flags)
{
	struct xattr_args a = { XATTR_SET, name, value, size, flags };

	do_xattr(req, ino, &a);
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct xattr_args a = { .op = XATTR_GET, .name = name, .size = size };

	do_xattr(req, ino, &a);
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct xattr_args a = { .op = XATTR_LIST, .size = size };

	do_xattr(req, ino, &a);
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct xattr_args a = { .op = XATTR_REMOVE, .name = name };

	do_xattr(req, ino, &a);
}
