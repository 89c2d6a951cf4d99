/* kept_queue: see kept_queue.h. */
#include <errno.h>
#include <string.h>

#include "kept_queue.h"

static int kept_available(void *q)
{
	return ((struct kept_queue *)q)->avail;
}

static int kept_put(void *q, const void *rec, size_t len)
{
	struct kept_queue *k = q;

	if (!k->avail || k->n == KEPT_MAX || notify_decode(rec, len, &k->ev[k->n], k->name[k->n]))
		return -ENOBUFS;
	k->avail--;
	k->n++;
	return 0;
}

struct notify_sink kept_queue_sink(struct kept_queue *k, int avail)
{
	memset(k, 0, sizeof(*k));
	k->avail = avail;
	return (struct notify_sink){ kept_available, kept_put, VFSKIT_NOTIFY_BUF_MIN, k };
}
