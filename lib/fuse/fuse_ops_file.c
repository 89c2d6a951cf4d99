/*
 * fuse_ops_file: open files (the FUSE file handle names an entry of the
 * session's table, core/open_files, never a host fd), statfs, access, and
 * the session's init, which turns on export support so that
 * name_to_handle_at and open_by_handle_at work on the mount.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fuse/creds.h"
#include "fuse/fuse_ops_internal.h"

void ops_init(void *userdata, struct fuse_conn_info *conn)
{
	struct passthrough *pt = userdata;

	pt->files.close_dir = dir_stream_close;
	/* The kernel then sends LOOKUP "." / ".." to reconnect handles. */
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

/* @fd into the session's table, its handle into @fi: 0, or -errno with @fd closed. */
static int opened(fuse_req_t req, struct fuse_file_info *fi, int fd)
{
	int r = open_files_add(&req_pt(req)->files, OPEN_FILE, fd, NULL, &fi->fh);

	if (r)
		close(fd);
	return r;
}

/* The guest's file handle, gone by and done with it in one place: undoes opened(). */
static void unopened(fuse_req_t req, struct fuse_file_info *fi)
{
	open_files_remove(&req_pt(req)->files, fi->fh, OPEN_FILE);
}

void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct inode *inode = req_inode(req, ino);
	int fd;

	if (!inode)
		return;
	fd = inode_reopen(pt, inode, fi->flags & ~O_NOFOLLOW);
	if (fd >= 0)
		fd = opened(req, fi, fd);
	if (fd < 0)
		reply_errno(req, fd);
	else if (fuse_reply_open(req, fi) == -ENOENT)
		unopened(req, fi);
	inode_store_put(pt->store, inode);
}

void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct creds_saved saved;
	struct fuse_entry_param e;
	struct path_ref dir;
	struct inode *inode;
	struct stat st;
	int fd, err;

	if (!valid_name(name)) {
		reply_errno(req, -EINVAL);
		return;
	}
	if (!req_path(req, parent, &dir))
		return;
	fd = req_switch_creds(req, &saved);
	if (!fd) {
		fd = openat(dir.fd, name, (fi->flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) & ~O_PATH,
			    mode);
		if (fd < 0)
			fd = -errno;
		creds_restore(&saved);
	}
	if (fd < 0) {
		reply_errno(req, fd);
		goto out;
	}
	err = passthrough_lookup(pt, dir.inode, name, &st, &inode);
	if (err) {
		close(fd);
		reply_errno(req, err);
		goto out;
	}
	err = opened(req, fi, fd);
	if (err) {
		inode_store_forget(pt->store, inode_nodeid(inode), 1);
		reply_errno(req, err);
		goto out;
	}
	fill_entry(pt, inode, &st, &e);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		inode_store_forget(pt->store, inode_nodeid(inode), 1);
		unopened(req, fi);
	}
out:
	path_ref_release(pt, &dir);
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	struct passthrough *pt = req_pt(req);
	struct open_ref f;

	int r = 0;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	if (pt->read_reply)
		r = pt->read_reply(req, f.fd, size, off);
	if (r < 0) {
		reply_errno(req, r);
	} else if (!r) {
		buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		buf.buf[0].fd = f.fd;
		buf.buf[0].pos = off;
		fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
	}
	open_files_put(&pt->files, &f);
}

void op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		  off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	struct passthrough *pt = req_pt(req);
	struct open_ref f;
	ssize_t n;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = f.fd;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in, 0);
	if (n < 0)
		reply_errno(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
	open_files_put(&pt->files, &f);
}

void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref f;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	/* Closing a dup gives the host the close() the guest made (locks, NFS). */
	fuse_reply_err(req, close(dup(f.fd)) < 0 ? errno : 0);
	open_files_put(&pt->files, &f);
}

void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int r = open_files_remove(&req_pt(req)->files, fi->fh, OPEN_FILE);

	(void)ino;
	fuse_reply_err(req, -r);
}

void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref f;
	int r;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	r = datasync ? fdatasync(f.fd) : fsync(f.fd);
	fuse_reply_err(req, r < 0 ? errno : 0);
	open_files_put(&pt->files, &f);
}

void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
		  off_t len, struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref f;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	fuse_reply_err(req, fallocate(f.fd, mode, off, len) < 0 ? errno : 0);
	open_files_put(&pt->files, &f);
}

void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
	      struct fuse_file_info *fi)
{
	struct passthrough *pt = req_pt(req);
	struct open_ref f;
	off_t r;

	(void)ino;
	if (!req_file(req, fi, &f))
		return;
	r = lseek(f.fd, off, whence);
	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
	open_files_put(&pt->files, &f);
}

void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct passthrough *pt = req_pt(req);
	struct path_ref ref;
	struct statvfs sv;

	if (!req_path(req, ino, &ref))
		return;
	if (fstatvfs(ref.fd, &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
	path_ref_release(pt, &ref);
}

void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct passthrough *pt = req_pt(req);
	struct path_ref ref;

	if (!req_path(req, ino, &ref))
		return;
	fuse_reply_err(req, faccessat(ref.fd, "", mask, AT_EMPTY_PATH) < 0 ? errno : 0);
	path_ref_release(pt, &ref);
}
