/*
 * proto_bench: GETATTR of the root, COUNT times with INFLIGHT kept in
 * flight, through vfskit's FUSE client (a vhost-user daemon or
 * vfs-serve's socket mode, started from CMD with {fd} and {source}) or
 * through a kernel FUSE mount (INFLIGHT threads doing lstat of the root
 * with attribute timeout 0: one GETATTR each). Prints "ok SECONDS COUNT"
 * or "fail ERRNO 0", like workload. Other operations through the client,
 * INFLIGHT deep (fuse_pipeline): lookup-forget (LOOKUP of f0 and its
 * FORGET), read4k, read128k, write4k, write128k (of f0, opened read-write:
 * it must hold 128 KiB), COUNT times; lookups (LOOKUP of f0..fCOUNT-1, one
 * at a time, then "ok SECONDS COUNT FDS RSS_KB" of the daemon's serving
 * process). QUEUES: the request queues the front-end offers (vhost).
 * "loop" is the front-end alone: requests built, answered in this
 * process from memory (fuse_transport_null) with no ring and no daemon,
 * replies checked; what the client costs per request.
 *
 *   proto_bench vhost|socket 'CMD' SOURCE COUNT INFLIGHT [OP [QUEUES]]
 *   proto_bench loop COUNT INFLIGHT [OP]
 *   proto_bench mount MOUNTPOINT COUNT INFLIGHT
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuse/client/fuse_pipeline.h"
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

/* The process that serves: the deepest first child (the C virtiofsd serves from one). */
static pid_t serving(pid_t pid)
{
	for (int depth = 0; depth < 4; depth++) {
		char path[64];
		FILE *f;
		int child = 0;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
		f = fopen(path, "re");
		if (!f)
			break;
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
		if (child <= 0)
			break;
		pid = child;
	}
	return pid;
}

static void fds_rss(pid_t pid, long *fds, long *rss)
{
	char path[64], line[256];
	DIR *d;
	FILE *f;

	*fds = 0;
	*rss = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d) {
		while (readdir(d))
			(*fds)++;
		closedir(d);
		*fds -= 3; /* ".", "..", and the one opendir holds */
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", rss) == 1)
			break;
	if (f)
		fclose(f);
}

static long done; /* requests answered so far */

/* Sets @p up for @op ("read4k", ...): f0 looked up and opened where it is read or written. */
static int prepare(struct fuse_client *c, const char *op, struct fc_pipe *p)
{
	struct fuse_entry_out e;
	int r;

	memset(p, 0, sizeof(*p));
	p->nodeid = 1;
	p->name = "f0";
	if (!strcmp(op, "getattr"))
		return 0;
	if (!strcmp(op, "lookup-forget")) {
		p->op = FC_PIPE_LOOKUP_FORGET;
		return 0;
	}
	if (!strncmp(op, "read", 4) || !strncmp(op, "write", 5)) {
		const char *sz = op + (op[0] == 'r' ? 4 : 5);

		p->op = op[0] == 'r' ? FC_PIPE_READ : FC_PIPE_WRITE;
		p->size = !strcmp(sz, "4k") ? 4096 : !strcmp(sz, "128k") ? 128u << 10 : 0;
		if (!p->size)
			return -EINVAL;
		r = fc_lookup(c, 1, "f0", &e);
		if (!r)
			r = fc_open(c, e.nodeid, O_RDWR, &p->fh, false);
		p->nodeid = e.nodeid;
		return r;
	}
	return -EINVAL;
}

static int run_op(struct fuse_client *c, const char *op, long count, int inflight)
{
	struct fuse_entry_out e;
	struct fc_pipe p;
	char name[32];
	int r = 0;

	if (!strcmp(op, "lookups")) {
		for (long i = 0; !r && i < count; i++) {
			snprintf(name, sizeof(name), "f%ld", i);
			r = fc_lookup(c, 1, name, &e);
			done += !r;
		}
		return r;
	}
	r = prepare(c, op, &p);
	return r ? r : fc_pipeline(c, &p, inflight, count);
}

