/*
 * fuse_ops_internal: helpers the fuse_ops_*.c files share.
 * fuse_reply_err takes a positive errno; these helpers take -errno and
 * flip the sign in one place.
 */
#ifndef VFS_FUSE_OPS_INTERNAL_H
#define VFS_FUSE_OPS_INTERNAL_H

#include <stdbool.h>

#include "fuse/creds.h"
#include "fuse/fuse_ops.h"
#include "core/lookup.h"

static inline struct passthrough *req_pt(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/*
 * The live inode @ino with a reference, or NULL after replying ESTALE.
 * Release it with inode_store_put(): @req is gone once replied to.
 */
struct inode *req_inode(fuse_req_t req, fuse_ino_t ino);

/* A live inode with a reference, and an O_PATH fd on its file. */
struct path_ref {
	struct inode *inode;
	int fd;
	bool tmp; /* the fd was opened for this request */
};

/* Fills @ref for @ino; false after replying the error (ESTALE if unknown). */
bool req_path(fuse_req_t req, fuse_ino_t ino, struct path_ref *ref);
/* Closes what req_path opened and drops the reference; @req may be gone. */
void path_ref_release(struct passthrough *pt, struct path_ref *ref);

/*
 * The open file @fi names (its fh checked in the session's table), held
 * in @ref until open_files_put; false after replying EBADF.
 */
bool req_file(fuse_req_t req, struct fuse_file_info *fi, struct open_ref *ref);
/* Closes a directory stream of fuse_ops_dir (the table's close_dir). */
void dir_stream_close(void *dir);
/* A stream on the directory open at @fd (taken on success), at its start; NULL: errno. */
void *dir_stream_from_fd(int fd);
int dir_stream_fd(void *dir);

/* Replies -@err (a negative errno) to the guest. */
void reply_errno(fuse_req_t req, int err);
/* Fills @e for @inode, whose lookup was counted. */
void fill_entry(struct passthrough *pt, struct inode *inode,
		const struct stat *st, struct fuse_entry_param *e);
/* Replies an entry; undoes the counted lookup if the request was gone. */
void reply_entry(fuse_req_t req, struct inode *inode, const struct stat *st);
/* Looks @name up in @parent after it was created there, and replies. */
void reply_created(fuse_req_t req, struct inode *parent, const char *name);

/*
 * Switches this thread to the caller's uid, gid and supplementary groups
 * for a creating call; creds_restore() after it. 0 or -errno.
 */
int req_switch_creds(fuse_req_t req, struct creds_saved *saved);

/* A name a request may carry: not empty, ".", ".." and without '/'. */
bool valid_name(const char *name);

/* Handlers defined in the other fuse_ops_*.c files. */
void ops_init(void *userdata, struct fuse_conn_info *conn);
void op_open(fuse_req_t, fuse_ino_t, struct fuse_file_info *);
void op_create(fuse_req_t, fuse_ino_t, const char *, mode_t, struct fuse_file_info *);
void op_read(fuse_req_t, fuse_ino_t, size_t, off_t, struct fuse_file_info *);
void op_write_buf(fuse_req_t, fuse_ino_t, struct fuse_bufvec *, off_t, struct fuse_file_info *);
void op_flush(fuse_req_t, fuse_ino_t, struct fuse_file_info *);
void op_release(fuse_req_t, fuse_ino_t, struct fuse_file_info *);
void op_fsync(fuse_req_t, fuse_ino_t, int, struct fuse_file_info *);
void op_fallocate(fuse_req_t, fuse_ino_t, int, off_t, off_t, struct fuse_file_info *);
void op_lseek(fuse_req_t, fuse_ino_t, off_t, int, struct fuse_file_info *);
void op_statfs(fuse_req_t, fuse_ino_t);
void op_access(fuse_req_t, fuse_ino_t, int);
void op_opendir(fuse_req_t, fuse_ino_t, struct fuse_file_info *);
void op_readdir(fuse_req_t, fuse_ino_t, size_t, off_t, struct fuse_file_info *);
void op_readdirplus(fuse_req_t, fuse_ino_t, size_t, off_t, struct fuse_file_info *);
void op_releasedir(fuse_req_t, fuse_ino_t, struct fuse_file_info *);
void op_fsyncdir(fuse_req_t, fuse_ino_t, int, struct fuse_file_info *);
void op_setxattr(fuse_req_t, fuse_ino_t, const char *, const char *, size_t, int);
void op_getxattr(fuse_req_t, fuse_ino_t, const char *, size_t);
void op_listxattr(fuse_req_t, fuse_ino_t, size_t);
void op_removexattr(fuse_req_t, fuse_ino_t, const char *);


#endif
