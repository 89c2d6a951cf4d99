/* fuse_pipeline: an operation kept @inflight deep (see the header). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse/client/fuse_client_parts.h"
#include "fuse/client/fuse_pipeline.h"

#define OUT_HDR sizeof(struct fuse_out_header)
#define REQ_SMALL 4096

struct pipe_run {
	struct fuse_client *c;
	const struct fc_pipe *p;
	struct { uint64_t unique; bool forget; } out[FC_PIPE_MAX_INFLIGHT];
	int nout;
	char *req, *reply;
	size_t req_room, reply_room;
	char *zeros;
};

int fc_pipe_op_parse(const char *w)
{
	static const char *const words[] = { "getattr", "lookup-forget", "read", "write" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(w, words[i]))
			return i;
	return -EINVAL;
}

static int proto(struct fuse_client *c, const char *what, uint64_t unique)
{
	snprintf(c->why, sizeof(c->why), "%s %llu", what, (unsigned long long)unique);
	return -EPROTO;
}

/* Sends @opcode with @in on @queue, reply room @reply_max; the request kept as outstanding. */
static int send_one(struct pipe_run *r, enum fuse_queue queue, uint32_t opcode, uint64_t nodeid,
		    const struct iovec *in, int nin, size_t reply_max, bool forget)
{
	struct fuse_client *c = r->c;
	size_t len;
	char *req = fc_build(c, opcode, nodeid, in, nin, r->req, r->req_room, &len);
	int e;

	if (!req)
		return -ENOMEM;
	e = c->t->send(c->t, queue, req, len, reply_max, c->unique, CHAIN_OK);
	if (req != r->req)
		free(req);
	if (e)
		return e;
	if (forget && !c->t->noreply_completes)
		return 1; /* nothing comes back: done at once */
	r->out[r->nout].unique = c->unique;
	r->out[r->nout++].forget = forget;
	return 0;
}

/* The first request of an operation. */
static int start(struct pipe_run *r)
{
	const struct fc_pipe *p = r->p;
	struct fuse_getattr_in ga = { 0 };
	struct fuse_read_in rd = { .fh = p->fh, .size = p->size };
	struct fuse_write_in wr = { .fh = p->fh, .size = p->size };
	struct iovec v[2];

	switch (p->op) {
	case FC_PIPE_GETATTR:
		v[0] = (struct iovec){ &ga, sizeof(ga) };
		return send_one(r, FUSE_QUEUE_REQUEST, FUSE_GETATTR, p->nodeid, v, 1,
				OUT_HDR + sizeof(struct fuse_attr_out), false);
	case FC_PIPE_LOOKUP_FORGET:
		v[0] = (struct iovec){ (void *)p->name, strlen(p->name) + 1 };
		return send_one(r, FUSE_QUEUE_REQUEST, FUSE_LOOKUP, p->nodeid, v, 1,
				OUT_HDR + sizeof(struct fuse_entry_out), false);
	case FC_PIPE_READ:
		v[0] = (struct iovec){ &rd, sizeof(rd) };
		return send_one(r, FUSE_QUEUE_REQUEST, FUSE_READ, p->nodeid, v, 1,
				OUT_HDR + p->size, false);
	case FC_PIPE_WRITE:
		v[0] = (struct iovec){ &wr, sizeof(wr) };
		v[1] = (struct iovec){ r->zeros, p->size };
		return send_one(r, FUSE_QUEUE_REQUEST, FUSE_WRITE, p->nodeid, v, 2,
				OUT_HDR + sizeof(struct fuse_write_out), false);
	}
	return -EINVAL;
}

/*
 * A completion of @len bytes for @unique: 1 when it ends an operation,
 * 0 when the operation goes on (a LOOKUP's FORGET sent), or -errno.
 */
