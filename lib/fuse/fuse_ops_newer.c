/* fuse_ops_newer: see fuse_ops_newer.h. Each answers as its libfuse-served siblings do. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/lookup.h"
#include "fuse/creds.h"
#include "fuse/fuse_ops_newer.h"

bool fuse_ops_newer_has(uint32_t opcode)
{
	return opcode == VFS_FUSE_STATX || opcode == FUSE_TMPFILE ||
	       opcode == VFS_FUSE_COPY_FILE_RANGE_64;
}

static void timeout(double t, uint64_t *sec, uint32_t *nsec)
{
	*sec = (uint64_t)t;
	*nsec = (uint32_t)((t - (double)*sec) * 1e9);
}

static void sx_time(struct vfs_fuse_sx_time *to, const struct statx_timestamp *from)
{
	to->tv_sec = from->tv_sec;
	to->tv_nsec = from->tv_nsec;
}

static void fill_statx(struct vfs_fuse_statx *to, const struct statx *x)
{
	to->mask = x->stx_mask;
	to->blksize = x->stx_blksize;
	to->attributes = x->stx_attributes;
	to->nlink = x->stx_nlink;
	to->uid = x->stx_uid;
	to->gid = x->stx_gid;
	to->mode = x->stx_mode;
	to->ino = x->stx_ino;
	to->size = x->stx_size;
	to->blocks = x->stx_blocks;
	to->attributes_mask = x->stx_attributes_mask;
	sx_time(&to->atime, &x->stx_atime);
	sx_time(&to->btime, &x->stx_btime);
	sx_time(&to->ctime, &x->stx_ctime);
	sx_time(&to->mtime, &x->stx_mtime);
	to->rdev_major = x->stx_rdev_major;
	to->rdev_minor = x->stx_rdev_minor;
	to->dev_major = x->stx_dev_major;
	to->dev_minor = x->stx_dev_minor;
}

/* STATX: the host's statx of the inode's file (or of the open file the guest named). */
static int do_statx(struct passthrough *pt, uint64_t nodeid, const struct vfs_fuse_statx_in *in,
		    struct vfs_fuse_statx_out *out)
{
	/* Only what a FUSE attribute carries, and the birth time: nothing else is the guest's to ask. */
	unsigned mask = (in->sx_mask & (STATX_BASIC_STATS | STATX_BTIME)) | STATX_BASIC_STATS;
	int sync = (int)in->sx_flags & AT_STATX_SYNC_TYPE;
	struct inode *inode = inode_store_get(pt->store, nodeid);
	struct open_ref ref;
	struct statx x;
	bool tmp = false;
	int fd, err = 0;

	if (!inode)
		return -ESTALE;
	if (in->getattr_flags & FUSE_GETATTR_FH) {
		err = open_files_get(&pt->files, in->fh, OPEN_FILE, &ref);
		fd = err ? err : ref.fd;
	} else {
		fd = inode_path_fd(pt, inode, &tmp);
	}
	if (fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | sync, mask, &x) < 0)
		err = -errno;
	else if (fd < 0)
		err = fd;
	if (in->getattr_flags & FUSE_GETATTR_FH) {
		if (fd >= 0)
			open_files_put(&pt->files, &ref);
	} else {
		inode_path_fd_done(fd, tmp);
	}
	inode_store_put(pt->store, inode);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	timeout(pt->cfg.attr_timeout, &out->attr_valid, &out->attr_valid_nsec);
	fill_statx(&out->stat, &x);
	return 0;
}

static void entry_out(struct passthrough *pt, struct inode *inode, const struct stat *st,
		      struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = inode_nodeid(inode);
	e->generation = inode_generation(pt->store, inode);
	timeout(pt->cfg.entry_timeout, &e->entry_valid, &e->entry_valid_nsec);
	timeout(pt->cfg.attr_timeout, &e->attr_valid, &e->attr_valid_nsec);
	e->attr.ino = st->st_ino;
	e->attr.size = (uint64_t)st->st_size;
	e->attr.blocks = (uint64_t)st->st_blocks;
	e->attr.atime = (uint64_t)st->st_atim.tv_sec;
	e->attr.mtime = (uint64_t)st->st_mtim.tv_sec;
	e->attr.ctime = (uint64_t)st->st_ctim.tv_sec;
	e->attr.atimensec = (uint32_t)st->st_atim.tv_nsec;
	e->attr.mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	e->attr.ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	e->attr.mode = st->st_mode;
	e->attr.nlink = (uint32_t)st->st_nlink;
	e->attr.uid = st->st_uid;
	e->attr.gid = st->st_gid;
	e->attr.rdev = (uint32_t)st->st_rdev;
	e->attr.blksize = (uint32_t)st->st_blksize;
}

/*
 * TMPFILE: an unnamed file in the parent, made as the caller (its ids; no
 * supplementary groups, which the request does not carry), open for the
 * guest, and an inode for it: LINK gives it a name later, or FORGET and
 * RELEASE let it go.
 */
