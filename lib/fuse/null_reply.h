/*
 * null_reply: a FUSE server's answer made from memory, with no file
 * behind it, for the floors of the benchmarks: the vhost-user back-end
 * that does nothing (tests/bench/null_vhost) and the front-end measured
 * alone (proto_bench's loopback). Nodeid 1 is a directory, every other
 * an empty-looking regular file whose READs give zeros; LOOKUP of any
 * name gives nodeid 2, OPEN fh 1, WRITE takes every byte.
 */
#ifndef VFS_NULL_REPLY_H
#define VFS_NULL_REPLY_H

#include <stddef.h>

#define NULL_REPLY_HEAD 256 /* a header and the largest fixed reply (INIT's) */

/*
 * The reply to the request of @len bytes at @req, for a reply room of
 * @max bytes: its length, 0 for a request that gets none (FORGET,
 * BATCH_FORGET). At most NULL_REPLY_HEAD bytes of it are written to @reply.
 * A request it cannot read, or whose reply does not fit, gets an error
 * reply (EINVAL, EIO); one it does not know, ENOSYS. A READ's data is left
 * to the caller (@data_at and @data_len say where it goes) so that a
 * back-end can write it straight into guest memory, as a daemon's preadv does.
 */
size_t null_reply(const void *req, size_t len, void *reply, size_t max, size_t *data_at,
		  size_t *data_len);

#endif
