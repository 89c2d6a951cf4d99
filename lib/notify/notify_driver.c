/* notify_driver: a buffer's token is its index plus one (virtq tokens are never NULL). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

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

int notify_driver_start(struct notify_driver *d, struct vu_front *f, int nbuf, uint32_t size,
			bool hold, int orphan_ms)
{
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->nbuf = nbuf;
	d->size = size;
	d->hold = hold;
	d->orphan_ms = orphan_ms;
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

static void fill(struct notify_delivery *out, const struct vfskit_event *ev, const char *name)
{
	memset(out, 0, sizeof(*out));
	out->mask = ev->mask;
	out->nodeid = ev->nodeid;
	out->generation = ev->generation;
	out->cookie = ev->cookie;
	snprintf(out->name, sizeof(out->name), "%s", name);
}

/* A first half whose time is up: delivered alone, its buffer (held) posted again. */
static bool expired(struct notify_driver *d, struct notify_delivery *out, long long *next)
{
	for (int k = 0; k < NOTIFY_DRIVER_MAX_PENDING; k++) {
		if (!d->pending[k].used)
			continue;
		if (d->pending[k].deadline <= mono_ms()) {
			fill(out, &d->pending[k].ev, d->pending[k].name);
			if (d->pending[k].held >= 0)
				post(d, d->pending[k].held);
			d->pending[k].used = false;
			return true;
		}
		if (d->pending[k].deadline < *next)
			*next = d->pending[k].deadline;
	}
	return false;
}

/* One used buffer: 1 with a delivery, 0 when it was taken in (a first half), -errno. */
static int take(struct notify_driver *d, int i, uint32_t len, struct notify_delivery *out)
{
	struct vfskit_event ev;
	char name[256];
	void *p = guest_mem_ptr(&d->f->mem, d->gpa[i], d->size);
	int r = notify_decode(p, len < d->size ? len : d->size, &ev, name);
	bool keep = false;

	d->received++;
	if (r) {
		d->malformed++;
		post(d, i);
		return 0;
	}
	if (ev.flags & VFSKIT_EV_MULTIPART) {
		for (int k = 0; k < NOTIFY_DRIVER_MAX_PENDING; k++)
			if (!d->pending[k].used) {
				d->pending[k].used = true;
				d->pending[k].ev = ev;
				d->pending[k].ev.flags &= ~VFSKIT_EV_MULTIPART;
				snprintf(d->pending[k].name, sizeof(d->pending[k].name), "%s", name);
				d->pending[k].deadline = mono_ms() + d->orphan_ms;
				d->pending[k].held = d->hold ? i : -1;
				keep = d->hold;
				break;
			}
		if (!keep)
			post(d, i);
		return 0;
	}
	post(d, i);
	if (ev.mask & IN_Q_OVERFLOW)
		for (int k = 0; k < NOTIFY_DRIVER_MAX_PENDING; k++)
			if (d->pending[k].used) {
				/* Lost events: a waiting half's partner may be among them. */
				fill(&d->later, &ev, name);
				d->deferred = true;
				d->pending[k].deadline = 0;
				return expired(d, out, &(long long){ 0 }) ? 1 : 0;
			}
	if (ev.mask & IN_MOVED_TO)
		for (int k = 0; k < NOTIFY_DRIVER_MAX_PENDING; k++)
			if (d->pending[k].used && d->pending[k].ev.cookie == ev.cookie) {
				fill(out, &d->pending[k].ev, d->pending[k].name);
				out->mask |= IN_MOVED_TO;
				out->to_nodeid = ev.nodeid;
				snprintf(out->to_name, sizeof(out->to_name), "%s", name);
				if (d->pending[k].held >= 0)
					post(d, d->pending[k].held);
				d->pending[k].used = false;
				return 1;
			}
	fill(out, &ev, name);
	return 1;
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

		if (d->deferred) {
			bool more = false;

			/* Every half waiting is delivered before the overflow. */
			for (int k = 0; k < NOTIFY_DRIVER_MAX_PENDING; k++)
				if (d->pending[k].used) {
					d->pending[k].deadline = 0;
					more = true;
				}
			if (more && expired(d, out, &next))
				return 1;
			*out = d->later;
			d->deferred = false;
			return 1;
		}
		while ((token = virtq_get_used(q, &len))) {
			r = take(d, (int)((uintptr_t)token - 1), len, out);
			if (r)
				return r;
		}
		if (expired(d, out, &next))
			return 1;
		if (mono_ms() >= deadline)
			return 0;
		r = vu_front_wait(d->f, 1u << d->f->notification, (int)(next - mono_ms() > 0 ? next - mono_ms() : 0));
		if (r == -EPIPE)
			return r;
	}
}

void notify_delivery_text(const struct notify_delivery *e, char *buf, size_t len)
{
	if ((e->mask & IN_MOVED_FROM) && (e->mask & IN_MOVED_TO))
		snprintf(buf, len, "RENAME %llu %s %llu %s", (unsigned long long)e->nodeid, e->name,
			 (unsigned long long)e->to_nodeid, e->to_name);
	else if (e->mask & IN_Q_OVERFLOW)
		snprintf(buf, len, "OVERFLOW %u", e->cookie);
	else if (e->name[0])
		snprintf(buf, len, "%s %llu %s", notify_mask_name(e->mask), (unsigned long long)e->nodeid,
			 e->name);
	else
		snprintf(buf, len, "%s %llu", notify_mask_name(e->mask), (unsigned long long)e->nodeid);
}
