/*
 * virtio_fs_dev: the device's rules, apart from any FUSE server: the
 * session (vfs-serve's vhost_io) joins them to libfuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/fuse.h>

#include "fuse/fuse_newer.h"
#include "transport/virtio_fs_dev.h"
#include "util/errno_name.h"

void virtio_fs_dev_init(struct virtio_fs_dev *d, int sock, int request_queues, const char *tag,
			uint32_t notify_buf_size, FILE *log, const char *who)
{
	memset(&d->main, 0, sizeof(d->main));
	d->main_queues = request_queues < 1 ? 1 : request_queues;
	pthread_mutex_init(&d->gate_lock, NULL);
	d->gate.destroyed = false;
	d->log = log;
	d->who = who;
	vu_back_init(&d->b, sock, request_queues, tag, notify_buf_size);
}

void virtio_fs_dev_release(struct virtio_fs_dev *d)
{
	vu_back_release(&d->b);
	d->main.pending = false;
	pthread_mutex_destroy(&d->gate_lock);
}

static size_t reply_room(const struct virtio_fs_lane *d)
{
	size_t room = 0;

	for (int k = 0; k < d->elem.nin; k++)
		room += d->elem.in[k].len;
	return room;
}

#define CALLS_OWED_MAX 16

void virtio_fs_lane_flush_calls(struct virtio_fs_dev *d, struct virtio_fs_lane *l)
{
	for (int i = 0; i < d->b.nqueues; i++)
		if ((l->calls_owed & (1u << i)) && vu_back_ring_ready(&d->b, i))
			vu_back_notify(&d->b, i);
	l->calls_owed = 0;
	l->owed = 0;
}

/* Returns the chain taken, with @written bytes; the driver is called for it soon (see the header). */
static void give_back(struct virtio_fs_dev *d, struct virtio_fs_lane *l, uint32_t written)
{
	virtq_push(&d->b.ring[l->ring].q, l->elem.head, written);
	l->calls_owed |= 1u << l->ring;
	l->pending = false;
	if (++l->owed >= CALLS_OWED_MAX)
		virtio_fs_lane_flush_calls(d, l);
}

/* Whether owed calls may wait behind @opcode: a request that is short unless the host is slow. */
static bool call_may_wait(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_GETATTR:
	case FUSE_LOOKUP:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_READ:
	case FUSE_WRITE:
	case VFS_FUSE_STATX:
		return true;
	}
	return false;
}

void virtio_fs_lane_return_empty(struct virtio_fs_dev *d, struct virtio_fs_lane *l)
{
	if (l->pending)
		give_back(d, l, 0);
}

void virtio_fs_lane_answer(struct virtio_fs_dev *d, struct virtio_fs_lane *l, uint64_t unique,
			   int error)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = error, .unique = unique };

	give_back(d, l, reply_room(l) >= sizeof(o) ? (uint32_t)virtq_elem_put(&l->elem, 0, &o, sizeof(o)) : 0);
}

/* An error reply to @unique when it can be addressed and fits; the chain goes back. */
static void refuse(struct virtio_fs_dev *d, struct virtio_fs_lane *l, uint64_t unique, int err,
		   const char *why)
{
	bool fits = unique && reply_room(l) >= sizeof(struct fuse_out_header);

	fprintf(d->log, "%s: refused a request on queue %d (%s)%s%s\n", d->who, l->ring, why,
		fits ? ": " : ", returned without a reply", fits ? errno_name(err) : "");
	if (fits)
		virtio_fs_lane_answer(d, l, unique, -err);
	else
		give_back(d, l, 0);
}

/* Whether ring @i holds requests (not the notification queue's empty buffers). */
static bool request_ring(const struct virtio_fs_dev *d, int i)
{
	enum vu_ring_role role = vu_back_ring_role(&d->b, i);

	return vu_back_ring_ready(&d->b, i) && role != VU_RING_NOTIFY && role != VU_RING_NONE;
}

