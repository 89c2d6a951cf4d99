/*
 * virtq and guest_mem: chains go from driver to device and back through
 * real shared rings in memfd memory, across index wrap-around; the device
 * side refuses each kind of hostile chain with its reason; guest memory
 * refuses ranges that are not wholly inside a region.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "transport/virtq.h"
#include "../unit.h"

#define GPA 0x100000ull
#define QSZ 8

static struct guest_mem mem;
static struct virtq q;
static struct virtq_layout lay;

static void setup(void)
{
	uint64_t at;

	guest_mem_init(&mem);
	ck_assert_int_eq(guest_mem_add_memfd(&mem, GPA, 1 << 20), 0);
	virtq_layout(QSZ, GPA, &lay);
	ck_assert_int_eq(guest_mem_alloc(&mem, lay.bytes, 16, &at), 0);
	ck_assert_uint_eq(at, GPA);
	ck_assert_int_eq(virtq_init(&q, &mem, QSZ, &lay), 0);
}

static void teardown(void)
{
	virtq_release(&q);
	guest_mem_release(&mem);
}

static uint64_t buf(uint32_t len)
{
	uint64_t gpa;

	ck_assert_int_eq(guest_mem_alloc(&mem, len, 8, &gpa), 0);
	return gpa;
}

START_TEST(guest_memory_bounds)
{
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, GPA, 1 << 20));
	ck_assert_ptr_null(guest_mem_ptr(&mem, GPA, (1 << 20) + 1));
	ck_assert_ptr_null(guest_mem_ptr(&mem, GPA - 1, 2));
	ck_assert_ptr_null(guest_mem_ptr(&mem, GPA + (1 << 20), 1));
	ck_assert_ptr_null(guest_mem_ptr(&mem, UINT64_MAX - 3, 8)); /* no wrap-around */
	ck_assert_ptr_null(guest_mem_ptr(&mem, GPA + 16, UINT64_MAX));
	ck_assert_int_eq(virtq_init(&(struct virtq){ 0 }, &mem, 6, &lay), -EINVAL); /* not 2^n */
}
END_TEST

/*
 * EVENT_IDX, as a device would set the indexes: a kick only when the
 * avail index passes the device's avail_event, and used_event telling the
 * device which completion to call for.
 */
START_TEST(event_idx_kicks_only_where_the_device_asked)
{
	struct virtq_buf out = { buf(16), 16 };
	volatile uint16_t *avail_event = &q.used[2 + 4 * QSZ], *used_event = &q.avail[2 + QSZ];

	ck_assert(virtq_kick_needed(&q)); /* without EVENT_IDX: unless NO_NOTIFY */
	q.used[0] = 1;                    /* VRING_USED_F_NO_NOTIFY */
	ck_assert(!virtq_kick_needed(&q));
	q.used[0] = 0;
	q.event_idx = true;
	*avail_event = 0;
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)1), 0);
	ck_assert(virtq_kick_needed(&q));  /* avail 0 -> 1 passes event 0 */
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)2), 0);
	ck_assert(!virtq_kick_needed(&q)); /* 1 -> 2: the device asked at 0 only */
	*avail_event = 3;
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)3), 0);
	ck_assert(!virtq_kick_needed(&q)); /* 2 -> 3 does not pass 3 */
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)4), 0);
	ck_assert(virtq_kick_needed(&q));  /* 3 -> 4 does */
	q.last_used = 2;
	virtq_want_call(&q);
	ck_assert_uint_eq(*used_event, 2);
}
END_TEST

/*
 * EVENT_IDX from the device's side: popping keeps avail_event at the
 * next entry it will take (an empty pop asks for a kick at the next one),
 * and a call is due only when the pushes pass the driver's used_event.
 */
START_TEST(event_idx_device_asks_for_kicks_and_calls_only_when_due)
{
	struct virtq_buf out = { buf(16), 16 };
	volatile uint16_t *avail_event = &q.used[2 + 4 * QSZ];
	struct virtq_elem e;
	const char *why;
	uint32_t len;

	q.event_idx = true;
	*avail_event = 7;
	ck_assert_int_eq(virtq_pop(&q, &e, &why), 0);
	ck_assert_uint_eq(*avail_event, 0);        /* empty: a kick for the next entry */
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)1), 0);
	ck_assert(virtq_kick_needed(&q));
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)2), 0);
	ck_assert(!virtq_kick_needed(&q));         /* the device has a kick pending */
	ck_assert_int_eq(virtq_pop(&q, &e, &why), 1);
	ck_assert_uint_eq(*avail_event, 1);        /* taken one: asks from the next on */
	virtq_push(&q, e.head, 0);
	ck_assert(virtq_call_needed(&q));          /* the first call always goes */
	ck_assert_int_eq(virtq_pop(&q, &e, &why), 1);
	virtq_push(&q, e.head, 0);
	ck_assert(!virtq_call_needed(&q));         /* used_event 0: already called for */
	ck_assert_ptr_eq(virtq_get_used(&q, &len), (void *)1);
	ck_assert_ptr_eq(virtq_get_used(&q, &len), (void *)2);
	virtq_want_call(&q);                       /* the driver waits: used_event 2 */
	ck_assert_int_ge(virtq_add(&q, &out, 1, NULL, 0, (void *)3), 0);
	ck_assert(virtq_kick_needed(&q));
	ck_assert_int_eq(virtq_pop(&q, &e, &why), 1);
	virtq_push(&q, e.head, 0);
	ck_assert(virtq_call_needed(&q));
	q.event_idx = false;                       /* without EVENT_IDX: every time */
	ck_assert(virtq_call_needed(&q));
}
END_TEST

