/*
 * notify_driver: the guest side of the notification queue, as vfskit's
 * front-end plays it. It posts buffers of notify_buf_size, and as each
 * comes back copies the record out and posts the buffer again at once
 * (unless @hold: then a buffer that holds the first half of a rename is
 * kept until its partner comes, the behaviour the 2021 thread feared
 * deadlocks). Split halves are rejoined by cookie into one rename; a half
 * whose partner has not come after @orphan_ms is delivered alone, as
 * inotify does for a move out of the watched set, or at once when an
 * overflow says events were lost (the partner may be one of them).
 */
#ifndef VFS_NOTIFY_DRIVER_H
#define VFS_NOTIFY_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "notify/notify_join.h"
#include "notify/notify_proto.h"
#include "notify/fuse_notify_check.h"
#include "transport/vhost_user_front.h"

#define NOTIFY_DRIVER_MAX_BUFS 64

struct notify_driver {
	struct vu_front *f;
	int nbuf;
	uint32_t size;
	bool hold;
	int orphan_ms;
	uint64_t gpa[NOTIFY_DRIVER_MAX_BUFS];
	struct notify_join j;
	uint64_t received, malformed;
	uint64_t mainline[VFS_FUSE_NOTIFY_MAX + 1]; /* well-formed kernel notifications, by code */
};

/* Posts @nbuf buffers of @size bytes on @f's notification queue. 0 or -errno. */
int notify_driver_start(struct notify_driver *d, struct vu_front *f, int nbuf, uint32_t size,
			bool hold, int orphan_ms);

/*
 * The next event for the consumer, waiting at most @timeout_ms: 1 with @out,
 * 0 when none came, -EPIPE when the device is gone.
 */
int notify_driver_next(struct notify_driver *d, int timeout_ms, struct notify_delivery *out);

#endif
