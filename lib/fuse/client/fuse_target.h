/*
 * fuse_target: a FUSE server to send requests to, however it is reached:
 * a vhost-user daemon started here (its command with {socket}/{fd}) or
 * already listening at a path, or vfs-serve's socket mode started here or
 * listening at a path. What vfs-fuse and vfs-scenario share: start or
 * connect, handshake, INIT, and at the end, stop and say how it ended.
 */
#ifndef VFS_FUSE_TARGET_H
#define VFS_FUSE_TARGET_H

#include <stdbool.h>

#include "fuse/client/fuse_client.h"
#include "transport/daemon.h"
#include "transport/vhost_user_front.h"
#include "util/errbuf.h"
#include "util/strbuf.h"

enum fuse_target_kind { FUSE_TARGET_VHOST_USER, FUSE_TARGET_SOCKET };

struct fuse_target {
	enum fuse_target_kind kind;
	struct daemon daemon;
	bool started;             /* a daemon of ours, to stop */
	/* How it was started, for a migration's destination (vhost-user, started here). */
	char *const *argv;
	const char *source, *dir, *log;
	struct vu_front_config vc;
	struct strbuf state;      /* the source's state between save and load */
	bool saved;               /* saved: the rings stopped until the load */
	struct vu_front *front;   /* vhost-user: owned by the transport */
	struct fuse_client client;
	bool connected;
	struct errbuf err;
};

/*
 * Starts @argv (see daemon_start) as a @kind server of @source, output to
 * @log, and connects; or, with @argv NULL, connects to @path. Then the
 * handshake (vhost-user, with @vc) and, unless @no_init, FUSE INIT
 * offering @init (NULL: the running kernel's profile). 0 or -errno with
 * t->err saying what failed.
 */
int fuse_target_open(struct fuse_target *t, enum fuse_target_kind kind, char *const argv[],
		     const char *path, const char *source, const char *dir, const char *log,
		     const struct vu_front_config *vc, const struct fuse_init_profile *init,
		     bool no_init);

/*
 * The first half of a migration: stops the rings and takes the daemon's
 * state (vhost-user device state); the daemon stays, stopped, as a
 * source does until its destination has taken over. 0, -EOPNOTSUPP (it
 * does not offer DEVICE_STATE), or -errno with t->err.
 */
int fuse_target_save(struct fuse_target *t);

/*
 * The second half: the same command started again (the destination), the
 * session's features, the saved state loaded, the rings resumed where
 * they stopped, and the source let go (@how: how it ended); the FUSE
 * session goes on, INIT not sent again. If the destination fails, it is
 * stopped and the source resumes, as a VMM's failed migration leaves it:
 * -errno with t->err saying what failed (and whether the source resumed).
 */
int fuse_target_load(struct fuse_target *t, char *how, size_t len);

/* Hangs up (the daemon sees the front-end go) without stopping the daemon. */
void fuse_target_disconnect(struct fuse_target *t);

/*
 * The daemon restarted: hung up on and waited for (@how: how it ended),
 * then the same command started again, with a new session (handshake,
 * INIT). Its new process knows the guest's nodeids only from what it
 * kept itself. 0, or -errno with t->err (-EINVAL: not a daemon started
 * here; -EALREADY: saved for a migration).
 */
int fuse_target_restart(struct fuse_target *t, int grace_ms, char *how, size_t len);

/*
 * Hangs up, then waits up to @grace_ms for a daemon of ours to end, and
 * kills it if it does not; @how says how it ended ("exit 0", "killed by
 * SIGABRT", or "killed by SIGKILL" when it had to be).
 */
void fuse_target_close(struct fuse_target *t, int grace_ms, char *how, size_t len);

#endif
