/*
 * notify_join: the rejoining of split renames, driven event by event. The
 * interleaving test feeds two renames' halves and a create in every one of
 * their 120 orders and checks the deliveries against the rules, stated
 * here on their own: a second half after its first is one rename, in its
 * place; a second half before its first is a lone MOVED_TO, in its place,
 * and that first half a lone MOVED_FROM once its wait is over; anything
 * else is delivered in its place. Every kept buffer comes back once.
 */
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>

#include "notify/notify_join.h"
#include "../unit.h"

#define ORPHAN 100

static int released[64];

static void release(void *ctx, int buf)
{
	(void)ctx;
	released[buf]++;
}

struct ev { struct vfskit_event e; const char *name; };

static const struct ev evs[5] = {
	{ { .version = 1, .mask = IN_MOVED_FROM, .nodeid = 1, .cookie = 7, .flags = VFSKIT_EV_MULTIPART }, "a" },
	{ { .version = 1, .mask = IN_MOVED_TO, .nodeid = 2, .cookie = 7 }, "b" },
	{ { .version = 1, .mask = IN_MOVED_FROM | IN_ISDIR, .nodeid = 2, .cookie = 9, .flags = VFSKIT_EV_MULTIPART }, "d" },
	{ { .version = 1, .mask = IN_MOVED_TO | IN_ISDIR, .nodeid = 1, .cookie = 9 }, "e" },
	{ { .version = 1, .mask = IN_CREATE, .nodeid = 1 }, "c" },
};

/* What the rules say for the order @perm: the deliveries, "|"-separated. */
static void expected(const int *perm, char *out, size_t len)
{
	static const char *const whole[2] = { "RENAME 1 a 2 b", "RENAME,ISDIR 2 d 1 e" };
	static const char *const lone_to[2] = { "MOVED_TO 2 b", "MOVED_TO,ISDIR 1 e" };
	static const char *const lone_from[2] = { "MOVED_FROM 1 a", "MOVED_FROM,ISDIR 2 d" };
	bool first_seen[2] = { false, false }, orphan[2] = { false, false };
	int orphan_order[2], norphans = 0;

	out[0] = '\0';
	for (int i = 0; i < 5; i++) {
		int x = perm[i], r = x / 2;

		if (x == 4) {
			strncat(out, "CREATE 1 c|", len - strlen(out) - 1);
		} else if (x % 2 == 0) {
			first_seen[r] = true;
		} else if (first_seen[r]) {
			strncat(out, whole[r], len - strlen(out) - 1);
			strncat(out, "|", len - strlen(out) - 1);
		} else {
			strncat(out, lone_to[r], len - strlen(out) - 1);
			strncat(out, "|", len - strlen(out) - 1);
			orphan[r] = true; /* its first half will wait in vain */
		}
	}
	for (int i = 0; i < 5; i++)
		if (perm[i] % 2 == 0 && perm[i] < 4 && orphan[perm[i] / 2])
			orphan_order[norphans++] = perm[i] / 2;
	for (int i = 0; i < norphans; i++) {
		strncat(out, lone_from[orphan_order[i]], len - strlen(out) - 1);
		strncat(out, "|", len - strlen(out) - 1);
	}
}

static void run(const int *perm, bool hold, char *out, size_t len)
{
	struct notify_join j;
	struct notify_delivery d;
	char text[600];
	long long next;

	out[0] = '\0';
	notify_join_init(&j, ORPHAN, release, NULL);
	for (int i = 0; i < 5; i++)
		if (notify_join_feed(&j, &evs[perm[i]].e, evs[perm[i]].name, hold ? i : -1, i, &d) == 1) {
			notify_delivery_text(&d, text, sizeof(text));
			strncat(out, text, len - strlen(out) - 1);
			strncat(out, "|", len - strlen(out) - 1);
		}
	next = 1LL << 60;
	ck_assert_int_eq(notify_join_due(&j, 4, &d, &next), 0); /* nobody's wait is over yet */
	while (notify_join_due(&j, 10 + ORPHAN, &d, &next) == 1) {
		notify_delivery_text(&d, text, sizeof(text));
		strncat(out, text, len - strlen(out) - 1);
		strncat(out, "|", len - strlen(out) - 1);
	}
	ck_assert_int_eq(notify_join_waiting(&j), 0);
}

static bool next_perm(int *a, int n)
{
	int i = n - 2, k = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[k] <= a[i])
		k--;
	t = a[i], a[i] = a[k], a[k] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--)
		t = a[l], a[l] = a[r], a[r] = t;
	return true;
}

