/*
 * ops_oracle: the host's own view of the changes a notify scenario makes,
 * read in the same run and put in the guest's words, to compare with what
 * the guest was delivered. Two oracles, written here apart from vfs-serve's
 * watchers: inotify on each watched directory (a rename is a MOVED_FROM
 * and the MOVED_TO right after it with its cookie), and fanotify
 * (FAN_REPORT_DFID_NAME, FAN_RENAME, a mark on each directory). Both watch
 * with the mask the guest's WATCH had, and read only what is queued when
 * asked: the host operations before it have returned, so their events are
 * there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "notify/notify_join.h"
#include "notify/notify_proto.h"
#include "ops.h"
#include "ops_oracle.h"
#include "util/fanotify_walk.h"
#include "util/handle_text.h"
#include "util/proc_fd.h"

#define ORACLE_DIRS 16
#define ORACLE_EVENTS 4096

struct dir {
	unsigned long long nodeid;
	int wd;
	uint64_t fsid;
	union handle_buf fh;
};

static struct {
	bool on;
	int ifd, ffd, mfd;
	struct dir d[ORACLE_DIRS];
	int nd;
	struct strbuf guest, ino, fan; /* "|"-joined lines, in order */
	int nguest, nino, nfan;
} o = { .ifd = -1, .ffd = -1, .mfd = -1, .guest = STRBUF_INIT, .ino = STRBUF_INIT,
	.fan = STRBUF_INIT };

static void add_line(struct strbuf *b, int *n, const char *line)
{
	strbuf_addf(b, "%s%s", *n ? "|" : "", line);
	(*n)++;
}

static void read_inotify(void);
static void read_fanotify(void);

/*
 * Read at every notify step, as vfs-serve reads its own watcher as soon as
 * events come: left unread for a whole scenario, fanotify would merge a
 * late event into an early one with the same name (fsnotify-notes.md, 5).
 */
void oracle_drain(void)
{
	if (!o.on)
		return;
	read_inotify();
	read_fanotify();
}

void oracle_note_guest(const char *text)
{
	if (o.on && strcmp(text, "none"))
		add_line(&o.guest, &o.nguest, text);
}

static void oracle_close(void)
{
	if (o.ifd >= 0)
		close(o.ifd);
	if (o.ffd >= 0)
		close(o.ffd);
	if (o.mfd >= 0)
		close(o.mfd);
	o.ifd = o.ffd = o.mfd = -1;
	strbuf_release(&o.guest);
	strbuf_release(&o.ino);
	strbuf_release(&o.fan);
	o.nguest = o.nino = o.nfan = o.nd = 0;
	o.on = false;
}

static uint64_t fan_mask_of(uint32_t in)
{
	return FAN_ONDIR | FAN_EVENT_ON_CHILD | (in & IN_CREATE ? FAN_CREATE : 0) |
	       (in & IN_DELETE ? FAN_DELETE : 0) | (in & IN_MODIFY ? FAN_MODIFY : 0) |
	       (in & IN_ATTRIB ? FAN_ATTRIB : 0) |
	       (in & (IN_MOVED_FROM | IN_MOVED_TO) ? FAN_RENAME : 0);
}

int oracle_start(const char *host_root, int argc, char **argv, uint32_t (*mask_of)(unsigned long long),
		 struct strbuf *out)
{
	oracle_close();
	o.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	o.ffd = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC | FAN_REPORT_DFID_NAME,
			      O_RDONLY | O_CLOEXEC);
	o.mfd = open(host_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o.ifd < 0 || o.ffd < 0 || o.mfd < 0) {
		int err = -errno;

		ops_refuse("notify oracle start: cannot open inotify, fanotify or the source: %s",
			   strerror(-err));
		oracle_close();
		return err;
	}
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *end, path[PROC_FD_PATH_MAX];
		struct dir *d = &o.d[o.nd];
		struct statfs sfs;
		uint32_t mask;
		int fd, mnt;

		if (!eq || o.nd == ORACLE_DIRS || (d->nodeid = strtoull(argv[i], &end, 10), end != eq)) {
			ops_refuse("notify oracle start: '%s' is not NODEID=PATH (up to %d)", argv[i],
				   ORACLE_DIRS);
			oracle_close();
			return -EINVAL;
		}
		mask = mask_of(d->nodeid);
		if (!mask) {
			ops_refuse("notify oracle start: nodeid %llu is not watched", d->nodeid);
			oracle_close();
			return -EINVAL;
		}
		fd = ops_confine(host_root, eq + 1, true);
		if (!fd)
			fd = open_beneath(host_root, eq + 1, O_PATH | O_DIRECTORY, 0);
		if (fd < 0) {
			oracle_close();
			return fd;
		}
		proc_fd_path(fd, path);
		d->fh.fh.handle_bytes = MAX_HANDLE_SZ;
		d->wd = inotify_add_watch(o.ifd, path, mask);
		if (d->wd < 0 || fanotify_mark(o.ffd, FAN_MARK_ADD, fan_mask_of(mask), AT_FDCWD, path) ||
		    name_to_handle_at(fd, "", &d->fh.fh, &mnt, AT_EMPTY_PATH) || fstatfs(fd, &sfs)) {
			int err = -errno;

			ops_refuse("notify oracle start: cannot watch %s: %s", eq + 1, strerror(-err));
			close(fd);
			oracle_close();
			return err;
		}
		memcpy(&d->fsid, &sfs.f_fsid, sizeof(d->fsid));
		close(fd);
		o.nd++;
	}
	o.on = true;
	strbuf_addf(out, "ok");
	return 0;
}

