/*
 * fuse_ops_entry: the operations on names and inodes: lookup, forget,
 * attributes, and creating, linking, renaming and removing names.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuse/creds.h"
#include "fuse/fuse_ops_internal.h"
#include "util/proc_fd.h"

struct inode *req_inode(fuse_req_t req, fuse_ino_t ino)
{
	struct inode *inode = inode_store_get(req_pt(req)->store, ino);

	if (!inode)
		fuse_reply_err(req, ESTALE);
	return inode;
}

bool req_file(fuse_req_t req, struct fuse_file_info *fi, struct open_ref *ref)
{
	int r = fi ? open_files_get(&req_pt(req)->files, fi->fh, OPEN_FILE, ref) : -EBADF;

	if (r)
		reply_errno(req, r);
	return !r;
}

bool req_path(fuse_req_t req, fuse_ino_t ino, struct path_ref *ref)
{
	struct passthrough *pt = req_pt(req);

	ref->inode = req_inode(req, ino);
	if (!ref->inode)
		return false;
	ref->fd = inode_path_fd(pt, ref->inode, &ref->tmp);
	if (ref->fd < 0) {
		reply_errno(req, ref->fd);
		inode_store_put(pt->store, ref->inode);
		return false;
	}
	return true;
}

void path_ref_release(struct passthrough *pt, struct path_ref *ref)
{
	inode_path_fd_done(ref->fd, ref->tmp);
	inode_store_put(pt->store, ref->inode);
}

void reply_errno(fuse_req_t req, int err)
{
	fuse_reply_err(req, err < 0 ? -err : (err ? err : EIO));
}

bool valid_name(const char *name)
{
	return *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/') &&
	       strlen(name) <= NAME_MAX;
}

void fill_entry(struct passthrough *pt, struct inode *inode,
		const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = inode_nodeid(inode);
	e->generation = inode_generation(pt->store, inode);
	e->attr = *st;
	e->attr_timeout = pt->cfg.attr_timeout;
	e->entry_timeout = pt->cfg.entry_timeout;
}

void reply_entry(fuse_req_t req, struct inode *inode, const struct stat *st)
{
	struct passthrough *pt = req_pt(req);
	struct fuse_entry_param e;

	fill_entry(pt, inode, st, &e);
	/* -ENOENT: the request was interrupted, the kernel never saw the entry. */
	if (fuse_reply_entry(req, &e) == -ENOENT)
		inode_store_forget(pt->store, inode_nodeid(inode), 1);
}

