/* proc_tree: one pass over /proc for parents, then each descendant's fds. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"
#include "util/proc_tree.h"

struct proc_link {
	pid_t pid, ppid;
};

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	pid_t ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* comm may hold blanks and ')': the fields after the last ')' are fixed. */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* Whether @pid holds /dev/fuse or a unix socket. */
static bool holds_serving_fd(pid_t pid)
{
	char path[64], fd[320], target[128];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(fd, sizeof(fd), "%s/%s", path, e->d_name);
		n = readlink(fd, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		found = !strcmp(target, "/dev/fuse") || !strncmp(target, "socket:", 7);
	}
	closedir(d);
	return found;
}

/* How many steps @pid is below @top in @links, or -1 when it is not. */
static int depth_below(const struct proc_link *links, size_t n, pid_t pid, pid_t top)
{
	for (int depth = 0; depth < 64; depth++) {
		pid_t up = -1;

		if (pid == top)
			return depth;
		for (size_t i = 0; i < n && up < 0; i++)
			if (links[i].pid == pid)
				up = links[i].ppid;
		if (up <= 0)
			return -1;
		pid = up;
	}
	return -1;
}

pid_t proc_tree_server(pid_t pid)
{
	struct proc_link *links = NULL;
	size_t n = 0, alloc = 0;
	pid_t best = pid;
	int best_depth = -1;
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t p = (pid_t)atoi(e->d_name);

		if (p <= 0)
			continue;
		if (ARRAY_GROW(links, n + 1, alloc)) {
			closedir(d);
			free(links);
			return -ENOMEM;
		}
		links[n].pid = p;
		links[n].ppid = parent_of(p);
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		int depth = depth_below(links, n, links[i].pid, pid);

		if (depth > best_depth && holds_serving_fd(links[i].pid)) {
			best = links[i].pid;
			best_depth = depth;
		}
	}
	free(links);
	return best;
}

long proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}
