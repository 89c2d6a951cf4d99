/*
 * sandbox: vfs-serve confined to its shared directory, as the Rust
 * virtiofsd confines itself (--sandbox=namespace|chroot|none):
 *   namespace  new mount, pid and network namespaces: a fresh /proc is
 *              mounted, /proc/self/fd opened, then the shared directory
 *              becomes the root (pivot_root) and the old root is detached;
 *   chroot     chroot(2) into the shared directory, no namespaces: an
 *              absolute path stays inside, but the /proc/self/fd kept for
 *              path-only calls is the host's /proc, and a relative path
 *              that climbs out of it is outside;
 *   none       as started.
 * In both confinements the server is a child: the process that started
 * waits outside, forwards the stop signals and cleans up what only it can
 * still reach (the control socket, a FUSE mount).
 * Either confinement keeps /proc/self/fd as the working directory (the
 * calls that take only a path reach an fd's file as "N") and drops the
 * capabilities the serving does not need (caps.h).
 */
#ifndef VFS_SERVE_SANDBOX_H
#define VFS_SERVE_SANDBOX_H

#include <stdbool.h>

#include "util/errbuf.h"

enum sandbox_mode { SANDBOX_NONE, SANDBOX_CHROOT, SANDBOX_NAMESPACE };

const char *sandbox_mode_name(enum sandbox_mode m);
int sandbox_mode_parse(const char *s, enum sandbox_mode *m);

#define SANDBOX_MAX_FDS 12

/* What the waiting parent undoes once the server ends. */
struct sandbox_leftovers {
	int fds[SANDBOX_MAX_FDS];  /* the server's: closed in the parent at once */
	int nfds;
	const char *unlink[2];     /* sockets the server made and cannot reach */
	const char *unmount;       /* a FUSE mount made before the namespace */
};

/*
 * Enters @mode with @share as the root. Unless @mode is none the calling
 * process forks and never returns: it waits for the server, does
 * @leftovers and exits with the server's status. The server (the caller,
 * in mode none) gets 0 and *@proc_self_fd (-1 in mode none), or -errno
 * with @why set and should exit.
 */
int sandbox_enter(enum sandbox_mode mode, const char *share,
		  const struct sandbox_leftovers *leftovers, int *proc_self_fd,
		  struct errbuf *why);

/*
 * RLIMIT_NOFILE's soft limit raised to @n (0: to the hard limit), as the
 * Rust virtiofsd's --rlimit-nofile. 0 or -errno with @why set.
 */
int sandbox_rlimit_nofile(unsigned long n, struct errbuf *why);

#endif
