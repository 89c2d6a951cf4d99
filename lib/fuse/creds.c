/*
 * creds: setfsuid/setfsgid act on the calling thread only and report no
 * error (a second call reads back what took effect). glibc's setgroups()
 * changes every thread of the process, so the groups are set with the raw
 * system call, which the kernel applies to the calling thread alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuse/creds.h"

static int thread_setgroups(int n, const gid_t *groups)
{
	return syscall(SYS_setgroups, (size_t)n, groups) < 0 ? -errno : 0;
}

int creds_switch(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
		 struct creds_saved *saved)
{
	int err;

	/* Threads run with the process's ids and groups between requests. */
	saved->switched = uid != geteuid() || gid != getegid();
	if (!saved->switched)
		return 0;
	if (ngroups < 0 || ngroups > CREDS_MAX_GROUPS)
		return -E2BIG;
	saved->ngroups = getgroups(CREDS_MAX_GROUPS, saved->groups);
	if (saved->ngroups < 0)
		return -E2BIG;
	err = thread_setgroups(ngroups, groups);
	if (err)
		return err;
	saved->gid = (gid_t)setfsgid(gid);
	if ((gid_t)setfsgid(gid) != gid) {
		setfsgid(saved->gid);
		thread_setgroups(saved->ngroups, saved->groups);
		return -EPERM;
	}
	saved->uid = (uid_t)setfsuid(uid);
	if ((uid_t)setfsuid(uid) != uid) {
		setfsuid(saved->uid);
		setfsgid(saved->gid);
		thread_setgroups(saved->ngroups, saved->groups);
		return -EPERM;
	}
	return 0;
}

void creds_restore(const struct creds_saved *saved)
{
	if (!saved->switched)
		return;
	setfsuid(saved->uid);
	setfsgid(saved->gid);
	thread_setgroups(saved->ngroups, saved->groups);
}
