/* transport_null: requests answered in this process from memory (see fuse_transport.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/client/fuse_pipeline.h"
#include "fuse/client/fuse_transport.h"
#include "fuse/null_reply.h"

#define NULL_SLOTS (FC_PIPE_MAX_INFLIGHT * 2)
#define NULL_REPLY_MAX ((128u << 10) + 4096)

struct null_transport {
	struct fuse_transport t;
	struct { uint64_t ticket; size_t len; } q[NULL_SLOTS];
	char *store[NULL_SLOTS];
	int head, n;
};

static int nt_send(struct fuse_transport *t, enum fuse_queue queue, const void *req, size_t len,
		   size_t reply_max, uint64_t ticket, enum fuse_chain_fault fault)
{
	struct null_transport *l = (struct null_transport *)t;
	int k = (l->head + l->n) % NULL_SLOTS;
	size_t at, dlen, n;

	(void)at, (void)dlen;

	(void)queue;
	if (fault != CHAIN_OK)
		return -EOPNOTSUPP;
	if (l->n == NULL_SLOTS)
		return -EAGAIN;
	/* A READ's data is whatever the slot holds: making it is the server's cost, not ours. */
	n = null_reply(req, len, l->store[k], reply_max < NULL_REPLY_MAX ? reply_max : NULL_REPLY_MAX,
		       &at, &dlen);
	l->q[k].ticket = ticket;
	l->q[k].len = n;
	l->n++;
	return 0;
}

static int nt_recv(struct fuse_transport *t, uint64_t *ticket, void *reply, size_t max,
		   size_t *len, int timeout_ms)
{
	struct null_transport *l = (struct null_transport *)t;
	int k = l->head;

	(void)timeout_ms;
	if (!l->n)
		return -ETIMEDOUT; /* nothing sent: nothing will come */
	*ticket = l->q[k].ticket;
	*len = l->q[k].len < max ? l->q[k].len : max;
	memcpy(reply, l->store[k], *len);
	l->head = (k + 1) % NULL_SLOTS;
	l->n--;
	return 0;
}

static void nt_close(struct fuse_transport *t)
{
	struct null_transport *l = (struct null_transport *)t;

	for (int k = 0; k < NULL_SLOTS; k++)
		free(l->store[k]);
	free(l);
}

struct fuse_transport *fuse_transport_null(void)
{
	struct null_transport *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->t = (struct fuse_transport){ .kind = "null", .send = nt_send, .recv = nt_recv,
					.noreply_completes = true, .close = nt_close };
	for (int k = 0; k < NULL_SLOTS; k++)
		if (!(l->store[k] = malloc(NULL_REPLY_MAX))) {
			nt_close(&l->t);
			return NULL;
		}
	return &l->t;
}
