/*
 * kept_queue: a notification queue for the notify suites: @avail buffers
 * that keep the records they are given, decoded, in order. Not a fake of
 * what is under test: notify_send and watch_table write real records into
 * it, and notify_decode checks each.
 */
#ifndef VFS_UNIT_KEPT_QUEUE_H
#define VFS_UNIT_KEPT_QUEUE_H

#include "notify/notify_send.h"

#define KEPT_MAX 32

struct kept_queue {
	int avail, n;
	struct vfskit_event ev[KEPT_MAX];
	char name[KEPT_MAX][256];
};

/* Empties @k, gives it @avail buffers, and the sink that writes into it. */
struct notify_sink kept_queue_sink(struct kept_queue *k, int avail);

#endif
