/*
 * notify_bench: the cost of host change notification end to end, beside
 * raw inotify on the same directory, in one run. COUNT renames on the
 * host, each waited for as the guest receives it: through vfs-serve
 * --vhost-user (POLICY) and vfskit's front-end and driver, the rename
 * rejoined; or through an inotify fd of this process (both halves read).
 * Prints "ok SECONDS COUNT" (the mean latency is SECONDS / COUNT).
 *
 * The burst modes rename COUNT files (a<i> to b<i>) from a thread of their
 * own as fast as it can while the guest, or an inotify reader, takes what
 * comes; the clock stops when every half is accounted for (delivered, or
 * counted lost in an overflow). "ok SECONDS COUNT LOST_HALVES".
 *
 *   notify_bench guest VFS-SERVE POLICY BUFFERS BACKEND DIR COUNT
 *   notify_bench burst VFS-SERVE POLICY BUFFERS BACKEND DIR COUNT
 *   notify_bench inotify DIR COUNT
 *   notify_bench inotify-burst DIR COUNT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "notify/notify_driver.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Renames DIR/f<i%2> to DIR/f<(i+1)%2>: one rename each, no new names. */
static int rename_once(const char *dir, long i)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/f%ld", dir, i % 2);
	snprintf(b, sizeof(b), "%s/f%ld", dir, (i + 1) % 2);
	return rename(a, b) ? -errno : 0;
}

static int raw_inotify(const char *dir, long count)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int fd = inotify_init1(IN_CLOEXEC);
	double t0;

	if (fd < 0 || inotify_add_watch(fd, dir, IN_MOVED_FROM | IN_MOVED_TO) < 0)
		return -errno;
	t0 = now();
	for (long i = 0; i < count; i++) {
		int halves = 0;

		if (rename_once(dir, i))
			return -errno;
		while (halves < 2) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				return -EIO;
			for (char *p = buf; p < buf + n; p += sizeof(struct inotify_event) +
							  ((struct inotify_event *)p)->len)
				halves++;
		}
	}
	printf("ok %.6f %ld\n", now() - t0, count);
	close(fd);
	return 0;
}

struct burst { const char *dir; long count; int err; };

/* The burst's host side: a<i> to b<i>, as fast as rename(2) goes. */
static void *renamer(void *arg)
{
	struct burst *b = arg;
	char x[PATH_MAX], y[PATH_MAX];

	for (long i = 0; i < b->count && !b->err; i++) {
		snprintf(x, sizeof(x), "%s/a%ld", b->dir, i);
		snprintf(y, sizeof(y), "%s/b%ld", b->dir, i);
		if (rename(x, y))
			b->err = -errno;
	}
	return NULL;
}

/* COUNT files a<i> in @dir, and no b<i>: the burst's start. */
static int burst_files(const char *dir, long count)
{
	char x[PATH_MAX];

	for (long i = 0; i < count; i++) {
		FILE *f;

		snprintf(x, sizeof(x), "%s/b%ld", dir, i);
		unlink(x);
		snprintf(x, sizeof(x), "%s/a%ld", dir, i);
		f = fopen(x, "w");
		if (!f)
			return -errno;
		fclose(f);
	}
	return 0;
}

static int raw_inotify_burst(const char *dir, long count)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct burst b = { dir, count, 0 };
	long halves = 0, lost = 0;
	pthread_t th;
	double t0;
	int fd = inotify_init1(IN_CLOEXEC), r = burst_files(dir, count);

	if (r)
		return r;
	if (fd < 0 || inotify_add_watch(fd, dir, IN_MOVED_FROM | IN_MOVED_TO) < 0)
		return -errno;
	t0 = now();
	if (pthread_create(&th, NULL, renamer, &b))
		return -EAGAIN;
	while (halves < 2 * count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, buf, sizeof(buf));
		for (char *q = buf; n > 0 && q < buf + n;
		     q += sizeof(struct inotify_event) + ((struct inotify_event *)q)->len) {
			if (((struct inotify_event *)q)->mask & IN_Q_OVERFLOW)
				lost = -1; /* inotify says only that some were lost */
			halves++;
		}
		if (lost < 0)
			break;
	}
	pthread_join(th, NULL);
	if (b.err || halves < 2 * count)
		return b.err ? b.err : -EIO;
	printf("ok %.6f %ld %ld\n", now() - t0, count, lost);
	close(fd);
	return 0;
}

