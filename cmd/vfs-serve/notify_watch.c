/*
 * notify_watch: the watch table and what every backend shares: which
 * events reach the guest (its mask, a nodeid it still holds under the
 * generation it was given), the server's own cookies, and the guest's
 * own changes reported from its requests.
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

#include "notify_watch.h"
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
	nw->n = 0;
}

/* The backend's fd, opened at the first watch; auto takes fanotify where it works. */
static int backend_open(struct notify_watch *nw)
{
	if (nw->fd >= 0)
		return 0;
	if (nw->backend != NOTIFY_BACKEND_INOTIFY) {
		nw->fd = notify_fanotify_open();
		if (nw->fd >= 0) {
			nw->auto_chosen = nw->backend == NOTIFY_BACKEND_AUTO;
			nw->backend = NOTIFY_BACKEND_FANOTIFY;
			return 0;
		}
		if (nw->backend == NOTIFY_BACKEND_FANOTIFY)
			return nw->fd;
	}
	nw->fd = notify_inotify_open();
	if (nw->fd < 0)
		return nw->fd;
	nw->backend = NOTIFY_BACKEND_INOTIFY;
	return 0;
}

static struct notify_watch_entry *by_nodeid(struct notify_watch *nw, uint64_t nodeid)
{
	for (int k = 0; k < nw->n; k++)
		if (nw->w[k].nodeid == nodeid)
			return &nw->w[k];
	return NULL;
}

struct notify_watch_entry *notify_watch_by_wd(struct notify_watch *nw, int wd)
{
	for (int k = 0; k < nw->n; k++)
		if (nw->w[k].wd == wd)
			return &nw->w[k];
	return NULL;
}

struct notify_watch_entry *notify_watch_by_id(struct notify_watch *nw, const struct notify_dir_id *id)
{
	for (int k = 0; k < nw->n; k++) {
		const struct notify_dir_id *w = &nw->w[k].id;

		if (w->fsid == id->fsid && w->type == id->type && w->bytes == id->bytes &&
		    !memcmp(w->h, id->h, id->bytes))
			return &nw->w[k];
	}
	return NULL;
}

int notify_dir_id_of(int fd, struct notify_dir_id *id)
{
	union handle_buf f = { .fh.handle_bytes = MAX_HANDLE_SZ };
	struct statfs sfs;
	int mnt;

	if (name_to_handle_at(fd, "", &f.fh, &mnt, AT_EMPTY_PATH) || fstatfs(fd, &sfs))
		return -errno;
	memset(id, 0, sizeof(*id));
	memcpy(&id->fsid, &sfs.f_fsid, sizeof(id->fsid));
	id->bytes = f.fh.handle_bytes;
	id->type = f.fh.handle_type;
	memcpy(id->h, f.fh.f_handle, f.fh.handle_bytes);
	return 0;
}

