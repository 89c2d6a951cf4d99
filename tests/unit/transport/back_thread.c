/* back_thread: see back_thread.h. */
#include <errno.h>

#include "back_thread.h"

static void *serve(void *arg)
{
	struct back_thread *bt = arg;

	while (!bt->stop) {
		int r = vu_back_handle(bt->b, 50);

		if (r == -EPIPE || r == -EPROTO)
			break;
	}
	return NULL;
}

int back_thread_start(struct back_thread *bt, struct vu_back *b)
{
	bt->b = b;
	bt->stop = 0;
	return -pthread_create(&bt->t, NULL, serve, bt);
}

void back_thread_stop(struct back_thread *bt)
{
	bt->stop = 1;
	pthread_join(bt->t, NULL);
}