static int do_tmpfile(struct passthrough *pt, const struct fuse_in_header *h,
		      const struct fuse_create_in *in, struct fuse_newer_reply *out)
{
	struct inode *parent = inode_store_get(pt->store, h->nodeid), *inode;
	int flags = (int)in->flags & ~(O_CREAT | O_EXCL | O_PATH | O_DIRECTORY | O_NOCTTY);
	struct creds_saved saved;
	struct stat st;
	uint64_t fh;
	bool tmp;
	int dir, fd, err;

	if (!parent)
		return -ESTALE;
	if ((flags & O_ACCMODE) == O_RDONLY)
		flags |= O_RDWR; /* O_TMPFILE needs write access, as open(2) says */
	dir = inode_path_fd(pt, parent, &tmp);
	fd = dir;
	if (dir >= 0) {
		fd = creds_switch(h->uid, h->gid, NULL, 0, &saved);
		if (!fd) {
			fd = openat(dir, ".", flags | O_TMPFILE | O_CLOEXEC, in->mode & 07777);
			if (fd < 0)
				fd = -errno;
			creds_restore(&saved);
		}
		inode_path_fd_done(dir, tmp);
	}
	err = fd < 0 ? fd : passthrough_lookup_unnamed(pt, fd, parent, &st, &inode);
	if (!err) {
		err = open_files_add(&pt->files, OPEN_FILE, fd, NULL, &fh);
		if (err)
			inode_store_forget(pt->store, inode_nodeid(inode), 1);
	}
	if (err && fd >= 0)
		close(fd);
	inode_store_put(pt->store, parent);
	if (err)
		return err;
	entry_out(pt, inode, &st, &out->body.created.e);
	memset(&out->body.created.o, 0, sizeof(out->body.created.o));
	out->body.created.o.fh = fh;
	return 0;
}

/* COPY_FILE_RANGE_64: the kernel's copy_file_range between the two open files, a 64-bit count. */
static int do_copy64(struct passthrough *pt, const struct fuse_copy_file_range_in *in,
		     uint64_t *copied)
{
	struct inode *to = inode_store_get(pt->store, in->nodeid_out);
	struct open_ref src, dst;
	loff_t off_in = (loff_t)in->off_in, off_out = (loff_t)in->off_out;
	ssize_t n;
	int err;

	if (!to)
		return -ESTALE;
	inode_store_put(pt->store, to);
	if (in->flags)
		return -EINVAL; /* copy_file_range(2) takes none */
	if ((loff_t)in->off_in < 0 || (loff_t)in->off_out < 0)
		return -EINVAL;
	err = open_files_get(&pt->files, in->fh_in, OPEN_FILE, &src);
	if (err)
		return err;
	err = open_files_get(&pt->files, in->fh_out, OPEN_FILE, &dst);
	if (err) {
		open_files_put(&pt->files, &src);
		return err;
	}
	n = copy_file_range(src.fd, &off_in, dst.fd, &off_out, (size_t)in->len, 0);
	err = n < 0 ? -errno : 0;
	open_files_put(&pt->files, &dst);
	open_files_put(&pt->files, &src);
	*copied = n < 0 ? 0 : (uint64_t)n;
	return err;
}

void fuse_ops_newer_serve(struct passthrough *pt, const void *req, size_t len,
			  struct fuse_newer_reply *out)
{
	const struct fuse_in_header *h = req;
	const char *arg = (const char *)req + sizeof(*h);
	size_t body = 0;
	int err = -EINVAL;

	memset(&out->h, 0, sizeof(out->h));
	out->h.unique = h->unique;
	if (h->opcode == VFS_FUSE_STATX && len >= sizeof(*h) + sizeof(struct vfs_fuse_statx_in)) {
		struct vfs_fuse_statx_in in;

		memcpy(&in, arg, sizeof(in));
		err = do_statx(pt, h->nodeid, &in, &out->body.statx);
		body = sizeof(out->body.statx);
	} else if (h->opcode == FUSE_TMPFILE && len >= sizeof(*h) + sizeof(struct fuse_create_in)) {
		struct fuse_create_in in;

		memcpy(&in, arg, sizeof(in));
		err = do_tmpfile(pt, h, &in, out);
		body = sizeof(out->body.created);
	} else if (h->opcode == VFS_FUSE_COPY_FILE_RANGE_64 &&
		   len >= sizeof(*h) + sizeof(struct fuse_copy_file_range_in)) {
		struct fuse_copy_file_range_in in;

		memcpy(&in, arg, sizeof(in));
		err = do_copy64(pt, &in, &out->body.copied.bytes_copied);
		body = sizeof(out->body.copied);
	}
	out->h.error = err;
	out->h.len = (uint32_t)(sizeof(out->h) + (err ? 0 : body));
}
