/*
 * notify_sync: Linux 6.7 lets a seccomp supervisor ask that a notification
 * wake it on the CPU the target runs on, and the target be woken the same
 * way when the answer comes: no cross-CPU wake-up, which is most of a
 * notification's cost. Debian 12's headers (6.1) do not have the names.
 */
#ifndef VFS_INJECT_NOTIFY_SYNC_H
#define VFS_INJECT_NOTIFY_SYNC_H

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* 0, or -errno where the kernel refuses (before 6.7): wake-ups are as they were. */
static inline int notify_sync_wake_up(int nfd)
{
	return ioctl(nfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) < 0 ?
		-errno : 0;
}

#endif