/* A request goes to the device and its reply comes back, many times round. */
START_TEST(chains_round_trip_across_wrap_around)
{
	uint64_t in = buf(16), out = buf(40);
	int tokens[64];

	/* Free-running 16-bit indices, started just before they wrap. */
	q.avail_idx = q.last_avail = q.last_used = q.used_idx = 65530;
	q.avail[1] = q.used[1] = 65530;

	for (int round = 0; round < (int)(sizeof(tokens) / sizeof(tokens[0])); round++) {
		struct virtq_buf o[2] = { { out, 24 }, { out + 24, 16 } }, i[1] = { { in, 16 } };
		struct virtq_elem e;
		const char *why;
		uint32_t len;

		ck_assert_int_ge(virtq_add(&q, o, 2, i, 1, &tokens[round]), 0);
		ck_assert_int_eq(virtq_pop(&q, &e, &why), 1);
		ck_assert_int_eq(e.nout, 2);
		ck_assert_int_eq(e.nin, 1);
		ck_assert_uint_eq(e.out[0].len + e.out[1].len, 40);
		memcpy(e.in[0].p, "reply", 6);
		virtq_push(&q, e.head, 6);
		ck_assert_int_eq(virtq_pop(&q, &e, &why), 0); /* nothing more */
		ck_assert_ptr_eq(virtq_get_used(&q, &len), &tokens[round]);
		ck_assert_uint_eq(len, 6);
		ck_assert_str_eq(guest_mem_ptr(&mem, in, 6), "reply");
		ck_assert_ptr_null(virtq_get_used(&q, &len));
	}
	ck_assert_uint_eq(q.nfree, QSZ); /* every descriptor back */
	ck_assert_uint_eq(q.avail_idx, (uint16_t)(65530 + 64)); /* wrapped */
}
END_TEST

START_TEST(free_list_runs_out_and_comes_back)
{
	struct virtq_buf b = { buf(8), 8 };
	struct virtq_elem e;
	const char *why;
	int t;

	for (int k = 0; k < QSZ; k++)
		ck_assert_int_ge(virtq_add(&q, &b, 1, NULL, 0, &t), 0);
	ck_assert_int_eq(virtq_add(&q, &b, 1, NULL, 0, &t), -ENOSPC);
	ck_assert_int_eq(virtq_pop(&q, &e, &why), 1);
	virtq_push(&q, e.head, 0); /* FORGET-like: nothing written */
	ck_assert_ptr_eq(virtq_get_used(&q, NULL), &t);
	ck_assert_int_ge(virtq_add(&q, &b, 1, NULL, 0, &t), 0);
}
END_TEST

/* publish a hand-made chain starting at descriptor 0 */
static int pop_raw(const struct virtq_desc *d, int n, uint16_t head, const char **why)
{
	struct virtq_elem e;

	memcpy(q.desc, d, (size_t)n * sizeof(*d));
	virtq_publish(&q, head);
	return virtq_pop(&q, &e, why);
}

START_TEST(hostile_chains_are_refused_with_a_reason)
{
	uint64_t g = buf(64);
	const char *why;
	struct virtq_desc loop[2] = { { g, 8, VIRTQ_DESC_F_NEXT, 1 }, { g, 8, VIRTQ_DESC_F_NEXT, 0 } };
	struct virtq_desc order[2] = { { g, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1 },
				       { g, 8, 0, 0 } };
	struct virtq_desc outside[1] = { { GPA + (2 << 20), 8, 0, 0 } };
	struct virtq_desc straddle[1] = { { GPA + (1 << 20) - 4, 8, 0, 0 } };
	struct virtq_desc zero[1] = { { g, 0, 0, 0 } };
	struct virtq_desc indirect[1] = { { g, 16, VIRTQ_DESC_F_INDIRECT, 0 } };
	struct virtq_desc badnext[1] = { { g, 8, VIRTQ_DESC_F_NEXT, 999 } };

	ck_assert_int_eq(pop_raw(loop, 2, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "descriptor chain loops");
	ck_assert_int_eq(pop_raw(order, 2, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "readable descriptor after a writable one");
	ck_assert_int_eq(pop_raw(outside, 1, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "descriptor outside guest memory");
	ck_assert_int_eq(pop_raw(straddle, 1, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "descriptor outside guest memory");
	ck_assert_int_eq(pop_raw(zero, 1, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "zero-length descriptor");
	ck_assert_int_eq(pop_raw(indirect, 1, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "indirect descriptors are not offered");
	ck_assert_int_eq(pop_raw(badnext, 1, 0, &why), -EINVAL);
	ck_assert_str_eq(why, "next descriptor out of range");
	ck_assert_int_eq(pop_raw(outside, 1, 4242, &why), -EINVAL);
	ck_assert_str_eq(why, "head descriptor out of range");
	/* An avail index that jumps more than the queue size. */
	q.avail[1] = (uint16_t)(q.last_avail + QSZ + 1);
	{
		struct virtq_elem e;

		ck_assert_int_eq(virtq_pop(&q, &e, &why), -EINVAL);
		ck_assert_str_eq(why, "avail index more than the queue size ahead");
	}
}
END_TEST

UNIT_SUITE(virtq_suite, "virtq", setup, teardown,
	   guest_memory_bounds,
	   chains_round_trip_across_wrap_around,
	   event_idx_kicks_only_where_the_device_asked,
	   event_idx_device_asks_for_kicks_and_calls_only_when_due,
	   free_list_runs_out_and_comes_back,
	   hostile_chains_are_refused_with_a_reason)
