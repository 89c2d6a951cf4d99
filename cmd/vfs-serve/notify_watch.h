/*
 * notify_watch: the host side of change notification for vfs-serve's
 * vhost-user mode: the guest's WATCH of a directory nodeid becomes an
 * inotify watch on that directory (through the inode's own fd, so the
 * path it has now does not matter), and each host event in it an event
 * on that nodeid, sent by notify_send under the chosen rename policy. A
 * guest's own changes through vfs-serve reach the host directory and come
 * back once, from inotify, like any other.
 */
#ifndef VFS_SERVE_NOTIFY_WATCH_H
#define VFS_SERVE_NOTIFY_WATCH_H

#include <stdint.h>

#include "core/passthrough.h"
#include "notify/notify_send.h"

#define NOTIFY_WATCH_MAX 64

struct notify_watch {
	int ifd;                     /* inotify, -1 before the first watch */
	struct { int wd; uint64_t nodeid; } w[NOTIFY_WATCH_MAX];
	int n;
	uint32_t generation;         /* the nodeids' */
	struct notify_sender sender;
	uint64_t unknown;            /* events in no watched directory: dropped, counted */
};

void notify_watch_init(struct notify_watch *nw, enum notify_policy p, const struct notify_sink *k);
void notify_watch_release(struct notify_watch *nw);
/* A WATCH of @nodeid with @mask: 0 or -errno (ENOTDIR, ESTALE for a nodeid not held, ENOSPC). */
int notify_watch_add(struct notify_watch *nw, struct passthrough *pt, uint64_t nodeid, uint32_t mask);
/* An UNWATCH: 0 or -ENOENT. */
int notify_watch_remove(struct notify_watch *nw, uint64_t nodeid);
/* Reads what inotify has and sends it; never blocks. */
void notify_watch_process(struct notify_watch *nw);

#endif
