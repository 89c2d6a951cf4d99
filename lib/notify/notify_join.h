/*
 * notify_join: the guest driver's rejoining of split renames, apart from
 * any queue so that it can be driven event by event and clock tick by
 * clock tick. A first half (VFSKIT_EV_MULTIPART) waits for the second
 * half with its cookie; the pair is delivered as one rename. A first half
 * whose partner has not come within @orphan_ms is delivered alone (a lone
 * MOVED_FROM, as inotify gives for a move out of the watched set); a
 * second half with no first half waiting is delivered alone at once (a
 * lone MOVED_TO); an overflow record first delivers every half waiting
 * (its partner may be among what was lost), then itself.
 *
 * A half may keep the buffer it came in (@buf >= 0: the hold driver); the
 * joiner gives it back through @release when the half is delivered.
 */
#ifndef VFS_NOTIFY_JOIN_H
#define VFS_NOTIFY_JOIN_H

#include <stdbool.h>
#include <stdint.h>

#include "notify/notify_proto.h"

#define NOTIFY_JOIN_MAX_PENDING 16

struct notify_delivery {
	uint32_t mask;          /* IN_MOVED_FROM|IN_MOVED_TO for a rename rejoined */
	uint64_t nodeid, generation;
	char name[256];
	uint64_t to_nodeid;     /* a rename's second half */
	char to_name[256];
	uint32_t cookie;        /* an overflow: how many events were lost */
};

struct notify_join {
	int orphan_ms;
	void (*release)(void *ctx, int buf);
	void *ctx;
	struct {
		bool used;
		struct vfskit_event ev;
		char name[256];
		long long deadline;
		int buf;                /* the buffer kept, or -1 */
	} pending[NOTIFY_JOIN_MAX_PENDING];
	bool deferred;                  /* an overflow that waits behind lone halves */
	struct notify_delivery later;
	uint64_t joined, orphans, lone_seconds, full; /* full: first halves with no room to wait */
};

void notify_join_init(struct notify_join *j, int orphan_ms, void (*release)(void *ctx, int buf),
		      void *ctx);

/*
 * One decoded event at time @now (ms). 1 with @out delivered; 0 when the
 * event waits (a first half; @buf kept if >= 0, else the caller reposts).
 * A first half with no room left to wait is delivered at once, alone
 * (counted in full): never dropped.
 */
int notify_join_feed(struct notify_join *j, const struct vfskit_event *ev, const char *name,
		     int buf, long long now, struct notify_delivery *out);

/*
 * What is due at @now without a new event: a deferred overflow's halves,
 * then the overflow, or a first half whose wait is over. 1 with @out, 0
 * when nothing is; @next is lowered to the next deadline.
 */
int notify_join_due(struct notify_join *j, long long now, struct notify_delivery *out,
		    long long *next);

/* How many first halves wait. */
int notify_join_waiting(const struct notify_join *j);

/* "RENAME 1 a 3 b", "MOVED_FROM 1 a", "OVERFLOW 2", "CREATE,ISDIR 1 d": the delivery in words. */
void notify_delivery_text(const struct notify_delivery *e, char *buf, size_t len);

#endif