void reply_created(fuse_req_t req, struct inode *parent, const char *name)
{
	struct passthrough *pt = req_pt(req);
	struct inode *inode;
	struct stat st;
	int err = passthrough_lookup(pt, parent, name, &st, &inode);

	if (err)
		reply_errno(req, err);
	else
		reply_entry(req, inode, &st);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct passthrough *pt = req_pt(req);
	struct inode *dir, *inode;
	struct stat st;
	int err;

	if (!strcmp(name, ".")) {
		/* The kernel reconnecting a handle; the nodeid may be forgotten. */
		err = passthrough_lookup_self(pt, parent, &st, &inode);
		if (err)
			reply_errno(req, err);
		else
			reply_entry(req, inode, &st);
		return;
	}
	if (strcmp(name, "..") && !valid_name(name)) {
		reply_errno(req, strlen(name) > NAME_MAX ? -ENAMETOOLONG : -EINVAL);
		return;
	}
	dir = req_inode(req, parent);
	if (!dir)
		return;
	err = passthrough_lookup(pt, dir, name, &st, &inode);
	if (err)
		reply_errno(req, err);
	else
		reply_entry(req, inode, &st);
	inode_store_put(pt->store, dir);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct passthrough *pt = req_pt(req);

	counter_inc(pt->counters.forgets);
	inode_store_forget(pt->store, ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	struct passthrough *pt = req_pt(req);

	for (size_t i = 0; i < count; i++) {
		counter_inc(pt->counters.forgets);
		inode_store_forget(pt->store, forgets[i].ino, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct inode *inode = req_inode(req, ino);
	struct stat st;
	int err;

	(void)fi;
	if (!inode)
		return;
	err = passthrough_stat(pt, inode, &st);
	if (err)
		reply_errno(req, err);
	else
		fuse_reply_attr(req, &st, pt->cfg.attr_timeout);
	inode_store_put(pt->store, inode);
}

/* @file: the open file's fd when the guest named one (its handle checked), else -1. */
static int set_times(struct passthrough *pt, int fd, const struct stat *attr,
		     int valid, int file)
{
	struct timespec tv[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	char name[PROC_FD_NAME_MAX];

	if (valid & FUSE_SET_ATTR_ATIME_NOW)
		tv[0].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_ATIME)
		tv[0] = attr->st_atim;
	if (valid & FUSE_SET_ATTR_MTIME_NOW)
		tv[1].tv_nsec = UTIME_NOW;
	else if (valid & FUSE_SET_ATTR_MTIME)
		tv[1] = attr->st_mtim;
	if (file >= 0)
		return futimens(file, tv) < 0 ? -errno : 0;
	if (utimensat(fd, "", tv, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	return utimensat(pt->proc_self_fd, proc_fd_name(fd, name), tv, 0) < 0 ? -errno : 0;
}

static int set_size(struct passthrough *pt, struct inode *inode, off_t size, int file)
{
	int fd, err = 0;

	if (file >= 0)
		return ftruncate(file, size) < 0 ? -errno : 0;
	fd = inode_reopen(pt, inode, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, size) < 0)
		err = -errno;
	close(fd);
	return err;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int valid, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref f = { .fd = -1 };
	struct path_ref ref;
	struct stat st;
	char name[PROC_FD_NAME_MAX];
	int err = 0;

	if (fi && !req_file(req, fi, &f))
		return;
	if (!req_path(req, ino, &ref)) {
		if (fi)
			open_files_put(&pt->files, &f);
		return;
	}
	if (valid & FUSE_SET_ATTR_MODE) {
		int r = fi ? fchmod(f.fd, attr->st_mode)
			   : fchmodat(pt->proc_self_fd, proc_fd_name(ref.fd, name),
				      attr->st_mode, 0);
		if (r < 0)
			err = -errno;
	}
	if (!err && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = valid & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1;
		gid_t gid = valid & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1;

		if (fchownat(ref.fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			err = -errno;
	}
	if (!err && (valid & FUSE_SET_ATTR_SIZE))
		err = set_size(pt, ref.inode, attr->st_size, f.fd);
	if (!err && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			      FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
		err = set_times(pt, ref.fd, attr, valid, f.fd);
	if (!err)
		err = passthrough_stat(pt, ref.inode, &st);
	if (err)
		reply_errno(req, err);
	else
		fuse_reply_attr(req, &st, pt->cfg.attr_timeout);
	path_ref_release(pt, &ref);
	if (fi)
		open_files_put(&pt->files, &f);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct passthrough *pt = req_pt(req);
	char buf[PATH_MAX + 1];
	struct path_ref ref;
	ssize_t n;

	if (!req_path(req, ino, &ref))
		return;
	n = readlinkat(ref.fd, "", buf, sizeof(buf));
	if (n < 0) {
		reply_errno(req, -errno);
	} else if (n == sizeof(buf)) {
		reply_errno(req, -ENAMETOOLONG);
	} else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
	path_ref_release(pt, &ref);
}

/* What each creating call does, given the parent's fd and the name. */
struct make_args {
	mode_t mode;
	dev_t rdev;
	const char *link;
	enum { MAKE_NODE, MAKE_DIR, MAKE_SYMLINK } kind;
};

static int make_node(int dirfd, const char *name, const struct make_args *a)
{
	int r;

	switch (a->kind) {
	case MAKE_DIR:
		r = mkdirat(dirfd, name, a->mode);
		break;
	case MAKE_SYMLINK:
		r = symlinkat(a->link, dirfd, name);
		break;
	default:
		r = mknodat(dirfd, name, a->mode, a->rdev);
		break;
	}
	return r < 0 ? -errno : 0;
}

int req_switch_creds(fuse_req_t req, struct creds_saved *saved)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t groups[CREDS_MAX_GROUPS];
	/* libfuse reads them from /proc: the kernel does not send them. */
	int n = fuse_req_getgroups(req, CREDS_MAX_GROUPS, groups);

	if (n < 0)
		n = 0; /* the caller is gone or /proc is not there: its ids only */
	else if (n > CREDS_MAX_GROUPS)
		return -E2BIG;
	return creds_switch(ctx->uid, ctx->gid, groups, n, saved);
}

static void make_and_reply(fuse_req_t req, fuse_ino_t parent, const char *name,
			   const struct make_args *a)
{
	struct passthrough *pt = req_pt(req);
	struct creds_saved saved;
	struct path_ref dir;
	int err;

	if (!valid_name(name)) {
		reply_errno(req, -EINVAL);
		return;
	}
	if (!req_path(req, parent, &dir))
		return;
	err = req_switch_creds(req, &saved);
	if (!err) {
		err = make_node(dir.fd, name, a);
		creds_restore(&saved);
	}
	if (err)
		reply_errno(req, err);
	else
		reply_created(req, dir.inode, name);
	path_ref_release(pt, &dir);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct make_args a = { .mode = mode, .rdev = rdev, .kind = MAKE_NODE };

	make_and_reply(req, parent, name, &a);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct make_args a = { .mode = mode, .kind = MAKE_DIR };

	make_and_reply(req, parent, name, &a);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct make_args a = { .link = link, .kind = MAKE_SYMLINK };

	make_and_reply(req, parent, name, &a);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	struct passthrough *pt = req_pt(req);
	struct path_ref file, dir;

	if (!valid_name(newname)) {
		reply_errno(req, -EINVAL);
		return;
	}
	if (!req_path(req, ino, &file))
		return;
	if (req_path(req, newparent, &dir)) {
		if (linkat(file.fd, "", dir.fd, newname, AT_EMPTY_PATH) < 0)
			reply_errno(req, -errno);
		else
			reply_created(req, dir.inode, newname);
		path_ref_release(pt, &dir);
	}
	path_ref_release(pt, &file);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
	struct passthrough *pt = req_pt(req);
	struct path_ref dir;

	if (!valid_name(name)) {
		reply_errno(req, -EINVAL);
		return;
	}
	if (!req_path(req, parent, &dir))
		return;
	fuse_reply_err(req, unlinkat(dir.fd, name, flags) < 0 ? errno : 0);
	path_ref_release(pt, &dir);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, 0);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_name(req, parent, name, AT_REMOVEDIR);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct passthrough *pt = req_pt(req);
	struct path_ref dir, ndir;

	if (!valid_name(name) || !valid_name(newname) ||
	    (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))) {
		reply_errno(req, -EINVAL);
		return;
	}
	if (!req_path(req, parent, &dir))
		return;
	if (req_path(req, newparent, &ndir)) {
		struct creds_saved saved = { 0 };
		/* A whiteout is a new node: it belongs to the caller, as on the host. */
		int err = flags & RENAME_WHITEOUT ? req_switch_creds(req, &saved) : 0;

		if (!err) {
			err = renameat2(dir.fd, name, ndir.fd, newname, flags) < 0 ? -errno : 0;
			creds_restore(&saved);
		}
		fuse_reply_err(req, -err); /* positive errno, 0 for success */
		path_ref_release(pt, &ndir);
	}
	path_ref_release(pt, &dir);
}

const struct fuse_lowlevel_ops passthrough_fuse_ops = {
	.init = ops_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.symlink = op_symlink,
	.link = op_link,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.rename = op_rename,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write_buf = op_write_buf,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.fallocate = op_fallocate,
	.lseek = op_lseek,
	.statfs = op_statfs,
	.access = op_access,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
};
