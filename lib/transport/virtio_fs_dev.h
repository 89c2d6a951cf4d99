/*
 * virtio_fs_dev: the virtio-fs device (virtio 5.11) on top of a
 * vhost-user back-end: which ring is what (hiprio, notification,
 * requests), the rules a request must pass before a FUSE server sees it
 * (a chain virtq_pop takes, a request fuse_request_check passes, hiprio
 * carrying FORGET, BATCH_FORGET and INTERRUPT only, nothing after
 * DESTROY; INTERRUPT done with, nothing being in progress), what is
 * refused (an error reply when it can be addressed, an
 * empty chain when not, a line in the log), replies written into the
 * chain's writable part, and the notification queue's buffers. A lane
 * serves one request at a time, in queue order: the main lane hiprio
 * and the first main_queues request queues, each other lane (a thread of
 * the caller's) one request queue of its own; the caller keeps the
 * vhost-user messages away from a lane while it serves (a lock).
 *
 * The driver's calls for replies are batched, since each is a syscall
 * (an eventfd write) costing more than a short request: they go out when
 * no request is left to take, before a request that may take long (any
 * but the short ones of call_may_wait), or once CALLS_OWED_MAX are owed.
 * A guest thus waits for a reply at most as long as a few short requests.
 */
#ifndef VFS_VIRTIO_FS_DEV_H
#define VFS_VIRTIO_FS_DEV_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#include "fuse/request_check.h"
#include "transport/vhost_user_back.h"

/* Who serves requests: the request in flight and the calls owed. */
struct virtio_fs_lane {
	struct virtq_elem elem;   /* the chain of the request in flight */
	int ring;                 /* the ring it came from */
	bool pending;             /* taken, not yet given back */
	unsigned calls_owed;      /* rings (bit i) given a chain back since their last call */
	int owed;                 /* replies since the last calls went out */
};

struct virtio_fs_dev {
	struct vu_back b;
	struct virtio_fs_lane main;
	int main_queues;          /* request queues the main lane serves (the first ones) */
	pthread_mutex_t gate_lock;
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

/* The calls owed for replies given back: made now. */
void virtio_fs_flush_calls(struct virtio_fs_dev *d);

/*
 * Another lane, on request queue @q alone (not the main lane's: set
 * main_queues below it): its next request as virtio_fs_next_request's.
 * The rest as the main lane's functions.
 */
size_t virtio_fs_lane_next(struct virtio_fs_dev *d, struct virtio_fs_lane *l, int q, void *buf,
			   size_t len);
size_t virtio_fs_lane_reply(struct virtio_fs_dev *d, struct virtio_fs_lane *l,
			    const struct iovec *iov, int count);
void virtio_fs_lane_answer(struct virtio_fs_dev *d, struct virtio_fs_lane *l, uint64_t unique,
			   int error);
void virtio_fs_lane_return_empty(struct virtio_fs_dev *d, struct virtio_fs_lane *l);
void virtio_fs_lane_flush_calls(struct virtio_fs_dev *d, struct virtio_fs_lane *l);
/*
 * The writable part of @l's chain from byte @skip on, as at most @max
 * iovecs covering at most @len bytes (a READ's data read straight into
 * it); how many, with *@bytes their total.
 */
int virtio_fs_lane_room(const struct virtio_fs_lane *l, size_t skip, size_t len,
			struct iovec *iov, int max, size_t *bytes);
/* The reply whose @data_len bytes of data are in the chain already: @o before them, given back. */
void virtio_fs_lane_reply_in_place(struct virtio_fs_dev *d, struct virtio_fs_lane *l,
				   const struct fuse_out_header *o, size_t data_len);
/* The ring of request queue @q when it serves, else -1. */
int virtio_fs_request_ring(const struct virtio_fs_dev *d, int q);

/* Whether the notification queue was negotiated. */
bool virtio_fs_has_notify(const struct virtio_fs_dev *d);
/* Buffers the driver posted there, not yet used. */
int virtio_fs_notify_available(struct virtio_fs_dev *d);
/*
 * One record of @len bytes into the next buffer: 0; -ENOBUFS (none, or
 * one refused); -EMSGSIZE (a buffer too small or readable: returned empty).
 */
int virtio_fs_notify_put(struct virtio_fs_dev *d, const void *rec, size_t len);

/* The socket (first) and the main lane's ready rings' kicks into @p (room 1 + VU_BACK_MAX_QUEUES); how many. */
int virtio_fs_pollfds(const struct virtio_fs_dev *d, struct pollfd *p);

#endif
