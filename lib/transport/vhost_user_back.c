/*
 * vhost_user_back: a ring starts once its kick fd is set and its
 * addresses translate into the memory table (vhost-user "Ring states");
 * with protocol features negotiated it also waits for ENABLE. A new
 * SET_MEM_TABLE unmaps the old regions and re-translates the rings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "transport/vhost_user_back.h"

#define MQ (1ull << VHOST_USER_PROTOCOL_F_MQ)
#define REPLY_ACK (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK)
#define CONFIG (1ull << VHOST_USER_PROTOCOL_F_CONFIG)

void vu_back_init(struct vu_back *b, int sock, int request_queues, const char *tag,
		  uint32_t notify_buf_size)
{
	memset(b, 0, sizeof(*b));
	b->sock = sock;
	b->nqueues = 1 + (notify_buf_size ? 1 : 0) + (request_queues < 1 ? 1 : request_queues);
	if (b->nqueues > VU_BACK_MAX_QUEUES)
		b->nqueues = VU_BACK_MAX_QUEUES;
	b->offered = (1ull << VIRTIO_F_VERSION_1) | (1ull << VHOST_USER_F_PROTOCOL_FEATURES) |
		     (1ull << VIRTIO_RING_F_EVENT_IDX);
	b->notify_buf_size = notify_buf_size;
	if (notify_buf_size)
		b->offered |= 1ull << VIRTIO_FS_F_NOTIFICATION;
	b->protocol_offered = MQ | REPLY_ACK | CONFIG;
	guest_mem_init(&b->mem);
	b->xfer.fd = -1;
	strbuf_init(&b->xfer.data);
	for (int i = 0; i < VU_BACK_MAX_QUEUES; i++)
		b->ring[i].kick = b->ring[i].call = -1;
	strncpy(b->tag, tag ? tag : "vfskit", sizeof(b->tag)); /* NUL-padded, not terminated */
}

static void ring_stop(struct vu_back_ring *r)
{
	if (r->started)
		virtq_release(&r->q);
	r->started = false;
}

void vu_back_set_state_ops(struct vu_back *b, const struct vu_back_state_ops *ops)
{
	b->state = *ops;
	if (ops->save && ops->load)
		b->protocol_offered |= 1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE;
}

void vu_back_release(struct vu_back *b)
{
	vu_back_state_release(b);
	for (int i = 0; i < VU_BACK_MAX_QUEUES; i++) {
		ring_stop(&b->ring[i]);
		if (b->ring[i].kick >= 0)
			close(b->ring[i].kick);
		if (b->ring[i].call >= 0)
			close(b->ring[i].call);
		b->ring[i].kick = b->ring[i].call = -1;
	}
	guest_mem_release(&b->mem);
}

enum vu_ring_role vu_back_ring_role(const struct vu_back *b, int i)
{
	bool notify = b->features & (1ull << VIRTIO_FS_F_NOTIFICATION);

	if (i < 0 || i >= b->nqueues)
		return VU_RING_NONE;
	if (i == 0)
		return VU_RING_HIPRIO;
	if (i == 1 && notify)
		return VU_RING_NOTIFY;
	/* Offered for a notification queue that was not negotiated: the last is spare. */
	if (!notify && b->notify_buf_size && i == b->nqueues - 1)
		return VU_RING_NONE;
	return VU_RING_REQUEST;
}

bool vu_back_ring_ready(const struct vu_back *b, int i)
{
	return i < b->nqueues && b->ring[i].started && b->ring[i].enabled;
}

void vu_back_notify(struct vu_back *b, int i)
{
	uint64_t one = 1;

	if (b->ring[i].started && !virtq_call_needed(&b->ring[i].q))
		return; /* EVENT_IDX: the driver has not asked for this one */
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the used index before the call */
	if (b->ring[i].call >= 0 && write(b->ring[i].call, &one, sizeof(one)) < 0) {
		/* a full counter: the driver has a call pending anyway */
	}
}

