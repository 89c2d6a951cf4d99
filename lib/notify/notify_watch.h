/*
 * notify_watch: the host side of change notification for a vhost-user
 * device (vfs-serve's). The guest's WATCH of a directory nodeid becomes a
 * host watch on that directory, through the inode's own fd (the path it
 * has now does not matter):
 *
 *   fanotify (FAN_REPORT_DFID_NAME_TARGET, FAN_RENAME; the default where
 *   fanotify_init works): a rename comes whole, both names in one event,
 *   and each event says which process made it, so the guest's own
 *   changes through the server are reported by the server itself, from
 *   the request and its reply, and the host's copy of them is dropped
 *   (but for FUSE_CREATE: its reply does not say whether it created the
 *   file, so fanotify's event, or its absence, stands);
 *
 *   inotify (the fallback): a rename's halves are paired by cookie in a
 *   read, and every change comes back from the host once, the guest's
 *   own among them (inotify cannot tell who made it).
 *
 * What reaches the guest, and what is dropped and counted, is
 * watch_table's; the watchers are host_fanotify.c and host_inotify.c.
 */
#ifndef VFS_NOTIFY_WATCH_H
#define VFS_NOTIFY_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/watch_table.h"

void notify_watch_init(struct notify_watch *nw, enum notify_backend b, enum notify_policy p,
		       const struct notify_sink *k);
void notify_watch_release(struct notify_watch *nw);
/* A WATCH of @nodeid with @mask: 0 or -errno (ENOTDIR, ESTALE for a nodeid not held, ENOSPC). */
int notify_watch_add(struct notify_watch *nw, struct passthrough *pt, uint64_t nodeid, uint32_t mask);
/* An UNWATCH: 0 or -ENOENT. */
int notify_watch_remove(struct notify_watch *nw, uint64_t nodeid);
/* Reads what the host watcher has and sends it; never blocks. */
void notify_watch_process(struct notify_watch *nw);

/*
 * A guest request vfs-serve is about to answer (@req, @len bytes) and its
 * reply's error: a change it made (create, delete, rename) is reported
 * here, once, when the backend can tell the host's copy from others'.
 */
void notify_watch_own(struct notify_watch *nw, const void *req, size_t len, int error);
/* Whether notify_watch_own has anything to do with a request of @opcode. */
bool notify_watch_reports(uint32_t opcode);

#endif