static int complete(struct pipe_run *r, uint64_t unique, size_t len)
{
	struct fuse_client *c = r->c;
	const struct fc_pipe *p = r->p;
	size_t attr = c->minor < 9 ? FUSE_COMPAT_ATTR_OUT_SIZE : sizeof(struct fuse_attr_out);
	size_t entry = c->minor < 9 ? FUSE_COMPAT_ENTRY_OUT_SIZE : sizeof(struct fuse_entry_out);
	struct fuse_entry_out e;
	struct fuse_forget_in fg = { .nlookup = 1 };
	struct fuse_write_out w;
	struct iovec v = { &fg, sizeof(fg) };
	bool forget;
	int i, err;

	for (i = 0; i < r->nout && r->out[i].unique != unique; i++)
		;
	if (i == r->nout)
		return proto(c, "a completion for a request not in flight:", unique);
	forget = r->out[i].forget;
	r->out[i] = r->out[--r->nout];
	if (forget)
		return 1; /* the FORGET's chain came back */
	switch (p->op) {
	case FC_PIPE_GETATTR:
		return fc_check_reply(c, unique, r->reply, len, attr, sizeof(struct fuse_attr_out),
				      false) ?: 1;
	case FC_PIPE_LOOKUP_FORGET:
		err = fc_check_reply(c, unique, r->reply, len, entry, sizeof(e), false);
		if (err)
			return err;
		memset(&e, 0, sizeof(e));
		memcpy(&e, r->reply + OUT_HDR, len - OUT_HDR);
		if (!e.nodeid)
			return -ENOENT;
		err = send_one(r, FUSE_QUEUE_HIPRIO, FUSE_FORGET, e.nodeid, &v, 1, 0, true);
		return err; /* 1: done at once (no completion comes) */
	case FC_PIPE_READ:
		return fc_check_reply(c, unique, r->reply, len, p->size, p->size, false) ?: 1;
	case FC_PIPE_WRITE:
		err = fc_check_reply(c, unique, r->reply, len, sizeof(w), sizeof(w), false);
		if (err)
			return err;
		memcpy(&w, r->reply + OUT_HDR, sizeof(w));
		return w.size == p->size ? 1 : proto(c, "a short WRITE answered for", unique);
	}
	return -EINVAL;
}

static int run(struct pipe_run *r, int inflight, long count)
{
	struct fuse_client *c = r->c;
	long started = 0, done = 0;

	while (done < count) {
		uint64_t ticket;
		size_t len;
		int e;

		while (started < count && r->nout < inflight) {
			e = start(r);
			if (e == -EAGAIN)
				break;
			if (e < 0)
				return e;
			started++;
		}
		e = c->t->recv(c->t, &ticket, r->reply, r->reply_room, &len, c->timeout_ms);
		if (!e)
			e = complete(r, ticket, len);
		if (e < 0)
			return e;
		done += e;
	}
	return 0;
}

int fc_pipeline(struct fuse_client *c, const struct fc_pipe *p, int inflight, long count)
{
	struct pipe_run r = { .c = c, .p = p };
	int e = -ENOMEM;

	if (inflight < 1 || inflight > FC_PIPE_MAX_INFLIGHT || (int)p->op < 0 ||
	    p->op > FC_PIPE_WRITE)
		return -EINVAL;
	if (!c->t)
		return -EPIPE;
	c->why[0] = '\0';
	r.req_room = REQ_SMALL + (p->op == FC_PIPE_WRITE ? p->size : 0);
	r.reply_room = REQ_SMALL + (p->op == FC_PIPE_READ ? p->size : 0);
	r.req = malloc(r.req_room);
	r.reply = malloc(r.reply_room);
	r.zeros = p->op == FC_PIPE_WRITE ? calloc(1, p->size ? p->size : 1) : NULL;
	if (r.req && r.reply && (p->op != FC_PIPE_WRITE || r.zeros))
		e = run(&r, inflight, count);
	/* What is still in flight after an error: drained, so the session can go on. */
	while (e && e != -EPIPE && e != -ETIMEDOUT && r.nout) {
		uint64_t ticket;
		size_t len;

		if (c->t->recv(c->t, &ticket, r.reply, r.reply_room, &len, c->timeout_ms))
			break;
		for (int i = 0; i < r.nout; i++)
			if (r.out[i].unique == ticket)
				r.out[i] = r.out[--r.nout];
	}
	c->gone |= e == -EPIPE;
	free(r.req);
	free(r.reply);
	free(r.zeros);
	return e;
}
