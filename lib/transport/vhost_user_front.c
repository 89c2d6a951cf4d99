/*
 * vhost_user_front: the handshake in the order QEMU 7.2 and cloud-
 * hypervisor use (../shared/reference/vhost-user-notes.md, section 1):
 * the memory table before any ring address, ENABLE after KICK, and only
 * offered feature bits acked (a Rust back-end exits on any other).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/vhost_user_front.h"

void vu_front_config_default(struct vu_front_config *c)
{
	*c = (struct vu_front_config){ .request_queues = 1, .queue_size = 128,
				       .mem_size = 32ull << 20, .timeout_ms = 5000 };
}

static bool answers(uint32_t request)
{
	return request == VHOST_USER_GET_FEATURES || request == VHOST_USER_GET_PROTOCOL_FEATURES ||
	       request == VHOST_USER_GET_QUEUE_NUM || request == VHOST_USER_GET_VRING_BASE ||
	       request == VHOST_USER_GET_CONFIG || request == VHOST_USER_GET_MAX_MEM_SLOTS ||
	       request == VHOST_USER_CHECK_DEVICE_STATE;
}

int vu_front_message(struct vu_front *f, uint32_t request, const void *payload, uint32_t size,
		     const int *fds, int nfds, uint64_t *reply)
{
	const char *name = vhost_user_request_name(request);
	bool ack = !answers(request) &&
		   (f->protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	struct vhost_user_msg m = { .h = { .request = request, .flags = VHOST_USER_VERSION,
					   .size = size }, .nfds = nfds };
	int r;

	if (!name)
		name = "message";
	if (f->gone)
		return errbuf_set(&f->err, -EPIPE, "%s: the back-end is gone", name);
	if (size > sizeof(m.p) || nfds > VHOST_USER_MAX_FDS)
		return errbuf_set(&f->err, -EINVAL, "%s: payload too large", name);
	if (size)
		memcpy(&m.p, payload, size);
	if (nfds)
		memcpy(m.fds, fds, sizeof(int) * (size_t)nfds);
	if (ack)
		m.h.flags |= VHOST_USER_FLAG_NEED_REPLY;
	r = vhost_user_send(f->sock, &m);
	if (r) {
		f->gone = r == -EPIPE;
		return errbuf_set(&f->err, r, "%s: cannot send", name);
	}
	if (!ack && !answers(request))
		return 0;
	r = vhost_user_recv(f->sock, &m, f->timeout_ms);
	if (r) {
		f->gone = r == -EPIPE;
		return errbuf_set(&f->err, r, "%s: no reply", name);
	}
	vhost_user_close_fds(&m); /* no reply of ours carries any */
	if (m.h.request != request || !(m.h.flags & VHOST_USER_FLAG_REPLY) ||
	    (answers(request) && request != VHOST_USER_GET_VRING_BASE && m.h.size != 8))
		return errbuf_set(&f->err, -EPROTO, "%s: the reply is request %u, flags %#x, "
				  "size %u", name, m.h.request, m.h.flags, m.h.size);
	if (request == VHOST_USER_GET_VRING_BASE) {
		if (m.h.size != sizeof(m.p.state))
			return errbuf_set(&f->err, -EPROTO, "%s: reply of %u bytes", name, m.h.size);
		if (reply)
			*reply = m.p.state.num;
		return 0;
	}
	if (ack && m.p.u64)
		return errbuf_set(&f->err, -EIO, "%s: the back-end refused it (ack %llu)", name,
				  (unsigned long long)m.p.u64);
	if (reply)
		*reply = m.p.u64;
	return 0;
}

static int u64_message(struct vu_front *f, uint32_t request, uint64_t v, int fd)
{
	return vu_front_message(f, request, &v, sizeof(v), &fd, fd >= 0 ? 1 : 0, NULL);
}

static int state_message(struct vu_front *f, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_vring_state s = { .index = index, .num = num };

	return vu_front_message(f, request, &s, sizeof(s), NULL, 0, NULL);
}