/* The host watch on the directory open as @fd, into @e. */
static int host_watch(struct notify_watch *nw, int fd, uint32_t mask, struct notify_watch_entry *e)
{
	int r = backend_open(nw);

	if (r)
		return r;
	if (nw->backend == NOTIFY_BACKEND_INOTIFY) {
		r = notify_inotify_add(nw, fd, mask);
		e->wd = r;
		return r < 0 ? r : 0;
	}
	r = notify_dir_id_of(fd, &e->id);
	if (!r)
		r = notify_fanotify_add(nw, fd, mask, &e->id);
	/*
	 * A filesystem fanotify cannot mark (no fsid, as FUSE's; no handles):
	 * auto falls back to inotify while nothing is watched yet.
	 */
	if ((r == -ENODEV || r == -EXDEV || r == -EOPNOTSUPP) && nw->auto_chosen && !nw->n) {
		fprintf(stderr, "vfs-serve: notify: fanotify cannot mark this filesystem (%s): "
			"inotify instead\n", strerror(-r));
		close(nw->fd);
		nw->fd = -1;
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
	old = by_nodeid(nw, nodeid);
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
	struct notify_watch_entry *e = by_nodeid(nw, nodeid);

	if (!e)
		return -ENOENT;
	if (nw->backend == NOTIFY_BACKEND_INOTIFY)
		notify_inotify_remove(nw, e);
	else
		notify_fanotify_remove(nw, e);
	notify_watch_drop(nw, e);
	return 0;
}

void notify_watch_drop(struct notify_watch *nw, struct notify_watch_entry *e)
{
	*e = nw->w[--nw->n];
}

void notify_watch_process(struct notify_watch *nw)
{
	if (nw->fd < 0)
		return;
	if (nw->backend == NOTIFY_BACKEND_INOTIFY)
		notify_inotify_process(nw);
	else
		notify_fanotify_process(nw);
}

/* Whether the guest still holds @e's nodeid under the generation it watched it with. */
static bool still_known(struct notify_watch *nw, const struct notify_watch_entry *e)
{
	struct inode *i;
	bool same;

	if (e->nodeid == FUSE_ROOT_ID)
		return true;
	i = inode_store_get(nw->pt->store, e->nodeid);
	same = i && inode_generation(nw->pt->store, i) == e->generation;
	if (i)
		inode_store_put(nw->pt->store, i);
	return same;
}

static bool wanted(struct notify_watch *nw, const struct notify_watch_entry *e, uint32_t mask)
{
	if (!e) {
		nw->c.unknown++;
		return false;
	}
	if (!(e->mask & mask & ~IN_ISDIR))
		return false; /* not asked for: as with inotify, never queued at all */
	if (!still_known(nw, e)) {
		nw->c.stale++;
		return false;
	}
	return true;
}

static struct vfskit_event event_on(const struct notify_watch_entry *e, uint32_t mask, uint32_t cookie)
{
	return (struct vfskit_event){ .mask = mask, .cookie = cookie, .nodeid = e->nodeid,
				      .generation = e->generation };
}

void notify_watch_deliver(struct notify_watch *nw, struct notify_watch_entry *e, uint32_t mask,
			  uint32_t cookie, const char *name)
{
	struct vfskit_event ev;

	if (!wanted(nw, e, mask))
		return;
	ev = event_on(e, mask, cookie);
	notify_send_one(&nw->sender, &ev, name);
}

void notify_watch_deliver_rename(struct notify_watch *nw, struct notify_watch_entry *from,
				 const char *fname, struct notify_watch_entry *to, const char *tname,
				 uint32_t isdir, uint32_t cookie)
{
	bool f = from && wanted(nw, from, IN_MOVED_FROM), t = to && wanted(nw, to, IN_MOVED_TO);
	struct vfskit_event a, b;

	if (!from && !to)
		nw->c.unknown++;
	if (f)
		a = event_on(from, IN_MOVED_FROM | isdir, cookie);
	if (t)
		b = event_on(to, IN_MOVED_TO | isdir, cookie);
	if (f && t) {
		struct faults *fl = &nw->pt->faults;

		if (fault_check(fl, FAULT_NOTIFY_SECOND_HALF)) {
			/* The fault point: a device that loses the second half, said nowhere. */
			a.flags |= VFSKIT_EV_MULTIPART;
			nw->c.second_halves_faulted++;
			notify_send_one(&nw->sender, &a, fname);
			return;
		}
		notify_send_rename(&nw->sender, &a, fname, &b, tname);
	} else if (f) {
		notify_send_one(&nw->sender, &a, fname);
	} else if (t) {
		notify_send_one(&nw->sender, &b, tname);
	}
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
	struct notify_watch_entry *f = by_nodeid(nw, dir), *t = by_nodeid(nw, newdir);

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

void notify_watch_own(struct notify_watch *nw, const void *req, size_t len, int error)
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
	notify_watch_deliver(nw, by_nodeid(nw, dir), mask, 0, a);
}
