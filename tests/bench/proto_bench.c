/*
 * proto_bench: GETATTR of the root, COUNT times with INFLIGHT kept in
 * flight, through vfskit's FUSE client (a vhost-user daemon or
 * vfs-serve's socket mode, started from CMD with {fd} and {source}) or
 * through a kernel FUSE mount (INFLIGHT threads doing lstat of the root
 * with attribute timeout 0: one GETATTR each). Prints "ok SECONDS COUNT"
 * or "fail ERRNO 0", like workload.
 *
 *   proto_bench vhost|socket 'CMD' SOURCE COUNT INFLIGHT
 *   proto_bench mount MOUNTPOINT COUNT INFLIGHT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "util/errno_name.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct loop {
	const char *path;
	long count;
	int err;
};

static void *stat_loop(void *arg)
{
	struct loop *l = arg;
	struct stat st;

	for (long i = 0; i < l->count; i++)
		if (lstat(l->path, &st) < 0) {
			l->err = errno;
			break;
		}
	return NULL;
}

static int mount_bench(const char *mnt, long count, int inflight)
{
	pthread_t t[64];
	struct loop l[64];
	double t0 = now();

	for (int i = 0; i < inflight; i++) {
		l[i] = (struct loop){ .path = mnt, .count = count / inflight };
		pthread_create(&t[i], NULL, stat_loop, &l[i]);
	}
	for (int i = 0; i < inflight; i++) {
		pthread_join(t[i], NULL);
		if (l[i].err) {
			printf("fail %s 0\n", errno_name(l[i].err));
			return 1;
		}
	}
	printf("ok %.6f %ld\n", now() - t0, count / inflight * inflight);
	return 0;
}

int main(int argc, char **argv)
{
	struct vu_front_config vc;
	struct fuse_target t;
	char *sh[] = { "/bin/sh", "-c", NULL, NULL }, how[64], dir[] = "/tmp/proto_bench.XXXXXX";
	long count;
	int inflight, r;
	double t0;

	if (argc == 5 && !strcmp(argv[1], "mount")) {
		inflight = atoi(argv[4]);
		return mount_bench(argv[2], atol(argv[3]), inflight < 1 ? 1 : inflight > 64 ? 64 : inflight);
	}
	if (argc != 6 || (strcmp(argv[1], "vhost") && strcmp(argv[1], "socket"))) {
		fprintf(stderr, "usage: proto_bench vhost|socket 'CMD' SOURCE COUNT INFLIGHT\n"
			"       proto_bench mount MOUNTPOINT COUNT INFLIGHT\n");
		return 2;
	}
	count = atol(argv[4]);
	inflight = atoi(argv[5]);
	if (asprintf(&sh[2], "exec %s", argv[2]) < 0 || !mkdtemp(dir))
		return 1;
	vu_front_config_default(&vc);
	r = fuse_target_open(&t, argv[1][0] == 'v' ? FUSE_TARGET_VHOST_USER : FUSE_TARGET_SOCKET,
			     sh, NULL, argv[3], dir, "/dev/null", &vc, false);
	if (!r) {
		t0 = now();
		r = inflight > 1 ? fc_getattr_pipelined(&t.client, 1, inflight, count) : 0;
		for (long i = 0; inflight <= 1 && !r && i < count; i++) {
			struct fuse_attr_out a;

			r = fc_getattr(&t.client, 1, &a);
		}
		if (!r)
			printf("ok %.6f %ld\n", now() - t0, count);
	}
	if (r) {
		fprintf(stderr, "proto_bench: %s\n", t.err.msg[0] ? t.err.msg : t.client.why);
		printf("fail %s 0\n", errno_name(-r) ? errno_name(-r) : "?");
	}
	fuse_target_close(&t, 2000, how, sizeof(how));
	rmdir(dir);
	free(sh[2]);
	return r ? 1 : 0;
}