/* The chain just taken from ring @i, against every rule: its length, or 0 once refused. */
static size_t admit(struct virtio_fs_dev *d, struct virtio_fs_lane *l, int i, void *buf,
		    size_t len)
{
	const char *why;
	uint64_t unique;
	uint32_t opcode;
	size_t n;
	int r;

	l->pending = true;
	n = virtq_elem_gather(&l->elem, buf, len - 1);
	if (!n) {
		refuse(d, l, 0, EINVAL, l->elem.nout ? "larger than the largest request"
						     : "no readable part");
		return 0;
	}
	if (fuse_request_check(buf, n, &unique, &why)) {
		refuse(d, l, unique, EINVAL, why);
		return 0;
	}
	opcode = ((struct fuse_in_header *)buf)->opcode;
	/* virtio 5.11.6.2: hiprio carries FORGET, BATCH_FORGET and INTERRUPT only. */
	if (vu_back_ring_role(&d->b, i) == VU_RING_HIPRIO && opcode != FUSE_FORGET &&
	    opcode != FUSE_BATCH_FORGET && opcode != FUSE_INTERRUPT) {
		refuse(d, l, unique, EINVAL, "a request on the hiprio queue");
		return 0;
	}
	pthread_mutex_lock(&d->gate_lock); /* one gate for every lane: nothing after DESTROY */
	r = fuse_request_gate(&d->gate, buf, &why);
	pthread_mutex_unlock(&d->gate_lock);
	if (r) {
		refuse(d, l, unique, -r, why);
		return 0;
	}
	/*
	 * One request is served at a time, so an INTERRUPT finds nothing in
	 * progress to stop: it is done with here, its chain returned empty
	 * (no reply is due). Passed on, libfuse would keep it and answer it
	 * EAGAIN later into the chain of the next request, under its unique.
	 */
	if (opcode == FUSE_INTERRUPT) {
		give_back(d, l, 0);
		return 0;
	}
	return n;
}

/* Ring @i's next request that passes every rule, or 0 when it has none. */
static size_t take_from(struct virtio_fs_dev *d, struct virtio_fs_lane *l, int i, void *buf,
			size_t len)
{
	for (;;) {
		const char *why;
		size_t n;
		int r = virtq_pop(&d->b.ring[i].q, &l->elem, &why);

		if (!r)
			return 0;
		l->ring = i;
		if (r < 0) {
			fprintf(d->log, "%s: refused a chain on queue %d: %s\n", d->who, i, why);
			if (l->elem.head < d->b.ring[i].num) {
				l->elem.nin = 0; /* nothing of it is trusted, not even for a reply */
				give_back(d, l, 0);
			}
			continue;
		}
		n = admit(d, l, i, buf, len);
		if (!n)
			continue;
		if (!call_may_wait(((struct fuse_in_header *)buf)->opcode))
			virtio_fs_lane_flush_calls(d, l);
		return n;
	}
}

/*
 * Which request queue ring @i is (0 on), or -1 for hiprio and the
 * notification queue: request queues follow them (virtio 5.11.2).
 */
static int request_queue_of(const struct virtio_fs_dev *d, int i)
{
	if (vu_back_ring_role(&d->b, i) != VU_RING_REQUEST)
		return -1;
	return i - 1 - (virtio_fs_has_notify(d) ? 1 : 0);
}

size_t virtio_fs_next_request(struct virtio_fs_dev *d, void *buf, size_t len)
{
	for (int i = 0; i < d->b.nqueues; i++) {
		int q = request_queue_of(d, i);
		size_t n;

		if (!request_ring(d, i) || (q >= 0 && q >= d->main_queues))
			continue;
		n = take_from(d, &d->main, i, buf, len);
		if (n)
			return n;
	}
	virtio_fs_lane_flush_calls(d, &d->main); /* nothing left: the driver hears of every reply now */
	return 0;
}

int virtio_fs_request_ring(const struct virtio_fs_dev *d, int q)
{
	for (int i = 0; i < d->b.nqueues; i++)
		if (request_queue_of(d, i) == q)
			return request_ring(d, i) ? i : -1;
	return -1;
}

size_t virtio_fs_lane_next(struct virtio_fs_dev *d, struct virtio_fs_lane *l, int q, void *buf,
			   size_t len)
{
	int i = virtio_fs_request_ring(d, q);
	size_t n = i < 0 ? 0 : take_from(d, l, i, buf, len);

	if (!n)
		virtio_fs_lane_flush_calls(d, l);
	return n;
}

size_t virtio_fs_lane_reply(struct virtio_fs_dev *d, struct virtio_fs_lane *l,
			    const struct iovec *iov, int count)
{
	size_t total = 0, done = 0;

	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (total > reply_room(l)) {
		/* The guest's buffer is too small for the reply: say so in one that fits. */
		struct fuse_out_header o;

		memcpy(&o, iov[0].iov_base, sizeof(o));
		fprintf(d->log, "%s: a reply of %zu bytes for a buffer of %zu: EIO\n", d->who, total,
			reply_room(l));
		virtio_fs_lane_answer(d, l, o.unique, -EIO);
		return total;
	}
	for (int i = 0; i < count; i++)
		done += virtq_elem_put(&l->elem, done, iov[i].iov_base, iov[i].iov_len);
	give_back(d, l, (uint32_t)total);
	return total;
}

