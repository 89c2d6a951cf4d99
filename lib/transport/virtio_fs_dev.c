/*
 * virtio_fs_dev: the device's rules, apart from any FUSE server: the
 * session (vfs-serve's vhost_io) joins them to libfuse.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/fuse.h>

#include "transport/virtio_fs_dev.h"
#include "util/errno_name.h"

void virtio_fs_dev_init(struct virtio_fs_dev *d, int sock, int request_queues, const char *tag,
			uint32_t notify_buf_size, FILE *log, const char *who)
{
	memset(&d->elem, 0, sizeof(d->elem));
	d->ring = 0;
	d->pending = false;
	d->gate.destroyed = false;
	d->log = log;
	d->who = who;
	vu_back_init(&d->b, sock, request_queues, tag, notify_buf_size);
}

void virtio_fs_dev_release(struct virtio_fs_dev *d)
{
	vu_back_release(&d->b);
	d->pending = false;
}

/* Copies @len bytes of @src into the chain's writable buffers from byte @at on; how many fit. */
static size_t put_at(struct virtio_fs_dev *d, size_t at, const void *src, size_t len)
{
	size_t done = 0, off = 0;

	for (int k = 0; k < d->elem.nin && done < len; k++) {
		size_t blen = d->elem.in[k].len, from, n;

		if (at + done >= off + blen) {
			off += blen;
			continue;
		}
		from = at + done - off;
		n = blen - from < len - done ? blen - from : len - done;
		memcpy((char *)d->elem.in[k].p + from, (const char *)src + done, n);
		done += n;
		off += blen;
	}
	return done;
}

static size_t reply_room(const struct virtio_fs_dev *d)
{
	size_t room = 0;

	for (int k = 0; k < d->elem.nin; k++)
		room += d->elem.in[k].len;
	return room;
}

/* Returns the chain taken, with @written bytes, and tells the driver. */
static void give_back(struct virtio_fs_dev *d, uint32_t written)
{
	virtq_push(&d->b.ring[d->ring].q, d->elem.head, written);
	vu_back_notify(&d->b, d->ring);
	d->pending = false;
}

void virtio_fs_return_empty(struct virtio_fs_dev *d)
{
	if (d->pending)
		give_back(d, 0);
}

void virtio_fs_answer(struct virtio_fs_dev *d, uint64_t unique, int error)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = error, .unique = unique };

	give_back(d, reply_room(d) >= sizeof(o) ? (uint32_t)put_at(d, 0, &o, sizeof(o)) : 0);
}

/* An error reply to @unique when it can be addressed and fits; the chain goes back. */
static void refuse(struct virtio_fs_dev *d, uint64_t unique, int err, const char *why)
{
	bool fits = unique && reply_room(d) >= sizeof(struct fuse_out_header);

	fprintf(d->log, "%s: refused a request on queue %d (%s)%s%s\n", d->who, d->ring, why,
		fits ? ": " : ", returned without a reply", fits ? errno_name(err) : "");
	if (fits)
		virtio_fs_answer(d, unique, -err);
	else
		give_back(d, 0);
}

/* The readable part of the chain into @buf (room @len); its length, or 0 past @len. */
static size_t gather(const struct virtio_fs_dev *d, void *buf, size_t len)
{
	size_t n = 0;

	for (int k = 0; k < d->elem.nout; k++) {
		if (d->elem.out[k].len > len - n)
			return 0;
		memcpy((char *)buf + n, d->elem.out[k].p, d->elem.out[k].len);
		n += d->elem.out[k].len;
	}
	return n;
}

/* Whether ring @i holds requests (not the notification queue's empty buffers). */
static bool request_ring(const struct virtio_fs_dev *d, int i)
{
	enum vu_ring_role role = vu_back_ring_role(&d->b, i);

	return vu_back_ring_ready(&d->b, i) && role != VU_RING_NOTIFY && role != VU_RING_NONE;
}

/* The chain just taken from ring @i, against every rule: its length, or 0 once refused. */
static size_t admit(struct virtio_fs_dev *d, int i, void *buf, size_t len)
{
	const char *why;
	uint64_t unique;
	uint32_t opcode;
	size_t n;
	int r;

	d->pending = true;
	n = gather(d, buf, len - 1);
	if (!n) {
		refuse(d, 0, EINVAL, d->elem.nout ? "larger than the largest request"
						  : "no readable part");
		return 0;
	}
	if (fuse_request_check(buf, n, &unique, &why)) {
		refuse(d, unique, EINVAL, why);
		return 0;
	}
	opcode = ((struct fuse_in_header *)buf)->opcode;
	/* virtio 5.11.6.2: hiprio carries FORGET, BATCH_FORGET and INTERRUPT only. */
	if (vu_back_ring_role(&d->b, i) == VU_RING_HIPRIO && opcode != FUSE_FORGET &&
	    opcode != FUSE_BATCH_FORGET && opcode != FUSE_INTERRUPT) {
		refuse(d, unique, EINVAL, "a request on the hiprio queue");
		return 0;
	}
	r = fuse_request_gate(&d->gate, buf, &why);
	if (r) {
		refuse(d, unique, -r, why);
		return 0;
	}
	/*
	 * One request is served at a time, so an INTERRUPT finds nothing in
	 * progress to stop: it is done with here, its chain returned empty
	 * (no reply is due). Passed on, libfuse would keep it and answer it
	 * EAGAIN later into the chain of the next request, under its unique.
	 */
	if (opcode == FUSE_INTERRUPT) {
		give_back(d, 0);
		return 0;
	}
	return n;
}

size_t virtio_fs_next_request(struct virtio_fs_dev *d, void *buf, size_t len)
{
	for (int i = 0; i < d->b.nqueues; i++) {
		const char *why;
		size_t n;
		int r;

		if (!request_ring(d, i))
			continue;
		r = virtq_pop(&d->b.ring[i].q, &d->elem, &why);
		if (!r)
			continue;
		d->ring = i;
		if (r < 0) {
			fprintf(d->log, "%s: refused a chain on queue %d: %s\n", d->who, i, why);
			if (d->elem.head < d->b.ring[i].num) {
				d->elem.nin = 0; /* nothing of it is trusted, not even for a reply */
				give_back(d, 0);
			}
			continue;
		}
		n = admit(d, i, buf, len);
		if (n)
			return n;
	}
	return 0;
}

size_t virtio_fs_reply(struct virtio_fs_dev *d, const struct iovec *iov, int count)
{
	size_t total = 0, done = 0;

	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (total > reply_room(d)) {
		/* The guest's buffer is too small for the reply: say so in one that fits. */
		struct fuse_out_header o;

		memcpy(&o, iov[0].iov_base, sizeof(o));
		fprintf(d->log, "%s: a reply of %zu bytes for a buffer of %zu: EIO\n", d->who, total,
			reply_room(d));
		virtio_fs_answer(d, o.unique, -EIO);
		return total;
	}
	for (int i = 0; i < count; i++)
		done += put_at(d, done, iov[i].iov_base, iov[i].iov_len);
	give_back(d, (uint32_t)total);
	return total;
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
		if (vu_back_ring_ready(&d->b, i))
			p[n++] = (struct pollfd){ .fd = d->b.ring[i].kick, .events = POLLIN };
	return n;
}
