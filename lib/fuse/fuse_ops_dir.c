/*
 * fuse_ops_dir: directory streams. readdirplus looks every entry up, as a
 * LOOKUP would, so its nlookup counting and design rules are the same.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse/fuse_ops_internal.h"

struct dir_stream {
	DIR *dp;
	off_t offset;
	struct dirent *entry; /* read but not yet given to the guest */
};

void dir_stream_close(void *dir)
{
	struct dir_stream *d = dir;

	closedir(d->dp);
	free(d);
}

void *dir_stream_from_fd(int fd)
{
	struct dir_stream *d = calloc(1, sizeof(*d));

	if (!d || !(d->dp = fdopendir(fd))) {
		free(d);
		return NULL; /* @fd is the caller's still */
	}
	return d;
}

int dir_stream_fd(void *dir)
{
	return dirfd(((struct dir_stream *)dir)->dp);
}

/* The open directory @fi names (checked in the session's table); false after replying EBADF. */
static bool req_dir(fuse_req_t req, struct fuse_file_info *fi, struct open_ref *ref)
{
	int r = open_files_get(&req_pt(req)->files, fi->fh, OPEN_DIR, ref);

	if (r)
		reply_errno(req, r);
	return !r;
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct inode *inode = req_inode(req, ino);
	struct dir_stream *d;
	int fd;

	if (!inode)
		return;
	d = calloc(1, sizeof(*d));
	fd = d ? inode_reopen(pt, inode, O_RDONLY | O_DIRECTORY) : -ENOMEM;
	if (fd >= 0 && !(d->dp = fdopendir(fd))) {
		close(fd);
		fd = -errno;
	}
	if (fd >= 0) {
		fd = open_files_add(&pt->files, OPEN_DIR, -1, d, &fi->fh);
		if (fd < 0)
			closedir(d->dp);
	}
	if (fd < 0) {
		free(d);
		reply_errno(req, fd);
	} else if (fuse_reply_open(req, fi) == -ENOENT) {
		open_files_remove(&pt->files, fi->fh, OPEN_DIR);
	}
	inode_store_put(pt->store, inode);
}

static bool dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref ref;
	struct dir_stream *d;
	struct inode *dir;
	char *buf, *p;
	size_t rem = size;
	int err = 0;

	if (!req_dir(req, fi, &ref))
		return;
	d = ref.dir;
	dir = req_inode(req, ino);
	if (!dir) {
		open_files_put(&pt->files, &ref);
		return;
	}
	buf = calloc(1, size ? size : 1);
	if (!buf) {
		reply_errno(req, -ENOMEM);
		goto out;
	}
	if (off != d->offset) {
		seekdir(d->dp, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (p = buf;;) {
		struct fuse_entry_param e = { 0 };
		struct inode *child = NULL;
		struct stat st = { 0 };
		size_t n;

		if (!d->entry) {
			errno = 0;
			d->entry = readdir(d->dp);
			if (!d->entry) {
				err = errno ? -errno : 0;
				break;
			}
		}
		if (plus && !dot_or_dotdot(d->entry->d_name)) {
			err = passthrough_lookup(pt, dir, d->entry->d_name, &st, &child);
			if (err == -ENOENT) {
				/* Gone since readdir saw it: skip, as a local fs would. */
				err = 0;
				d->offset = d->entry->d_off;
				d->entry = NULL;
				continue;
			}
			if (err)
				break;
			fill_entry(pt, child, &st, &e);
		} else {
			e.attr.st_ino = d->entry->d_ino;
			e.attr.st_mode = (mode_t)d->entry->d_type << 12;
		}
		n = plus ? fuse_add_direntry_plus(req, p, rem, d->entry->d_name, &e,
						  d->entry->d_off)
			 : fuse_add_direntry(req, p, rem, d->entry->d_name, &e.attr,
					     d->entry->d_off);
		if (n > rem) {
			/* Did not fit: the guest never saw this lookup. */
			if (child)
				inode_store_forget(pt->store, inode_nodeid(child), 1);
			break;
		}
		p += n;
		rem -= n;
		d->offset = d->entry->d_off;
		d->entry = NULL;
	}
	/* An error after some entries: give those; the next call sees it. */
	if (err && rem == size)
		reply_errno(req, err);
	else
		fuse_reply_buf(req, buf, size - rem);
	free(buf);
out:
	inode_store_put(pt->store, dir);
	open_files_put(&pt->files, &ref);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int r = open_files_remove(&req_pt(req)->files, fi->fh, OPEN_DIR);

	(void)ino;
	fuse_reply_err(req, -r);
}

void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		 struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref ref;
	int fd, r;

	(void)ino;
	if (!req_dir(req, fi, &ref))
		return;
	fd = dirfd(((struct dir_stream *)ref.dir)->dp);
	r = datasync ? fdatasync(fd) : fsync(fd);
	fuse_reply_err(req, r < 0 ? errno : 0);
	open_files_put(&pt->files, &ref);
}
