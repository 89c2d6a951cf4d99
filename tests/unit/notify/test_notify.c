/*
 * notify: our numbers are none that mainline FUSE or the known
 * out-of-tree series use; records round-trip and lying ones are refused;
 * each rename policy decides as documented, against a queue of buffers
 * that only counts and keeps what it is given (the thing under test is
 * the policy, not the virtqueue: t78 runs the real one).
 */
#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <linux/fuse.h>

#include "notify/notify_send.h"
#include "util/fanotify_walk.h"
#include "../unit.h"
#include "kept_queue.h"

START_TEST(numbers_are_our_own)
{
	/* virtio-fs-2026-notes.md, section 2: notify codes and opcodes taken. */
	static const int taken_notify[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99, 100, 101 };
	static const int taken_ops_max = 55;

	for (size_t i = 0; i < sizeof(taken_notify) / sizeof(taken_notify[0]); i++)
		ck_assert_int_ne(VFSKIT_NOTIFY_EVENT, taken_notify[i]);
	ck_assert_int_gt(VFSKIT_OP_WATCH, taken_ops_max);
	ck_assert_int_ne(VFSKIT_OP_WATCH, CUSE_INIT);
	ck_assert_int_ne(VFSKIT_OP_UNWATCH, CUSE_INIT);
	ck_assert_int_gt(VFSKIT_OP_WATCH, FUSE_COPY_FILE_RANGE); /* the header's newest */
}
END_TEST

START_TEST(words_round_trip)
{
	static const char *const policies[] = { "split", "atomic", "reserve" };
	static const char *const backends[] = { "auto", "fanotify", "inotify", "fanotify-fs" };
	enum notify_policy p;
	enum notify_backend b;

	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(notify_policy_parse(policies[i], &p), 0);
		ck_assert_str_eq(notify_policy_name(p), policies[i]);
	}
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(notify_backend_parse(backends[i], &b), 0);
		ck_assert_str_eq(notify_backend_name(b), backends[i]);
	}
	ck_assert_int_eq(notify_policy_parse("lazy", &p), -EINVAL);
	ck_assert_int_eq(notify_backend_parse("dnotify", &b), -EINVAL);
	ck_assert_str_eq(notify_mask_name(IN_MOVED_FROM), "MOVED_FROM");
	ck_assert_str_eq(notify_mask_name(IN_CREATE), "CREATE");
	ck_assert_str_eq(notify_mask_name(IN_Q_OVERFLOW), "OVERFLOW");
	ck_assert_str_eq(notify_mask_name(0), "?");
	ck_assert_str_eq(notify_mask_name(IN_ACCESS), "?"); /* not a bit a record carries */
}
END_TEST

START_TEST(records_round_trip_and_lies_are_refused)
{
	struct vfskit_event ev = { .mask = IN_MOVED_FROM, .nodeid = 7, .generation = 9, .cookie = 3,
				   .flags = VFSKIT_EV_MULTIPART }, got;
	char buf[VFSKIT_EVENT_MAX], name[256], big[300];
	size_t n = notify_encode(buf, sizeof(buf), &ev, "a b");
	struct fuse_out_header *o = (void *)buf;

	ck_assert_uint_eq(n, 16 + sizeof(ev) + 3);
	ck_assert_int_eq(o->unique, 0);
	ck_assert_int_eq(o->error, VFSKIT_NOTIFY_EVENT);
	ck_assert_int_eq(notify_decode(buf, n, &got, name), 0);
	ck_assert_str_eq(name, "a b");
	ck_assert_uint_eq(got.nodeid, 7);
	ck_assert_uint_eq(got.cookie, 3);
	ck_assert_uint_eq(got.flags, VFSKIT_EV_MULTIPART);
	ck_assert_int_eq(notify_decode(buf, n - 1, &got, name), -EPROTO); /* truncated */
	o->len += 1;
	ck_assert_int_eq(notify_decode(buf, n, &got, name), -EPROTO); /* a length that lies */
	memset(big, 'x', 255);
	big[255] = '\0';
	ck_assert_uint_eq(notify_encode(buf, sizeof(buf), &ev, big), VFSKIT_EVENT_MAX);
	big[255] = 'x';
	big[256] = '\0';
	ck_assert_uint_eq(notify_encode(buf, sizeof(buf), &ev, big), 0); /* past NAME_MAX */
	ck_assert_uint_eq(notify_encode(buf, 20, &ev, "a"), 0);          /* a buffer too small */
}
END_TEST

