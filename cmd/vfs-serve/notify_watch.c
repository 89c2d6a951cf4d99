/*
 * notify_watch: inotify already reports a rename as MOVED_FROM and
 * MOVED_TO with one cookie, one after the other in a read; a MOVED_FROM
 * whose MOVED_TO is in the same batch is sent as one rename, one without
 * (moved out of the watched set) alone, as is a MOVED_TO without its
 * MOVED_FROM (moved in).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "notify_watch.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		    IN_MOVE_SELF | IN_MODIFY | IN_ATTRIB)

void notify_watch_init(struct notify_watch *nw, enum notify_policy p, const struct notify_sink *k)
{
	memset(nw, 0, sizeof(*nw));
	nw->ifd = -1;
	notify_sender_init(&nw->sender, p, k);
}

void notify_watch_release(struct notify_watch *nw)
{
	if (nw->ifd >= 0)
		close(nw->ifd);
	nw->ifd = -1;
	nw->n = 0;
}

int notify_watch_add(struct notify_watch *nw, struct passthrough *pt, uint64_t nodeid, uint32_t mask)
{
	struct inode *i = inode_store_get(pt->store, nodeid);
	char path[64];
	bool tmp;
	int fd, wd;

	if (!i)
		return -ESTALE;
	fd = inode_path_fd(pt, i, &tmp);
	if (fd < 0) {
		inode_store_put(pt->store, i);
		return fd;
	}
	nw->generation = nodeid == 1 ? 0 : inode_generation(pt->store, i);
	if (nw->ifd < 0)
		nw->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wd = nw->ifd < 0 ? -1 : inotify_add_watch(nw->ifd, path, (mask & WATCH_MASK) | IN_ONLYDIR);
	if (wd < 0) {
		int err = -errno;

		inode_path_fd_done(fd, tmp);
		inode_store_put(pt->store, i);
		return err;
	}
	inode_path_fd_done(fd, tmp);
	inode_store_put(pt->store, i);
	for (int k = 0; k < nw->n; k++)
		if (nw->w[k].wd == wd) {
			nw->w[k].nodeid = nodeid; /* the same directory watched again */
			return 0;
		}
	if (nw->n == NOTIFY_WATCH_MAX) {
		inotify_rm_watch(nw->ifd, wd);
		return -ENOSPC;
	}
	nw->w[nw->n].wd = wd;
	nw->w[nw->n++].nodeid = nodeid;
	return 0;
}

int notify_watch_remove(struct notify_watch *nw, uint64_t nodeid)
{
	for (int k = 0; k < nw->n; k++)
		if (nw->w[k].nodeid == nodeid) {
			inotify_rm_watch(nw->ifd, nw->w[k].wd);
			nw->w[k] = nw->w[--nw->n];
			return 0;
		}
	return -ENOENT;
}

static bool event_of(struct notify_watch *nw, const struct inotify_event *ie, struct vfskit_event *ev)
{
	for (int k = 0; k < nw->n; k++)
		if (nw->w[k].wd == ie->wd) {
			*ev = (struct vfskit_event){ .mask = ie->mask & ~IN_ISDIR, .cookie = ie->cookie,
						     .nodeid = nw->w[k].nodeid,
						     .generation = nw->w[k].nodeid == 1 ? 0 : nw->generation };
			return true;
		}
	nw->unknown++;
	return false;
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

void notify_watch_process(struct notify_watch *nw)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (nw->ifd < 0)
		return;
	while ((n = read_batch(nw->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ie = (struct inotify_event *)p, *to = NULL;
			struct vfskit_event ev, tev;

			p += sizeof(*ie) + ie->len;
			if (ie->mask & IN_Q_OVERFLOW) {
				nw->sender.lost++; /* the host's own queue overflowed: said, not hidden */
				continue;
			}
			if (ie->mask & IN_IGNORED || !event_of(nw, ie, &ev))
				continue;
			if (ie->mask & IN_MOVED_FROM && p < buf + n) {
				struct inotify_event *next = (struct inotify_event *)p;

				if (next->mask & IN_MOVED_TO && next->cookie == ie->cookie) {
					to = next;
					p += sizeof(*next) + next->len;
				}
			}
			if (to && event_of(nw, to, &tev))
				notify_send_rename(&nw->sender, &ev, ie->name, &tev, to->name);
			else
				notify_send_one(&nw->sender, &ev, ie->len ? ie->name : "");
		}
	}
}
