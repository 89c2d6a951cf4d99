/*
 * notify_send: the overflow record goes first, into any buffer; what an
 * event needs beyond that is what its policy says. Records are built in a
 * buffer of the largest size and copied into the queue's.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/inotify.h>

#include "notify/notify_send.h"

void notify_sender_init(struct notify_sender *s, enum notify_policy p, const struct notify_sink *k)
{
	memset(s, 0, sizeof(*s));
	s->policy = p;
	s->sink = *k;
}

static int put(struct notify_sender *s, const struct vfskit_event *ev, const char *name)
{
	char rec[VFSKIT_EVENT_MAX];
	size_t n = notify_encode(rec, sizeof(rec) < s->sink.buf_size ? sizeof(rec) : s->sink.buf_size,
				 ev, name);

	if (!n)
		return -EMSGSIZE;
	return s->sink.put(s->sink.q, rec, n);
}

/* Reports what was lost, if anything; then whether @need more buffers are there. */
static bool room(struct notify_sender *s, int need)
{
	if (s->lost) {
		struct vfskit_event o = { .mask = IN_Q_OVERFLOW,
					  .cookie = (uint32_t)(s->lost > UINT32_MAX ? UINT32_MAX : s->lost) };

		if (s->sink.available(s->sink.q) < 1 || put(s, &o, ""))
			return false;
		s->lost = 0;
		s->overflows++;
	}
	return s->sink.available(s->sink.q) >= need;
}

void notify_flush(struct notify_sender *s)
{
	room(s, 0);
}

int notify_send_one(struct notify_sender *s, const struct vfskit_event *ev, const char *name)
{
	/* reserve: the last buffer waits for a rename's second half. */
	if (!room(s, s->policy == NOTIFY_RESERVE ? 2 : 1) || put(s, ev, name)) {
		s->lost++;
		return -ENOBUFS;
	}
	s->sent++;
	return 0;
}

int notify_send_rename(struct notify_sender *s, const struct vfskit_event *from, const char *fname,
		       const struct vfskit_event *to, const char *tname)
{
	struct vfskit_event first = *from;

	first.flags |= VFSKIT_EV_MULTIPART;
	if (s->policy == NOTIFY_SPLIT) {
		/*
		 * Each half on its own; a second half without a buffer is lost and
		 * counted. Where each goes is decided from the buffers there when
		 * the rename is taken, not from a driver racing to post more.
		 */
		int have = room(s, 0) ? s->sink.available(s->sink.q) : 0;
		int a = have >= 1 && !put(s, &first, fname) ? 0 : -ENOBUFS;
		int b = have >= 2 && !put(s, to, tname) ? 0 : -ENOBUFS;

		s->sent += !a + !b;
		s->lost += !!a + !!b;
		return a || b ? -ENOBUFS : 0;
	}
	if (!room(s, 2) || put(s, &first, fname)) {
		s->lost += 2;
		return -ENOBUFS;
	}
	if (put(s, to, tname)) { /* two were there: only a queue torn down fails here */
		s->lost++;
		return -ENOBUFS;
	}
	s->sent += 2;
	return 0;
}
