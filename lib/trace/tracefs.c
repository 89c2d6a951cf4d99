/*
 * tracefs: mounts tracefs for this process alone where it is missing. The
 * private namespace is a slave of the system's, so mounts made later (a
 * FUSE mount to trace) still show up in it; ours never leaves it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "trace/tracefs.h"

static int mounted(void)
{
	return access(TRACEFS_DIR "/events/syscalls", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0;
}

int tracefs_ensure(void)
{
	if (mounted())
		return 0;
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("tracefs", TRACEFS_DIR, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return mounted() ? 0 : -ENOENT;
}
