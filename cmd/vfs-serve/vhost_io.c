/*
 * vhost_io: the virtio-fs device (lib/transport/virtio_fs_dev: its
 * rings, rules and refusals) joined to libfuse's session. The session's
 * thread (it runs with --single-thread) serves the vhost-user messages,
 * hiprio, the notification queue and the first request queue: a request
 * is taken in read(), its reply written in writev(), and a chain that got
 * no reply (FORGET) is returned empty before the next is taken. With
 * --thread-pool-size above 0, every further request queue has a thread of
 * its own (a lane) that takes its requests in order and hands them to
 * fuse_session_process_buf; a lane serves under the read side of a lock
 * whose write side the messages take, so no ring or memory changes under
 * a request. WATCH and UNWATCH are answered here, and the requests
 * libfuse 3.14 cannot dispatch (fuse_ops_newer); host changes go out
 * between requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/fuse_migrate.h"
#include "fuse/fuse_ops_newer.h"
#include "state/state_image.h"
#include "transport/virtio_fs_dev.h"
#include "notify/notify_proto.h"
#include "notify/notify_watch.h"
#include "util/unix_socket.h"
#include "util/errno_name.h"
#include "vhost_io.h"

/* Who serves a set of queues: the session's thread (main) or a lane's. */
struct vio_lane {
	struct virtio_fs_lane *l;
	int queue;             /* the request queue of a lane; -1 for main */
	int wake;              /* eventfd: the rings changed, or stop */
	pthread_t thread;
	char req[4096];        /* the start of the request being served: its change is reported */
	size_t req_len;
	uint64_t unique;       /* the request being served */
	struct virtio_fs_lane own;
};

#define MAX_LANES (VU_BACK_MAX_QUEUES - 2)

/* One front-end per process. */
static struct {
	struct virtio_fs_dev d;
	struct passthrough *pt;
	struct fuse_session *se;
	struct notify_watch nw;
	pthread_mutex_t nw_lock;   /* the watcher and the notification queue: every lane reports */
	pthread_rwlock_t rings;    /* write: a vhost-user message; read: a lane serving */
	struct vio_lane main;
	struct vio_lane lane[MAX_LANES];
	int nlanes;
	bool lanes_stop;
	unsigned char init[STATE_INIT_MAX]; /* the guest's FUSE_INIT, carried in a migration */
	size_t init_len;
	bool served;           /* a request came from this front-end: no state loads now */
	unsigned char *replay; /* a migrated session's INIT, for libfuse before any request */
	size_t replay_len;
	bool swallow;          /* libfuse's reply to the replayed INIT: the guest had it already */
} vio = { .nw_lock = PTHREAD_MUTEX_INITIALIZER,
	   /* a message waits for the lane's request, never for a stream of them */
	   .rings = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP };

static __thread struct vio_lane *cur_lane; /* a lane's thread: its lane; else main */

static struct vio_lane *lane(void)
{
	return cur_lane ? cur_lane : &vio.main;
}

/* Device state (vhost_user_back_state.c): the session's, through fuse_migrate. */
static int state_save(void *arg, struct strbuf *out, struct errbuf *why)
{
	(void)arg;
	if (!vio.pt)
		return errbuf_set(why, -EINVAL, "no session yet");
	return fuse_migrate_save(vio.pt, vio.init, vio.init_len, out, why);
}

static int state_load(void *arg, const void *buf, size_t len, struct errbuf *why)
{
	(void)arg;
	if (!vio.pt || vio.served || vio.replay)
		return errbuf_set(why, -EBUSY, "this device has served a guest already: a state "
				  "loads only into a fresh one");
	return fuse_migrate_load(vio.pt, buf, len, &vio.replay, &vio.replay_len, why);
}

/*
 * Every policy puts one record in a buffer (atomic: a rename in two
 * consecutive ones), so the buffer size the config gives must hold the
 * largest single record: a header, the event, a NAME_MAX name.
 */
_Static_assert(VHOST_IO_NOTIFY_BUF_SIZE >= VFSKIT_EVENT_MAX, "notify_buf_size below the largest record");

/* The notification queue as notify_send sees it. */
static int nq_available(void *q)
{
	(void)q;
	return virtio_fs_notify_available(&vio.d);
}