/* An event in the words the guest's deliveries are in (notify_delivery_text). */
static void line(struct strbuf *b, int *n, uint32_t mask, unsigned long long node, const char *name)
{
	struct notify_delivery d = { .mask = mask, .nodeid = node };
	char text[600];

	snprintf(d.name, sizeof(d.name), "%s", name);
	notify_delivery_text(&d, text, sizeof(text));
	add_line(b, n, text);
}

static void rename_line(struct strbuf *b, int *n, uint32_t isdir, unsigned long long a,
			const char *an, unsigned long long z, const char *zn)
{
	struct notify_delivery d = { .mask = IN_MOVED_FROM | IN_MOVED_TO | isdir, .nodeid = a,
				     .to_nodeid = z };
	char text[600];

	snprintf(d.name, sizeof(d.name), "%s", an);
	snprintf(d.to_name, sizeof(d.to_name), "%s", zn);
	notify_delivery_text(&d, text, sizeof(text));
	add_line(b, n, text);
}

static struct dir *by_wd(int wd)
{
	for (int k = 0; k < o.nd; k++)
		if (o.d[k].wd == wd)
			return &o.d[k];
	return NULL;
}

static void read_inotify(void)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(o.ifd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (void *)p, *t;
			struct dir *d = by_wd(e->wd), *td;

			p += sizeof(*e) + e->len;
			if (e->mask & IN_Q_OVERFLOW) {
				add_line(&o.ino, &o.nino, "OVERFLOW ?");
				continue;
			}
			if (!d || e->mask & IN_IGNORED)
				continue;
			t = (void *)p;
			if (e->mask & IN_MOVED_FROM && p < buf + n && t->mask & IN_MOVED_TO &&
			    t->cookie == e->cookie && (td = by_wd(t->wd))) {
				p += sizeof(*t) + t->len;
				rename_line(&o.ino, &o.nino, e->mask & IN_ISDIR, d->nodeid, e->name,
					    td->nodeid, t->name);
				continue;
			}
			line(&o.ino, &o.nino, e->mask, d->nodeid, e->len ? e->name : "");
		}
}

/* The watched directory a record names, and its name. */
static struct dir *record_dir(const struct fanotify_event_info_fid *r, const char **name)
{
	const struct file_handle *fh = (const void *)r->handle;

	*name = (const char *)fh->f_handle + fh->handle_bytes;
	for (int k = 0; k < o.nd; k++)
		if (!memcmp(&o.d[k].fsid, &r->fsid, sizeof(o.d[k].fsid)) &&
		    o.d[k].fh.fh.handle_bytes == fh->handle_bytes &&
		    o.d[k].fh.fh.handle_type == fh->handle_type &&
		    !memcmp(o.d[k].fh.fh.f_handle, fh->f_handle, fh->handle_bytes))
			return &o.d[k];
	return NULL;
}