static int negotiate(struct vu_front *f, const struct vu_front_config *c, int nqueues)
{
	uint64_t want, queues = 0;
	int r;

	r = vu_front_message(f, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &f->features);
	if (r)
		return r;
	if (!(f->features & (1ull << VIRTIO_F_VERSION_1)))
		return errbuf_set(&f->err, -EPROTO, "GET_FEATURES: %#llx has no VERSION_1",
				  (unsigned long long)f->features);
	want = 1ull << VIRTIO_F_VERSION_1;
	/* The notification queue counts only where the device offers it. */
	if (!(c->notification && (f->features & (1ull << VIRTIO_FS_F_NOTIFICATION))))
		nqueues = 1 + c->request_queues;
	if (!c->minimal && (f->features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES))) {
		want |= 1ull << VHOST_USER_F_PROTOCOL_FEATURES;
		r = vu_front_message(f, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0,
				     &f->protocol);
		if (r)
			return r;
		uint64_t ack = f->protocol & ((1ull << VHOST_USER_PROTOCOL_F_MQ) |
					      (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
					      (1ull << VHOST_USER_PROTOCOL_F_CONFIG) |
					      (c->device_state ? 1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE
							       : 0));

		r = u64_message(f, VHOST_USER_SET_PROTOCOL_FEATURES, ack, -1);
		if (r)
			return r;
		f->protocol_acked = ack;
		if (ack & (1ull << VHOST_USER_PROTOCOL_F_MQ)) {
			r = vu_front_message(f, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0, &queues);
			if (r)
				return r;
			if (queues < (uint64_t)nqueues)
				return errbuf_set(&f->err, -EOPNOTSUPP, "GET_QUEUE_NUM: the back-end "
						  "has %llu queues, %d are needed",
						  (unsigned long long)queues, nqueues);
		}
	}
	if (c->notification && (f->features & (1ull << VIRTIO_FS_F_NOTIFICATION)))
		want |= 1ull << VIRTIO_FS_F_NOTIFICATION;
	if (!c->no_event_idx && (f->features & (1ull << VIRTIO_RING_F_EVENT_IDX)))
		want |= 1ull << VIRTIO_RING_F_EVENT_IDX;
	r = vu_front_message(f, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL);
	if (r)
		return r;
	r = u64_message(f, VHOST_USER_SET_FEATURES, want, -1);
	if (!r)
		f->acked = want;
	return r;
}

/* SET_MEM_TABLE of the one region there is. */
static int send_mem_table(struct vu_front *f)
{
	struct vhost_user_mem_table t = { .nregions = 1 };
	struct guest_region *g = &f->mem.region[0];

	t.region[0] = (struct vhost_user_region){ .guest_phys_addr = g->gpa,
						  .memory_size = g->size,
						  .userspace_addr = (uintptr_t)g->va };
	return vu_front_message(f, VHOST_USER_SET_MEM_TABLE, &t,
				8 + sizeof(t.region[0]), &g->fd, 1, NULL);
}

static int memory(struct vu_front *f, uint64_t size)
{
	int r = guest_mem_add_memfd(&f->mem, VU_FRONT_GPA_BASE, size);

	if (r)
		return errbuf_set(&f->err, r, "guest memory of %llu bytes",
				  (unsigned long long)size);
	return send_mem_table(f);
}

/* Ring @i's messages, its next avail index @base: a new ring's 0, a migrated one's its own. */
static int ring_messages(struct vu_front *f, int i, uint16_t base, bool enable)
{
	struct vu_ring *rg = &f->ring[i];
	struct vhost_vring_addr a = { .index = (uint32_t)i };
	int r;

	a.desc = (uintptr_t)rg->q.desc;
	a.avail = (uintptr_t)rg->q.avail;
	a.used = (uintptr_t)rg->q.used;
	r = state_message(f, VHOST_USER_SET_VRING_NUM, (uint32_t)i, rg->q.num);
	if (!r)
		r = state_message(f, VHOST_USER_SET_VRING_BASE, (uint32_t)i, base);
	if (!r)
		r = vu_front_message(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL);
	if (!r)
		r = u64_message(f, VHOST_USER_SET_VRING_KICK, (uint64_t)i, rg->kick);
	if (!r)
		r = u64_message(f, VHOST_USER_SET_VRING_CALL, (uint64_t)i, rg->call);
	if (!r && enable)
		r = state_message(f, VHOST_USER_SET_VRING_ENABLE, (uint32_t)i, 1);
	return r;
}

