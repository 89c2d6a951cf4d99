/*
 * creds: setfsuid/setfsgid act on the calling thread only (glibc does not
 * broadcast them to other threads, unlike setuid), and report no error;
 * a second call reads back what took effect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "creds.h"

int creds_switch(uid_t uid, gid_t gid, struct creds_saved *saved)
{
	/* Threads run with the process's fs ids between requests. */
	saved->switched = uid != geteuid() || gid != getegid();
	if (!saved->switched)
		return 0;
	saved->gid = (gid_t)setfsgid(gid);
	if ((gid_t)setfsgid(gid) != gid) {
		setfsgid(saved->gid);
		return -EPERM;
	}
	saved->uid = (uid_t)setfsuid(uid);
	if ((uid_t)setfsuid(uid) != uid) {
		setfsuid(saved->uid);
		setfsgid(saved->gid);
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
}
