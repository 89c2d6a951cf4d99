/*
 * fuse_transport: how FUSE requests reach a server without /dev/fuse.
 * Two exist: vhost-user (a virtio-fs daemon, through the front-end) and a
 * unix SOCK_SEQPACKET socket (vfs-serve --fuse-socket), one request or
 * reply per packet. The FUSE client sits on top and does not know which.
 */
#ifndef VFS_FUSE_TRANSPORT_H
#define VFS_FUSE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/vhost_user_front.h"

/*
 * Where a request goes: hiprio, a request queue (the transport picks one
 * in turn when there are several, as a guest's CPUs would), or request
 * queue n exactly as FUSE_QUEUE_NTH + n.
 */
enum fuse_queue { FUSE_QUEUE_HIPRIO, FUSE_QUEUE_REQUEST, FUSE_QUEUE_NTH = 16 };

/* A malformed chain, for raw traffic (vhost-user only). */
enum fuse_chain_fault {
	CHAIN_OK,
	CHAIN_ZERO_LENGTH,    /* a descriptor of length 0 after the request */
	CHAIN_WRITABLE_FIRST, /* the reply buffer before the request */
	CHAIN_NO_REPLY_ROOM,  /* a request that wants a reply, with no writable part */
	CHAIN_OUTSIDE,        /* the request's address outside guest memory */
};

struct fuse_transport {
	const char *kind; /* "vhost-user", "socket" */
	/*
	 * Queues @len bytes of @req on @queue with room for @reply_max reply
	 * bytes (0: a request with no reply, like FORGET), under the ticket
	 * @ticket. 0; -EAGAIN when no room; -E2BIG; -EPIPE (the server is
	 * gone); -EOPNOTSUPP for a @fault this transport cannot make; -ERANGE
	 * for a request queue it does not have.
	 */
	int (*send)(struct fuse_transport *t, enum fuse_queue queue, const void *req, size_t len,
		    size_t reply_max, uint64_t ticket, enum fuse_chain_fault fault);
	/*
	 * The next completion, waiting at most @timeout_ms: its ticket and
	 * the reply (*@len 0: none was written, as for FORGET) copied into
	 * @reply. 0, -ETIMEDOUT, -EPIPE.
	 */
	int (*recv)(struct fuse_transport *t, uint64_t *ticket, void *reply, size_t max,
		    size_t *len, int timeout_ms);
	/* Whether a request without reply comes back (vhost-user: the chain does). */
	bool noreply_completes;
	void (*close)(struct fuse_transport *t);
};

/* Over a started, malloc'd front-end (taken: closed and freed with the transport). NULL on ENOMEM. */
struct fuse_transport *fuse_transport_vhost(struct vu_front *f);
/* Over a connected SOCK_SEQPACKET socket (taken). NULL on ENOMEM. */
struct fuse_transport *fuse_transport_socket(int sock);
/*
 * No server: each request answered at once from memory (null_reply),
 * replies queued in order; what the client costs with nothing behind
 * it. A READ's data is left as the reply slot held it (the client still
 * copies it out, as from a ring). NULL on ENOMEM.
 */
struct fuse_transport *fuse_transport_null(void);

#endif