static int nq_put(void *q, const void *rec, size_t len)
{
	(void)q;
	return virtio_fs_notify_put(&vio.d, rec, len);
}

int vhost_io_listen(const char *path, struct errbuf *e)
{
	return unix_listen(path, SOCK_STREAM, e);
}

/* WATCH and UNWATCH (notify_proto.h): ours, answered here, never libfuse's. */
static bool watch_request(const char *buf, size_t n)
{
	const struct fuse_in_header *h = (const void *)buf;
	struct vfskit_watch_in in;
	int r;

	if (h->opcode != VFSKIT_OP_WATCH && h->opcode != VFSKIT_OP_UNWATCH)
		return false;
	pthread_mutex_lock(&vio.nw_lock);
	if (!virtio_fs_has_notify(&vio.d))
		r = -EOPNOTSUPP; /* no notification queue negotiated: nowhere to send */
	else if (h->opcode == VFSKIT_OP_UNWATCH)
		r = notify_watch_remove(&vio.nw, h->nodeid);
	else if (n < sizeof(*h) + sizeof(in))
		r = -EINVAL;
	else if (memcpy(&in, buf + sizeof(*h), sizeof(in)), in.version != VFSKIT_NOTIFY_VERSION)
		r = -EPROTONOSUPPORT;
	else
		r = notify_watch_add(&vio.nw, vio.pt, h->nodeid, in.mask);
	pthread_mutex_unlock(&vio.nw_lock);
	virtio_fs_lane_answer(&vio.d, lane()->l, h->unique, r);
	return true;
}

/* The next request for libfuse into @buf, from @ln's queues: its length, or 0 if none is there. */
static ssize_t take(struct vio_lane *ln, void *buf, size_t len)
{
	size_t n;

	while ((n = ln->queue < 0 ? virtio_fs_next_request(&vio.d, buf, len)
				  : virtio_fs_lane_next(&vio.d, ln->l, ln->queue, buf, len))) {
		uint32_t opcode = ((struct fuse_in_header *)buf)->opcode;

		ln->unique = ((struct fuse_in_header *)buf)->unique;
		vio.served = true;
		if (opcode == FUSE_INIT && n <= sizeof(vio.init)) {
			memcpy(vio.init, buf, n);
			vio.init_len = n;
		}
		if (watch_request(buf, n))
			continue;
		if (fuse_ops_newer_has(opcode)) {
			struct fuse_newer_reply reply;
			struct iovec v = { &reply, 0 };

			fuse_ops_newer_serve(vio.pt, buf, n, &reply);
			v.iov_len = reply.h.len;
			virtio_fs_lane_reply(&vio.d, ln->l, &v, 1);
			continue;
		}
		/* Kept only for the requests whose change is reported from them. */
		ln->req_len = notify_watch_reports(opcode) ? (n < sizeof(ln->req) ? n : sizeof(ln->req)) : 0;
		memcpy(ln->req, buf, ln->req_len);
		return (ssize_t)n;
	}
	return 0;
}

static void lanes_wake(void);

/*
 * A READ's data read straight into the guest's buffers (passthrough's
 * read_reply): libfuse would malloc a buffer as large as the READ (an
 * mmap and munmap, with its TLB shootdown, per 128 KiB READ), read into
 * it and copy. Left to libfuse when the chain has not the room (its EIO).
 */
