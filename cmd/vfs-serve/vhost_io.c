/*
 * vhost_io: one thread serves everything (the session runs with
 * --single-thread): a chain is taken in read(), its reply written in
 * writev(), and a chain that got no reply (FORGET) is returned empty
 * before the next is taken, so requests are served in the order of their
 * queues, hiprio first. Every chain is checked by virtq_pop (addresses,
 * lengths, order) and every request by fuse_request_check before libfuse
 * sees it; what is refused is answered (EINVAL) or returned empty, with a
 * line on stderr, and serving goes on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/request_check.h"
#include "transport/vhost_user_back.h"
#include "notify/notify_proto.h"
#include "notify/notify_watch.h"
#include "util/unix_socket.h"
#include "util/errno_name.h"
#include "vhost_io.h"

/* One front-end per process. */
static struct {
	struct vu_back b;
	struct virtq_elem elem;
	int ring;              /* the ring elem came from */
	bool pending;          /* elem taken, not yet returned */
	struct fuse_request_gate gate;
	struct passthrough *pt;
	struct notify_watch nw;
	char req[4096];        /* the start of the request being served: its change is reported */
	size_t req_len;
} vio;

/*
 * Every policy puts one record in a buffer (atomic: a rename in two
 * consecutive ones), so the buffer size the config gives must hold the
 * largest single record: a header, the event, a NAME_MAX name.
 */
_Static_assert(VHOST_IO_NOTIFY_BUF_SIZE >= VFSKIT_EVENT_MAX, "notify_buf_size below the largest record");

/* The notification queue as notify_send sees it: ring 1, once negotiated. */
static int nq_available(void *q)
{
	(void)q;
	if (vu_back_ring_role(&vio.b, 1) != VU_RING_NOTIFY || !vu_back_ring_ready(&vio.b, 1))
		return 0;
	return (uint16_t)(vio.b.ring[1].q.avail[1] - vio.b.ring[1].q.last_avail);
}

static int nq_put(void *q, const void *rec, size_t len)
{
	struct virtq *vq = &vio.b.ring[1].q;
	struct virtq_elem e;
	const char *why;
	size_t room = 0, done = 0;
	int r;

	(void)q;
	if (!nq_available(NULL))
		return -ENOBUFS;
	r = virtq_pop(vq, &e, &why);
	if (r <= 0) {
		if (r < 0)
			fprintf(stderr, "vfs-serve: refused a notification buffer: %s\n", why);
		return -ENOBUFS;
	}
	for (int k = 0; k < e.nin; k++)
		room += e.in[k].len;
	if (e.nout || room < len) {
		/* virtio 5.11: buffers of at least notify_buf_size, device-writable only. */
		fprintf(stderr, "vfs-serve: a notification buffer of %zu bytes%s: returned empty\n",
			room, e.nout ? " with readable parts" : ", too small");
		virtq_push(vq, e.head, 0);
		vu_back_notify(&vio.b, 1);
		return -EMSGSIZE;
	}
	for (int k = 0; k < e.nin && done < len; k++) {
		size_t n = len - done < e.in[k].len ? len - done : e.in[k].len;

		memcpy(e.in[k].p, (const char *)rec + done, n);
		done += n;
	}
	virtq_push(vq, e.head, (uint32_t)len);
	vu_back_notify(&vio.b, 1);
	return 0;
}


int vhost_io_listen(const char *path, struct errbuf *e)
{
	return unix_listen(path, SOCK_STREAM, e);
}

/* Copies @len bytes of @src into the chain's writable buffers from byte @at on; how many fit. */
static size_t put_at(size_t at, const void *src, size_t len)
{
	size_t done = 0, off = 0;

	for (int k = 0; k < vio.elem.nin && done < len; k++) {
		size_t blen = vio.elem.in[k].len, from, n;

		if (at + done >= off + blen) {
			off += blen;
			continue;
		}
		from = at + done - off;
		n = blen - from < len - done ? blen - from : len - done;
		memcpy((char *)vio.elem.in[k].p + from, (const char *)src + done, n);
		done += n;
		off += blen;
	}
	return done;
}

static size_t put_reply(const void *src, size_t len)
{
	return put_at(0, src, len);
}

static size_t reply_room(void)
{
	size_t room = 0;

	for (int k = 0; k < vio.elem.nin; k++)
		room += vio.elem.in[k].len;
	return room;
}

/* Returns the chain taken, with @written bytes, and tells the driver. */
static void give_back(uint32_t written)
{
	virtq_push(&vio.b.ring[vio.ring].q, vio.elem.head, written);
	vu_back_notify(&vio.b, vio.ring);
	vio.pending = false;
}

/* An error reply to @unique when it can be addressed and fits; the chain goes back. */
static void refuse(uint64_t unique, int err, const char *why)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = -err, .unique = unique };
	bool fits = unique && reply_room() >= sizeof(o);

	fprintf(stderr, "vfs-serve: refused a request on queue %d (%s)%s%s\n", vio.ring, why,
		fits ? ": " : ", returned without a reply", fits ? errno_name(err) : "");
	give_back(fits ? (uint32_t)put_reply(&o, sizeof(o)) : 0);
}

