/*
 * fuse_client_parts: the pieces of fuse_client that fuse_pipeline keeps
 * several requests in flight with; not for callers of the client.
 */
#ifndef VFS_FUSE_CLIENT_PARTS_H
#define VFS_FUSE_CLIENT_PARTS_H

#include <sys/uio.h>

#include "fuse/client/fuse_client.h"

/*
 * A request (header under a new unique, @in, the extensions the session
 * asks for) in one buffer: @small when it fits in @small_len, else
 * malloc'd (the caller frees what is not @small); NULL on ENOMEM.
 */
void *fc_build(struct fuse_client *c, uint32_t opcode, uint64_t nodeid, const struct iovec *in,
	       int nin, char *small, size_t small_len, size_t *len);

/*
 * The reply to @unique of @len bytes at @r against the protocol, its data
 * @outmin to @outmax bytes: its error, or -EPROTO with c->why. @empty_ok:
 * a chain returned with nothing written is success.
 */
int fc_check_reply(struct fuse_client *c, uint64_t unique, const char *r, size_t len,
		   size_t outmin, size_t outmax, bool empty_ok);

#endif
