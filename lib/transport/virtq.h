/*
 * virtq: a split virtqueue (virtio 1.x, 2.7), both sides of it.
 *
 * The driver side is what a guest's virtio driver does, for the coming
 * vhost-user front-end that plays the guest to a real daemon: descriptors
 * from a free list, chains of device-readable then device-writable
 * buffers, completions from the used ring. The device side is what a
 * back-end does, for vfs-serve's coming vhost-user mode: chains read from
 * the avail ring with every index, length and address checked, since the
 * guest writing them is not trusted, and completions written to the used
 * ring.
 *
 * Addresses in descriptors are guest-physical; a struct guest_mem maps
 * them to this process's memory and refuses what is outside it.
 * Little-endian only (virtio 1.x on x86_64 and arm64).
 */
#ifndef VFS_VIRTQ_H
#define VFS_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/guest_mem.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_MAX_SIZE 32768 /* the spec's largest queue */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* Where the three parts of a queue of @num entries go in guest memory. */
struct virtq_layout {
	uint64_t desc, avail, used; /* guest-physical */
	size_t bytes;               /* from desc to the end of used */
};

/* The layout of a queue of @num entries at @gpa (16-byte aligned). */
void virtq_layout(uint16_t num, uint64_t gpa, struct virtq_layout *l);

struct virtq {
	uint16_t num;
	struct virtq_desc *desc;
	volatile uint16_t *avail;  /* flags, idx, ring[num], used_event */
	volatile uint16_t *used;   /* flags, idx, then elems; avail_event after */
	const struct guest_mem *mem;
	/* driver side */
	uint16_t free_head, nfree;
	uint16_t avail_idx;        /* next avail slot, free running */
	uint16_t last_used;        /* next used entry to read */
	bool event_idx;            /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint16_t kicked_idx;       /* the avail index at the last kick */
	void **token;              /* per head: what the caller gave */
	/* device side */
	uint16_t last_avail;       /* next avail entry to take */
	uint16_t used_idx;
	uint16_t signalled_used;   /* the used index at the last call */
	bool signalled_valid;      /* a call was made since the ring started */
};

/* A buffer of a chain, as the driver gives it. */
struct virtq_buf {
	uint64_t gpa;
	uint32_t len;
};

/*
 * Sets up @q on the memory at @l (already in @mem), empty, every
 * descriptor free. 0, -EINVAL (num not a power of two in 1..32768, or the
 * layout not inside @mem) or -ENOMEM.
 */
int virtq_init(struct virtq *q, const struct guest_mem *mem, uint16_t num,
	       const struct virtq_layout *l);
void virtq_release(struct virtq *q);
/*
 * Device side: @q on rings the driver placed (pointers into @mem the
 * caller checked), the next avail entry to take and the used index both
 * @base, as SET_VRING_BASE gives them. Nothing in the rings is written.
 * 0 or -EINVAL (num not a power of two in 1..32768).
 */
int virtq_init_device(struct virtq *q, const struct guest_mem *mem, uint16_t num, void *desc,
		      void *avail, void *used, uint16_t base);

/* Driver: a chain of @nout readable then @nin writable buffers; its head, or -ENOSPC. */
int virtq_add(struct virtq *q, const struct virtq_buf *out, int nout,
	      const struct virtq_buf *in, int nin, void *token);
/* Driver: the next completed chain's token and written length, or NULL. */
void *virtq_get_used(struct virtq *q, uint32_t *len);
/*
 * Driver: whether the device wants a kick for what was published since
 * the last one (then recorded as kicked). With EVENT_IDX it is the
 * device's avail_event that says (virtio 2.7.10); without, its used
 * flags' NO_NOTIFY.
 */
bool virtq_kick_needed(struct virtq *q);
/*
 * Driver: asks for a call on the next completion (EVENT_IDX: used_event
 * set to the next used entry). Then the used index must be read again:
 * a completion may have come before the device could see the request.
 */
void virtq_want_call(struct virtq *q);
/* Driver: makes the chain at @head available (virtq_add does it). */
void virtq_publish(struct virtq *q, uint16_t head);
/*
 * Driver: a chain of @n buffers exactly as given, for malformed traffic:
 * lengths of 0, writable before readable, addresses anywhere. Only
 * VIRTQ_DESC_F_WRITE is taken from @flags; NEXT links them in order. Its
 * head, or -ENOSPC.
 */
int virtq_add_raw(struct virtq *q, const struct virtq_buf *buf, const uint16_t *flags, int n,
		  void *token);

/* A chain the device took, its buffers mapped. */
#define VIRTQ_MAX_CHAIN 64
struct virtq_elem {
	uint16_t head;
	int nout, nin;
	struct { void *p; uint32_t len; } out[VIRTQ_MAX_CHAIN], in[VIRTQ_MAX_CHAIN];
};

/*
 * Device: takes the next available chain. 1 with @e filled, 0 when none is
 * there, or -EINVAL for a chain it must refuse (head or next out of range,
 * a loop, more than VIRTQ_MAX_CHAIN buffers, a buffer outside guest
 * memory or of length 0, a readable buffer after a writable one, an
 * indirect descriptor, an avail index more than num ahead); @why says
 * which. A refused chain is consumed; its head is in e->head when known.
 */
int virtq_pop(struct virtq *q, struct virtq_elem *e, const char **why);
/* Device: the readable part of @e into @buf (room @len); its length, or 0 when it does not fit. */
size_t virtq_elem_gather(const struct virtq_elem *e, void *buf, size_t len);
/* Device: @len bytes of @src into @e's writable part from byte @at on; how many fit. */
size_t virtq_elem_put(const struct virtq_elem *e, size_t at, const void *src, size_t len);
/* Device: chains the driver made available that were not taken yet. */
int virtq_available(const struct virtq *q);
/* Device: returns chain @head with @len bytes written. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/*
 * Device: whether the driver wants a call for what was pushed since the
 * last one (then recorded as called). With EVENT_IDX its used_event says
 * (virtio 2.7.10); without, always (the driver's NO_INTERRUPT is a hint).
 * With EVENT_IDX, virtq_pop also keeps avail_event at the next entry it
 * takes, so the driver kicks only when the device may be waiting.
 */
bool virtq_call_needed(struct virtq *q);

#endif