/* fanotify names a subdirectory by itself: its parent and name, through its handle. */
static struct dir *parent_dir(const struct fanotify_event_info_fid *r, char *name)
{
	struct file_handle *fh = (void *)r->handle;
	char link[PROC_FD_PATH_MAX], path[PATH_MAX], *base;
	union handle_buf up = { .fh.handle_bytes = MAX_HANDLE_SZ };
	struct dir *found = NULL;
	int fd = open_by_handle_at(o.mfd, fh, O_PATH | O_CLOEXEC), mnt;
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = readlink(proc_fd_path(fd, link), path, sizeof(path) - 1);
	if (n > 0 && !name_to_handle_at(fd, "..", &up.fh, &mnt, 0)) {
		path[n] = '\0';
		base = strrchr(path, '/');
		snprintf(name, NAME_MAX + 1, "%.255s", base ? base + 1 : path);
		for (int k = 0; k < o.nd; k++)
			if (o.d[k].fh.fh.handle_bytes == up.fh.handle_bytes &&
			    !memcmp(o.d[k].fh.fh.f_handle, up.fh.f_handle, up.fh.handle_bytes))
				found = &o.d[k];
	}
	close(fd);
	return found;
}

static void read_fanotify(void)
{
	static const struct { uint64_t fan; uint32_t in; } order[] = {
		{ FAN_CREATE, IN_CREATE }, { FAN_MODIFY, IN_MODIFY }, { FAN_ATTRIB, IN_ATTRIB },
		{ FAN_DELETE, IN_DELETE },
	};
	char buf[65536] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n;

	while ((n = read(o.ffd, buf, sizeof(buf))) > 0) {
		struct fanotify_event_metadata md, *m = &md;
		const char *raw;
		size_t off = 0;

		while (fanotify_walk(buf, (size_t)n, &off, &md, &raw)) {
			struct dir *dir = NULL, *from = NULL, *to = NULL;
			const char *name = "", *fname = "", *tname = "";
			const struct fanotify_event_info_fid *self = NULL;
			uint32_t isdir = m->mask & FAN_ONDIR ? IN_ISDIR : 0;
			char child[NAME_MAX + 1];

			if (m->mask & FAN_Q_OVERFLOW) {
				add_line(&o.fan, &o.nfan, "OVERFLOW ?");
				continue;
			}
			for (const char *q = raw + m->metadata_len; q < raw + m->event_len;) {
				const struct fanotify_event_info_fid *r = (const void *)q;

				if (r->hdr.len < sizeof(r->hdr))
					break;
				if (r->hdr.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
					dir = record_dir(r, &name);
					if (!dir && (!*name || !strcmp(name, ".")))
						self = r;
				} else if (r->hdr.info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME) {
					from = record_dir(r, &fname);
				} else if (r->hdr.info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME) {
					to = record_dir(r, &tname);
				}
				q += r->hdr.len;
			}
			if (m->mask & FAN_RENAME) {
				if (from && to)
					rename_line(&o.fan, &o.nfan, isdir, from->nodeid, fname, to->nodeid,
						    tname);
				else if (from)
					line(&o.fan, &o.nfan, IN_MOVED_FROM | isdir, from->nodeid, fname);
				else if (to)
					line(&o.fan, &o.nfan, IN_MOVED_TO | isdir, to->nodeid, tname);
				continue;
			}
			if (self && (dir = parent_dir(self, child)))
				name = child;
			if (!dir)
				continue;
			for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
				if (m->mask & order[k].fan)
					line(&o.fan, &o.nfan, order[k].in | isdir, dir->nodeid,
					     strcmp(name, ".") ? name : "");
		}
	}
}

/* The first line where @a and @b differ, 1-based, or 0. */
static int first_difference(const char *a, const char *b, char *la, char *lb, size_t len)
{
	for (int k = 1;; k++) {
		size_t na = strcspn(a, "|"), nb = strcspn(b, "|");

		if (na != nb || memcmp(a, b, na)) {
			snprintf(la, len, "%.*s", (int)na, a);
			snprintf(lb, len, "%.*s", (int)nb, b);
			if (!na)
				snprintf(la, len, "(nothing)");
			if (!nb)
				snprintf(lb, len, "(nothing)");
			return k;
		}
		if (!a[na])
			return 0;
		a += na + 1;
		b += nb + 1;
	}
}

int oracle_compare(const char *which, struct strbuf *out)
{
	bool ino = !strcmp(which, "inotify");
	char la[600], lb[600];
	int k;

	if (!o.on) {
		ops_refuse("notify oracle %s: no notify oracle start before it", which);
		return -EINVAL;
	}
	oracle_drain();
	k = first_difference(o.guest.len ? o.guest.buf : "", ino ? (o.ino.len ? o.ino.buf : "")
							       : (o.fan.len ? o.fan.buf : ""),
			     la, lb, sizeof(la));
	if (!k)
		strbuf_addf(out, "same");
	else
		strbuf_addf(out, "differs at %d: guest %s, %s %s", k, la, which, lb);
	return 0;
}
