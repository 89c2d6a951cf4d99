/*
 * request_check: whether a FUSE request from an untrusted sender can be
 * handed to a server at all. A kernel's /dev/fuse never sends a short
 * header, a length that lies, a missing NUL, or a name with '/'; a guest
 * on a socket or a virtqueue can. libfuse's low-level dispatch trusts the
 * bytes, so vfs-serve's socket mode (and its vhost-user back-end) checks
 * them here first and answers EINVAL instead.
 */
#ifndef VFS_REQUEST_CHECK_H
#define VFS_REQUEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Checks the request of @len bytes at @buf (which has room for one more
 * byte after them). 0 when it may be served; then a NUL is written after
 * it, and a LOOKUP of ".." on the root is made one of "." (the export's
 * root has no parent the guest may reach). -EINVAL with @why when it must
 * be refused: a reply with that error is due when *@unique is nonzero
 * (the header was whole), else it is dropped.
 */
int fuse_request_check(char *buf, size_t len, uint64_t *unique, const char **why);

/*
 * A session's own state, for a sender that does not stop when told to:
 * after its DESTROY, nothing more is served (libfuse would serve on).
 */
struct fuse_request_gate {
	bool destroyed;
};

/*
 * For a request fuse_request_check passed: 0 when the session may serve it
 * (a DESTROY is noted), -EIO with @why after a DESTROY. Safe from several
 * threads.
 */
int fuse_request_gate(struct fuse_request_gate *g, const char *buf, const char **why);

/* Bytes of fixed input @opcode needs after the header, or -1 for an opcode we do not know. */
int fuse_request_min_input(uint32_t opcode);

#endif