static struct kept_queue fq;

static void sender(struct notify_sender *s, enum notify_policy p, int avail)
{
	struct notify_sink k = kept_queue_sink(&fq, avail);

	notify_sender_init(s, p, &k);
}

START_TEST(policies_decide_as_documented)
{
	struct vfskit_event from = { .mask = IN_MOVED_FROM, .nodeid = 1, .cookie = 5 },
			    to = { .mask = IN_MOVED_TO, .nodeid = 1, .cookie = 5 },
			    one = { .mask = IN_CREATE, .nodeid = 1 };
	struct notify_sender s;

	/* split, one buffer: the first half goes, marked; the second is lost, then reported. */
	sender(&s, NOTIFY_SPLIT, 1);
	ck_assert_int_eq(notify_send_rename(&s, &from, "a", &to, "b"), -ENOBUFS);
	ck_assert_int_eq(fq.n, 1);
	ck_assert_uint_eq(fq.ev[0].flags & VFSKIT_EV_MULTIPART, VFSKIT_EV_MULTIPART);
	ck_assert_uint_eq(s.lost, 1);
	fq.avail = 1;
	notify_flush(&s);
	ck_assert_int_eq(fq.n, 2);
	ck_assert_uint_eq(fq.ev[1].mask, IN_Q_OVERFLOW);
	ck_assert_uint_eq(fq.ev[1].cookie, 1);
	/* atomic, one buffer: neither half; both counted. Two: both, in order. */
	sender(&s, NOTIFY_ATOMIC, 1);
	ck_assert_int_eq(notify_send_rename(&s, &from, "a", &to, "b"), -ENOBUFS);
	ck_assert_int_eq(fq.n, 0);
	ck_assert_uint_eq(s.lost, 2);
	fq.avail = 3;
	ck_assert_int_eq(notify_send_rename(&s, &from, "a", &to, "b"), 0);
	ck_assert_int_eq(fq.n, 3); /* the overflow record first, then the pair */
	ck_assert_uint_eq(fq.ev[0].mask, IN_Q_OVERFLOW);
	ck_assert_uint_eq(fq.ev[0].cookie, 2);
	ck_assert_str_eq(fq.name[1], "a");
	ck_assert_str_eq(fq.name[2], "b");
	/* reserve: a single event never takes the last buffer. */
	sender(&s, NOTIFY_RESERVE, 1);
	ck_assert_int_eq(notify_send_one(&s, &one, "c"), -ENOBUFS);
	ck_assert_int_eq(fq.n, 0);
	fq.avail = 2;
	ck_assert_int_eq(notify_send_one(&s, &one, "c"), -ENOBUFS); /* the overflow took one */
	ck_assert_int_eq(fq.n, 1);
	fq.avail = 3; /* the overflow again, then the event, one kept back */
	ck_assert_int_eq(notify_send_one(&s, &one, "c"), 0);
	ck_assert_int_eq(fq.avail, 1);
	ck_assert_uint_eq(fq.ev[2].mask, IN_CREATE);
}
END_TEST

/* A queue that counts what it is given instead of keeping it. */
static struct { int avail; uint64_t halves, lost_said, lone, records; bool half_alone; } cq;

static int cq_available(void *q)
{
	(void)q;
	return cq.avail;
}

static int cq_put(void *q, const void *rec, size_t len)
{
	struct vfskit_event ev;
	char name[256];

	(void)q;
	if (!cq.avail || notify_decode(rec, len, &ev, name))
		return -ENOBUFS;
	cq.avail--;
	cq.records++;
	if (ev.mask & IN_Q_OVERFLOW)
		cq.lost_said += ev.cookie;
	else
		cq.halves++;
	return 0;
}

