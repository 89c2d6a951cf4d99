/*
 * confine: steps act below their root (the mount for guest steps, the
 * source for host and server steps) and nowhere else. A path is refused
 * when it is absolute, has a '..' component, or leads out through a
 * symlink; the last is asked of the kernel with openat2(RESOLVE_BENEATH),
 * which resolves the path as the step will. Refusals are kept as a
 * message for the runner: a refused step is the scenario's error, not a
 * result of the server.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest/guest_ops.h"

static char refusal[512];
static bool refused;

const char *path_escapes(const char *path)
{
	if (path[0] == '/')
		return "is absolute";
	for (const char *c = path; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2]))
			return "has a '..' component";
	return NULL;
}

void ops_refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(refusal, sizeof(refusal), fmt, ap);
	va_end(ap);
	refused = true;
}

const char *ops_refusal(void)
{
	if (!refused)
		return NULL;
	refused = false;
	return refusal;
}

int open_beneath(const char *root, const char *path, int flags, mode_t mode)
{
	struct open_how how = { .flags = (unsigned long long)flags | O_CLOEXEC, .mode = mode,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, err;
	char full[PATH_MAX];

	if (rootfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	err = errno;
	close(rootfd);
	if (fd >= 0)
		return fd;
	if (err != ENOSYS)
		return -err;
	/* No openat2 (before Linux 5.6): the lexical check is all there is. */
	snprintf(full, sizeof(full), "%s/%s", root, path);
	fd = open(full, flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

int ops_confine(const char *root, const char *path, bool follow)
{
	const char *why = path_escapes(path), *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	int fd;

	if (why) {
		ops_refuse("path '%s' %s: steps work below %s only", path, why, root);
		return -EXDEV;
	}
	if (!follow && !slash)
		return 0; /* a name in the root itself */
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - path) : 0, path);
	fd = open_beneath(root, follow ? path : parent, O_PATH, 0);
	if (fd == -EXDEV || fd == -ELOOP) {
		ops_refuse("path '%s' leads out of %s (through a symlink)", path, root);
		return -EXDEV;
	}
	if (fd >= 0)
		close(fd);
	return 0; /* missing or unreadable: the step itself will say so */
}