static int read_into_guest(void *req, int fd, size_t size, off_t off)
{
	struct vio_lane *ln = lane();
	struct fuse_out_header o = { .unique = ln->unique };
	struct iovec iov[VIRTQ_MAX_CHAIN];
	size_t room, done = 0;
	int n = virtio_fs_lane_room(ln->l, sizeof(o), size, iov, VIRTQ_MAX_CHAIN, &room);

	if (!ln->l->pending || room < size)
		return 0;
	while (done < size) {
		ssize_t got = preadv(fd, iov, n, off + (off_t)done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (!got)
			break; /* the end of the file */
		done += (size_t)got;
		/* A short read before the end: the rest of the buffers from where it stopped. */
		n = virtio_fs_lane_room(ln->l, sizeof(o) + done, size - done, iov, VIRTQ_MAX_CHAIN,
					&room);
	}
	o.len = (uint32_t)(sizeof(o) + done);
	virtio_fs_lane_reply_in_place(&vio.d, ln->l, &o, done);
	fuse_reply_none(req); /* replied: libfuse only lets the request go */
	return 1;
}

static ssize_t vio_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)fd;
	vio.pt = userdata; /* the session's userdata: the passthrough */
	vio.pt->read_reply = read_into_guest;
	for (;;) {
		struct pollfd p[2 + VU_BACK_MAX_QUEUES];
		int np = 0, r;
		ssize_t n;

		virtio_fs_return_empty(&vio.d); /* no reply came (FORGET): the chain goes back empty */
		/*
		 * The host's changes made before a request are sent before its
		 * reply: a guest that asks after a change hears of it first.
		 */
		if (vio.nw.fd >= 0) {
			pthread_mutex_lock(&vio.nw_lock);
			notify_watch_process(&vio.nw);
			pthread_mutex_unlock(&vio.nw_lock);
		}
		if (vio.replay && vio.replay_len <= len) {
			/* The migrated session's INIT first: libfuse then takes requests. */
			memcpy(buf, vio.replay, vio.replay_len);
			memcpy(vio.init, vio.replay, vio.replay_len);
			n = (ssize_t)(vio.init_len = vio.replay_len);
			free(vio.replay);
			vio.replay = NULL;
			vio.swallow = true;
			return n;
		}
		n = take(&vio.main, buf, len);
		if (n > 0)
			return n;
		np = virtio_fs_pollfds(&vio.d, p);
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
				pthread_mutex_lock(&vio.nw_lock);
				if (p[k].revents & POLLIN)
					notify_watch_process(&vio.nw);
				pthread_mutex_unlock(&vio.nw_lock);
			} else if ((p[k].revents & POLLIN) && read(p[k].fd, &v, sizeof(v)) < 0) {
				/* drained by a racing read: the ring decides */
			}
		}
		pthread_mutex_lock(&vio.nw_lock);
		notify_flush(&vio.nw.sender); /* new buffers: an overflow to report first */
		pthread_mutex_unlock(&vio.nw_lock);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			unsigned before = vio.d.b.refused;

			pthread_rwlock_wrlock(&vio.rings);
			r = vu_back_handle(&vio.d.b, 5000);
			pthread_rwlock_unlock(&vio.rings);
			lanes_wake(); /* a ring may have started, stopped or moved */
			if (r == -EPIPE || r == -EPROTO || r == -ETIMEDOUT) {
				if (r != -EPIPE)
					fprintf(stderr, "vfs-serve: the front-end's stream cannot be read "
						"on (%s): hanging up\n", strerror(-r));
				errno = ENODEV; /* the front-end is gone: libfuse ends the session */
				return -1;
			}
			if (vio.d.b.refused != before)
				fprintf(stderr, "vfs-serve: refused a vhost-user message: %s\n",
					vio.d.b.err.msg);
		}
	}
}

static ssize_t vio_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct vio_lane *ln = lane();
	struct fuse_out_header o;
	size_t total = 0;

	(void)fd, (void)userdata;
	if (vio.swallow && ln == &vio.main) {
		vio.swallow = false;
		for (int i = 0; i < count; i++)
			total += iov[i].iov_len;
		return (ssize_t)total;
	}
	if (!ln->l->pending) {
		/* A notification: no queue of ours takes one yet. */
		for (int i = 0; i < count; i++)
			total += iov[i].iov_len;
		fprintf(stderr, "vfs-serve: dropped a message without a request to answer\n");
		return (ssize_t)total;
	}
	total = virtio_fs_lane_reply(&vio.d, ln->l, iov, count);
	if (ln->req_len && iov[0].iov_len >= sizeof(o)) {
		memcpy(&o, iov[0].iov_base, sizeof(o));
		pthread_mutex_lock(&vio.nw_lock);
		notify_watch_own(&vio.nw, ln->req, ln->req_len, o.error);
		pthread_mutex_unlock(&vio.nw_lock);
	}
	return (ssize_t)total;
}

