/*
 * control: the control socket server. One thread polls the listening
 * socket and up to CONTROL_MAX_CLIENTS connections, serving them in turn
 * with a reply queue each; a client that sends an over-long line or makes
 * no progress for the idle timeout is dropped, so no client can stall the
 * server or another client.
 */
#ifndef VFS_CONTROL_H
#define VFS_CONTROL_H

#include <pthread.h>

#include "core/passthrough.h"

#define CONTROL_MAX_CLIENTS 16
#define CONTROL_MAX_LINE 4096
#define CONTROL_MAX_REPLY (64 << 20)     /* bytes one reply may queue */
#define CONTROL_IDLE_TIMEOUT_MS 60000    /* default */

struct control {
	struct passthrough *pt;
	char *path;
	int listen_fd;
	int wake[2];
	pthread_t thread;
	bool running;
	int idle_timeout_ms;
};

/*
 * Binds @path (a stale socket there is replaced); the thread starts with
 * control_run, so that a server can change its root in between.
 * @idle_timeout_ms: how long a client may make no progress (0: default).
 * 0, or -errno with @why saying what failed.
 */
int control_listen(struct control *c, struct passthrough *pt, const char *path,
		   int idle_timeout_ms, struct errbuf *why);
int control_run(struct control *c, struct errbuf *why);
/* The socket's path is out of reach (a sandbox): whoever can, removes it. */
void control_forget_path(struct control *c);
/* Stops the thread, closes every connection and removes the socket. */
void control_stop(struct control *c);

#endif
