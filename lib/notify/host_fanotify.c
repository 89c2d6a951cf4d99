/*
 * host_fanotify: the host watcher on fanotify. One group reporting
 * directory handle and name (FAN_REPORT_DFID_NAME_TARGET: the only flag
 * set that takes FAN_RENAME with the child's handle), a mark on each
 * watched directory. A rename comes as one FAN_RENAME with a record for
 * each watched side (an old name, a new name, or both), so it needs no
 * pairing and no wait; the server gives it a cookie. Records are walked
 * by their lengths, in any order, with handles of any size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "notify/host_watcher.h"
#include "util/fanotify_walk.h"
#include "util/handle_text.h"
#include "util/proc_fd.h"

#define DIRENT_EVENTS (FAN_CREATE | FAN_DELETE | FAN_RENAME)

static int fanotify_open(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
			       FAN_REPORT_DFID_NAME_TARGET, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static uint64_t fan_mask(uint32_t in)
{
	uint64_t m = FAN_ONDIR | FAN_EVENT_ON_CHILD;

	m |= in & IN_CREATE ? FAN_CREATE : 0;
	m |= in & IN_DELETE ? FAN_DELETE : 0;
	m |= in & (IN_MOVED_FROM | IN_MOVED_TO) ? FAN_RENAME : 0;
	m |= in & IN_MODIFY ? FAN_MODIFY : 0;
	m |= in & IN_ATTRIB ? FAN_ATTRIB : 0;
	m |= in & IN_DELETE_SELF ? FAN_DELETE_SELF : 0;
	m |= in & IN_MOVE_SELF ? FAN_MOVE_SELF : 0;
	return m;
}

static int mark(int gfd, unsigned flags, uint64_t mask, int dirfd)
{
	char path[PROC_FD_PATH_MAX];

	/* Through /proc: fanotify_mark takes no O_PATH fd as its object. */
	return fanotify_mark(gfd, flags, mask, AT_FDCWD, proc_fd_path(dirfd, path)) ? -errno : 0;
}

/* fanotify-fs: the filesystem @dirfd is on, marked for @mask too (the union of every watch's). */
static int mark_filesystem(struct notify_watch *nw, int dirfd, uint32_t mask, uint64_t fsid)
{
	uint64_t m = fan_mask(mask) & ~(uint64_t)FAN_EVENT_ON_CHILD; /* no meaning on a filesystem */
	int k, r;

	for (k = 0; k < nw->nfs && nw->fs[k].fsid != fsid; k++)
		;
	if (k == (int)(sizeof(nw->fs) / sizeof(nw->fs[0])))
		return -ENOSPC;
	if (k < nw->nfs && !(m & ~nw->fs[k].mask))
		return 0;
	r = mark(nw->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, m, dirfd);
	if (r)
		return r;
	if (k == nw->nfs)
		nw->fs[nw->nfs++] = (typeof(nw->fs[0])){ .fsid = fsid };
	nw->fs[k].mask |= m;
	return 0;
}

static int fanotify_add(struct notify_watch *nw, int dirfd, uint32_t mask,
			struct notify_watch_entry *e)
{
	struct notify_dir_id *id = &e->id;
	int r = notify_dir_id_of(dirfd, id);

	if (r)
		return r;
	if (nw->fs_mark)
		return mark_filesystem(nw, dirfd, mask, id->fsid);
	/* A new mask replaces the old one, as inotify_add_watch without IN_MASK_ADD does. */
	if (notify_watch_by_id(nw, id))
		mark(nw->fd, FAN_MARK_REMOVE, fan_mask(~0u), dirfd);
	return mark(nw->fd, FAN_MARK_ADD | FAN_MARK_ONLYDIR, fan_mask(mask), dirfd);
}

