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

#endif
