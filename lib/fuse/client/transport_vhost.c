/*
 * transport_vhost: FUSE requests as virtio-fs descriptor chains (virtio
 * 5.11.6): the request readable, the reply room writable, in slots of
 * guest memory. A reply header pre-filled with a sentinel tells "the
 * daemon returned the chain without writing a reply" from a reply, since
 * used.len cannot be trusted (older Rust virtiofsd always wrote 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_transport.h"

#define SLOTS 64 /* FC_PIPE_MAX_INFLIGHT */
#define SLOT_BYTES (132u << 10) /* a 128 KiB WRITE or READ and its headers */
#define NO_REPLY 0xffffffffu

struct slot {
	uint64_t req_gpa, reply_gpa;
	size_t reply_max;
	uint64_t ticket;
	bool busy;
};

struct vhost_transport {
	struct fuse_transport t;
	struct vu_front *f;
	struct slot slot[SLOTS];
	int next_request;      /* the request queue the next request takes, in turn */
};

/* The ring of @q, or -ERANGE. Request queues are first_request..nqueues-1. */
static int ring_of(struct vhost_transport *v, enum fuse_queue q)
{
	struct vu_front *f = v->f;
	int nreq = f->nqueues - f->first_request;

	if (q == FUSE_QUEUE_HIPRIO)
		return 0;
	if (q == FUSE_QUEUE_REQUEST) {
		int qi = f->first_request + v->next_request;

		v->next_request = (v->next_request + 1) % nreq;
		return qi;
	}
	if (q >= FUSE_QUEUE_NTH && (int)q - FUSE_QUEUE_NTH < nreq)
		return f->first_request + ((int)q - FUSE_QUEUE_NTH);
	return -ERANGE;
}

/* Hiprio and every request ring. */
static unsigned rings_mask(const struct vu_front *f)
{
	unsigned m = 1;

	for (int i = f->first_request; i < f->nqueues; i++)
		m |= 1u << i;
	return m;
}

static int vh_send(struct fuse_transport *t, enum fuse_queue queue, const void *req, size_t len,
		   size_t reply_max, uint64_t ticket, enum fuse_chain_fault fault)
{
	struct vhost_transport *v = (struct vhost_transport *)t;
	struct vu_front *f = v->f;
	struct virtq_buf b[3];
	uint16_t fl[3] = { 0 };
	struct slot *s = NULL;
	int qi, n = 0, r;
	struct fuse_out_header *o;

	if (len > SLOT_BYTES || reply_max > SLOT_BYTES)
		return -E2BIG;
	qi = ring_of(v, queue);
	if (qi < 0)
		return qi;
	if (f->gone)
		return -EPIPE;
	for (int i = 0; i < SLOTS && !s; i++)
		if (!v->slot[i].busy)
			s = &v->slot[i];
	if (!s)
		return -EAGAIN;
	memcpy(guest_mem_ptr(&f->mem, s->req_gpa, len), req, len);
	o = guest_mem_ptr(&f->mem, s->reply_gpa, sizeof(*o));
	o->len = NO_REPLY;
	if (fault == CHAIN_WRITABLE_FIRST) {
		b[n] = (struct virtq_buf){ s->reply_gpa, (uint32_t)reply_max };
		fl[n++] = VIRTQ_DESC_F_WRITE;
		b[n++] = (struct virtq_buf){ s->req_gpa, (uint32_t)len };
	} else {
		b[n++] = (struct virtq_buf){ fault == CHAIN_OUTSIDE ? 0x1000 : s->req_gpa,
					     (uint32_t)len };
		if (fault == CHAIN_ZERO_LENGTH)
			b[n++] = (struct virtq_buf){ s->req_gpa + len, 0 };
		if (reply_max && fault != CHAIN_NO_REPLY_ROOM) {
			b[n] = (struct virtq_buf){ s->reply_gpa, (uint32_t)reply_max };
			fl[n++] = VIRTQ_DESC_F_WRITE;
		}
	}
	r = virtq_add_raw(&f->ring[qi].q, b, fl, n, s);
	if (r < 0)
		return -EAGAIN;
	s->busy = true;
	s->ticket = ticket;
	s->reply_max = reply_max;
	vu_front_kick(f, qi);
	return 0;
}

static int vh_recv(struct fuse_transport *t, uint64_t *ticket, void *reply, size_t max,
		   size_t *len, int timeout_ms)
{
	struct vhost_transport *v = (struct vhost_transport *)t;
	struct vu_front *f = v->f;
	unsigned mask = rings_mask(f);

	for (;;) {
		for (int k = 0; k < f->nqueues; k++) {
			uint32_t used;
			struct slot *s;

			if (!(mask & (1u << k)))
				continue;
			s = virtq_get_used(&f->ring[k].q, &used);
			const struct fuse_out_header *o;
			size_t n;

			if (!s)
				continue;
			o = guest_mem_ptr(&f->mem, s->reply_gpa, sizeof(*o));
			n = !s->reply_max || o->len == NO_REPLY ? 0 : o->len;
			if (n > s->reply_max)
				n = s->reply_max; /* a lying length: the client sees the mismatch */
			if (n > max)
				n = max;
			memcpy(reply, guest_mem_ptr(&f->mem, s->reply_gpa, n ? n : 1), n);
			*len = n;
			*ticket = s->ticket;
			s->busy = false;
			return 0;
		}
		int r = vu_front_wait(f, mask, timeout_ms);

		if (r)
			return r;
	}
}

static void vh_close(struct fuse_transport *t)
{
	struct vhost_transport *v = (struct vhost_transport *)t;

	vu_front_stop(v->f);
	vu_front_close(v->f);
	free(v->f);
	free(v);
}

struct fuse_transport *fuse_transport_vhost(struct vu_front *f)
{
	struct vhost_transport *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->t = (struct fuse_transport){ .kind = "vhost-user", .send = vh_send, .recv = vh_recv,
					.noreply_completes = true, .close = vh_close };
	v->f = f;
	for (int i = 0; i < SLOTS; i++)
		if (guest_mem_alloc(&f->mem, SLOT_BYTES, 64, &v->slot[i].req_gpa) ||
		    guest_mem_alloc(&f->mem, SLOT_BYTES, 64, &v->slot[i].reply_gpa)) {
			free(v);
			return NULL;
		}
	return &v->t;
}