static void fanotify_remove(struct notify_watch *nw, const struct notify_watch_entry *e)
{
	struct inode *i = inode_store_get_any(nw->pt->store, e->nodeid);
	bool tmp;
	int fd;

	/*
	 * The mark is on the inode: reached again through the nodeid. One the
	 * guest forgot and the store let go stays until the kernel drops the
	 * inode; its events find no watch and are counted unknown.
	 */
	if (!i || nw->fs_mark) {
		/* fanotify-fs: the filesystem stays marked; the table filters. */
		if (i)
			inode_store_put(nw->pt->store, i);
		return;
	}
	fd = inode_path_fd(nw->pt, i, &tmp);
	if (fd >= 0) {
		mark(nw->fd, FAN_MARK_REMOVE, fan_mask(~0u), fd);
		inode_path_fd_done(fd, tmp);
	}
	inode_store_put(nw->pt->store, i);
}

/* One record's directory and name: 0, or -EPROTO for a record that lies about its size. */
static int record_of(const struct fanotify_event_info_fid *r, size_t len, struct notify_dir_id *id,
		     const char **name)
{
	const struct file_handle *fh = (const void *)r->handle;

	if (len < sizeof(*r) + sizeof(*fh) || fh->handle_bytes > MAX_HANDLE_SZ ||
	    sizeof(*r) + sizeof(*fh) + fh->handle_bytes > len)
		return -EPROTO;
	memset(id, 0, sizeof(*id));
	memcpy(&id->fsid, &r->fsid, sizeof(id->fsid));
	id->bytes = fh->handle_bytes;
	id->type = fh->handle_type;
	memcpy(id->h, fh->f_handle, fh->handle_bytes);
	*name = (const char *)fh->f_handle + fh->handle_bytes;
	if (!memchr(*name, '\0', len - (sizeof(*r) + sizeof(*fh) + fh->handle_bytes)))
		return -EPROTO;
	return 0;
}

struct parsed {
	struct notify_watch_entry *dir, *old, *new;
	const char *name, *oldname, *newname;
	bool has_dir;
	struct notify_dir_id id; /* the DFID_NAME record's */
};

static void parse(struct notify_watch *nw, const struct fanotify_event_metadata *m, const char *raw,
		  struct parsed *p)
{
	const char *q = raw + m->metadata_len, *end = raw + m->event_len;

	memset(p, 0, sizeof(*p));
	while (q + sizeof(struct fanotify_event_info_header) <= end) {
		const struct fanotify_event_info_header *h = (const void *)q;
		struct notify_dir_id id;
		const char *name;

		if (h->len < sizeof(*h) || q + h->len > end)
			break;
		if ((h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME ||
		     h->info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ||
		     h->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME) &&
		    !record_of((const void *)q, h->len, &id, &name)) {
			struct notify_watch_entry *e = notify_watch_by_id(nw, &id);

			if (h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME)
				p->dir = e, p->name = name, p->has_dir = true, p->id = id;
			else if (h->info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME)
				p->old = e, p->oldname = name;
			else
				p->new = e, p->newname = name;
		}
		q += h->len;
	}
}

/*
 * An event on a subdirectory of a watched directory comes with that
 * subdirectory's own handle and "." (fanotify names a directory by
 * itself): its parent and its name are found from the handle, as the
 * watched directory's event inotify would give.
 */
