/*
 * fuse_ops_newer: the requests libfuse 3.14 cannot dispatch (it answers
 * ENOSYS to an opcode it has no slot for): STATX (7.39), TMPFILE (7.37)
 * and COPY_FILE_RANGE_64 (7.45). A transport hands each such request here
 * before libfuse sees it, after fuse_request_check passed it, and writes
 * the reply this builds.
 */
#ifndef VFS_FUSE_OPS_NEWER_H
#define VFS_FUSE_OPS_NEWER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/fuse.h>

#include "core/passthrough.h"
#include "fuse/fuse_newer.h"

struct fuse_newer_reply {
	struct fuse_out_header h; /* h.len: the bytes to send, from h on */
	union {
		struct vfs_fuse_statx_out statx;
		struct {
			struct fuse_entry_out e;
			struct fuse_open_out o;
		} created;
		struct vfs_fuse_copy_file_range_out copied;
	} body;
};

/* Whether @opcode is one of these. */
bool fuse_ops_newer_has(uint32_t opcode);

/* Serves the @len-byte request at @req (one of these) into @out. */
void fuse_ops_newer_serve(struct passthrough *pt, const void *req, size_t len,
			  struct fuse_newer_reply *out);

#endif
