/*
 * passthrough: the core every vfskit CLI shares. It owns the inode store,
 * the mount fd table, the fault points, the decision log and the counters,
 * and knows how to reach the host file behind an inode.
 *
 * The design switch picks one of the three designs of the reference thread
 * (virtiofsd "inodes_by_handle" review, Aug 2021), so that a scenario can
 * show a bug and its fix side by side:
 *   ids-only  keys every inode by (st_dev, st_ino, mnt_id), also inodes that
 *             hold a handle and no fd: an unlinked file's inode number is
 *             reused and the new file is served by the old inode (ID reuse);
 *   v3        the v3 patch: by handle, then by ids with an ids hit that has
 *             no O_PATH fd rejected; any handle failure falls back to an
 *             O_PATH fd: one file can get two inodes (duplicate inodes);
 *   fixed     lookups use lookup-only handles that need no mount fd, so
 *             only a filesystem without handles falls back to O_PATH, and
 *             one file has at most one live inode.
 */
#ifndef VFS_PASSTHROUGH_H
#define VFS_PASSTHROUGH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "obs/counters.h"
#include "obs/decision_log.h"
#include "obs/fault.h"
#include "core/inode_store.h"
#include "core/mount_fds.h"

enum design { DESIGN_IDS_ONLY, DESIGN_V3, DESIGN_FIXED };

/* --inode-file-handles, same words and meaning as the Rust virtiofsd's. */
enum handle_policy { HANDLES_NEVER, HANDLES_PREFER, HANDLES_MANDATORY };

/* What a lookup does when no mount fd can be had for a new handle. */
enum no_mount_fd {
	NO_MOUNT_FD_FAIL,        /* the lookup fails with EIO */
	NO_MOUNT_FD_OPATH,       /* the inode holds an O_PATH fd instead */
	NO_MOUNT_FD_LOOKUP_ONLY, /* keep the handle; retry the mount fd on use */
};

struct passthrough_config {
	const char *source;
	enum design design;
	enum handle_policy handles;
	enum mount_fd_source mount_fd_source;
	enum no_mount_fd no_mount_fd;
	size_t retired_max;
	double entry_timeout, attr_timeout;
	const char *log_path;
};

#define PASSTHROUGH_MAX_MOUNTS 256

struct passthrough {
	struct passthrough_config cfg;
	/* Mounts where a handle was made once: they have handles, for good. */
	pthread_mutex_t mounts_lock;
	int handle_mounts[PASSTHROUGH_MAX_MOUNTS];
	unsigned nhandle_mounts;
	struct inode_store store;
	struct inode *root; /* nodeid 1, alive as long as the store */
	struct mount_fds mount_fds;
	struct faults faults;
	struct decision_log log;
	struct counters counters;
	int proc_self_fd;
};

/* Defaults that follow from the design when the user did not choose. */
void passthrough_config_defaults(struct passthrough_config *cfg);

/* Opens SOURCE as the root inode. 0 or -errno (with a message on stderr). */
int passthrough_init(struct passthrough *pt, const struct passthrough_config *cfg);
void passthrough_release(struct passthrough *pt);

/*
 * An O_PATH fd on @inode's file: its own fd if it holds one (*tmp false),
 * else one opened from its handle (*tmp true: close it after use).
 * -ESTALE when the handle no longer opens.
 */
int inode_path_fd(struct passthrough *pt, struct inode *inode, bool *tmp);
/* A new fd on @inode's file opened with @flags (O_CREAT not allowed). */
int inode_reopen(struct passthrough *pt, struct inode *inode, int flags);
static inline void inode_path_fd_done(int fd, bool tmp);

/* Records that @mnt_id gave a handle; true if it had not before. */
void passthrough_note_handles(struct passthrough *pt, int mnt_id);
/* True if a handle was ever made on @mnt_id. */
bool passthrough_mount_has_handles(struct passthrough *pt, int mnt_id);

const char *design_name(enum design d);
int design_parse(const char *s, enum design *d);
const char *handle_policy_name(enum handle_policy p);
int handle_policy_parse(const char *s, enum handle_policy *p);
const char *no_mount_fd_name(enum no_mount_fd p);
int no_mount_fd_parse(const char *s, enum no_mount_fd *p);

#include <unistd.h>
static inline void inode_path_fd_done(int fd, bool tmp)
{
	if (tmp && fd >= 0)
		close(fd);
}

#endif