static struct notify_watch_entry *parent_of(struct notify_watch *nw, const struct notify_dir_id *id,
					    char *name, size_t len)
{
	union handle_buf f;
	struct notify_watch_entry *e = NULL;
	struct notify_dir_id pid;
	char link[PROC_FD_PATH_MAX], path[PATH_MAX];
	bool tmp;
	int root, mfd, fd, up;
	ssize_t n;

	if (len < NAME_MAX + 1)
		return NULL;
	root = inode_path_fd(nw->pt, nw->pt->root, &tmp);
	if (root < 0)
		return NULL;
	f.fh.handle_bytes = id->bytes;
	f.fh.handle_type = id->type;
	memcpy(f.fh.f_handle, id->h, id->bytes);
	/* open_by_handle_at takes no O_PATH fd for its mount. */
	mfd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	inode_path_fd_done(root, tmp);
	if (mfd < 0)
		return NULL;
	fd = open_by_handle_at(mfd, &f.fh, O_PATH | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return NULL;
	up = openat(fd, "..", O_PATH | O_CLOEXEC);
	n = readlink(proc_fd_path(fd, link), path, sizeof(path) - 1);
	if (up >= 0 && n > 0 && !notify_dir_id_of(up, &pid)) {
		const char *base;

		path[n] = '\0';
		base = strrchr(path, '/');
		e = notify_watch_by_id(nw, &pid);
		base = base ? base + 1 : path;
		if (strlen(base) <= NAME_MAX)
			memcpy(name, base, strlen(base) + 1);
		else
			e = NULL;
	}
	if (up >= 0)
		close(up);
	close(fd);
	return e;
}

/* The name a record gives for an event on the directory itself: "." or none. */
static bool is_self(const char *name)
{
	return !*name || !strcmp(name, ".");
}

static void one_event(struct notify_watch *nw, const struct fanotify_event_metadata *m, const char *raw)
{
	static const struct { uint64_t fan; uint32_t in; } order[] = {
		{ FAN_CREATE, IN_CREATE }, { FAN_MODIFY, IN_MODIFY }, { FAN_ATTRIB, IN_ATTRIB },
		{ FAN_DELETE, IN_DELETE }, { FAN_MOVE_SELF, IN_MOVE_SELF },
		{ FAN_DELETE_SELF, IN_DELETE_SELF },
	};
	uint64_t mask = m->mask;
	uint32_t isdir = mask & FAN_ONDIR ? IN_ISDIR : 0;
	struct parsed p;
	char child[NAME_MAX + 1];

	nw->c.host_events++;
	if (mask & FAN_Q_OVERFLOW) {
		nw->sender.lost++; /* the host's own queue overflowed: said, not hidden */
		return;
	}
	if (nw->suppress_own && m->pid == getpid() && (mask & DIRENT_EVENTS)) {
		/* The guest's change, made by us and reported from its request. */
		nw->c.own_suppressed++;
		mask &= ~(uint64_t)DIRENT_EVENTS;
	}
	parse(nw, m, raw, &p);
	if (mask & FAN_RENAME) {
		if (++nw->next_cookie == 0)
			nw->next_cookie = 1;
		notify_watch_deliver_rename(nw, p.old, p.oldname, p.new, p.newname, isdir,
					    nw->next_cookie);
	}
	if (!(mask & ~(uint64_t)(FAN_RENAME | FAN_ONDIR)))
		return;
	if (p.has_dir && !p.dir && is_self(p.name) && !(mask & (FAN_MOVE_SELF | FAN_DELETE_SELF))) {
		p.dir = parent_of(nw, &p.id, child, sizeof(child));
		p.name = child;
	}
	if (!p.has_dir || !p.dir) {
		nw->c.unknown++;
		return;
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		const char *name = is_self(p.name) ? "" : p.name;

		if (!(mask & order[k].fan))
			continue;
		notify_watch_deliver(nw, p.dir, order[k].in | isdir, 0, name);
		if (order[k].fan == FAN_DELETE_SELF) {
			notify_watch_drop(nw, p.dir);
			break;
		}
	}
}

static void fanotify_process(struct notify_watch *nw)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n;

	while ((n = read(nw->fd, buf, sizeof(buf))) > 0) {
		struct fanotify_event_metadata m;
		const char *raw;
		size_t off = 0;

		while (fanotify_walk(buf, (size_t)n, &off, &m, &raw)) {
			if (m.vers != FANOTIFY_METADATA_VERSION) {
				fprintf(stderr, "vfs-serve: fanotify metadata version %u, not %u: "
					"event skipped\n", m.vers, FANOTIFY_METADATA_VERSION);
				continue;
			}
			one_event(nw, &m, raw);
		}
	}
}

const struct notify_host_ops notify_fanotify_ops = {
	.backend = NOTIFY_BACKEND_FANOTIFY, .open = fanotify_open, .add = fanotify_add,
	.remove = fanotify_remove, .process = fanotify_process,
};