static int ring(struct vu_front *f, int i, uint16_t num, bool enable)
{
	struct vu_ring *rg = &f->ring[i];
	struct virtq_layout l;
	uint64_t gpa;
	int r;

	virtq_layout(num, 0, &l);
	r = guest_mem_alloc(&f->mem, l.bytes, 4096, &gpa);
	if (r)
		return errbuf_set(&f->err, r, "ring %d: no room in guest memory", i);
	virtq_layout(num, gpa, &l);
	r = virtq_init(&rg->q, &f->mem, num, &l);
	if (r)
		return errbuf_set(&f->err, r, "ring %d", i);
	rg->q.event_idx = !!(f->acked & (1ull << VIRTIO_RING_F_EVENT_IDX));
	rg->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rg->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rg->set_up = true;
	if (rg->kick < 0 || rg->call < 0)
		return errbuf_set(&f->err, -errno, "ring %d: eventfd", i);
	return ring_messages(f, i, 0, enable);
}

int vu_front_start(struct vu_front *f, int sock, const struct vu_front_config *c)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->sock = sock;
	f->timeout_ms = c->timeout_ms;
	f->notification = -1;
	guest_mem_init(&f->mem);
	for (int i = 0; i < VU_FRONT_MAX_QUEUES; i++)
		f->ring[i].kick = f->ring[i].call = -1;
	f->nqueues = 1 + c->request_queues + (c->notification ? 1 : 0);
	if (c->request_queues < 1 || f->nqueues > VU_FRONT_MAX_QUEUES)
		return errbuf_set(&f->err, -EINVAL, "%d request queues: 1 to %d", c->request_queues,
				  VU_FRONT_MAX_QUEUES - 2);
	r = negotiate(f, c, f->nqueues);
	if (r)
		return r;
	if (!(f->acked & (1ull << VIRTIO_FS_F_NOTIFICATION)))
		f->nqueues = 1 + c->request_queues;
	else
		f->notification = 1;
	f->first_request = f->notification == 1 ? 2 : 1;
	r = memory(f, c->mem_size);
	for (int i = 0; !r && i < f->nqueues; i++)
		r = ring(f, i, c->queue_size,
			 !!(f->acked & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)));
	return r;
}

void vu_front_kick(struct vu_front *f, int qi)
{
	uint64_t one = 1;

	if (!virtq_kick_needed(&f->ring[qi].q))
		return;
	if (write(f->ring[qi].kick, &one, sizeof(one)) < 0) {
		/* A full eventfd counter: the back-end has a kick pending anyway. */
	}
}

static bool any_used(struct vu_front *f, unsigned mask)
{
	for (int i = 0; i < f->nqueues; i++)
		if ((mask & (1u << i)) &&
		    __atomic_load_n(&f->ring[i].q.used[1], __ATOMIC_ACQUIRE) != f->ring[i].q.last_used)
			return true;
	return false;
}

