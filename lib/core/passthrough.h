/*
 * passthrough: the core every vfskit CLI shares. It owns the inode store,
 * the mount fd table, the fault points, the decision log and the counters,
 * and knows how to reach the host file behind an inode. The designs and
 * their words are in config.h.
 */
#ifndef VFS_PASSTHROUGH_H
#define VFS_PASSTHROUGH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/config.h"
#include "util/errbuf.h"
#include "obs/counters.h"
#include "obs/decision_log.h"
#include "obs/fault.h"
#include "core/inode_store.h"
#include "core/mount_fds.h"
#include "core/open_files.h"

#define PASSTHROUGH_MAX_MOUNTS 256

struct persist;

/*
 * Lock order: mounts_lock, mount_fds.lock and the store lock are never
 * held together; faults, log and counters take their own short locks (or
 * none: counters are atomics).
 */
struct passthrough {
	struct passthrough_config cfg;
	/* Mounts where a handle was made once: they have handles, for good. */
	pthread_mutex_t mounts_lock; /* protects handle_mounts, nhandle_mounts */
	int handle_mounts[PASSTHROUGH_MAX_MOUNTS];
	unsigned nhandle_mounts;
	struct inode_store *store;
	struct inode *root; /* nodeid 1, alive as long as the store */
	struct mount_fds mount_fds;
	struct faults faults;
	struct decision_log log;
	struct counters counters;
	int proc_self_fd;
	struct open_files files;   /* the session's file handles (the FUSE layer's) */
	struct persist *persist;   /* --state, or NULL */
	/*
	 * How a READ's data goes out, when set (vhost-user: read straight into
	 * the guest's buffers, where libfuse would read into a fresh malloc'd
	 * buffer and copy): 1 when it replied, 0 to leave it to libfuse, or
	 * -errno to reply with.
	 */
	int (*read_reply)(void *req, int fd, size_t size, off_t off); /* req: a fuse_req_t */
};


/* Opens SOURCE as the root inode. 0, or -errno with @why saying what failed. */
int passthrough_init(struct passthrough *pt, const struct passthrough_config *cfg,
		     struct errbuf *why);

/*
 * What a sandbox opened before its root changed, for passthrough_init_at
 * to take over (closed by passthrough_release, or here on failure): the
 * log (-1: open cfg->log_path), /proc/self/fd (-1: open it) and the
 * --state file's directory.
 */
struct passthrough_fds {
	int log_fd;
	int proc_self_fd;
	int state_dir_fd;   /* the directory of cfg->state_path (-1: open it) */
};
int passthrough_init_at(struct passthrough *pt, const struct passthrough_config *cfg,
			const struct passthrough_fds *fds, struct errbuf *why);
void passthrough_release(struct passthrough *pt);

/*
 * An O_PATH fd on @inode's file: its own fd if it holds one (*tmp false),
 * else one opened from its handle (*tmp true: close it after use).
 * -ESTALE when the handle no longer opens.
 */
int inode_path_fd(struct passthrough *pt, struct inode *inode, bool *tmp);
/*
 * A new fd on @inode's file opened with @flags (O_CREAT not allowed);
 * -EACCES for anything but a regular file or a directory.
 */
int inode_reopen(struct passthrough *pt, struct inode *inode, int flags);
static inline void inode_path_fd_done(int fd, bool tmp);

/* Records that @mnt_id gave a handle; true if it had not before. */
void passthrough_note_handles(struct passthrough *pt, int mnt_id);
/* True if a handle was ever made on @mnt_id. */
bool passthrough_mount_has_handles(struct passthrough *pt, int mnt_id);


#include <unistd.h>
static inline void inode_path_fd_done(int fd, bool tmp)
{
	if (tmp && fd >= 0)
		close(fd);
}

#endif
