/*
 * virtio_fs_dev: the virtio-fs device (virtio 5.11) on top of a
 * vhost-user back-end: which ring is what (hiprio, notification,
 * requests), the rules a request must pass before a FUSE server sees it
 * (a chain virtq_pop takes, a request fuse_request_check passes, hiprio
 * carrying FORGET, BATCH_FORGET and INTERRUPT only, nothing after
 * DESTROY; INTERRUPT done with, nothing being in progress), what is
 * refused (an error reply when it can be addressed, an
 * empty chain when not, a line in the log), replies written into the
 * chain's writable part, and the notification queue's buffers. One
 * request in flight at a time, served in queue order, hiprio first.
 */
#ifndef VFS_VIRTIO_FS_DEV_H
#define VFS_VIRTIO_FS_DEV_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "fuse/request_check.h"
#include "transport/vhost_user_back.h"

struct virtio_fs_dev {
	struct vu_back b;
	struct virtq_elem elem;   /* the chain of the request in flight */
	int ring;                 /* the ring it came from */
	bool pending;             /* taken, not yet given back */
	struct fuse_request_gate gate;
	FILE *log;                /* refusals, one line each */
	const char *who;          /* their prefix ("vfs-serve") */
};

/* Over connected @sock: @request_queues request queues, @tag, notification buffers of @notify_buf_size (0: none). */
void virtio_fs_dev_init(struct virtio_fs_dev *d, int sock, int request_queues, const char *tag,
			uint32_t notify_buf_size, FILE *log, const char *who);
void virtio_fs_dev_release(struct virtio_fs_dev *d);

/*
 * The next request that passed every rule, copied into @buf (room @len):
 * its length, its chain kept until a reply; 0 when no ring has one. What
 * failed a rule was answered or returned, and logged, on the way.
 */
size_t virtio_fs_next_request(struct virtio_fs_dev *d, void *buf, size_t len);
/*
 * The reply of @count parts to the request in flight: written and given
 * back. A reply larger than the guest's buffer becomes EIO, in one that
 * fits. Its length as the server sees it.
 */
size_t virtio_fs_reply(struct virtio_fs_dev *d, const struct iovec *iov, int count);
/* A reply of the header alone with @error (0 or -errno) to @unique. */
void virtio_fs_answer(struct virtio_fs_dev *d, uint64_t unique, int error);
/* The request in flight gets no reply (FORGET): its chain goes back empty. */
void virtio_fs_return_empty(struct virtio_fs_dev *d);

/* Whether the notification queue was negotiated. */
bool virtio_fs_has_notify(const struct virtio_fs_dev *d);
/* Buffers the driver posted there, not yet used. */
int virtio_fs_notify_available(struct virtio_fs_dev *d);
/*
 * One record of @len bytes into the next buffer: 0; -ENOBUFS (none, or
 * one refused); -EMSGSIZE (a buffer too small or readable: returned empty).
 */
int virtio_fs_notify_put(struct virtio_fs_dev *d, const void *rec, size_t len);

/* The socket (first) and every ready ring's kick into @p (room 1 + VU_BACK_MAX_QUEUES); how many. */
int virtio_fs_pollfds(const struct virtio_fs_dev *d, struct pollfd *p);

#endif
