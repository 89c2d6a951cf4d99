/*
 * sandbox: the mount namespace does the heavy lifting of cleaning up;
 * the explicit unmounts here keep one scenario from seeing the last one's
 * mounts within a run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define FUSE_SUPER_MAGIC 0x65735546

#define WORKDIR_PREFIX "/tmp/vfs-scenario."

/*
 * The work directory's tmpfs lives in our private mount namespace and goes
 * with it, however we die; the empty directory under it stays in /tmp.
 * It is named for our pid, so the next run removes those of runners that
 * are gone (a live runner's looks empty from here too, hence the pid).
 */
static void remove_dead_workdirs(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *suffix = e->d_name + strlen(WORKDIR_PREFIX) - 5;
		char path[PATH_MAX], *end;
		long pid;

		if (strncmp(e->d_name, WORKDIR_PREFIX + 5, strlen(WORKDIR_PREFIX) - 5))
			continue;
		pid = strtol(suffix, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
		rmdir(path);
	}
	closedir(d);
}

#define VIRTIOFSD_PIDDIR "/run/virtiofsd"

int sandbox_enter(char *workdir, size_t len)
{
	remove_dead_workdirs();
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	snprintf(workdir, len, WORKDIR_PREFIX "%d", (int)getpid());
	if (mkdir(workdir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount("vfs-scenario", workdir, "tmpfs", 0, "size=512m,mode=755") < 0) {
		int err = -errno;

		rmdir(workdir);
		return err;
	}
	/*
	 * The C virtiofsd with --socket-path writes a pidfile there: on a tmpfs
	 * of this namespace it goes when we go. Best effort: a target that
	 * writes none does not need it.
	 */
	if ((mkdir(VIRTIOFSD_PIDDIR, 0755) == 0 || errno == EEXIST) &&
	    mount("vfs-scenario-run", VIRTIOFSD_PIDDIR, "tmpfs", 0, "size=1m,mode=755") < 0) {
		/* the daemon's own pidfile then stays, as it would without us */
	}
	return 0;
}

void sandbox_leave(const char *workdir)
{
	fixture_teardown(workdir);
}

/*
 * Forks @argv with its output to @errlog, with RLIMIT_NOFILE @nofile if
 * not 0; it dies with us, however we die.
 */
static pid_t spawn(char *const argv[], const char *errlog, long nofile)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		struct rlimit rl = { (rlim_t)nofile, (rlim_t)nofile };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126); /* the runner died before the line above: no signal would come */
		if (nofile && setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(126);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int run_wait(char *const argv[], const char *errlog)
{
	int status;
	pid_t pid = spawn(argv, errlog, 0);

	if (pid < 0)
		return -errno;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int fixture_build(const char *fixtures, const char *name, const char *dir,
		  const char *errlog)
{
	char script[4096];
	char *argv[] = { "/bin/sh", script, (char *)dir, NULL };

	snprintf(script, sizeof(script), "%s/%s.sh", fixtures, name);
	if (access(script, R_OK) < 0)
		return -errno;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return run_wait(argv, errlog);
}

static int by_length_desc(const void *a, const void *b)
{
	return (int)(strlen(*(char *const *)b) - strlen(*(char *const *)a));
}

void fixture_teardown(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *mounts[256], cmd[4200];
	size_t cap = 0, dlen = strlen(dir);
	int n = 0;

	while (f && getline(&line, &cap, f) > 0 && n < 256) {
		char mp[4096];

		/* fields: id parent maj:min root mountpoint ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    !strncmp(mp, dir, dlen) && (mp[dlen] == '/' || !mp[dlen]))
			mounts[n++] = strdup(mp);
	}
	free(line);
	if (f)
		fclose(f);
	qsort(mounts, (size_t)n, sizeof(*mounts), by_length_desc);
	for (int i = 0; i < n; i++) {
		umount2(mounts[i], MNT_DETACH);
		free(mounts[i]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "vfs-scenario: could not remove %s\n", dir);
}

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

	snprintf(sv->mnt, sizeof(sv->mnt), "%s", mnt);
	if (mkdir(mnt, 0755) < 0 && errno != EEXIST)
		return -errno;
	sv->pid = spawn(argv, errlog, nofile);
	if (sv->pid < 0)
		return -errno;
	/* Mounting is the server's own business: wait for its result, bounded. */
	for (int i = 0; i < 1000; i++) {
		if (is_fuse(mnt))
			return 0;
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
		kill(sv->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(sv->pid, &status, WNOHANG) == sv->pid) {
				sv->pid = 0;
				break;
			}
			pause_ms(10);
		}
		if (sv->pid > 0) {
			kill(sv->pid, SIGKILL);
			waitpid(sv->pid, &status, 0);
			sv->pid = 0;
		}
	}
	if (is_fuse(sv->mnt))
		umount2(sv->mnt, MNT_DETACH);
}
