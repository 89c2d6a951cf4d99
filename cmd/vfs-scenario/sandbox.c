/*
 * sandbox: a mount scenario's server, waited for until its mount is there
 * and taken down with whatever it left mounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture/fuse_abort.h"
#include "transport/daemon.h"
#include "sandbox.h"

#define FUSE_SUPER_MAGIC 0x65735546

static bool is_fuse(const char *mnt)
{
	struct statfs sf;

	return statfs(mnt, &sf) == 0 && sf.f_type == FUSE_SUPER_MAGIC;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int server_start(struct server *sv, char *const argv[], const char *mnt,
		 const char *errlog, long nofile)
{
	int status;

	if (mnt != sv->mnt) /* a restart's is its own */
		snprintf(sv->mnt, sizeof(sv->mnt), "%s", mnt);
	if (mkdir(mnt, 0755) < 0 && errno != EEXIST)
		return -errno;
	sv->pid = fixture_spawn(argv, errlog, nofile);
	if (sv->pid < 0)
		return -errno;
	/* Mounting is the server's own business: wait for its result, bounded. */
	sv->abort_path[0] = '\0';
	for (int i = 0; i < 1000; i++) {
		if (is_fuse(mnt)) {
			if (fuse_abort_path(mnt, sv->abort_path, sizeof(sv->abort_path)))
				sv->abort_path[0] = '\0'; /* then only killing it can end a hang */
			return 0;
		}
		if (waitpid(sv->pid, &status, WNOHANG) == sv->pid) {
			sv->pid = 0;
			return -ECHILD;
		}
		pause_ms(10);
	}
	server_stop(sv);
	return -ETIMEDOUT;
}

void server_stop(struct server *sv)
{
	int status;

	if (sv->pid > 0) {
		kill(-sv->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(sv->pid, &status, WNOHANG) == sv->pid) {
				sv->pid = 0;
				break;
			}
			pause_ms(10);
		}
		if (sv->pid > 0) {
			/* Still here: stuck in a request of its own mount, unless it is ended. */
			if (sv->abort_path[0])
				fuse_abort(sv->abort_path);
			kill(-sv->pid, SIGKILL);
			waitpid(sv->pid, &status, 0);
			sv->pid = 0;
		}
	}
	/* Not is_fuse(): an aborted connection answers statfs with ENOTCONN, and stays mounted. */
	umount2(sv->mnt, MNT_DETACH);
	sv->abort_path[0] = '\0';
}

int server_restart(struct server *sv, char *const argv[], const char *errlog, long nofile,
		   int grace_ms, char *how, size_t len)
{
	struct daemon d = { .pid = sv->pid };

	snprintf(how, len, "not stopped");
	if (sv->pid <= 0)
		return -ESRCH;
	/* Not MNT_DETACH: a mount still in use is the scenario's to close first. */
	if (umount2(sv->mnt, 0) < 0)
		return -errno;
	sv->abort_path[0] = '\0';
	if (!daemon_ended(&d, grace_ms, how, len)) {
		snprintf(how, len, "still running %d ms after its unmount", grace_ms);
		kill(-sv->pid, SIGKILL);
		waitpid(sv->pid, NULL, 0);
		sv->pid = 0;
		return -ETIMEDOUT;
	}
	kill(-sv->pid, SIGKILL); /* its helpers, whatever the leader did */
	sv->pid = 0;
	return server_start(sv, argv, sv->mnt, errlog, nofile);
}