int virtio_fs_lane_room(const struct virtio_fs_lane *l, size_t skip, size_t len,
			struct iovec *iov, int max, size_t *bytes)
{
	size_t off = 0;
	int n = 0;

	*bytes = 0;
	for (int k = 0; k < l->elem.nin && n < max && *bytes < len; k++) {
		size_t blen = l->elem.in[k].len, from = skip > off ? skip - off : 0, take;

		off += blen;
		if (from >= blen)
			continue;
		take = blen - from < len - *bytes ? blen - from : len - *bytes;
		iov[n++] = (struct iovec){ (char *)l->elem.in[k].p + from, take };
		*bytes += take;
	}
	return n;
}

void virtio_fs_lane_reply_in_place(struct virtio_fs_dev *d, struct virtio_fs_lane *l,
				   const struct fuse_out_header *o, size_t data_len)
{
	virtq_elem_put(&l->elem, 0, o, sizeof(*o));
	give_back(d, l, (uint32_t)(sizeof(*o) + data_len));
}

size_t virtio_fs_reply(struct virtio_fs_dev *d, const struct iovec *iov, int count)
{
	return virtio_fs_lane_reply(d, &d->main, iov, count);
}

void virtio_fs_answer(struct virtio_fs_dev *d, uint64_t unique, int error)
{
	virtio_fs_lane_answer(d, &d->main, unique, error);
}

void virtio_fs_return_empty(struct virtio_fs_dev *d)
{
	virtio_fs_lane_return_empty(d, &d->main);
}

void virtio_fs_flush_calls(struct virtio_fs_dev *d)
{
	virtio_fs_lane_flush_calls(d, &d->main);
}

bool virtio_fs_has_notify(const struct virtio_fs_dev *d)
{
	return vu_back_ring_role(&d->b, 1) == VU_RING_NOTIFY;
}

int virtio_fs_notify_available(struct virtio_fs_dev *d)
{
	if (!virtio_fs_has_notify(d) || !vu_back_ring_ready(&d->b, 1))
		return 0;
	return virtq_available(&d->b.ring[1].q);
}

int virtio_fs_notify_put(struct virtio_fs_dev *d, const void *rec, size_t len)
{
	struct virtq *vq = &d->b.ring[1].q;
	struct virtq_elem e;
	const char *why;
	size_t room = 0, done = 0;
	int r;

	if (!virtio_fs_notify_available(d))
		return -ENOBUFS;
	r = virtq_pop(vq, &e, &why);
	if (r <= 0) {
		if (r < 0)
			fprintf(d->log, "%s: refused a notification buffer: %s\n", d->who, why);
		return -ENOBUFS;
	}
	for (int k = 0; k < e.nin; k++)
		room += e.in[k].len;
	if (e.nout || room < len) {
		/* virtio 5.11: buffers of at least notify_buf_size, device-writable only. */
		fprintf(d->log, "%s: a notification buffer of %zu bytes%s: returned empty\n", d->who,
			room, e.nout ? " with readable parts" : ", too small");
		virtq_push(vq, e.head, 0);
		vu_back_notify(&d->b, 1);
		return -EMSGSIZE;
	}
	for (int k = 0; k < e.nin && done < len; k++) {
		size_t n = len - done < e.in[k].len ? len - done : e.in[k].len;

		memcpy(e.in[k].p, (const char *)rec + done, n);
		done += n;
	}
	virtq_push(vq, e.head, (uint32_t)len);
	vu_back_notify(&d->b, 1);
	return 0;
}

int virtio_fs_pollfds(const struct virtio_fs_dev *d, struct pollfd *p)
{
	int n = 0;

	p[n++] = (struct pollfd){ .fd = d->b.sock, .events = POLLIN };
	for (int i = 0; i < d->b.nqueues; i++)
		if (vu_back_ring_ready(&d->b, i) && request_queue_of(d, i) < d->main_queues)
			p[n++] = (struct pollfd){ .fd = d->b.ring[i].kick, .events = POLLIN };
	return n;
}