int vu_front_wait(struct vu_front *f, unsigned mask, int timeout_ms)
{
	struct pollfd p[VU_FRONT_MAX_QUEUES + 1];
	int n = 0;

	for (int i = 0; i < f->nqueues; i++)
		if (mask & (1u << i))
			p[n++] = (struct pollfd){ .fd = f->ring[i].call, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = f->sock, .events = POLLIN };
	for (;;) {
		uint64_t v;
		char c;
		int r;

		/* The used index decides, never the eventfd (calls can be spurious or suppressed). */
		for (int i = 0; i < f->nqueues; i++)
			if (mask & (1u << i))
				virtq_want_call(&f->ring[i].q);
		if (any_used(f, mask))
			return 0;
		if (f->gone)
			return -EPIPE;
		r = poll(p, (nfds_t)n, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			return any_used(f, mask) ? 0 : -ETIMEDOUT;
		for (int k = 0; k < n - 1; k++)
			if ((p[k].revents & POLLIN) && read(p[k].fd, &v, sizeof(v)) < 0) {
				/* drained already: the index check decides */
			}
		if (p[n - 1].revents & (POLLHUP | POLLERR) ||
		    ((p[n - 1].revents & POLLIN) &&
		     recv(f->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0))
			f->gone = true;
		else if (p[n - 1].revents & POLLIN)
			p[n - 1].fd = -1; /* a message of the back-end's own: not ours to read here */
	}
}

int vu_front_post_notify(struct vu_front *f, int n, uint32_t size)
{
	if (f->notification < 0)
		return -EOPNOTSUPP;
	for (int i = 0; i < n; i++) {
		struct virtq_buf b = { .len = size };
		int r = guest_mem_alloc(&f->mem, size, 8, &b.gpa);

		if (r)
			return r;
		r = virtq_add(&f->ring[f->notification].q, NULL, 0, &b, 1, (void *)(uintptr_t)(i + 1));
		if (r < 0)
			return r;
	}
	vu_front_kick(f, f->notification);
	return 0;
}

int vu_front_get_config(struct vu_front *f, void *buf, uint32_t len)
{
	struct vhost_user_msg m = { .h = { VHOST_USER_GET_CONFIG, VHOST_USER_VERSION, 12 + len } };
	uint32_t zero = 0;
	int r;

	if (!(f->protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_CONFIG)))
		return -EOPNOTSUPP;
	if (len > sizeof(m.p) - 12)
		return -EINVAL;
	memcpy(m.p.bytes, &zero, 4);      /* offset */
	memcpy(m.p.bytes + 4, &len, 4);   /* size */
	memcpy(m.p.bytes + 8, &zero, 4);  /* flags */
	memset(m.p.bytes + 12, 0, len);
	r = vhost_user_send(f->sock, &m);
	if (!r)
		r = vhost_user_recv(f->sock, &m, f->timeout_ms);
	if (r)
		return errbuf_set(&f->err, r, "GET_CONFIG");
	vhost_user_close_fds(&m);
	if (m.h.request != VHOST_USER_GET_CONFIG || m.h.size != 12 + len)
		return errbuf_set(&f->err, -EPROTO, "GET_CONFIG: a reply of %u bytes", m.h.size);
	memcpy(buf, m.p.bytes + 12, len);
	return 0;
}

int vu_front_stop(struct vu_front *f)
{
	int err = 0;

	for (int i = 0; i < f->nqueues && !f->gone; i++) {
		struct vhost_vring_state s = { .index = (uint32_t)i };
		uint64_t base = 0;
		int r = vu_front_message(f, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), NULL, 0, &base);

		if (r && !err)
			err = r;
		f->ring[i].base = (uint16_t)base;
	}
	return err;
}

void vu_front_close(struct vu_front *f)
{
	for (int i = 0; i < VU_FRONT_MAX_QUEUES; i++) {
		if (f->ring[i].set_up)
			virtq_release(&f->ring[i].q);
		if (f->ring[i].kick >= 0)
			close(f->ring[i].kick);
		if (f->ring[i].call >= 0)
			close(f->ring[i].call);
		f->ring[i].kick = f->ring[i].call = -1;
		f->ring[i].set_up = false;
	}
	if (f->sock >= 0)
		close(f->sock);
	f->sock = -1;
	guest_mem_release(&f->mem);
}

int vu_front_restart(struct vu_front *f, int sock, const struct vu_front_config *c,
		     int (*before_rings)(struct vu_front *f, void *arg), void *arg)
{
	uint64_t acked = f->acked, protocol_acked = f->protocol_acked;
	int r;

	f->sock = sock; /* the old one is the caller's: a failed load resumes on it */
	f->gone = false;
	r = negotiate(f, c, f->nqueues);
	if (r)
		return r;
	/* The rings stay as the driver laid them out: the features must too. */
	if (f->acked != acked || f->protocol_acked != protocol_acked)
		return errbuf_set(&f->err, -EPROTO, "the new back-end takes features %#llx "
				  "(protocol %#llx), the session has %#llx (%#llx)",
				  (unsigned long long)f->acked,
				  (unsigned long long)f->protocol_acked,
				  (unsigned long long)acked, (unsigned long long)protocol_acked);
	r = before_rings ? before_rings(f, arg) : 0;
	if (!r)
		r = send_mem_table(f);
	for (int i = 0; !r && i < f->nqueues; i++)
		r = ring_messages(f, i, f->ring[i].base,
				  !!(f->acked & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)));
	return r;
}

int vu_front_resume(struct vu_front *f, int sock)
{
	int r = 0;

	f->sock = sock;
	f->gone = false;
	for (int i = 0; !r && i < f->nqueues; i++)
		r = ring_messages(f, i, f->ring[i].base,
				  !!(f->acked & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)));
	return r;
}