static int open_guest(struct fuse_target *t, struct notify_driver *d, const char *serve,
		      const char *policy, int nbuf, const char *backend, const char *dir, char *tmp)
{
	char pol[64], be[64];
	char *argv[] = { (char *)serve, pol, be, "--fd={fd}", "{source}", NULL };
	struct vu_front_config vc;
	int r;

	snprintf(pol, sizeof(pol), "--notify-policy=%s", policy);
	snprintf(be, sizeof(be), "--notify-backend=%s", backend);
	if (!mkdtemp(tmp))
		return -errno;
	vu_front_config_default(&vc);
	vc.notification = true;
	r = fuse_target_open(t, FUSE_TARGET_VHOST_USER, argv, NULL, dir, tmp, "/dev/null", &vc,
			     NULL, false);
	if (!r)
		r = notify_driver_start(d, t->front, nbuf, VFSKIT_NOTIFY_BUF_MIN, false, 1000);
	if (!r)
		r = fc_watch(&t->client, 1, IN_MOVED_FROM | IN_MOVED_TO, false);
	return r;
}

static int guest_burst(const char *serve, const char *policy, int nbuf, const char *backend,
		       const char *dir, long count)
{
	char tmp[] = "/tmp/notify_bench.XXXXXX", how[64];
	struct burst b = { dir, count, 0 };
	struct notify_driver d;
	struct fuse_target t;
	long halves = 0, lost = 0;
	pthread_t th;
	double t0;
	int r = burst_files(dir, count);

	if (!r)
		r = open_guest(&t, &d, serve, policy, nbuf, backend, dir, tmp);
	if (r)
		return r;
	t0 = now();
	if (pthread_create(&th, NULL, renamer, &b)) {
		r = -EAGAIN;
		goto out;
	}
	while (halves < 2 * count) {
		struct notify_delivery e;

		r = notify_driver_next(&d, 5000, &e);
		if (r <= 0)
			break;
		r = 0;
		if ((e.mask & IN_MOVED_FROM) && (e.mask & IN_MOVED_TO))
			halves += 2;
		else if (e.mask & IN_Q_OVERFLOW)
			halves += e.cookie, lost += e.cookie;
		else
			halves++;
	}
	pthread_join(th, NULL);
	if (!r && (b.err || halves != 2 * count))
		r = b.err ? b.err : -EIO;
	if (!r)
		printf("ok %.6f %ld %ld\n", now() - t0, count, lost);
out:
	fuse_target_close(&t, 2000, how, sizeof(how));
	rmdir(tmp);
	return r;
}

static int guest(const char *serve, const char *policy, int nbuf, const char *backend,
		 const char *dir, long count)
{
	char tmp[] = "/tmp/notify_bench.XXXXXX", how[64];
	struct notify_driver d;
	struct fuse_target t;
	double t0;
	int r = open_guest(&t, &d, serve, policy, nbuf, backend, dir, tmp);

	if (r)
		return r;
	t0 = now();
	for (long i = 0; !r && i < count; i++) {
		struct notify_delivery e;

		r = rename_once(dir, i);
		if (!r)
			r = notify_driver_next(&d, 5000, &e);
		if (r == 1)
			r = (e.mask & IN_MOVED_FROM) && (e.mask & IN_MOVED_TO) ? 0 : -EPROTO;
		else if (!r)
			r = -ETIMEDOUT;
	}
	if (!r)
		printf("ok %.6f %ld\n", now() - t0, count);
	fuse_target_close(&t, 2000, how, sizeof(how));
	rmdir(tmp);
	return r;
}

int main(int argc, char **argv)
{
	int r;

	if (argc == 4 && !strcmp(argv[1], "inotify"))
		r = raw_inotify(argv[2], atol(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "inotify-burst"))
		r = raw_inotify_burst(argv[2], atol(argv[3]));
	else if (argc == 8 && !strcmp(argv[1], "guest"))
		r = guest(argv[2], argv[3], atoi(argv[4]), argv[5], argv[6], atol(argv[7]));
	else if (argc == 8 && !strcmp(argv[1], "burst"))
		r = guest_burst(argv[2], argv[3], atoi(argv[4]), argv[5], argv[6], atol(argv[7]));
	else {
		fprintf(stderr, "usage: notify_bench guest|burst VFS-SERVE POLICY BUFFERS BACKEND DIR COUNT\n"
			"       notify_bench inotify|inotify-burst DIR COUNT\n");
		return 2;
	}
	if (r) {
		printf("fail %s 0\n", strerror(-r));
		return 1;
	}
	return 0;
}
