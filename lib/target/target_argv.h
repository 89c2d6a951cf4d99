/*
 * target_argv: the command line that starts a target for one run: a
 * mount run (the daemon mounts the source at a mountpoint over /dev/fuse)
 * or a protocol run (the daemon serves a FUSE client with no mount: a
 * vhost-user back-end, or vfs-serve's socket mode), wrapped in vfs-inject
 * exec when faults are to be injected into it.
 */
#ifndef VFS_TARGET_ARGV_H
#define VFS_TARGET_ARGV_H

#include <stdbool.h>

#include "target/target.h"
#include "util/strvec.h"

/* Where the programs are. */
struct target_paths {
	const char *serve;         /* vfs-serve */
	const char *inject;        /* vfs-inject */
	const char *examples;      /* the directory libfuse's examples are built in */
	const char *virtiofsd_c;   /* the C virtiofsd */
	const char *virtiofsd_rs;  /* the Rust virtiofsd (a launcher is fine) */
	const char *server_cmd;    /* --server 'CMD {source} {mountpoint}' */
	const char *vhost_cmd;     /* --vhost-user 'CMD {socket}|{fd} {source}' */
};

/* One run's places and extras. */
struct target_run {
	const char *source, *mnt;  /* mnt: mount runs only */
	const char *ctl, *log;     /* vfs-serve's control socket and decision log */
	const char *dir;           /* the run's directory: {dir} in serve_args */
	char *const *serve_args;   /* more vfs-serve options (ours only), with {dir} */
	int nserve_args;
	char *const *inject;       /* vfs-inject exec --fail specs */
	int ninject;
	const char *inject_log;     /* vfs-inject exec --log FILE, or NULL */
	const char *inject_armed;   /* a spec without armed= of its own gets armed=FILE */
};

/* The daemon's arguments for the option words in force for @t, in table order. */
void target_option_args(const struct target *t, struct strvec *argv);

/*
 * The command that mounts r->source at r->mnt. 0; -ENOENT or -EACCES:
 * its program is not there (not built), and @argv ends with its path;
 * -EINVAL: a target with no mount of its own; -ENOMEM.
 */
int target_mount_argv(const struct target *t, const struct target_paths *p,
		      const struct target_run *r, struct strvec *argv);

/*
 * The command that serves r->source to a FUSE client without a mount,
 * with {fd}, {socket} or {devfuse} left for daemon_start; *@vhost_user:
 * whether it speaks vhost-user (else FUSE over SOCK_SEQPACKET: vfs-serve's
 * socket mode, or a libfuse daemon's /dev/fuse fd). Errors as
 * target_mount_argv.
 */
int target_protocol_argv(const struct target *t, const struct target_paths *p,
			 const struct target_run *r, struct strvec *argv, bool *vhost_user);

#endif
