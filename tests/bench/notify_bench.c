/*
 * notify_bench: the cost of host change notification end to end, beside
 * raw inotify on the same directory, in one run. COUNT renames on the
 * host, each waited for as the guest receives it: through vfs-serve
 * --vhost-user (POLICY) and vfskit's front-end and driver, the rename
 * rejoined; or through an inotify fd of this process (both halves read).
 * Prints "ok SECONDS COUNT" (the mean latency is SECONDS / COUNT).
 *
 *   notify_bench guest VFS-SERVE POLICY DIR COUNT
 *   notify_bench inotify DIR COUNT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
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

static int guest(const char *serve, const char *policy, const char *dir, long count)
{
	char pol[64], tmp[] = "/tmp/notify_bench.XXXXXX", how[64];
	char *argv[] = { (char *)serve, pol, "--fd={fd}", "{source}", NULL };
	struct vu_front_config vc;
	struct notify_driver d;
	struct fuse_target t;
	double t0;
	int r;

	snprintf(pol, sizeof(pol), "--notify-policy=%s", policy);
	if (!mkdtemp(tmp))
		return -errno;
	vu_front_config_default(&vc);
	vc.notification = true;
	r = fuse_target_open(&t, FUSE_TARGET_VHOST_USER, argv, NULL, dir, tmp, "/dev/null", &vc,
			     false);
	if (!r)
		r = notify_driver_start(&d, t.front, 16, VFSKIT_NOTIFY_BUF_MIN, false, 1000);
	if (!r)
		r = fc_watch(&t.client, 1, IN_MOVED_FROM | IN_MOVED_TO, false);
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
	else if (argc == 6 && !strcmp(argv[1], "guest"))
		r = guest(argv[2], argv[3], argv[4], atol(argv[5]));
	else {
		fprintf(stderr, "usage: notify_bench guest VFS-SERVE POLICY DIR COUNT\n"
			"       notify_bench inotify DIR COUNT\n");
		return 2;
	}
	if (r) {
		printf("fail %s 0\n", strerror(-r));
		return 1;
	}
	return 0;
}