/* A lane: its queue's requests, in order, until told to stop. */
static void *lane_main(void *arg)
{
	struct vio_lane *ln = arg;
	size_t len = 256 * (size_t)getpagesize() + 4096; /* libfuse's buffer: the largest request */
	char *buf = malloc(len);

	cur_lane = ln;
	while (buf) {
		struct pollfd p[2] = { { .fd = -1, .events = POLLIN }, { .fd = ln->wake, .events = POLLIN } };
		ssize_t n;
		int ring;

		pthread_rwlock_rdlock(&vio.rings);
		if (vio.lanes_stop) {
			pthread_rwlock_unlock(&vio.rings);
			break;
		}
		n = take(ln, buf, len);
		if (n > 0) {
			struct fuse_buf fb = { .mem = buf, .size = (size_t)n };

			vio.served = true;
			fuse_session_process_buf(vio.se, &fb);
			virtio_fs_lane_return_empty(&vio.d, ln->l); /* no reply came */
			pthread_rwlock_unlock(&vio.rings);
			continue;
		}
		ring = virtio_fs_request_ring(&vio.d, ln->queue);
		p[0].fd = ring < 0 ? -1 : vio.d.b.ring[ring].kick;
		pthread_rwlock_unlock(&vio.rings);
		/* A kick fd closed under us gives POLLNVAL, and the wake eventfd follows the message. */
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < 2; k++) {
			uint64_t v;

			if ((p[k].revents & POLLIN) && read(p[k].fd, &v, sizeof(v)) < 0) {
				/* drained by a racing read: the ring decides */
			}
		}
	}
	free(buf);
	return NULL;
}

static void lanes_wake(void)
{
	uint64_t one = 1;

	for (int i = 0; i < vio.nlanes; i++)
		if (write(vio.lane[i].wake, &one, sizeof(one)) < 0) {
			/* a full counter: the lane wakes anyway */
		}
}

void vhost_io_stop_lanes(void)
{
	if (!vio.nlanes)
		return;
	pthread_rwlock_wrlock(&vio.rings);
	vio.lanes_stop = true;
	pthread_rwlock_unlock(&vio.rings);
	lanes_wake();
	for (int i = 0; i < vio.nlanes; i++) {
		pthread_join(vio.lane[i].thread, NULL);
		close(vio.lane[i].wake);
	}
	vio.nlanes = 0;
	vio.lanes_stop = false;
	vio.d.main_queues = VU_BACK_MAX_QUEUES;
}

/* A thread for each request queue after the first. 0 or -errno. */
static int lanes_start(int request_queues, struct errbuf *e)
{
	for (int q = 1; q < request_queues && q <= MAX_LANES; q++) {
		struct vio_lane *ln = &vio.lane[vio.nlanes];
		int r;

		memset(ln, 0, sizeof(*ln));
		ln->l = &ln->own;
		ln->queue = q;
		ln->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (ln->wake < 0)
			return errbuf_set(e, -errno, "eventfd for request queue %d's thread", q);
		r = pthread_create(&ln->thread, NULL, lane_main, ln);
		if (r) {
			close(ln->wake);
			return errbuf_set(e, -r, "a thread for request queue %d", q);
		}
		vio.nlanes++;
	}
	vio.d.main_queues = 1;
	return 0;
}

int vhost_io_attach(struct fuse_session *se, int listen_fd, bool keep_listening,
		    int request_queues, int threads, const char *tag, enum notify_policy policy,
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
	vhost_io_stop_lanes();
	if (vio.d.b.sock > 0) {
		vhost_io_report(stderr);
		virtio_fs_dev_release(&vio.d);
		notify_watch_release(&vio.nw);
	}
	virtio_fs_dev_init(&vio.d, fd, request_queues, tag, VHOST_IO_NOTIFY_BUF_SIZE, stderr,
			   "vfs-serve");
	vu_back_set_state_ops(&vio.d.b, &(struct vu_back_state_ops){ state_save, state_load, NULL });
	vio.init_len = 0;
	vio.served = vio.swallow = false;
	free(vio.replay);
	vio.replay = NULL;
	notify_watch_init(&vio.nw, backend, policy, &sink);
	vio.se = se;
	vio.main = (struct vio_lane){ .l = &vio.d.main, .queue = -1, .wake = -1 };
	r = fuse_session_custom_io(se, &io, fd);
	if (r) {
		close(fd);
		return errbuf_set(e, r, "fuse_session_custom_io");
	}
	if (threads > 0 && request_queues > 1)
		return lanes_start(request_queues, e);
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
