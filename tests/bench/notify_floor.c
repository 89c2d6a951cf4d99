/*
 * notify_floor: the floor under vfs-inject: the bare cost of a seccomp
 * user-notification round trip on this machine, a supervisor answering
 * each newfstatat with SECCOMP_USER_NOTIF_FLAG_CONTINUE and nothing else.
 *
 * usage: notify_floor sync|plain CALLS PATH
 * prints "ok SECONDS" for CALLS lstat()s of PATH by the supervised child:
 * sync with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set (Linux 6.7), plain
 * without ("refused ERRNO" if the kernel refuses sync).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "obs/notify_sync.h"
#include "util/fd_pass.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int sv[2], res[2], nfd, calls, err;
	double secs = 0;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: notify_floor sync|plain CALLS PATH\n");
		return 2;
	}
	calls = atoi(argv[2]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(res) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		struct stat st;
		double t;

		seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(newfstatat), 0);
		if (seccomp_load(ctx) < 0)
			_exit(1);
		if (fd_pass_send(sv[1], seccomp_notify_fd(ctx)))
			_exit(1);
		t = now();
		for (int i = 0; i < calls; i++)
			lstat(argv[3], &st);
		t = now() - t;
		if (write(res[1], &t, sizeof(t)) != sizeof(t))
			_exit(1);
		_exit(0);
	}
	nfd = fd_pass_recv(sv[0]);
	if (nfd < 0 || seccomp_notify_alloc(&req, &resp) < 0)
		return 1;
	if (!strcmp(argv[1], "sync") && (err = notify_sync_wake_up(nfd))) {
		printf("refused %s\n", strerror(-err));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 0;
	}
	for (int i = 0; i < calls; i++) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(nfd, req) < 0)
			break;
		resp->id = req->id;
		resp->error = 0;
		resp->val = 0;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		seccomp_notify_respond(nfd, resp);
	}
	if (read(res[0], &secs, sizeof(secs)) != sizeof(secs))
		return 1;
	waitpid(pid, NULL, 0);
	printf("ok %.6f\n", secs);
	return 0;
}
