/*
 * back_thread: a vhost-user back-end answering its front-end from a
 * thread of its own, for the suites that drive both ends in one process.
 */
#ifndef VFS_UNIT_BACK_THREAD_H
#define VFS_UNIT_BACK_THREAD_H

#include <pthread.h>

#include "transport/vhost_user_back.h"

struct back_thread {
	pthread_t t;
	struct vu_back *b;
	volatile int stop;
};

/* Serves @b's messages until back_thread_stop; 0 or -errno. */
int back_thread_start(struct back_thread *bt, struct vu_back *b);
/* Stops serving (within 50 ms) and joins the thread. */
void back_thread_stop(struct back_thread *bt);

#endif
