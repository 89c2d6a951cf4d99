/*
 * vhost_user_msg: the vhost-user wire format (QEMU docs/interop/
 * vhost-user.rst, "Message Specification"): a 12-byte header, a packed
 * payload, fds as SCM_RIGHTS on the same sendmsg. Both sides use it: the
 * front-end that plays the guest, and (later) vfs-serve's back-end.
 */
#ifndef VFS_VHOST_USER_MSG_H
#define VFS_VHOST_USER_MSG_H

#include <stddef.h>
#include <stdint.h>

enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36,
	VHOST_USER_RESET_DEVICE = 34,
	VHOST_USER_SET_DEVICE_STATE_FD = 42,
	VHOST_USER_CHECK_DEVICE_STATE = 43,
};

/* Device feature bits (virtio 1.x, and vhost-user's own bit 30). */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_FS_F_NOTIFICATION 0
#define VIRTIO_RING_F_EVENT_IDX 29

/* Protocol feature bits ("Protocol features"). */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE 13
#define VHOST_USER_PROTOCOL_F_DEVICE_STATE 19

#define VHOST_USER_VERSION 0x1
#define VHOST_USER_FLAG_REPLY (1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY (1u << 3)
#define VHOST_USER_VRING_NOFD (1ull << 8)

#define VHOST_USER_MAX_FDS 8
#define VHOST_USER_MAX_REGIONS 8
#define VHOST_USER_PAYLOAD_MAX 4096 /* larger than any message we send or take */

struct vhost_user_header {
	uint32_t request, flags, size;
} __attribute__((packed));

struct vhost_vring_state {
	uint32_t index, num;
} __attribute__((packed));

struct vhost_vring_addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;
} __attribute__((packed));

/* SET_DEVICE_STATE_FD's payload ("Device state transfer parameters"). */
struct vhost_user_transfer_state {
	uint32_t direction; /* 0: save (back-end to front-end), 1: load */
	uint32_t phase;     /* 0: stopped, the only phase defined */
} __attribute__((packed));

#define VHOST_TRANSFER_STATE_SAVE 0
#define VHOST_TRANSFER_STATE_LOAD 1
#define VHOST_TRANSFER_STATE_PHASE_STOPPED 0
/* In SET_DEVICE_STATE_FD's reply: no fd comes back, the front-end's is used. */
#define VHOST_USER_STATE_FD_INVALID (1ull << 8)

struct vhost_user_region {
	uint64_t guest_phys_addr, memory_size, userspace_addr, mmap_offset;
} __attribute__((packed));

struct vhost_user_mem_table {
	uint32_t nregions, padding;
	struct vhost_user_region region[VHOST_USER_MAX_REGIONS];
} __attribute__((packed));

struct vhost_user_msg {
	struct vhost_user_header h;
	union {
		uint64_t u64;
		struct vhost_vring_state state;
		struct vhost_vring_addr addr;
		struct vhost_user_mem_table mem;
		struct vhost_user_transfer_state transfer;
		uint8_t bytes[VHOST_USER_PAYLOAD_MAX];
	} p;
	int fds[VHOST_USER_MAX_FDS];
	int nfds;
};

/* "GET_FEATURES" for 1, ...; NULL for a number we do not know. */
const char *vhost_user_request_name(uint32_t request);

/*
 * Sends @m (header, @m->h.size payload bytes, @m->nfds fds). 0, -EPIPE
 * when the other side is gone, -errno.
 */
int vhost_user_send(int sock, const struct vhost_user_msg *m);

/*
 * Receives one message into @m, waiting at most @timeout_ms (-1: for
 * ever). 0; -ETIMEDOUT; -EPIPE at end of file; -EPROTO for a header that
 * lies (a version that is not 1, a size past VHOST_USER_PAYLOAD_MAX),
 * with the fds that came closed; -errno.
 */
int vhost_user_recv(int sock, struct vhost_user_msg *m, int timeout_ms);

/* Closes the fds a received message carried. */
void vhost_user_close_fds(struct vhost_user_msg *m);

#endif
