/*
 * watch_table's delivery rules, the same for every host watcher, with a
 * queue that keeps what it is given; then each watcher (inotify; fanotify
 * as root) on a real directory, delivering through those rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "notify/host_watcher.h"
#include "notify/notify_watch.h"
#include "../unit.h"
#include "kept_queue.h"

static struct kept_queue kq;

/* A table with no store (every nodeid held) and watches on nodeids 1 and 5. */
static void table(struct notify_watch *nw, enum notify_policy p)
{
	struct notify_sink k = kept_queue_sink(&kq, KEPT_MAX);

	notify_watch_init(nw, NOTIFY_BACKEND_INOTIFY, p, &k);
	nw->w[0] = (struct notify_watch_entry){ .nodeid = 1, .generation = 0, .wd = 11,
						.mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM |
							IN_MOVED_TO };
	nw->w[1] = (struct notify_watch_entry){ .nodeid = 5, .generation = 3, .wd = 12,
						.mask = IN_MOVED_TO };
	nw->n = 2;
}

START_TEST(events_reach_the_guest_as_asked)
{
	struct notify_watch nw;
	struct notify_watch_entry *root, *five;

	table(&nw, NOTIFY_ATOMIC);
	root = notify_watch_by_wd(&nw, 11);
	five = notify_watch_by_nodeid(&nw, 5);
	ck_assert_ptr_eq(root, &nw.w[0]);
	ck_assert_ptr_eq(five, &nw.w[1]);
	ck_assert_ptr_null(notify_watch_by_wd(&nw, 99));
	ck_assert_ptr_null(notify_watch_by_nodeid(&nw, 6));

	notify_watch_deliver(&nw, root, IN_CREATE | IN_ISDIR, 0, "d");
	ck_assert_int_eq(kq.n, 1);
	ck_assert_uint_eq(kq.ev[0].mask, IN_CREATE | IN_ISDIR); /* ISDIR goes along */
	ck_assert_uint_eq(kq.ev[0].nodeid, 1);
	ck_assert_str_eq(kq.name[0], "d");
	/* Not in the watch's mask: as with inotify, never queued, never counted. */
	notify_watch_deliver(&nw, five, IN_CREATE, 0, "x");
	ck_assert_int_eq(kq.n, 1);
	ck_assert_uint_eq(nw.c.unknown + nw.c.stale, 0);
	/* In no watched directory: dropped and counted. */
	notify_watch_deliver(&nw, NULL, IN_CREATE, 0, "y");
	ck_assert_int_eq(kq.n, 1);
	ck_assert_uint_eq(nw.c.unknown, 1);
	/* The generation the guest watched with goes with each event. */
	notify_watch_deliver(&nw, five, IN_MOVED_TO, 4, "z");
	ck_assert_uint_eq(kq.ev[1].generation, 3);
	ck_assert_uint_eq(kq.ev[1].cookie, 4);
}
END_TEST

START_TEST(renames_go_whole_or_by_the_side_watched)
{
	struct notify_watch nw;

	table(&nw, NOTIFY_ATOMIC);
	/* Both sides watched: one rename, two halves, one cookie, in order. */
	notify_watch_deliver_rename(&nw, &nw.w[0], "a", &nw.w[1], "b", 0, 9);
	ck_assert_int_eq(kq.n, 2);
	ck_assert_uint_eq(kq.ev[0].mask, IN_MOVED_FROM);
	ck_assert_uint_eq(kq.ev[1].mask, IN_MOVED_TO);
	ck_assert_uint_eq(kq.ev[0].cookie, 9);
	ck_assert_uint_eq(kq.ev[1].cookie, 9);
	ck_assert_uint_eq(kq.ev[1].nodeid, 5);
	/* Only the destination watched: a move in. */
	notify_watch_deliver_rename(&nw, NULL, "a", &nw.w[1], "c", IN_ISDIR, 10);
	ck_assert_int_eq(kq.n, 3);
	ck_assert_uint_eq(kq.ev[2].mask, IN_MOVED_TO | IN_ISDIR);
	/* The source's watch does not take MOVED_FROM... */
	notify_watch_deliver_rename(&nw, &nw.w[1], "a", NULL, "c", 0, 11);
	ck_assert_int_eq(kq.n, 3);
	/* ...and neither side watched is counted once. */
	notify_watch_deliver_rename(&nw, NULL, "a", NULL, "b", 0, 12);
	ck_assert_uint_eq(nw.c.unknown, 1);
	/* A dropped watch is found no more. */
	notify_watch_drop(&nw, &nw.w[0]);
	ck_assert_int_eq(nw.n, 1);
	ck_assert_ptr_null(notify_watch_by_nodeid(&nw, 1));
	ck_assert_ptr_nonnull(notify_watch_by_nodeid(&nw, 5));
}
END_TEST

/* A real directory watched by @ops as nodeid 1; a file made there; what came. */
static void watcher_delivers(const struct notify_host_ops *ops)
{
	struct notify_sink k = kept_queue_sink(&kq, KEPT_MAX);
	struct notify_watch nw;
	struct notify_watch_entry e = { .nodeid = 1, .mask = IN_CREATE | IN_MOVED_FROM |
				       IN_MOVED_TO, .wd = -1 };
	char path[512], from[600], to[600];
	int dirfd, r;

	snprintf(path, sizeof(path), "%s", unit_tmpdir_make());
	notify_watch_init(&nw, ops->backend, NOTIFY_ATOMIC, &k);
	nw.fd = ops->open();
	ck_assert_int_ge(nw.fd, 0);
	nw.ops = ops;
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dirfd, 0);
	r = ops->add(&nw, dirfd, e.mask, &e);
	ck_assert_msg(r == 0, "add: %s", strerror(-r));
	nw.w[nw.n++] = e;
	snprintf(from, sizeof(from), "%s/f", path);
	snprintf(to, sizeof(to), "%s/g", path);
	close(open(from, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	ck_assert_int_eq(rename(from, to), 0);
	for (int tries = 0; kq.n < 3 && tries < 100; tries++) {
		struct pollfd p = { .fd = nw.fd, .events = POLLIN };

		poll(&p, 1, 50); /* the kernel's queue, waited for: not a sleep */
		ops->process(&nw);
	}
	ck_assert_int_eq(kq.n, 3);
	ck_assert_uint_eq(kq.ev[0].mask, IN_CREATE);
	ck_assert_str_eq(kq.name[0], "f");
	ck_assert_uint_eq(kq.ev[1].mask, IN_MOVED_FROM);
	ck_assert_uint_eq(kq.ev[2].mask, IN_MOVED_TO);
	ck_assert_uint_eq(kq.ev[1].cookie, kq.ev[2].cookie); /* rejoinable */
	ck_assert_str_eq(kq.name[2], "g");
	close(dirfd);
	notify_watch_release(&nw); /* the group's fd closed: its watches go with it */
	ck_assert_int_eq(nw.fd, -1);
	unit_tmpdir_remove();
}

START_TEST(inotify_delivers_through_the_rules)
{
	watcher_delivers(&notify_inotify_ops);
}
END_TEST

START_TEST(fanotify_delivers_through_the_rules)
{
	if (!unit_have_root("fanotify (CAP_SYS_ADMIN)"))
		return;
	watcher_delivers(&notify_fanotify_ops);
}
END_TEST

UNIT_SUITE(watch_table_suite, "watch_table", NULL, NULL,
	   events_reach_the_guest_as_asked,
	   renames_go_whole_or_by_the_side_watched,
	   inotify_delivers_through_the_rules,
	   fanotify_delivers_through_the_rules)
