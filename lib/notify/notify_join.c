/* notify_join: deadlines are absolute milliseconds on the caller's clock. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>

#include "notify/notify_join.h"

void notify_join_init(struct notify_join *j, int orphan_ms, void (*release)(void *ctx, int buf),
		      void *ctx)
{
	memset(j, 0, sizeof(*j));
	j->orphan_ms = orphan_ms;
	j->release = release;
	j->ctx = ctx;
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

/* Pending @k leaves: its buffer, if it kept one, goes back. */
static void leave(struct notify_join *j, int k)
{
	if (j->pending[k].buf >= 0 && j->release)
		j->release(j->ctx, j->pending[k].buf);
	j->pending[k].used = false;
}

int notify_join_waiting(const struct notify_join *j)
{
	int n = 0;

	for (int k = 0; k < NOTIFY_JOIN_MAX_PENDING; k++)
		n += j->pending[k].used;
	return n;
}

/* The oldest half waiting whose deadline is at or before @now, or -1. */
static int oldest_due(struct notify_join *j, long long now, long long *next)
{
	int best = -1;

	for (int k = 0; k < NOTIFY_JOIN_MAX_PENDING; k++) {
		if (!j->pending[k].used)
			continue;
		if (j->pending[k].deadline <= now) {
			if (best < 0 || j->pending[k].deadline < j->pending[best].deadline)
				best = k;
		} else if (next && j->pending[k].deadline < *next) {
			*next = j->pending[k].deadline;
		}
	}
	return best;
}

int notify_join_due(struct notify_join *j, long long now, struct notify_delivery *out,
		    long long *next)
{
	int k;

	if (j->deferred) {
		/* Every half waiting is delivered before the overflow. */
		for (k = 0; k < NOTIFY_JOIN_MAX_PENDING; k++)
			if (j->pending[k].used)
				j->pending[k].deadline = 0;
		k = oldest_due(j, now, NULL);
		if (k < 0) {
			*out = j->later;
			j->deferred = false;
			return 1;
		}
	} else {
		k = oldest_due(j, now, next);
		if (k < 0)
			return 0;
	}
	fill(out, &j->pending[k].ev, j->pending[k].name);
	j->orphans++;
	leave(j, k);
	return 1;
}

int notify_join_feed(struct notify_join *j, const struct vfskit_event *ev, const char *name,
		     int buf, long long now, struct notify_delivery *out)
{
	if (ev->flags & VFSKIT_EV_MULTIPART) {
		for (int k = 0; k < NOTIFY_JOIN_MAX_PENDING; k++)
			if (!j->pending[k].used) {
				j->pending[k].used = true;
				j->pending[k].ev = *ev;
				j->pending[k].ev.flags &= ~VFSKIT_EV_MULTIPART;
				snprintf(j->pending[k].name, sizeof(j->pending[k].name), "%s", name);
				j->pending[k].deadline = now + j->orphan_ms;
				j->pending[k].buf = buf;
				return 0;
			}
		j->full++;
		fill(out, ev, name); /* alone: a lone MOVED_FROM */
		if (buf >= 0 && j->release)
			j->release(j->ctx, buf);
		return 1;
	}
	if (buf >= 0 && j->release)
		j->release(j->ctx, buf); /* only first halves are ever kept */
	if (ev->mask & IN_Q_OVERFLOW && notify_join_waiting(j)) {
		/* Lost events: a waiting half's partner may be among them. */
		fill(&j->later, ev, name);
		j->deferred = true;
		return notify_join_due(j, now, out, NULL);
	}
	if (ev->mask & IN_MOVED_TO)
		for (int k = 0; k < NOTIFY_JOIN_MAX_PENDING; k++)
			if (j->pending[k].used && j->pending[k].ev.cookie == ev->cookie &&
			    (j->pending[k].ev.mask & IN_MOVED_FROM)) {
				fill(out, &j->pending[k].ev, j->pending[k].name);
				out->mask |= IN_MOVED_TO;
				out->to_nodeid = ev->nodeid;
				snprintf(out->to_name, sizeof(out->to_name), "%s", name);
				j->joined++;
				leave(j, k);
				return 1;
			}
	if (ev->mask & IN_MOVED_TO)
		j->lone_seconds++;
	fill(out, ev, name);
	return 1;
}

void notify_delivery_text(const struct notify_delivery *e, char *buf, size_t len)
{
	const char *dir = e->mask & IN_ISDIR ? ",ISDIR" : "";

	if ((e->mask & IN_MOVED_FROM) && (e->mask & IN_MOVED_TO))
		snprintf(buf, len, "RENAME%s %llu %s %llu %s", dir, (unsigned long long)e->nodeid,
			 e->name, (unsigned long long)e->to_nodeid, e->to_name);
	else if (e->mask & IN_Q_OVERFLOW)
		snprintf(buf, len, "OVERFLOW %u", e->cookie);
	else if (e->name[0])
		snprintf(buf, len, "%s%s %llu %s", notify_mask_name(e->mask), dir,
			 (unsigned long long)e->nodeid, e->name);
	else
		snprintf(buf, len, "%s%s %llu", notify_mask_name(e->mask), dir,
			 (unsigned long long)e->nodeid);
}