/*
 * Overflow accounting: whatever buffers the driver gives back, and when,
 * every half sent is either in a record or in an overflow's count (or
 * still owed in lost): never dropped without a word. 5000 events, a third
 * of them renames, against a seeded random trickle of buffers.
 */
START_TEST(overflow_accounting_adds_up)
{
	struct notify_sink k = { cq_available, cq_put, VFSKIT_NOTIFY_BUF_MIN, NULL };
	struct vfskit_event from = { .mask = IN_MOVED_FROM, .nodeid = 1, .cookie = 1 };
	struct vfskit_event to = { .mask = IN_MOVED_TO, .nodeid = 1, .cookie = 1 };
	struct vfskit_event one = { .mask = IN_CREATE, .nodeid = 1 };
	unsigned seed = 1;

	for (int p = NOTIFY_SPLIT; p <= NOTIFY_RESERVE; p++) {
		struct notify_sender s;
		uint64_t total = 0;

		memset(&cq, 0, sizeof(cq));
		notify_sender_init(&s, (enum notify_policy)p, &k);
		for (int i = 0; i < 5000; i++) {
			seed = seed * 1103515245u + 12345u;
			cq.avail += (int)((seed >> 16) % 3); /* 0, 1 or 2 buffers given back */
			if (i % 3 == 0) {
				notify_send_rename(&s, &from, "a", &to, "b");
				total += 2;
			} else {
				notify_send_one(&s, &one, "c");
				total++;
			}
		}
		cq.avail += 1;
		notify_flush(&s); /* the last overflow, into the buffer given back */
		ck_assert_uint_eq(s.lost, 0);
		ck_assert_uint_eq(cq.halves + cq.lost_said, total);
		ck_assert_uint_eq(s.sent, cq.halves);
		ck_assert(cq.lost_said > 0); /* the trickle was too slow: the test means something */
	}
}
END_TEST

/*
 * fanotify events with records are padded to 4 bytes: a 92-byte event puts
 * the next one's metadata off its 8-byte alignment. Both are walked (and
 * under UBSan without a misaligned read); a cut-off or lying tail is not.
 */
START_TEST(fanotify_events_of_any_padding_are_walked)
{
	char buf[256] __attribute__((aligned(8))) = { 0 };
	struct fanotify_event_metadata md = { .vers = FANOTIFY_METADATA_VERSION,
					      .metadata_len = sizeof(md) };
	const char *raw;
	size_t off = 0;

	md.event_len = 92, md.mask = FAN_CREATE;
	memcpy(buf, &md, sizeof(md));
	md.event_len = 84, md.mask = FAN_RENAME;
	memcpy(buf + 92, &md, sizeof(md));
	ck_assert_int_eq(fanotify_walk(buf, 176, &off, &md, &raw), 1);
	ck_assert_uint_eq(md.mask, FAN_CREATE);
	ck_assert_ptr_eq(raw, buf);
	ck_assert_int_eq(fanotify_walk(buf, 176, &off, &md, &raw), 1);
	ck_assert_uint_eq(md.mask, FAN_RENAME);
	ck_assert_ptr_eq(raw, buf + 92);
	ck_assert_int_eq(fanotify_walk(buf, 176, &off, &md, &raw), 0); /* the end */
	off = 92;
	ck_assert_int_eq(fanotify_walk(buf, 170, &off, &md, &raw), 0); /* cut off */
	md.event_len = 8; /* shorter than its own metadata */
	memcpy(buf + 92, &md, sizeof(md));
	off = 92;
	ck_assert_int_eq(fanotify_walk(buf, 176, &off, &md, &raw), 0);
}
END_TEST

UNIT_SUITE(notify_suite, "notify", NULL, NULL,
	   numbers_are_our_own,
	   words_round_trip,
	   records_round_trip_and_lies_are_refused,
	   policies_decide_as_documented,
	   overflow_accounting_adds_up,
	   fanotify_events_of_any_padding_are_walked)
