/*
 * daemon: a vhost-user back-end's lifetime, one per run. It is started
 * from a command line with the socket it serves substituted in ({socket}:
 * a path it creates and listens on; {fd}: a listening socket it inherits,
 * as fd 3), its output kept in a log, in a process group of its own that
 * dies with the caller; its end is noticed and said in words ("exit 1",
 * "killed by SIGABRT").
 */
#ifndef VFS_DAEMON_H
#define VFS_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/errbuf.h"

struct daemon {
	pid_t pid;
	bool reaped;
	int status;           /* as waitpid gives it, once reaped */
	/*
	 * It serves a /dev/fuse fd of ours ({devfuse}): its session ends in
	 * EOF, which libfuse calls a short read (exit 1), not in the ENODEV of
	 * an unmount; only a death by a signal says something of it then.
	 */
	bool devfuse;
};

/*
 * Starts @argv (each word with {socket}, {fd}, {source}, {devfuse} and
 * {dir} (@dir) replaced; {socket} is @dir/vhost-user.sock, {fd} is 3, a listening
 * socket of @socktype it inherits) and connects to it. {devfuse} is
 * /dev/fd/3, one end of a connected SOCK_SEQPACKET pair, for a libfuse
 * daemon to take in place of a mountpoint: it then reads requests from
 * it as from /dev/fuse; the other end is returned. The connected socket, or
 * -errno with @e saying why (the daemon ended first: its status;
 * -ETIMEDOUT: no socket after @timeout_ms).
 */
int daemon_start(struct daemon *d, char *const argv[], int socktype, const char *source,
		 const char *dir, const char *log, int timeout_ms, struct errbuf *e);

/*
 * Starts @argv as daemon_start does, on the listening socket @listen_fd
 * ({fd}: it becomes fd 3; not closed here) or with {socket} replaced by
 * @socket, without connecting: for a daemon another program (QEMU)
 * connects to. 0 or -errno with @e.
 */
int daemon_spawn(struct daemon *d, char *const argv[], int listen_fd, const char *socket,
		 const char *source, const char *log, struct errbuf *e);

/*
 * The RLIMIT_NOFILE (soft and hard) of the daemons started from now on,
 * set in each child before it runs: a scenario's "limit nofile=N". 0: the
 * runner's own.
 */
void daemon_nofile(long n);

/*
 * Whether the daemon has ended, waiting at most @wait_ms for it (0: just
 * look). 1 with @desc ("exit 0", "killed by SIGSEGV"), or 0 with "running".
 */
int daemon_ended(struct daemon *d, int wait_ms, char *desc, size_t len);

/* Ends it: SIGTERM to its group, SIGKILL after @grace_ms, reaped. */
void daemon_stop(struct daemon *d, int grace_ms);

#endif
