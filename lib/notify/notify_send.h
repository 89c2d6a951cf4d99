/*
 * notify_send: the device side of the notification queue, behind one
 * interface (struct notify_sink: how many buffers the driver has posted,
 * and "fill the next one"), with the rename policies of the 2021 thread:
 * split (each half in its own buffer, the first marked multi-part),
 * atomic (both halves in two consecutive buffers, or neither), reserve
 * (atomic, and a single event never takes the last buffer, so a rename
 * always finds two). An event with no buffer is counted and reported as
 * IN_Q_OVERFLOW (cookie: how many) in the next buffer, before anything else.
 */
#ifndef VFS_NOTIFY_SEND_H
#define VFS_NOTIFY_SEND_H

#include <stdint.h>

#include "notify/notify_proto.h"

struct notify_sink {
	int (*available)(void *q);                         /* buffers posted, not yet used */
	int (*put)(void *q, const void *rec, size_t len);  /* fills and returns the next; 0 or -errno */
	size_t buf_size;                                   /* every posted buffer's size, at least */
	void *q;
};

struct notify_sender {
	enum notify_policy policy;
	struct notify_sink sink;
	uint64_t lost;    /* events not sent since the last overflow record */
	uint64_t sent, overflows;
};

void notify_sender_init(struct notify_sender *s, enum notify_policy p, const struct notify_sink *k);

/* One event (CREATE, DELETE, a lone MOVED_FROM or MOVED_TO). 0, or -ENOBUFS when counted as lost. */
int notify_send_one(struct notify_sender *s, const struct vfskit_event *ev, const char *name);

/* Sends the overflow record if one is due and a buffer is there (the driver posted more). */
void notify_flush(struct notify_sender *s);

/* A rename seen whole: MOVED_FROM @from, then MOVED_TO @to, one cookie. 0 or -ENOBUFS. */
int notify_send_rename(struct notify_sender *s, const struct vfskit_event *from, const char *fname,
		       const struct vfskit_event *to, const char *tname);

#endif