/* WATCH and UNWATCH (notify_proto.h): ours, answered here, never libfuse's. */
static bool watch_request(const char *buf, size_t n, uint64_t unique)
{
	const struct fuse_in_header *h = (const void *)buf;
	struct vfskit_watch_in in;
	int r;

	if (h->opcode != VFSKIT_OP_WATCH && h->opcode != VFSKIT_OP_UNWATCH)
		return false;
	if (vu_back_ring_role(&vio.b, 1) != VU_RING_NOTIFY)
		r = -EOPNOTSUPP; /* no notification queue negotiated: nowhere to send */
	else if (h->opcode == VFSKIT_OP_UNWATCH)
		r = notify_watch_remove(&vio.nw, h->nodeid);
	else if (n < sizeof(*h) + sizeof(in))
		r = -EINVAL;
	else if (memcpy(&in, buf + sizeof(*h), sizeof(in)), in.version != VFSKIT_NOTIFY_VERSION)
		r = -EPROTONOSUPPORT;
	else
		r = notify_watch_add(&vio.nw, vio.pt, h->nodeid, in.mask);
	{
		struct fuse_out_header o = { .len = sizeof(o), .error = r, .unique = unique };

		give_back(reply_room() >= sizeof(o) ? (uint32_t)put_reply(&o, sizeof(o)) : 0);
	}
	return true;
}

/* The readable part of a chain into @buf (room @len); its length, or 0 past @len. */
static size_t gather(void *buf, size_t len)
{
	size_t n = 0;

	for (int k = 0; k < vio.elem.nout; k++) {
		if (vio.elem.out[k].len > len - n)
			return 0;
		memcpy((char *)buf + n, vio.elem.out[k].p, vio.elem.out[k].len);
		n += vio.elem.out[k].len;
	}
	return n;
}

/* Takes the next request from a ready ring into @buf: its length, or 0 if none is there. */
static ssize_t take(void *buf, size_t len)
{
	for (int i = 0; i < vio.b.nqueues; i++) {
		const char *why;
		uint64_t unique;
		uint32_t opcode;
		size_t n;
		int r;

		/* The notification queue holds the driver's empty buffers, not requests. */
		if (!vu_back_ring_ready(&vio.b, i) || vu_back_ring_role(&vio.b, i) == VU_RING_NOTIFY ||
		    vu_back_ring_role(&vio.b, i) == VU_RING_NONE)
			continue;
		r = virtq_pop(&vio.b.ring[i].q, &vio.elem, &why);
		if (!r)
			continue;
		vio.ring = i;
		if (r < 0) {
			fprintf(stderr, "vfs-serve: refused a chain on queue %d: %s\n", i, why);
			if (vio.elem.head < vio.b.ring[i].num) {
				vio.elem.nin = 0; /* nothing of it is trusted, not even for a reply */
				give_back(0);
			}
			continue;
		}
		vio.pending = true;
		n = gather(buf, len - 1);
		if (!n) {
			refuse(0, EINVAL, vio.elem.nout ? "larger than the largest request"
					      : "no readable part");
			continue;
		}
		if (fuse_request_check(buf, n, &unique, &why)) {
			refuse(unique, EINVAL, why);
			continue;
		}
		opcode = ((struct fuse_in_header *)buf)->opcode;
		/* virtio 5.11.6.2: hiprio carries FORGET, BATCH_FORGET and INTERRUPT only. */
		if (vu_back_ring_role(&vio.b, i) == VU_RING_HIPRIO && opcode != FUSE_FORGET &&
		    opcode != FUSE_BATCH_FORGET && opcode != FUSE_INTERRUPT) {
			refuse(unique, EINVAL, "a request on the hiprio queue");
			continue;
		}
		r = fuse_request_gate(&vio.gate, buf, &why);
		if (r) {
			refuse(unique, -r, why);
			continue;
		}
		if (watch_request(buf, n, unique))
			continue;
		/* Kept only for the requests whose change is reported from them. */
		vio.req_len = notify_watch_reports(opcode) ? (n < sizeof(vio.req) ? n : sizeof(vio.req)) : 0;
		memcpy(vio.req, buf, vio.req_len);
		return (ssize_t)n;
	}
	return 0;
}

