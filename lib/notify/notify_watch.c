/*
 * notify_watch: the host watcher chosen (auto: fanotify where it works,
 * inotify where it does not), watches added and removed through it, and
 * the guest's own changes reported from its requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "notify/host_watcher.h"
#include "notify/notify_watch.h"
#include "util/handle_text.h"

void notify_watch_init(struct notify_watch *nw, enum notify_backend b, enum notify_policy p,
		       const struct notify_sink *k)
{
	memset(nw, 0, sizeof(*nw));
	nw->fs_mark = b == NOTIFY_BACKEND_FANOTIFY_FS;
	nw->backend = nw->fs_mark ? NOTIFY_BACKEND_FANOTIFY : b;
	nw->fd = -1;
	notify_sender_init(&nw->sender, p, k);
}

void notify_watch_release(struct notify_watch *nw)
{
	if (nw->fd >= 0)
		close(nw->fd);
	nw->fd = -1;
	nw->ops = NULL;
	nw->n = 0;
}

/* The watcher @ops, open in @nw: 0 or -errno. */
static int use(struct notify_watch *nw, const struct notify_host_ops *ops)
{
	int fd = ops->open();

	if (fd < 0)
		return fd;
	nw->fd = fd;
	nw->ops = ops;
	nw->backend = ops->backend;
	return 0;
}

/* The watcher, opened at the first watch; auto takes fanotify where it works. */
static int backend_open(struct notify_watch *nw)
{
	enum notify_backend want = nw->backend;
	int r;

	if (nw->fd >= 0)
		return 0;
	if (want != NOTIFY_BACKEND_INOTIFY) {
		r = use(nw, &notify_fanotify_ops);
		if (!r) {
			nw->auto_chosen = want == NOTIFY_BACKEND_AUTO;
			return 0;
		}
		if (want == NOTIFY_BACKEND_FANOTIFY)
			return r;
	}
	return use(nw, &notify_inotify_ops);
}

/* The host watch on the directory open as @fd, into @e. */
static int host_watch(struct notify_watch *nw, int fd, uint32_t mask, struct notify_watch_entry *e)
{
	int r = backend_open(nw);

	if (r)
		return r;
	r = nw->ops->add(nw, fd, mask, e);
	/*
	 * A filesystem fanotify cannot mark (no fsid, as FUSE's; no handles):
	 * auto falls back to inotify while nothing is watched yet.
	 */
	if ((r == -ENODEV || r == -EXDEV || r == -EOPNOTSUPP) && nw->auto_chosen && !nw->n) {
		fprintf(stderr, "vfs-serve: notify: fanotify cannot mark this filesystem (%s): "
			"inotify instead\n", strerror(-r));
		close(nw->fd);
		nw->fd = -1;
		nw->ops = NULL;
		nw->backend = NOTIFY_BACKEND_INOTIFY;
		nw->auto_chosen = false;
		return host_watch(nw, fd, mask, e);
	}
	return r;
}

int notify_watch_add(struct notify_watch *nw, struct passthrough *pt, uint64_t nodeid, uint32_t mask)
{
	struct inode *i = inode_store_get(pt->store, nodeid);
	struct notify_watch_entry e = { .nodeid = nodeid, .mask = mask, .wd = -1 }, *old;
	bool tmp;
	int fd, r;

	nw->pt = pt;
	if (!i)
		return -ESTALE;
	if (!S_ISDIR(inode_type(i))) {
		inode_store_put(pt->store, i);
		return -ENOTDIR;
	}
	e.generation = inode_generation(pt->store, i);
	fd = inode_path_fd(pt, i, &tmp);
	inode_store_put(pt->store, i);
	if (fd < 0)
		return fd;
	old = notify_watch_by_nodeid(nw, nodeid);
	if (!old && nw->n == NOTIFY_WATCH_MAX)
		r = -ENOSPC;
	else
		r = host_watch(nw, fd, mask, &e);
	inode_path_fd_done(fd, tmp);
	if (r)
		return r;
	if (!old && nw->backend == NOTIFY_BACKEND_INOTIFY)
		old = notify_watch_by_wd(nw, e.wd); /* the same directory under another nodeid */
	if (old)
		*old = e; /* watched again: the new mask replaces the old (inotify and fanotify alike) */
	else
		nw->w[nw->n++] = e;
	return 0;
}

int notify_watch_remove(struct notify_watch *nw, uint64_t nodeid)
{
	struct notify_watch_entry *e = notify_watch_by_nodeid(nw, nodeid);

	if (!e)
		return -ENOENT;
	nw->ops->remove(nw, e);
	notify_watch_drop(nw, e);
	return 0;
}

/*
 * A loss counted while sending is reported at once if a buffer is there:
 * a caller could otherwise sleep with the buffer's kick already taken
 * (rename/queue-1-reserve missed its OVERFLOW 1 so, beside another column).
 */
void notify_watch_process(struct notify_watch *nw)
{
	if (nw->fd < 0)
		return;
	nw->ops->process(nw);
	notify_flush(&nw->sender);
}

/* The guest's own changes, from its request: fanotify's copies of them are dropped. */

