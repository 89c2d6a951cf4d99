/*
 * sandbox: the server under test of a mount scenario, started with
 * PR_SET_PDEATHSIG so that it never outlives the runner, and its mount
 * (the work directory and fixtures: fixture/workdir.h).
 */
#ifndef VFS_SCENARIO_SANDBOX_H
#define VFS_SCENARIO_SANDBOX_H

#include <sys/types.h>

#include "fixture/workdir.h"

struct server {
	pid_t pid;           /* and its process group */
	char mnt[4096];
	char abort_path[96]; /* its connection's fusectl abort file, or "" */
};

/*
 * Starts @argv (stdout and stderr to @errlog) and waits until @mnt is a
 * FUSE mount; -ETIMEDOUT, or -ECHILD if the server exited first. @nofile:
 * its RLIMIT_NOFILE (0: as it is).
 */
int server_start(struct server *sv, char *const argv[], const char *mnt, const char *errlog,
		 long nofile);
/* SIGTERM, then SIGKILL after 5 s, to its process group; unmounts whatever is left. */
void server_stop(struct server *sv);

/*
 * A restart as an administrator makes one: the mount unmounted (the
 * kernel ends the FUSE session, the daemon returns from its loop), the
 * daemon waited for up to @grace_ms (@how: "exit 0", "killed by
 * SIGSEGV"), then @argv started again and its new mount waited for. 0;
 * -EBUSY: the mount is in use (an fd in it), nothing was done;
 * -ETIMEDOUT: the daemon did not end after its unmount (then it is
 * killed); else server_start's errors for the new one.
 */
int server_restart(struct server *sv, char *const argv[], const char *errlog, long nofile,
		   int grace_ms, char *how, size_t len);

#endif
