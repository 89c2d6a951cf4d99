/*
 * watch_table: finding a watch, and delivering to it: the guest's mask,
 * a nodeid still held under its generation, the server's own cookies
 * when a watcher has none; what is dropped is counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <linux/fuse.h>

#include "notify/watch_table.h"
#include "util/handle_text.h"

struct notify_watch_entry *notify_watch_by_nodeid(struct notify_watch *nw, uint64_t nodeid)
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

void notify_watch_drop(struct notify_watch *nw, struct notify_watch_entry *e)
{
	*e = nw->w[--nw->n];
}

/* Whether the guest still holds @e's nodeid under the generation it watched it with. */
static bool still_known(struct notify_watch *nw, const struct notify_watch_entry *e)
{
	struct inode *i;
	bool same;

	if (e->nodeid == FUSE_ROOT_ID || !nw->pt)
		return true; /* the root is never forgotten; no store: nothing to ask */
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
		if (nw->pt && fault_check(&nw->pt->faults, FAULT_NOTIFY_SECOND_HALF)) {
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

