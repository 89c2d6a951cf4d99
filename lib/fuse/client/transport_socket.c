/*
 * transport_socket: FUSE over a unix SOCK_SEQPACKET socket, one request
 * per packet each way, as vfs-serve --fuse-socket reads and writes them
 * through libfuse's fuse_session_custom_io. A request without a reply
 * (FORGET) never completes here: there is no chain to come back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_transport.h"

struct socket_transport {
	struct fuse_transport t;
	int sock;
};

static int so_send(struct fuse_transport *t, enum fuse_queue queue, const void *req, size_t len,
		   size_t reply_max, uint64_t ticket, enum fuse_chain_fault fault)
{
	struct socket_transport *s = (struct socket_transport *)t;
	ssize_t n;

	(void)queue; /* one stream: no queues to tell apart */
	(void)reply_max;
	(void)ticket; /* replies carry the request's unique: the client matches them */
	if (fault != CHAIN_OK)
		return -EOPNOTSUPP;
	do
		n = send(s->sock, req, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET || errno == EPIPE ? -EPIPE : -errno;
	return 0;
}

static int so_recv(struct fuse_transport *t, uint64_t *ticket, void *reply, size_t max,
		   size_t *len, int timeout_ms)
{
	struct socket_transport *s = (struct socket_transport *)t;
	struct pollfd p = { .fd = s->sock, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (!r)
		return -ETIMEDOUT;
	n = recv(s->sock, reply, max, MSG_TRUNC);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	if (n == 0)
		return -EPIPE;
	*len = (size_t)n > max ? max : (size_t)n;
	/* The ticket is the unique the reply names; the client checks it. */
	*ticket = *len >= sizeof(struct fuse_out_header) ?
		  ((struct fuse_out_header *)reply)->unique : 0;
	return 0;
}

static void so_close(struct fuse_transport *t)
{
	struct socket_transport *s = (struct socket_transport *)t;

	close(s->sock);
	free(s);
}

struct fuse_transport *fuse_transport_socket(int sock)
{
	struct socket_transport *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->t = (struct fuse_transport){ .kind = "socket", .send = so_send, .recv = so_recv,
					.close = so_close };
	s->sock = sock;
	return &s->t;
}