/* Starts ring @i if it has what it needs: kick, addresses inside the memory. */
static int ring_try_start(struct vu_back *b, int i)
{
	struct vu_back_ring *r = &b->ring[i];
	void *desc, *avail, *used;

	ring_stop(r);
	if (r->kick < 0 || !r->addr_set || !r->num)
		return 0;
	desc = guest_mem_uva(&b->mem, r->desc_ua, 16ull * r->num);
	avail = guest_mem_uva(&b->mem, r->avail_ua, 6 + 2ull * r->num);
	used = guest_mem_uva(&b->mem, r->used_ua, 6 + 8ull * r->num);
	if (!desc || !avail || !used || (r->used_ua & 3) || (r->avail_ua & 1) || (r->desc_ua & 15))
		return errbuf_set(&b->err, -EINVAL, "ring %d: addresses outside the memory table "
				  "or misaligned", i);
	if (virtq_init_device(&r->q, &b->mem, r->num, desc, avail, used, r->base))
		return errbuf_set(&b->err, -EINVAL, "ring %d: size %u", i, r->num);
	r->q.event_idx = !!(b->features & (1ull << VIRTIO_RING_F_EVENT_IDX));
	r->started = true;
	return 0;
}

int vu_back_reply_u64(struct vu_back *b, const struct vhost_user_msg *m, uint64_t v)
{
	struct vhost_user_msg r = { .h = { m->h.request, VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
					   sizeof(uint64_t) }, .p.u64 = v };

	return vhost_user_send(b->sock, &r);
}

static const char *name_of(uint32_t request)
{
	const char *n = vhost_user_request_name(request);

	return n ? n : "an unknown message";
}

/* The payload size @m must have: a refusal of it otherwise. */
static int want_size(struct vu_back *b, const struct vhost_user_msg *m, uint32_t size)
{
	if (m->h.size == size)
		return 0;
	return errbuf_set(&b->err, -EINVAL, "%s: a payload of %u bytes, %u expected",
			  name_of(m->h.request), m->h.size, size);
}

static int ring_index(struct vu_back *b, const struct vhost_user_msg *m, uint64_t index)
{
	if (index < (uint64_t)b->nqueues)
		return (int)index;
	return errbuf_set(&b->err, -EINVAL, "%s: ring %llu, the device has %d",
			  name_of(m->h.request), (unsigned long long)index, b->nqueues);
}

static int mem_table(struct vu_back *b, struct vhost_user_msg *m)
{
	const struct vhost_user_mem_table *t = &m->p.mem;
	struct guest_mem fresh;
	int r = 0;

	if (m->h.size < 8 || t->nregions > VHOST_USER_MAX_REGIONS ||
	    m->h.size != 8 + t->nregions * sizeof(t->region[0]) ||
	    m->nfds != (int)t->nregions)
		return errbuf_set(&b->err, -EINVAL, "SET_MEM_TABLE: %u regions, %d fds, %u bytes",
				  m->h.size >= 8 ? t->nregions : 0, m->nfds, m->h.size);
	guest_mem_init(&fresh);
	for (uint32_t i = 0; i < t->nregions && !r; i++) {
		const struct vhost_user_region *g = &t->region[i];

		r = guest_mem_add_fd(&fresh, m->fds[i], g->guest_phys_addr, g->memory_size,
				     g->userspace_addr, g->mmap_offset);
		if (!r)
			m->fds[i] = -1; /* taken */
	}
	if (r) {
		guest_mem_release(&fresh);
		return errbuf_set(&b->err, r, "SET_MEM_TABLE: a region cannot be mapped");
	}
	/* The old regions go: rings are translated again into the new ones. */
	for (int i = 0; i < b->nqueues; i++)
		ring_stop(&b->ring[i]);
	guest_mem_release(&b->mem);
	b->mem = fresh;
	for (int i = 0; i < b->nqueues; i++)
		ring_try_start(b, i);
	return 0;
}

