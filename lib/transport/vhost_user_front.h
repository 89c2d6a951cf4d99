/*
 * vhost_user_front: the front-end side of vhost-user, playing the VMM and
 * the guest's virtio-fs driver at once, for a real back-end daemon: the
 * handshake (features, protocol features with REPLY_ACK when offered,
 * owner, memory table of memfd regions, per ring NUM/BASE/ADDR/KICK/CALL/
 * ENABLE), split virtqueues in that memory, and GET_VRING_BASE on stop.
 *
 * Queues are laid out as virtio-fs says: 0 hiprio, then the notification
 * queue at 1 when VIRTIO_FS_F_NOTIFICATION is negotiated, then request
 * queues. Every step that can be acked is (REPLY_ACK), so a daemon that
 * refuses a message is named at that message, not at a later hang.
 */
#ifndef VFS_VHOST_USER_FRONT_H
#define VFS_VHOST_USER_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "transport/guest_mem.h"
#include "transport/vhost_user_msg.h"
#include "transport/virtq.h"
#include "util/errbuf.h"

#define VU_FRONT_MAX_QUEUES 8
#define VU_FRONT_GPA_BASE 0x40000000ull /* not 0 and not a VA: mix-ups fail loudly */

struct vu_front_config {
	int request_queues;    /* 1 unless a test wants more */
	uint16_t queue_size;   /* a power of two */
	uint64_t mem_size;     /* bytes of "guest RAM" */
	bool minimal;          /* no protocol features, no ENABLE: the oldest front-ends */
	bool notification;     /* ask for VIRTIO_FS_F_NOTIFICATION when offered */
	bool no_event_idx;     /* do not take VIRTIO_RING_F_EVENT_IDX (a guest takes it) */
	bool device_state;     /* take PROTOCOL_F_DEVICE_STATE where offered (migration) */
	int timeout_ms;        /* per message and per wait */
};

struct vu_ring {
	struct virtq q;
	int kick, call;        /* eventfds */
	uint16_t base;         /* GET_VRING_BASE's answer at the last stop */
	bool set_up;
};

struct vu_front {
	int sock;
	struct guest_mem mem;
	uint64_t features, acked;             /* offered, and what we took */
	uint64_t protocol, protocol_acked;
	int nqueues;                          /* rings set up */
	int first_request;                    /* index of the first request queue */
	int notification;                     /* its index, or -1 */
	struct vu_ring ring[VU_FRONT_MAX_QUEUES];
	int timeout_ms;
	bool gone;                            /* the back-end hung up */
	struct errbuf err;                    /* what failed, for the caller */
};

/* Fills @c with the defaults: 1 request queue of 128, 32 MiB (64 slots of 2 x 132 KiB), 5 s. */
void vu_front_config_default(struct vu_front_config *c);

/*
 * Runs the handshake on the connected @sock (taken: closed by
 * vu_front_close). 0, or -errno with f->err saying which message failed.
 */
int vu_front_start(struct vu_front *f, int sock, const struct vu_front_config *c);

/*
 * Sends one message; with REPLY_ACK negotiated (and @ack) asks for and
 * checks the ack. @reply: for the messages that answer a u64 (GET_*).
 * 0, -EPIPE (gone), -ETIMEDOUT, -EPROTO (a reply that is not one), or the
 * back-end's nonzero ack as -EIO.
 */
int vu_front_message(struct vu_front *f, uint32_t request, const void *payload, uint32_t size,
		     const int *fds, int nfds, uint64_t *reply);

/* Tells the back-end ring @qi has new buffers, unless it asked not to be told (EVENT_IDX). */
void vu_front_kick(struct vu_front *f, int qi);

/*
 * Waits until the used index of a ring in @mask (bit i: ring i) moves,
 * or the back-end hangs up, at most @timeout_ms. 0 (something to read),
 * -ETIMEDOUT, -EPIPE.
 */
int vu_front_wait(struct vu_front *f, unsigned mask, int timeout_ms);

/*
 * The notification queue (ring 1, when VIRTIO_FS_F_NOTIFICATION was
 * negotiated): posts @n empty device-writable buffers of @size bytes, as a
 * driver must before the device can send an event. 0, -EOPNOTSUPP (not
 * negotiated), -ENOMEM (guest memory) or -ENOSPC (ring full).
 */
int vu_front_post_notify(struct vu_front *f, int n, uint32_t size);

/*
 * GET_CONFIG (with the CONFIG protocol feature): @len bytes of the device
 * config from offset 0 into @buf. 0, -EOPNOTSUPP, or -errno.
 */
int vu_front_get_config(struct vu_front *f, void *buf, uint32_t len);

/* GET_VRING_BASE on every ring: the back-end stops them (each ring's base kept). 0 or -errno. */
int vu_front_stop(struct vu_front *f);

/*
 * The same device on another back-end, connected at @sock (taken; the
 * old socket is left to the caller), after vu_front_stop on the old
 * one: the handshake again with the features
 * the session has (else -EPROTO), @before_rings (a state load) if not
 * NULL, the same memory table, and each ring where it stopped (its base,
 * addresses and eventfds). 0 or -errno with f->err.
 */
int vu_front_restart(struct vu_front *f, int sock, const struct vu_front_config *c,
		     int (*before_rings)(struct vu_front *f, void *arg), void *arg);

/*
 * The rings started again where they stopped, on the back-end at @sock
 * (the one stopped, its handshake and memory table still in force), as
 * a VMM does when a migration fails. 0 or -errno with f->err.
 */
int vu_front_resume(struct vu_front *f, int sock);

/* Closes the socket and eventfds, unmaps the memory. */
void vu_front_close(struct vu_front *f);

#endif
