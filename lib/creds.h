/*
 * creds: act as the guest's caller while creating a file, so that new
 * files, directories, nodes and symlinks belong to the calling uid/gid.
 *
 * Like virtiofsd, only the fs ids of the calling thread change, and only
 * around the creating call: a non-zero fsuid drops CAP_DAC_READ_SEARCH,
 * which open_by_handle_at needs, so it must not stay switched.
 */
#ifndef VFS_CREDS_H
#define VFS_CREDS_H

#include <sys/types.h>

struct creds_saved {
	uid_t uid;
	gid_t gid;
	int switched;
};

/*
 * Switches this thread's fsuid/fsgid; a caller with the server's own ids
 * (root creating as root) costs no system call. 0 or -EPERM (then nothing
 * changed).
 */
int creds_switch(uid_t uid, gid_t gid, struct creds_saved *saved);
void creds_restore(const struct creds_saved *saved);

#endif