START_TEST(every_interleaving_of_halves_and_others)
{
	int perm[5] = { 0, 1, 2, 3, 4 }, orders = 0;
	char want[1024], got[1024];

	do {
		for (int hold = 0; hold < 2; hold++) {
			memset(released, 0, sizeof(released));
			expected(perm, want, sizeof(want));
			run(perm, hold, got, sizeof(got));
			if (strcmp(want, got))
				ck_abort_msg("order %d%d%d%d%d hold=%d: want %s got %s", perm[0], perm[1],
					     perm[2], perm[3], perm[4], hold, want, got);
			for (int b = 0; b < 5; b++)
				ck_assert_int_eq(released[b], hold ? 1 : 0);
		}
		orders++;
	} while (next_perm(perm, 5));
	ck_assert_int_eq(orders, 120);
}
END_TEST

START_TEST(an_orphan_waits_exactly_its_time)
{
	struct notify_join j;
	struct notify_delivery d;
	long long next = 1LL << 60;

	notify_join_init(&j, ORPHAN, NULL, NULL);
	ck_assert_int_eq(notify_join_feed(&j, &evs[0].e, "a", -1, 1000, &d), 0);
	ck_assert_int_eq(notify_join_due(&j, 1000 + ORPHAN - 1, &d, &next), 0);
	ck_assert_int_eq(next, 1000 + ORPHAN);
	ck_assert_int_eq(notify_join_due(&j, 1000 + ORPHAN, &d, &next), 1);
	ck_assert_uint_eq(d.mask, IN_MOVED_FROM);
	ck_assert_str_eq(d.name, "a");
	ck_assert_uint_eq(j.orphans, 1);
	/* Its partner, late: alone too, never joined to a half already delivered. */
	ck_assert_int_eq(notify_join_feed(&j, &evs[1].e, "b", -1, 1200, &d), 1);
	ck_assert_uint_eq(d.mask, IN_MOVED_TO);
	ck_assert_uint_eq(j.joined, 0);
}
END_TEST

START_TEST(an_overflow_releases_the_halves_waiting_first)
{
	struct vfskit_event ov = { .version = 1, .mask = IN_Q_OVERFLOW, .cookie = 3 };
	struct notify_join j;
	struct notify_delivery d;
	char text[600];

	notify_join_init(&j, ORPHAN, release, NULL);
	memset(released, 0, sizeof(released));
	ck_assert_int_eq(notify_join_feed(&j, &evs[0].e, "a", 0, 0, &d), 0);
	ck_assert_int_eq(notify_join_feed(&j, &evs[2].e, "d", 1, 0, &d), 0);
	ck_assert_int_eq(notify_join_feed(&j, &ov, "", 2, 1, &d), 1);
	notify_delivery_text(&d, text, sizeof(text));
	ck_assert_str_eq(text, "MOVED_FROM 1 a");
	ck_assert_int_eq(notify_join_due(&j, 1, &d, &(long long){ 0 }), 1);
	notify_delivery_text(&d, text, sizeof(text));
	ck_assert_str_eq(text, "MOVED_FROM,ISDIR 2 d");
	ck_assert_int_eq(notify_join_due(&j, 1, &d, &(long long){ 0 }), 1);
	notify_delivery_text(&d, text, sizeof(text));
	ck_assert_str_eq(text, "OVERFLOW 3");
	ck_assert_int_eq(notify_join_due(&j, 1, &d, &(long long){ 0 }), 0);
	ck_assert_int_eq(released[0] + released[1] + released[2], 3);
}
END_TEST

START_TEST(no_room_to_wait_delivers_alone_never_drops)
{
	struct notify_join j;
	struct notify_delivery d;
	struct vfskit_event e = evs[0].e;

	notify_join_init(&j, ORPHAN, release, NULL);
	memset(released, 0, sizeof(released));
	for (int i = 0; i < NOTIFY_JOIN_MAX_PENDING; i++) {
		e.cookie = 100 + (uint32_t)i;
		ck_assert_int_eq(notify_join_feed(&j, &e, "a", i, 0, &d), 0);
	}
	e.cookie = 999;
	ck_assert_int_eq(notify_join_feed(&j, &e, "z", NOTIFY_JOIN_MAX_PENDING, 0, &d), 1);
	ck_assert_str_eq(d.name, "z");
	ck_assert_uint_eq(j.full, 1);
	ck_assert_int_eq(released[NOTIFY_JOIN_MAX_PENDING], 1); /* its buffer is not kept either */
	ck_assert_int_eq(notify_join_waiting(&j), NOTIFY_JOIN_MAX_PENDING);
}
END_TEST

UNIT_SUITE(notify_join_suite, "notify_join", NULL, NULL,
	   every_interleaving_of_halves_and_others,
	   an_orphan_waits_exactly_its_time,
	   an_overflow_releases_the_halves_waiting_first,
	   no_room_to_wait_delivers_alone_never_drops)