/* The @k-th NUL-terminated name in @p (@n bytes), or NULL. */
static const char *name_at(const char *p, size_t n, int k)
{
	for (; k > 0; k--) {
		const char *z = memchr(p, '\0', n);

		if (!z)
			return NULL;
		n -= (size_t)(z + 1 - p);
		p = z + 1;
	}
	return memchr(p, '\0', n) && *p ? p : NULL;
}

/* @name in the directory @nodeid, as it is now: 0 with @st, or -errno. */
static int stat_now(struct notify_watch *nw, uint64_t nodeid, const char *name, struct stat *st)
{
	struct inode *i = inode_store_get(nw->pt->store, nodeid);
	bool tmp;
	int fd, r;

	if (!i)
		return -ESTALE;
	fd = inode_path_fd(nw->pt, i, &tmp);
	r = fd < 0 ? fd : fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	if (fd >= 0)
		inode_path_fd_done(fd, tmp);
	inode_store_put(nw->pt->store, i);
	return r;
}

static void own_rename(struct notify_watch *nw, uint64_t dir, const char *a, uint64_t newdir,
		       const char *b, uint32_t isdir)
{
	struct notify_watch_entry *f = notify_watch_by_nodeid(nw, dir), *t = notify_watch_by_nodeid(nw, newdir);

	if (!f && !t)
		return;
	nw->c.own_reported++;
	if (++nw->next_cookie == 0)
		nw->next_cookie = 1;
	notify_watch_deliver_rename(nw, f, a, t, b, isdir, nw->next_cookie);
}

bool notify_watch_reports(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_CREATE: case FUSE_MKNOD: case FUSE_MKDIR: case FUSE_SYMLINK: case FUSE_LINK:
	case FUSE_UNLINK: case FUSE_RMDIR: case FUSE_RENAME: case FUSE_RENAME2:
		return true;
	default:
		return false;
	}
}

static void own_changes(struct notify_watch *nw, const void *req, size_t len, int error)
{
	const struct fuse_in_header *h = req;
	const char *body = (const char *)req + sizeof(*h), *a, *b;
	size_t n = len - sizeof(*h), skip = 0;
	uint32_t mask = IN_CREATE;
	uint64_t dir = h->nodeid;

	if (nw->backend != NOTIFY_BACKEND_FANOTIFY || nw->fd < 0 || !nw->n || error ||
	    len < sizeof(*h))
		return;
	switch (h->opcode) {
	case FUSE_CREATE:
		/*
		 * Whether it created the file or opened one already there, the
		 * reply does not say: fanotify's own event (or its absence) does,
		 * so that one is kept.
		 */
		notify_watch_process(nw);
		return;
	case FUSE_MKNOD: skip = sizeof(struct fuse_mknod_in); break;
	case FUSE_MKDIR: skip = sizeof(struct fuse_mkdir_in); mask |= IN_ISDIR; break;
	case FUSE_SYMLINK: break;
	case FUSE_LINK: skip = sizeof(struct fuse_link_in); break;
	case FUSE_UNLINK: mask = IN_DELETE; break;
	case FUSE_RMDIR: mask = IN_DELETE | IN_ISDIR; break;
	case FUSE_RENAME: skip = sizeof(struct fuse_rename_in); break;
	case FUSE_RENAME2: skip = sizeof(struct fuse_rename2_in); break;
	default: return;
	}
	if (n < skip || !(a = name_at(body + skip, n - skip, 0)))
		return;
	/*
	 * What the host queued before this change goes to the guest before it;
	 * fanotify's copy of the change itself, made by this process, is
	 * dropped there, and reported below from the request.
	 */
	nw->suppress_own = true;
	notify_watch_process(nw);
	nw->suppress_own = false;
	if (h->opcode == FUSE_RENAME || h->opcode == FUSE_RENAME2) {
		struct fuse_rename2_in r2 = { 0 };

		struct stat sa, sb;
		bool exchange;

		memcpy(&r2, body, skip);
		exchange = h->opcode == FUSE_RENAME2 && (r2.flags & RENAME_EXCHANGE);
		b = name_at(body + skip, n - skip, 1);
		if (!b || stat_now(nw, r2.newdir, b, &sb))
			return;
		/*
		 * A rename of a name onto another link of the same file succeeds
		 * and changes nothing (rename(2)): the host reports nothing, and
		 * nor does the server. That is when the old name is still there.
		 */
		if (!stat_now(nw, dir, a, &sa) && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev)
			return;
		own_rename(nw, dir, a, r2.newdir, b, S_ISDIR(sb.st_mode) ? IN_ISDIR : 0);
		if (exchange)
			own_rename(nw, r2.newdir, b, dir, a, S_ISDIR(sa.st_mode) ? IN_ISDIR : 0);
		return;
	}
	nw->c.own_reported++;
	notify_watch_deliver(nw, notify_watch_by_nodeid(nw, dir), mask, 0, a);
}

void notify_watch_own(struct notify_watch *nw, const void *req, size_t len, int error)
{
	own_changes(nw, req, len, error);
	if (nw->fd >= 0)
		notify_flush(&nw->sender); /* as after any sending: a loss reported at once */
}
