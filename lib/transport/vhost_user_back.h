/*
 * vhost_user_back: the back-end (device) side of vhost-user for a
 * virtio-fs device, as vfs-serve --vhost-user serves it: the messages the
 * C and Rust virtiofsd answer, with every payload's size, every ring
 * address and every memory region checked (the front-end and the guest
 * behind it are not trusted). A message it cannot take is refused (a
 * failing ack with REPLY_ACK, and a line in @err); the session goes on.
 */
#ifndef VFS_VHOST_USER_BACK_H
#define VFS_VHOST_USER_BACK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/guest_mem.h"
#include "transport/vhost_user_msg.h"
#include "transport/virtq.h"
#include "util/errbuf.h"
#include "util/strbuf.h"

#define VU_BACK_MAX_QUEUES 8 /* hiprio, (notification,) request queues */

struct vu_back_ring {
	uint16_t num, base;
	uint64_t desc_ua, avail_ua, used_ua;
	bool addr_set;
	int kick, call;
	bool enabled;   /* SET_VRING_ENABLE, or always without protocol features */
	bool started;   /* kicked set up and addresses translated */
	struct virtq q;
};

/*
 * Device state (PROTOCOL_F_DEVICE_STATE), offered when set: @save fills
 * the state of the stopped device, @load takes a whole one into a fresh
 * device; each 0 or -errno with @why.
 */
struct vu_back_state_ops {
	int (*save)(void *arg, struct strbuf *out, struct errbuf *why);
	int (*load)(void *arg, const void *buf, size_t len, struct errbuf *why);
	void *arg;
};

/* One transfer through the front-end's pipe, beside the message loop. */
struct vu_back_transfer {
	pthread_t thread;
	bool running;
	int fd;
	uint32_t direction;
	struct strbuf data;
	int result;             /* the transfer's: 0 or -errno */
	struct errbuf err;
};

struct vu_back {
	int sock;
	uint64_t offered, features;          /* device features */
	uint64_t protocol_offered, protocol;
	bool owner;
	int nqueues;                         /* queues offered */
	struct guest_mem mem;
	struct vu_back_ring ring[VU_BACK_MAX_QUEUES];
	char tag[36];                        /* GET_CONFIG's tag */
	uint32_t notify_buf_size;            /* GET_CONFIG's, with VIRTIO_FS_F_NOTIFICATION */
	struct vu_back_state_ops state;      /* .save NULL: no device state */
	struct vu_back_transfer xfer;
	bool state_checked;                  /* CHECK_DEVICE_STATE since the last transfer */
	unsigned refused;                    /* messages refused so far */
	struct errbuf err;                   /* the last refusal */
};

/*
 * A back-end on the connected @sock (not taken) with @request_queues
 * request queues; with @notify_buf_size nonzero it also offers
 * VIRTIO_FS_F_NOTIFICATION and a notification queue (virtio 5.11.2: index
 * 1 when negotiated, request queues after it), whose buffers must hold
 * that many bytes.
 */
void vu_back_init(struct vu_back *b, int sock, int request_queues, const char *tag,
		  uint32_t notify_buf_size);
/* Ring @i's role under the negotiated features. */
/* Offers device state through @ops (before the front-end asks for protocol features). */
void vu_back_set_state_ops(struct vu_back *b, const struct vu_back_state_ops *ops);
/* SET_DEVICE_STATE_FD and CHECK_DEVICE_STATE (vhost_user_back_state.c); *@replied as dispatch's. */
int vu_back_state_message(struct vu_back *b, struct vhost_user_msg *m, bool *replied);
/* Replies @v to @m (a GET_* or a message that always answers): 0 or -errno. */
int vu_back_reply_u64(struct vu_back *b, const struct vhost_user_msg *m, uint64_t v);
/* Waits for a transfer still running (bounded by its own timeout). */
void vu_back_state_release(struct vu_back *b);
enum vu_ring_role { VU_RING_HIPRIO, VU_RING_NOTIFY, VU_RING_REQUEST, VU_RING_NONE };
enum vu_ring_role vu_back_ring_role(const struct vu_back *b, int i);
void vu_back_release(struct vu_back *b);

/*
 * Reads and answers one message, waiting at most @timeout_ms. 0 (handled,
 * or refused with b->err set and b->refused counted), -ETIMEDOUT, -EPIPE
 * when the front-end hung up, -EPROTO for a stream that cannot be read
 * on (a header that lies): the connection is then unusable.
 */
int vu_back_handle(struct vu_back *b, int timeout_ms);

/* Whether ring @i serves: started and enabled. */
bool vu_back_ring_ready(const struct vu_back *b, int i);
/* Signals ring @i's call eventfd (a used buffer is there). */
void vu_back_notify(struct vu_back *b, int i);

#endif