static ssize_t vio_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)fd;
	vio.pt = userdata; /* the session's userdata: the passthrough */
	for (;;) {
		struct pollfd p[2 + VU_BACK_MAX_QUEUES];
		int np = 0, r;
		ssize_t n;

		if (vio.pending)
			give_back(0); /* no reply came (FORGET): the chain goes back empty */
		/*
		 * The host's changes made before a request are sent before its
		 * reply: a guest that asks after a change hears of it first.
		 */
		notify_watch_process(&vio.nw);
		n = take(buf, len);
		if (n > 0)
			return n;
		p[np++] = (struct pollfd){ .fd = vio.b.sock, .events = POLLIN };
		for (int i = 0; i < vio.b.nqueues; i++)
			if (vu_back_ring_ready(&vio.b, i))
				p[np++] = (struct pollfd){ .fd = vio.b.ring[i].kick, .events = POLLIN };
		if (vio.nw.fd >= 0)
			p[np++] = (struct pollfd){ .fd = vio.nw.fd, .events = POLLIN };
		r = poll(p, (nfds_t)np, -1);
		if (r < 0 && errno == EINTR)
			return -1; /* a signal: libfuse looks at whether the session was told to end */
		if (r < 0)
			return -1;
		for (int k = 1; k < np; k++) {
			uint64_t v;

			if (p[k].fd == vio.nw.fd) {
				if (p[k].revents & POLLIN)
					notify_watch_process(&vio.nw);
			} else if ((p[k].revents & POLLIN) && read(p[k].fd, &v, sizeof(v)) < 0) {
				/* drained by a racing read: the ring decides */
			}
		}
		notify_flush(&vio.nw.sender); /* new buffers: an overflow to report first */
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			unsigned before = vio.b.refused;

			r = vu_back_handle(&vio.b, 5000);
			if (r == -EPIPE || r == -EPROTO || r == -ETIMEDOUT) {
				if (r != -EPIPE)
					fprintf(stderr, "vfs-serve: the front-end's stream cannot be read "
						"on (%s): hanging up\n", strerror(-r));
				errno = ENODEV; /* the front-end is gone: libfuse ends the session */
				return -1;
			}
			if (vio.b.refused != before)
				fprintf(stderr, "vfs-serve: refused a vhost-user message: %s\n",
					vio.b.err.msg);
		}
	}
}

static ssize_t vio_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct fuse_out_header o;
	size_t total = 0, done = 0;

	(void)fd, (void)userdata;
	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (!vio.pending) {
		/* A notification: no queue of ours takes one yet. */
		fprintf(stderr, "vfs-serve: dropped a message without a request to answer\n");
		return (ssize_t)total;
	}
	if (total > reply_room()) {
		/* The guest's buffer is too small for the reply: say so in one that fits. */
		memcpy(&o, iov[0].iov_base, sizeof(o));
		o.len = sizeof(o);
		o.error = -EIO;
		fprintf(stderr, "vfs-serve: a reply of %zu bytes for a buffer of %zu: EIO\n", total,
			reply_room());
		give_back(reply_room() >= sizeof(o) ? (uint32_t)put_reply(&o, sizeof(o)) : 0);
		return (ssize_t)total;
	}
	for (int i = 0; i < count; i++)
		done += put_at(done, iov[i].iov_base, iov[i].iov_len);
	give_back((uint32_t)total);
	if (vio.req_len && iov[0].iov_len >= sizeof(o)) {
		memcpy(&o, iov[0].iov_base, sizeof(o));
		notify_watch_own(&vio.nw, vio.req, vio.req_len, o.error);
	}
	return (ssize_t)total;
}

int vhost_io_attach(struct fuse_session *se, int listen_fd, bool keep_listening,
		    int request_queues, const char *tag, enum notify_policy policy,
		    enum notify_backend backend, struct errbuf *e)
{
	const struct notify_sink sink = { .available = nq_available, .put = nq_put,
					  .buf_size = VHOST_IO_NOTIFY_BUF_SIZE };
	static const struct fuse_custom_io io = { .writev = vio_writev, .read = vio_read };
	int fd, r;

	do
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR && !fuse_session_exited(se));
	if (fd < 0)
		return errbuf_set(e, -errno, "accept on the vhost-user socket");
	if (!keep_listening)
		close(listen_fd);
	/* A front-end before this one: its device state goes (its socket went with its session). */
	if (vio.b.sock > 0) {
		vhost_io_report(stderr);
		vu_back_release(&vio.b);
		notify_watch_release(&vio.nw);
	}
	vio.pending = false;
	vio.gate.destroyed = false;
	vu_back_init(&vio.b, fd, request_queues, tag, VHOST_IO_NOTIFY_BUF_SIZE);
	notify_watch_init(&vio.nw, backend, policy, &sink);
	r = fuse_session_custom_io(se, &io, fd);
	if (r) {
		close(fd);
		return errbuf_set(e, r, "fuse_session_custom_io");
	}
	return 0;
}

void vhost_io_report(FILE *f)
{
	const struct notify_watch_counts *c = &vio.nw.c;
	const struct notify_sender *s = &vio.nw.sender;

	if (vio.nw.fd < 0)
		return;
	fprintf(f, "vfs-serve: notify: backend=%s policy=%s host_events=%llu unknown=%llu "
		"stale=%llu own_reported=%llu own_suppressed=%llu sent=%llu overflows=%llu "
		"lost=%llu second_halves_faulted=%llu\n", notify_backend_name(vio.nw.fs_mark ? NOTIFY_BACKEND_FANOTIFY_FS : vio.nw.backend),
		notify_policy_name(s->policy), (unsigned long long)c->host_events,
		(unsigned long long)c->unknown, (unsigned long long)c->stale,
		(unsigned long long)c->own_reported, (unsigned long long)c->own_suppressed,
		(unsigned long long)s->sent, (unsigned long long)s->overflows,
		(unsigned long long)s->lost, (unsigned long long)c->second_halves_faulted);
}
