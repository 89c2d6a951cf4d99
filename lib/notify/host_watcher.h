/*
 * host_watcher: one way of watching host directories (fanotify, inotify),
 * behind four functions. notify_watch picks one and calls it; each
 * delivers what it reads through watch_table.
 */
#ifndef VFS_NOTIFY_HOST_WATCHER_H
#define VFS_NOTIFY_HOST_WATCHER_H

#include <stdint.h>

#include "notify/watch_table.h"

struct notify_host_ops {
	enum notify_backend backend;
	/* A new watcher's fd, or -errno where this kernel has none for us. */
	int (*open)(void);
	/*
	 * A watch on the directory open as @dirfd for @mask, into @e (its wd,
	 * or its identity); 0 or -errno (-ENODEV, -EXDEV, -EOPNOTSUPP: a
	 * filesystem this watcher cannot mark).
	 */
	int (*add)(struct notify_watch *nw, int dirfd, uint32_t mask, struct notify_watch_entry *e);
	void (*remove)(struct notify_watch *nw, const struct notify_watch_entry *e);
	/* Reads what there is and delivers it; never blocks. */
	void (*process)(struct notify_watch *nw);
};

extern const struct notify_host_ops notify_fanotify_ops;
extern const struct notify_host_ops notify_inotify_ops;

#endif
