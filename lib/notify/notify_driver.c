/* notify_driver: a buffer's token is its index plus one (virtq tokens are never NULL). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

#include "notify/fuse_notify_check.h"
#include "notify/notify_driver.h"
#include "util/mono_clock.h"

static int post(struct notify_driver *d, int i)
{
	struct virtq_buf b = { .gpa = d->gpa[i], .len = d->size };
	int r = virtq_add(&d->f->ring[d->f->notification].q, NULL, 0, &b, 1, (void *)(uintptr_t)(i + 1));

	if (r >= 0)
		vu_front_kick(d->f, d->f->notification);
	return r < 0 ? r : 0;
}

static void release(void *ctx, int buf)
{
	post(ctx, buf);
}

int notify_driver_start(struct notify_driver *d, struct vu_front *f, int nbuf, uint32_t size,
			bool hold, int orphan_ms)
{
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->nbuf = nbuf;
	d->size = size;
	d->hold = hold;
	d->orphan_ms = orphan_ms;
	notify_join_init(&d->j, orphan_ms, release, d);
	if (f->notification < 0)
		return -EOPNOTSUPP;
	if (nbuf < 1 || nbuf > NOTIFY_DRIVER_MAX_BUFS || size < VFSKIT_NOTIFY_BUF_MIN)
		return -EINVAL;
	for (int i = 0; i < nbuf; i++) {
		int r = guest_mem_alloc(&f->mem, size, 8, &d->gpa[i]);

		if (!r)
			r = post(d, i);
		if (r)
			return r;
	}
	return 0;
}

/*
 * One used buffer: 1 with a delivery, 0 when it was taken in (a first
 * half). The record is copied out first; the buffer goes back at once,
 * unless the hold driver keeps it for a first half.
 */
static int take(struct notify_driver *d, int i, uint32_t len, struct notify_delivery *out)
{
	struct vfskit_event ev;
	char name[256];
	const char *why;
	int code;
	void *p = guest_mem_ptr(&d->f->mem, d->gpa[i], d->size);
	int r = notify_decode(p, len < d->size ? len : d->size, &ev, name);

	d->received++;
	if (r && !fuse_notify_check(p, len < d->size ? len : d->size, &code, &why)) {
		d->mainline[code]++; /* a kernel's notification, not ours: counted, not joined */
		post(d, i);
		return 0;
	}
	if (r) {
		d->malformed++;
		post(d, i);
		return 0;
	}
	if (!d->hold)
		post(d, i);
	return notify_join_feed(&d->j, &ev, name, d->hold ? i : -1, mono_ms(), out);
}

int notify_driver_next(struct notify_driver *d, int timeout_ms, struct notify_delivery *out)
{
	long long deadline = mono_ms() + timeout_ms;
	struct virtq *q = &d->f->ring[d->f->notification].q;

	for (;;) {
		long long next = deadline;
		uint32_t len;
		void *token;
		int r;

		/* An overflow's waiting halves go before anything that came after it. */
		if (d->j.deferred && notify_join_due(&d->j, mono_ms(), out, &next))
			return 1;
		while ((token = virtq_get_used(q, &len))) {
			r = take(d, (int)((uintptr_t)token - 1), len, out);
			if (r)
				return r;
		}
		if (notify_join_due(&d->j, mono_ms(), out, &next))
			return 1;
		if (mono_ms() >= deadline)
			return 0;
		r = vu_front_wait(d->f, 1u << d->f->notification, (int)(next - mono_ms() > 0 ? next - mono_ms() : 0));
		if (r == -EPIPE)
			return r;
	}
}
