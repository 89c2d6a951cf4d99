/*
 * host_inotify: the host watcher where fanotify is not there. inotify
 * reports a rename as MOVED_FROM and MOVED_TO with one cookie, one after
 * the other; a MOVED_FROM whose MOVED_TO is in the same batch is sent as
 * one rename, one without (moved out of the watched set) alone, as is a
 * MOVED_TO without its MOVED_FROM (moved in).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "notify/host_watcher.h"
#include "util/proc_fd.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_MODIFY | IN_ATTRIB)

static int inotify_open(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int inotify_add(struct notify_watch *nw, int dirfd, uint32_t mask,
		       struct notify_watch_entry *e)
{
	char path[PROC_FD_PATH_MAX];
	int wd = inotify_add_watch(nw->fd, proc_fd_path(dirfd, path), (mask & WATCH_MASK) | IN_ONLYDIR);

	if (wd < 0)
		return -errno;
	e->wd = wd;
	return 0;
}

static void inotify_remove(struct notify_watch *nw, const struct notify_watch_entry *e)
{
	inotify_rm_watch(nw->fd, e->wd);
}

/*
 * The kernel queues a rename's MOVED_FROM and MOVED_TO one after the
 * other: a read can come between them. A batch that ends in MOVED_FROM
 * waits up to 20 ms for more before it is taken as a move out.
 */
static ssize_t read_batch(int ifd, char *buf, size_t len)
{
	ssize_t n = read(ifd, buf, len), more;

	while (n > 0 && (size_t)n + sizeof(struct inotify_event) + NAME_MAX + 1 <= len) {
		struct inotify_event *last = NULL;
		struct pollfd p = { .fd = ifd, .events = POLLIN };

		for (char *q = buf; q < buf + n; q += sizeof(struct inotify_event) +
						      ((struct inotify_event *)q)->len)
			last = (struct inotify_event *)q;
		if (!last || !(last->mask & IN_MOVED_FROM) || poll(&p, 1, 20) <= 0)
			break;
		more = read(ifd, buf + n, len - (size_t)n);
		if (more <= 0)
			break;
		n += more;
	}
	return n;
}

static void inotify_process(struct notify_watch *nw)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read_batch(nw->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ie = (struct inotify_event *)p, *to = NULL;
			const char *name = ie->len ? ie->name : "";
			uint32_t kind = ie->mask & ~IN_ISDIR;

			p += sizeof(*ie) + ie->len;
			nw->c.host_events++;
			if (ie->mask & IN_Q_OVERFLOW) {
				nw->sender.lost++; /* the host's own queue overflowed: said, not hidden */
				continue;
			}
			if (ie->mask & IN_IGNORED) {
				struct notify_watch_entry *e = notify_watch_by_wd(nw, ie->wd);

				if (e)
					notify_watch_drop(nw, e); /* its directory is gone */
				continue;
			}
			if (kind == IN_MOVED_FROM && p < buf + n) {
				struct inotify_event *next = (struct inotify_event *)p;

				if (next->mask & IN_MOVED_TO && next->cookie == ie->cookie) {
					to = next;
					p += sizeof(*next) + next->len;
					nw->c.host_events++;
				}
			}
			if (to)
				notify_watch_deliver_rename(nw, notify_watch_by_wd(nw, ie->wd), name,
							    notify_watch_by_wd(nw, to->wd), to->name,
							    ie->mask & IN_ISDIR, ie->cookie);
			else
				notify_watch_deliver(nw, notify_watch_by_wd(nw, ie->wd), ie->mask,
						     ie->cookie, name);
		}
	}
}

const struct notify_host_ops notify_inotify_ops = {
	.backend = NOTIFY_BACKEND_INOTIFY, .open = inotify_open, .add = inotify_add,
	.remove = inotify_remove, .process = inotify_process,
};
