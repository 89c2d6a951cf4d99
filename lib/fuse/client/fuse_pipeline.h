/*
 * fuse_pipeline: one operation repeated with several requests kept in
 * flight, for the benchmarks (a guest's many threads, or its readahead):
 * each reply checked as fuse_client checks one, so a fast wrong answer is
 * an error, not a figure.
 */
#ifndef VFS_FUSE_PIPELINE_H
#define VFS_FUSE_PIPELINE_H

#include <stdint.h>

#include "fuse/client/fuse_client.h"

#define FC_PIPE_MAX_INFLIGHT 64

enum fc_pipe_op {
	FC_PIPE_GETATTR,       /* of nodeid */
	FC_PIPE_LOOKUP_FORGET, /* name in nodeid, then a FORGET of what it gave (hiprio) */
	FC_PIPE_READ,          /* size bytes of nodeid's fh at offset 0: all of them */
	FC_PIPE_WRITE,         /* size bytes to nodeid's fh at offset 0: all taken */
};

struct fc_pipe {
	enum fc_pipe_op op;
	uint64_t nodeid, fh;
	const char *name;
	uint32_t size;
};

/* "getattr", "lookup-forget", "read", "write": the op, or -EINVAL. */
int fc_pipe_op_parse(const char *word);

/*
 * @count operations (a LOOKUP and its FORGET are one) with at most
 * @inflight requests (1 to FC_PIPE_MAX_INFLIGHT) outstanding. 0, or
 * the first error: the server's -errno, -EPROTO with c->why, the
 * transport's -ETIMEDOUT or -EPIPE.
 */
int fc_pipeline(struct fuse_client *c, const struct fc_pipe *p, int inflight, long count);

#endif
