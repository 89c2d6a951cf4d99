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

#include "notify/notify_proto.h"
#include "transport/vhost_user_front.h"

#define NOTIFY_DRIVER_MAX_BUFS 64
#define NOTIFY_DRIVER_MAX_PENDING 16

struct notify_delivery {
	uint32_t mask;          /* IN_MOVED_FROM|IN_MOVED_TO for a rename rejoined */
	uint64_t nodeid, generation;
	char name[256];
	uint64_t to_nodeid;     /* a rename's second half */
	char to_name[256];
	uint32_t cookie;        /* an overflow: how many events were lost */
};

struct notify_driver {
	struct vu_front *f;
	int nbuf;
	uint32_t size;
	bool hold;
	int orphan_ms;
	uint64_t gpa[NOTIFY_DRIVER_MAX_BUFS];
	struct {
		bool used;
		struct vfskit_event ev;
		char name[256];
		long long deadline;
		int held;               /* the buffer kept (hold), or -1 */
	} pending[NOTIFY_DRIVER_MAX_PENDING];
	uint64_t received, malformed;
	bool deferred;                  /* an overflow that waits behind lone halves */
	struct notify_delivery later;
};

/* Posts @nbuf buffers of @size bytes on @f's notification queue. 0 or -errno. */
int notify_driver_start(struct notify_driver *d, struct vu_front *f, int nbuf, uint32_t size,
			bool hold, int orphan_ms);

/*
 * The next event for the consumer, waiting at most @timeout_ms: 1 with @out,
 * 0 when none came, -EPIPE when the device is gone.
 */
int notify_driver_next(struct notify_driver *d, int timeout_ms, struct notify_delivery *out);

/* "RENAME 1 a 3 b", "MOVED_FROM 1 a", "OVERFLOW 2", "CREATE 1 f": the delivery in words. */
void notify_delivery_text(const struct notify_delivery *e, char *buf, size_t len);

#endif
