/*
 * sandbox: where scenarios run. A private mount namespace and a tmpfs work
 * directory, fixtures built by fixtures/NAME.sh, and the server under test
 * started with PR_SET_PDEATHSIG, so that nothing outlives the runner: not
 * a mount, not a loop device (attached with autoclear), not a process,
 * even if the runner is killed.
 */
#ifndef VFS_SCENARIO_SANDBOX_H
#define VFS_SCENARIO_SANDBOX_H

#include <sys/types.h>

/* Enters a private mount namespace and mounts a tmpfs work dir. */
int sandbox_enter(char *workdir, size_t len);
void sandbox_leave(const char *workdir);

/* Runs @fixtures/@name.sh on @dir; its stderr goes to @errlog. */
int fixture_build(const char *fixtures, const char *name, const char *dir,
		  const char *errlog);
/* Unmounts everything below @dir (deepest first) and removes it. */
void fixture_teardown(const char *dir);

struct server {
	pid_t pid;
	char mnt[4096];
};

/*
 * Starts @argv (stdout and stderr to @errlog) and waits until @mnt is a
 * FUSE mount; -ETIMEDOUT, or -ECHILD if the server exited first. @nofile:
 * its RLIMIT_NOFILE (0: as it is).
 */
int server_start(struct server *sv, char *const argv[], const char *mnt, const char *errlog,
		 long nofile);
/* SIGTERM, then SIGKILL after 5 s; unmounts whatever is left. */
void server_stop(struct server *sv);

#endif
