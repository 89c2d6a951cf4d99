/*
 * config: how a passthrough core is set up, and the words for each choice
 * (the same on the command line, in scenario files and in the decision
 * log). Tools that only name designs include this, not the core.
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
#ifndef VFS_CONFIG_H
#define VFS_CONFIG_H

#include <stddef.h>

enum design { DESIGN_IDS_ONLY, DESIGN_V3, DESIGN_FIXED };

/* --inode-file-handles, same words and meaning as the Rust virtiofsd's. */
enum handle_policy { HANDLES_NEVER, HANDLES_PREFER, HANDLES_MANDATORY };

/* Where mount fds come from (see mount_fds.h). */
enum mount_fd_source { MOUNT_FD_FIRST_OPENABLE, MOUNT_FD_MOUNTINFO };

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
	const char *state_path;  /* --state: NULL for none */
};

/* Defaults that follow from the design when the user did not choose. */
void passthrough_config_defaults(struct passthrough_config *cfg);

/* Each *_parse returns 0 or -EINVAL; each *_name "?" for a bad value. */
const char *design_name(enum design d);
int design_parse(const char *s, enum design *d);
const char *handle_policy_name(enum handle_policy p);
int handle_policy_parse(const char *s, enum handle_policy *p);
const char *mount_fd_source_name(enum mount_fd_source s);
int mount_fd_source_parse(const char *s, enum mount_fd_source *out);
const char *no_mount_fd_name(enum no_mount_fd p);
int no_mount_fd_parse(const char *s, enum no_mount_fd *p);

#endif
