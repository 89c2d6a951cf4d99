/*
 * control: the control socket server. One thread polls the listening
 * socket and up to CONTROL_MAX_CLIENTS connections; a client that sends an
 * over-long line or stops reading its replies is dropped, so no client can
 * stall the server or another client.
 */
#ifndef VFS_CONTROL_H
#define VFS_CONTROL_H

#include <pthread.h>

#include "passthrough.h"

#define CONTROL_MAX_CLIENTS 16
#define CONTROL_MAX_LINE 4096

struct control {
	struct passthrough *pt;
	char *path;
	int listen_fd;
	int wake[2];
	pthread_t thread;
	bool running;
};

/* Binds @path (a stale socket there is replaced) and starts the thread. */
int control_start(struct control *c, struct passthrough *pt, const char *path);
/* Stops the thread, closes every connection and removes the socket. */
void control_stop(struct control *c);

#endif