/* One message's effect; 0 or -errno (a refusal), with *@replied when it answered itself. */
static int dispatch(struct vu_back *b, struct vhost_user_msg *m, bool *replied)
{
	uint64_t idx;
	int i, r;

	*replied = false;
	switch (m->h.request) {
	case VHOST_USER_GET_FEATURES:
		*replied = true;
		return vu_back_reply_u64(b, m, b->offered);
	case VHOST_USER_SET_FEATURES:
		if ((r = want_size(b, m, 8)))
			return r;
		if (m->p.u64 & ~b->offered)
			return errbuf_set(&b->err, -EINVAL, "SET_FEATURES: %#llx was not offered",
					  (unsigned long long)(m->p.u64 & ~b->offered));
		if (!(m->p.u64 & (1ull << VIRTIO_F_VERSION_1)))
			return errbuf_set(&b->err, -EINVAL, "SET_FEATURES: no VERSION_1");
		b->features = m->p.u64;
		/* Without protocol features, rings are enabled from the start. */
		for (i = 0; i < b->nqueues; i++)
			if (!(b->features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)))
				b->ring[i].enabled = true;
		return 0;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		*replied = true;
		return vu_back_reply_u64(b, m, b->protocol_offered);
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if ((r = want_size(b, m, 8)))
			return r;
		if (m->p.u64 & ~b->protocol_offered)
			return errbuf_set(&b->err, -EINVAL, "SET_PROTOCOL_FEATURES: %#llx was not "
					  "offered", (unsigned long long)(m->p.u64 & ~b->protocol_offered));
		b->protocol = m->p.u64;
		return 0;
	case VHOST_USER_GET_QUEUE_NUM:
		*replied = true;
		return vu_back_reply_u64(b, m, (uint64_t)b->nqueues);
	case VHOST_USER_SET_OWNER:
		if (b->owner)
			return errbuf_set(&b->err, -EBUSY, "SET_OWNER: a second time");
		b->owner = true;
		return 0;
	case VHOST_USER_RESET_OWNER:
	case VHOST_USER_RESET_DEVICE:
		for (i = 0; i < b->nqueues; i++) {
			ring_stop(&b->ring[i]);
			b->ring[i].addr_set = false;
			b->ring[i].base = 0;
		}
		b->features = 0;
		return 0;
	case VHOST_USER_SET_MEM_TABLE:
		return mem_table(b, m);
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		if ((r = want_size(b, m, sizeof(m->p.state))) ||
		    (i = ring_index(b, m, m->p.state.index)) < 0)
			return r ? r : i;
		if (m->h.request == VHOST_USER_SET_VRING_NUM) {
			if (!m->p.state.num || m->p.state.num > VIRTQ_MAX_SIZE ||
			    (m->p.state.num & (m->p.state.num - 1)))
				return errbuf_set(&b->err, -EINVAL, "SET_VRING_NUM: %u is not a power "
						  "of two up to 32768", m->p.state.num);
			b->ring[i].num = (uint16_t)m->p.state.num;
		} else if (m->h.request == VHOST_USER_SET_VRING_BASE) {
			if (m->p.state.num > 0xffff)
				return errbuf_set(&b->err, -EINVAL, "SET_VRING_BASE: %u", m->p.state.num);
			b->ring[i].base = (uint16_t)m->p.state.num;
		} else {
			b->ring[i].enabled = m->p.state.num != 0;
			return 0;
		}
		return ring_try_start(b, i);
	case VHOST_USER_SET_VRING_ADDR:
		if ((r = want_size(b, m, sizeof(m->p.addr))) ||
		    (i = ring_index(b, m, m->p.addr.index)) < 0)
			return r ? r : i;
		b->ring[i].desc_ua = m->p.addr.desc;
		b->ring[i].avail_ua = m->p.addr.avail;
		b->ring[i].used_ua = m->p.addr.used;
		b->ring[i].addr_set = true;
		return ring_try_start(b, i);
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR: {
		bool nofd;
		int *slot;

		if ((r = want_size(b, m, 8)))
			return r;
		idx = m->p.u64 & 0xff;
		nofd = m->p.u64 & VHOST_USER_VRING_NOFD;
		if ((i = ring_index(b, m, idx)) < 0)
			return i;
		if (nofd ? m->nfds != 0 : m->nfds != 1)
			return errbuf_set(&b->err, -EINVAL, "%s: %d fds", name_of(m->h.request), m->nfds);
		if (nofd)
			return errbuf_set(&b->err, -EOPNOTSUPP, "%s: polling rings (no fd) are not "
					  "served", name_of(m->h.request));
		if (m->h.request == VHOST_USER_SET_VRING_ERR) {
			return 0; /* the fd is closed with the message: we report no ring errors */
		}
		slot = m->h.request == VHOST_USER_SET_VRING_KICK ? &b->ring[i].kick : &b->ring[i].call;
		if (*slot >= 0)
			close(*slot);
		*slot = m->fds[0];
		m->fds[0] = -1;
		return m->h.request == VHOST_USER_SET_VRING_KICK ? ring_try_start(b, i) : 0;
	}
	case VHOST_USER_GET_VRING_BASE: {
		struct vhost_user_msg rep = { .h = { m->h.request,
						     VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
						     sizeof(rep.p.state) } };

		if ((r = want_size(b, m, sizeof(m->p.state))) ||
		    (i = ring_index(b, m, m->p.state.index)) < 0)
			return r ? r : i;
		/* Stops the ring; its base is where a restart resumes. */
		if (b->ring[i].started)
			b->ring[i].base = b->ring[i].q.last_avail;
		ring_stop(&b->ring[i]);
		if (b->ring[i].kick >= 0)
			close(b->ring[i].kick);
		b->ring[i].kick = -1;
		rep.p.state = (struct vhost_vring_state){ .index = (uint32_t)i, .num = b->ring[i].base };
		*replied = true;
		return vhost_user_send(b->sock, &rep);
	}
	case VHOST_USER_GET_CONFIG: {
		/* virtio-fs config: tag[36], le32 num_request_queues, le32 notify_buf_size. */
		struct vhost_user_msg rep = { .h = { m->h.request,
						     VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY,
						     m->h.size } };
		uint32_t off, len, nq = (uint32_t)(b->nqueues - 1 - (b->notify_buf_size ? 1 : 0));
		char cfg[44];

		memcpy(cfg, b->tag, 36);
		memcpy(cfg + 36, &nq, 4);
		memcpy(cfg + 40, &b->notify_buf_size, 4);
		if (m->h.size < 12 || m->h.size > 12 + sizeof(cfg))
			return errbuf_set(&b->err, -EINVAL, "GET_CONFIG: %u bytes", m->h.size);
		memcpy(&off, m->p.bytes, 4);
		memcpy(&len, m->p.bytes + 4, 4);
		if (off > sizeof(cfg) || len > sizeof(cfg) - off || len != m->h.size - 12)
			return errbuf_set(&b->err, -EINVAL, "GET_CONFIG: offset %u, %u bytes", off, len);
		memcpy(rep.p.bytes, m->p.bytes, 12);
		memcpy(rep.p.bytes + 12, cfg + off, len);
		*replied = true;
		return vhost_user_send(b->sock, &rep);
	}
	case VHOST_USER_SET_DEVICE_STATE_FD:
	case VHOST_USER_CHECK_DEVICE_STATE:
		if (!(b->protocol & (1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE)))
			return errbuf_set(&b->err, -EOPNOTSUPP, "%s: DEVICE_STATE was not negotiated",
					  name_of(m->h.request));
		return vu_back_state_message(b, m, replied);
	default:
		return errbuf_set(&b->err, -EOPNOTSUPP, "%s (%u) is not served", name_of(m->h.request),
				  m->h.request);
	}
}

int vu_back_handle(struct vu_back *b, int timeout_ms)
{
	struct vhost_user_msg m;
	bool replied;
	int r = vhost_user_recv(b->sock, &m, timeout_ms);

	if (r)
		return r;
	r = dispatch(b, &m, &replied);
	if (r == -EPIPE) {
		vhost_user_close_fds(&m);
		return r;
	}
	if (r) {
		b->refused++;
		if (!b->err.msg[0])
			errbuf_set(&b->err, r, "%s", name_of(m.h.request));
	}
	/* REPLY_ACK: 0 for done, nonzero for refused; a GET_* answered already. */
	if (!replied && (m.h.flags & VHOST_USER_FLAG_NEED_REPLY) && (b->protocol & REPLY_ACK))
		r = vu_back_reply_u64(b, &m, r ? 1 : 0) == -EPIPE ? -EPIPE : 0;
	else
		r = 0;
	vhost_user_close_fds(&m); /* the fds nobody took */
	return r;
}
