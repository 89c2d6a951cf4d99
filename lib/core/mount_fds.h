/*
 * mount_fds: the table of mount fds, keyed by mount id.
 *
 * open_by_handle_at needs an fd on the mount a handle belongs to. Inodes
 * that hold a usable handle hold a reference here; the fd is closed when
 * the last reference goes. Two sources, as in the reference thread:
 *  - first openable: the first regular file or directory looked up on that
 *    mount (the v3 C series); a device node, FIFO or socket is never opened
 *    for this, so a mount whose first inode is one has no mount fd yet;
 *  - mountinfo: the mount's root, found in /proc/self/mountinfo (v4 and
 *    the Rust virtiofsd), checked to really be that mount.
 */
#ifndef VFS_MOUNT_FDS_H
#define VFS_MOUNT_FDS_H

#include <pthread.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/vfs_handle.h"
#include "obs/counters.h"
#include "obs/decision_log.h"
#include "obs/fault.h"


struct mount_fd_entry;

/*
 * lock protects entries; it is held across the open of a new mount fd, so
 * that one mount gets one fd. Lock order: the store lock is never held
 * when it is taken (the store gives references back after unlocking).
 */
struct mount_fds {
	pthread_mutex_t lock;
	struct mount_fd_entry *entries; /* few mounts: a list is enough */
	enum mount_fd_source source;
	struct faults *faults;
	struct decision_log *log;
	struct counters *counters;
	int proc_self_fd; /* /proc/self/fd, to reopen O_PATH fds */
	const char *mountinfo; /* NULL: ../mountinfo beside proc_self_fd; tests point elsewhere */
};

/*
 * @proc_self_fd: /proc/self/fd opened already (a sandbox's, taken over), or
 * -1 to open it here. 0 or -errno.
 */
int mount_fds_init(struct mount_fds *m, enum mount_fd_source source,
		   struct faults *faults, struct decision_log *log,
		   struct counters *counters, int proc_self_fd);
/* Closes every fd; references still held are a bug the caller reports. */
void mount_fds_release(struct mount_fds *m);

/*
 * Takes a reference on the mount fd of @mnt_id, opening one if there is
 * none. @candidate is an O_PATH fd of the inode being looked up and @mode
 * its st_mode (the first-openable source may open it). On success fills
 * @ref, valid until mount_fds_put. -ENXIO: no openable candidate yet;
 * otherwise the open's -errno (fault point mount_fd_open).
 */
int mount_fds_get(struct mount_fds *m, int mnt_id, int candidate, mode_t mode,
		  struct mount_ref *ref);
/* Drops @ref (nothing if ref->fd is -1) and sets ref->fd to -1. */
void mount_fds_put(struct mount_fds *m, struct mount_ref *ref);

/* Number of references held on @mnt_id's fd, 0 if none is open. */
unsigned mount_fds_refs(struct mount_fds *m, int mnt_id);
/* Number of mount fds open. */
unsigned mount_fds_count(struct mount_fds *m);


#endif
