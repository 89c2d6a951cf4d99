/* cache_lock: the kernel's caches shared between cells (cache_lock.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cache_lock.h"
#include "cell.h"

/* Machine-wide, as the caches are: every run on the machine takes the same one. */
static const char *const lock_paths[] = { "/run/lock/vfskit-caches.lock",
					  "/tmp/vfskit-caches.lock" };

bool scenario_drops_caches(const struct scenario *s)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].op && !strcmp(s->steps[i].op->name, "drop-caches"))
			return true;
	return false;
}

int cache_lock_take(const struct scenario *s, bool host_mount)
{
	int fd = -1, how = scenario_drops_caches(s) ? LOCK_EX : LOCK_SH;

	if (!host_mount)
		return -1;
	for (size_t i = 0; fd < 0 && i < sizeof(lock_paths) / sizeof(lock_paths[0]); i++)
		fd = open(lock_paths[i], O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1; /* no lock to be had: run, as before the lock */
	while (flock(fd, how) && errno == EINTR && !cell_stopped())
		;
	return fd;
}

void cache_lock_release(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with the last fd of its open file */
}
