/*
 * virtq: the avail and used rings are shared with another process that
 * may be hostile (device side) or buggy (driver side): indices from them
 * are taken modulo num and checked, and the ring memory is read once per
 * field. Barriers order the payload before the index that publishes it,
 * as the spec's driver and device requirements say.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "transport/virtq.h"

#define AVAIL_FLAGS 0
#define AVAIL_IDX 1
#define AVAIL_RING 2
#define USED_IDX 1
#define USED_RING 2 /* in uint16_t units: elems start 4 bytes in */

void virtq_layout(uint16_t num, uint64_t gpa, struct virtq_layout *l)
{
	uint64_t avail_bytes = 6 + 2ull * num, used_bytes = 6 + 8ull * num;

	l->desc = gpa;
	l->avail = gpa + 16ull * num;
	l->used = (l->avail + avail_bytes + 3) & ~3ull; /* 4-byte aligned */
	l->bytes = (size_t)(l->used + used_bytes - gpa);
}

int virtq_init(struct virtq *q, const struct guest_mem *mem, uint16_t num,
	       const struct virtq_layout *l)
{
	memset(q, 0, sizeof(*q));
	if (!num || num > VIRTQ_MAX_SIZE || (num & (num - 1)))
		return -EINVAL;
	q->desc = guest_mem_ptr(mem, l->desc, 16ull * num);
	q->avail = guest_mem_ptr(mem, l->avail, 6 + 2ull * num);
	q->used = guest_mem_ptr(mem, l->used, 6 + 8ull * num);
	if (!q->desc || !q->avail || !q->used)
		return -EINVAL;
	q->token = calloc(num, sizeof(*q->token));
	if (!q->token)
		return -ENOMEM;
	q->num = num;
	q->mem = mem;
	/* Every descriptor on the free list, chained through next. */
	for (uint16_t i = 0; i < num; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->free_head = 0;
	q->nfree = num;
	return 0;
}

int virtq_init_device(struct virtq *q, const struct guest_mem *mem, uint16_t num, void *desc,
		      void *avail, void *used, uint16_t base)
{
	memset(q, 0, sizeof(*q));
	if (!num || num > VIRTQ_MAX_SIZE || (num & (num - 1)))
		return -EINVAL;
	q->num = num;
	q->mem = mem;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->last_avail = q->used_idx = base;
	return 0;
}

void virtq_release(struct virtq *q)
{
	free(q->token);
	q->token = NULL;
}

static volatile struct virtq_used_elem *used_elem(struct virtq *q, uint16_t i)
{
	return (volatile struct virtq_used_elem *)(q->used + USED_RING) + (i & (q->num - 1));
}

int virtq_add(struct virtq *q, const struct virtq_buf *out, int nout,
	      const struct virtq_buf *in, int nin, void *token)
{
	struct virtq_buf b[VIRTQ_MAX_CHAIN];
	uint16_t flags[VIRTQ_MAX_CHAIN];
	int n = nout + nin;

	if (n <= 0 || n > VIRTQ_MAX_CHAIN)
		return -ENOSPC;
	/* Readable buffers first, then writable ones: the order the spec requires. */
	for (int k = 0; k < n; k++) {
		b[k] = k < nout ? out[k] : in[k - nout];
		flags[k] = k < nout ? 0 : VIRTQ_DESC_F_WRITE;
	}
	return virtq_add_raw(q, b, flags, n, token);
}

int virtq_add_raw(struct virtq *q, const struct virtq_buf *buf, const uint16_t *flags, int n,
		  void *token)
{
	uint16_t head = q->free_head, d = head;

	if (n <= 0 || n > q->nfree)
		return -ENOSPC;
	for (int k = 0; k < n; k++) {
		q->desc[d].addr = buf[k].gpa;
		q->desc[d].len = buf[k].len;
		q->desc[d].flags = (uint16_t)((flags[k] & VIRTQ_DESC_F_WRITE) |
					      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		d = q->desc[d].next;
	}
	q->free_head = d;
	q->nfree = (uint16_t)(q->nfree - n);
	q->token[head] = token;
	virtq_publish(q, head);
	return head;
}

void virtq_publish(struct virtq *q, uint16_t head)
{
	q->avail[AVAIL_RING + (q->avail_idx & (q->num - 1))] = head;
	/* The entry before the index that makes it visible. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail[AVAIL_IDX] = ++q->avail_idx;
}

#define VRING_USED_F_NO_NOTIFY 1

bool virtq_kick_needed(struct virtq *q)
{
	uint16_t old = q->kicked_idx, now = q->avail_idx;

	/* The avail index is seen before the device's suppression is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->kicked_idx = now;
	if (q->event_idx) {
		uint16_t event = q->used[USED_RING + 4 * q->num]; /* avail_event */

		return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
	}
	return !(q->used[0] & VRING_USED_F_NO_NOTIFY);
}

void virtq_want_call(struct virtq *q)
{
	if (q->event_idx)
		q->avail[AVAIL_RING + q->num] = q->last_used; /* used_event */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Puts the chain at @head back on the free list; how many descriptors it had. */
static int free_chain(struct virtq *q, uint16_t head)
{
	uint16_t d = head;
	int n = 1;

	while ((q->desc[d].flags & VIRTQ_DESC_F_NEXT) && n <= q->num) {
		d = q->desc[d].next & (q->num - 1);
		n++;
	}
	q->desc[d].next = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + n);
	return n;
}

void *virtq_get_used(struct virtq *q, uint32_t *len)
{
	uint16_t idx = q->used[USED_IDX];
	volatile struct virtq_used_elem *e;
	uint32_t id;
	void *token;

	if (idx == q->last_used)
		return NULL;
	/* The index before the element it published. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = used_elem(q, q->last_used++);
	id = e->id;
	if (len)
		*len = e->len;
	if (id >= q->num || !q->token[id])
		return NULL; /* a device that returned what it was not given */
	token = q->token[id];
	q->token[id] = NULL;
	free_chain(q, (uint16_t)id);
	return token;
}

/* EVENT_IDX: the avail entry whose publication must kick the device. */
static void set_avail_event(struct virtq *q, uint16_t idx)
{
	q->used[USED_RING + 4 * q->num] = idx;
}

int virtq_pop(struct virtq *q, struct virtq_elem *e, const char **why)
{
	uint16_t avail_idx = q->avail[AVAIL_IDX], head, d;
	bool writable = false;
	int n = 0;

	*why = NULL;
	if (avail_idx == q->last_avail && q->event_idx) {
		/*
		 * Empty: ask for a kick at the next entry, then look again,
		 * since the driver may have published before it saw the ask.
		 */
		set_avail_event(q, q->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = q->avail[AVAIL_IDX];
	}
	if (avail_idx == q->last_avail)
		return 0; /* @e untouched: it may be a chain still in flight */
	e->head = UINT16_MAX; /* no head known: nothing to return for a refusal before one */
	if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
		*why = "avail index more than the queue size ahead";
		q->last_avail = avail_idx;
		return -EINVAL;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = q->avail[AVAIL_RING + (q->last_avail++ & (q->num - 1))];
	if (q->event_idx)
		set_avail_event(q, q->last_avail);
	e->nout = e->nin = 0; /* not the whole element: 2 KiB per request */
	e->head = head;
	if (head >= q->num) {
		*why = "head descriptor out of range";
		return -EINVAL;
	}
	for (d = head;;) {
		struct virtq_desc desc = q->desc[d]; /* read once: the guest may change it */
		void *p;

		if (++n > q->num || n > VIRTQ_MAX_CHAIN) {
			*why = n > q->num ? "descriptor chain loops" : "descriptor chain too long";
			return -EINVAL;
		}
		if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
			*why = "indirect descriptors are not offered";
			return -EINVAL;
		}
		if (!desc.len) {
			*why = "zero-length descriptor";
			return -EINVAL;
		}
		p = guest_mem_ptr(q->mem, desc.addr, desc.len);
		if (!p) {
			*why = "descriptor outside guest memory";
			return -EINVAL;
		}
		if (desc.flags & VIRTQ_DESC_F_WRITE) {
			writable = true;
			e->in[e->nin].p = p;
			e->in[e->nin++].len = desc.len;
		} else if (writable) {
			*why = "readable descriptor after a writable one";
			return -EINVAL;
		} else {
			e->out[e->nout].p = p;
			e->out[e->nout++].len = desc.len;
		}
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			return 1;
		if (desc.next >= q->num) {
			*why = "next descriptor out of range";
			return -EINVAL;
		}
		d = desc.next;
	}
}

size_t virtq_elem_gather(const struct virtq_elem *e, void *buf, size_t len)
{
	size_t n = 0;

	for (int k = 0; k < e->nout; k++) {
		if (e->out[k].len > len - n)
			return 0;
		memcpy((char *)buf + n, e->out[k].p, e->out[k].len);
		n += e->out[k].len;
	}
	return n;
}

size_t virtq_elem_put(const struct virtq_elem *e, size_t at, const void *src, size_t len)
{
	size_t done = 0, off = 0;

	for (int k = 0; k < e->nin && done < len; k++) {
		size_t blen = e->in[k].len, from, n;

		if (at + done >= off + blen) {
			off += blen;
			continue;
		}
		from = at + done - off;
		n = blen - from < len - done ? blen - from : len - done;
		memcpy((char *)e->in[k].p + from, (const char *)src + done, n);
		done += n;
		off += blen;
	}
	return done;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	volatile struct virtq_used_elem *e = used_elem(q, q->used_idx);

	e->id = head;
	e->len = len;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used[USED_IDX] = ++q->used_idx;
}

bool virtq_call_needed(struct virtq *q)
{
	uint16_t old = q->signalled_used, now = q->used_idx, event;
	bool valid = q->signalled_valid;

	/* The used index before the driver's used_event is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled_used = now;
	q->signalled_valid = true;
	if (!q->event_idx || !valid)
		return true;
	event = q->avail[AVAIL_RING + q->num]; /* used_event */
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

int virtq_available(const struct virtq *q)
{
	return (uint16_t)(__atomic_load_n(&q->avail[AVAIL_IDX], __ATOMIC_ACQUIRE) - q->last_avail);
}