static int loop_bench(long count, int inflight, const char *op)
{
	struct fuse_transport *t = fuse_transport_null();
	struct fuse_client c;
	struct fc_pipe p;
	double t0;
	int r;

	if (!t)
		return 1;
	fuse_client_init(&c, t, 5000);
	r = fc_init(&c, 0);
	if (!r)
		r = prepare(&c, op, &p);
	t0 = now();
	if (!r)
		r = fc_pipeline(&c, &p, inflight, count);
	if (r)
		printf("fail %s 0\n", errno_name(-r) ? errno_name(-r) : "?");
	else
		printf("ok %.6f %ld\n", now() - t0, count);
	if (r && c.why[0])
		fprintf(stderr, "proto_bench: %s\n", c.why);
	fuse_client_close(&c);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct vu_front_config vc;
	struct fuse_target t;
	char *sh[] = { "/bin/sh", "-c", NULL, NULL }, how[64], dir[] = "/tmp/proto_bench.XXXXXX";
	long count;
	int inflight, r;
	double t0;

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "loop")) {
		inflight = atoi(argv[3]);
		return loop_bench(atol(argv[2]), inflight < 1 ? 1 : inflight, argc == 5 ? argv[4] : "getattr");
	}
	if (argc == 5 && !strcmp(argv[1], "mount")) {
		inflight = atoi(argv[4]);
		return mount_bench(argv[2], atol(argv[3]), inflight < 1 ? 1 : inflight > 64 ? 64 : inflight);
	}
	if (argc < 6 || argc > 8 || (strcmp(argv[1], "vhost") && strcmp(argv[1], "socket"))) {
		fprintf(stderr, "usage: proto_bench vhost|socket 'CMD' SOURCE COUNT INFLIGHT [OP [QUEUES]]\n"
			"       proto_bench loop COUNT INFLIGHT [OP]\n"
			"       proto_bench mount MOUNTPOINT COUNT INFLIGHT\n");
		return 2;
	}
	count = atol(argv[4]);
	inflight = atoi(argv[5]);
	if (asprintf(&sh[2], "exec %s", argv[2]) < 0 || !mkdtemp(dir))
		return 1;
	vu_front_config_default(&vc);
	if (argc == 8)
		vc.request_queues = atoi(argv[7]);
	r = fuse_target_open(&t, argv[1][0] == 'v' ? FUSE_TARGET_VHOST_USER : FUSE_TARGET_SOCKET,
			     sh, NULL, argv[3], dir, "/dev/null", &vc, NULL, false);
	if (!r) {
		const char *op = argc >= 7 ? argv[6] : "getattr";

		t0 = now();
		r = run_op(&t.client, op, count, inflight);
		if (!strcmp(op, "lookups")) {
			long fds, rss;
			double secs = now() - t0;

			/* A daemon out of fds: how far it got, and what it holds. */
			fds_rss(serving(t.daemon.pid), &fds, &rss);
			if (r)
				printf("fail %s %ld %ld %ld\n", errno_name(-r) ? errno_name(-r) : "?", done,
				       fds, rss);
			else
				printf("ok %.6f %ld %ld %ld\n", secs, count, fds, rss);
			r = r ? 1 : 0;
			goto out;
		} else if (!r) {
			printf("ok %.6f %ld\n", now() - t0, count);
		}
	}
	if (r) {
		fprintf(stderr, "proto_bench: %s\n", t.err.msg[0] ? t.err.msg : t.client.why);
		printf("fail %s 0\n", errno_name(-r) ? errno_name(-r) : "?");
	}
out:
	fuse_target_close(&t, 2000, how, sizeof(how));
	rmdir(dir);
	free(sh[2]);
	return r ? 1 : 0;
}
