/*
 * creds: act as the guest's caller while creating a file, so that new
 * files, directories, nodes and symlinks belong to the calling uid/gid,
 * and the host's permission checks see the caller's supplementary groups.
 *
 * Like virtiofsd, only the fs ids and groups of the calling thread change,
 * and only around the creating call: a non-zero fsuid drops
 * CAP_DAC_READ_SEARCH, which open_by_handle_at needs, so it must not stay
 * switched.
 */
#ifndef VFS_CREDS_H
#define VFS_CREDS_H

#include <sys/types.h>

#define CREDS_MAX_GROUPS 64

struct creds_saved {
	uid_t uid;
	gid_t gid;
	int switched;
	int ngroups;
	gid_t groups[CREDS_MAX_GROUPS];
};

/*
 * Switches this thread's supplementary groups to @groups (@ngroups of
 * them), then its fsgid and fsuid; a caller with the server's own ids
 * (root creating as root) costs no system call. The process's other
 * threads keep theirs. 0, or -EPERM or -E2BIG (then nothing changed).
 */
int creds_switch(uid_t uid, gid_t gid, const gid_t *groups, int ngroups,
		 struct creds_saved *saved);
void creds_restore(const struct creds_saved *saved);

#endif
