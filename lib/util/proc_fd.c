/* proc_fd: the magic links of /proc/self/fd follow the fd, not a name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/proc_fd.h"

/* Set once, before any thread that uses the paths exists. */
static bool paths_relative;

void proc_fd_paths_relative(void)
{
	paths_relative = true;
}

int proc_fd_dir_open(void)
{
	int fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

const char *proc_fd_name(int fd, char buf[PROC_FD_NAME_MAX])
{
	snprintf(buf, PROC_FD_NAME_MAX, "%d", fd);
	return buf;
}

const char *proc_fd_path(int fd, char buf[PROC_FD_PATH_MAX])
{
	snprintf(buf, PROC_FD_PATH_MAX, "%s%d", paths_relative ? "" : "/proc/self/fd/", fd);
	return buf;
}

int proc_fd_reopen(int dir, int fd, int flags)
{
	char buf[PROC_FD_PATH_MAX];
	int r = dir >= 0 ? openat(dir, proc_fd_name(fd, buf), flags | O_CLOEXEC)
			 : open(proc_fd_path(fd, buf), flags | O_CLOEXEC);

	return r < 0 ? -errno : r;
}
