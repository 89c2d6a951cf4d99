/*
 * vhost_user_back against vhost_user_front, each on its end of a real
 * socket pair (the back-end in a thread): the whole handshake with
 * REPLY_ACK, rings that start, a chain from driver to device and back
 * through the shared memfd memory; and the refusals, each answered with a
 * failing ack and the session going on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/vhost_user_back.h"
#include "transport/vhost_user_front.h"
#include "transport/vhost_user_state.h"
#include "../unit.h"
#include "back_thread.h"

static struct vu_back back;
static struct back_thread bt;

START_TEST(handshake_rings_and_refusals)
{
	struct vu_front_config c;
	struct vu_front f;
	int sv[2];
	uint64_t v = 0;
	struct virtq_buf out, in;
	struct virtq_elem e;
	const char *why;
	char *p;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	vu_back_init(&back, sv[1], 1, "unit", 0);
	ck_assert_int_eq(back_thread_start(&bt, &back), 0);
	vu_front_config_default(&c);
	c.mem_size = 1 << 20;
	c.queue_size = 8;
	ck_assert_msg(vu_front_start(&f, sv[0], &c) == 0, "%s", f.err.msg);
	ck_assert(f.protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	ck_assert_int_eq(f.first_request, 1);
	/* Both rings started: a chain the driver adds is what the device pops. */
	ck_assert(vu_back_ring_ready(&back, 0) && vu_back_ring_ready(&back, 1));
	ck_assert_int_eq(guest_mem_alloc(&f.mem, 64, 8, &out.gpa), 0);
	ck_assert_int_eq(guest_mem_alloc(&f.mem, 64, 8, &in.gpa), 0);
	out.len = in.len = 64;
	memcpy(guest_mem_ptr(&f.mem, out.gpa, 5), "ping", 5);
	ck_assert_int_ge(virtq_add(&f.ring[1].q, &out, 1, &in, 1, &f), 0);
	ck_assert_int_eq(virtq_pop(&back.ring[1].q, &e, &why), 1);
	ck_assert_str_eq(e.out[0].p, "ping");
	memcpy(e.in[0].p, "pong", 5);
	virtq_push(&back.ring[1].q, e.head, 5);
	ck_assert_ptr_eq(virtq_get_used(&f.ring[1].q, NULL), &f);
	p = guest_mem_ptr(&f.mem, in.gpa, 5);
	ck_assert_str_eq(p, "pong");
	/* Refusals: a failing ack, and the session goes on. */
	v = 1ull << 40; /* never offered */
	ck_assert_int_eq(vu_front_message(&f, VHOST_USER_SET_FEATURES, &v, 8, NULL, 0, NULL), -EIO);
	ck_assert_msg(strstr(back.err.msg, "was not offered"), "%s", back.err.msg);
	{
		struct vhost_vring_state s = { .index = 7, .num = 8 };

		ck_assert_int_eq(vu_front_message(&f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL,
						  0, NULL), -EIO);
		ck_assert_msg(strstr(back.err.msg, "ring 7, the device has 2"), "%s", back.err.msg);
		s = (struct vhost_vring_state){ .index = 1, .num = 6 };
		ck_assert_int_eq(vu_front_message(&f, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL,
						  0, NULL), -EIO);
	}
	ck_assert_int_eq(vu_front_message(&f, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL), -EIO);
	ck_assert_int_eq(vu_front_message(&f, 99, NULL, 0, NULL, 0, NULL), -EIO);
	ck_assert_msg(strstr(back.err.msg, "is not served"), "%s", back.err.msg);
	v = 1;
	ck_assert_int_eq(vu_front_message(&f, VHOST_USER_SET_VRING_KICK, &v, 4, NULL, 0, NULL), -EIO);
	ck_assert_msg(strstr(back.err.msg, "a payload of 4 bytes, 8 expected"), "%s", back.err.msg);
	ck_assert_int_eq(back.refused, 6);
	/* Still served after all of them: the queue count, then a ring stopped. */
	ck_assert_int_eq(vu_front_message(&f, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0, &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(vu_front_stop(&f), 0);
	ck_assert(!vu_back_ring_ready(&back, 1));
	vu_front_close(&f);
	back_thread_stop(&bt);
	vu_back_release(&back);
	close(sv[1]);
}
END_TEST

START_TEST(notification_queue_layout_and_config)
{
	struct vu_front_config c;
	struct vu_front f;
	struct virtq_elem e;
	const char *why;
	char cfg[44];
	uint32_t nq, nbs;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	vu_back_init(&back, sv[1], 1, "notify", 592);
	ck_assert_int_eq(back_thread_start(&bt, &back), 0);
	vu_front_config_default(&c);
	c.mem_size = 1 << 20;
	c.queue_size = 8;
	c.notification = true;
	ck_assert_msg(vu_front_start(&f, sv[0], &c) == 0, "%s", f.err.msg);
	/* virtio 5.11.2: hiprio 0, notification 1, requests from 2. */
	ck_assert_int_eq(f.notification, 1);
	ck_assert_int_eq(f.first_request, 2);
	ck_assert_int_eq(vu_back_ring_role(&back, 0), VU_RING_HIPRIO);
	ck_assert_int_eq(vu_back_ring_role(&back, 1), VU_RING_NOTIFY);
	ck_assert_int_eq(vu_back_ring_role(&back, 2), VU_RING_REQUEST);
	ck_assert_int_eq(vu_front_get_config(&f, cfg, sizeof(cfg)), 0);
	ck_assert_int_eq(memcmp(cfg, "notify\0", 7), 0);
	memcpy(&nq, cfg + 36, 4);
	memcpy(&nbs, cfg + 40, 4);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(nbs, 592);
	/* The driver's empty buffers reach the device as writable-only chains. */
	ck_assert_int_eq(vu_front_post_notify(&f, 3, nbs), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(virtq_pop(&back.ring[1].q, &e, &why), 1);
		ck_assert_int_eq(e.nout, 0);
		ck_assert_int_eq(e.nin, 1);
		ck_assert_uint_eq(e.in[0].len, 592);
	}
	ck_assert_int_eq(virtq_pop(&back.ring[1].q, &e, &why), 0);
	vu_front_close(&f);
	back_thread_stop(&bt);
	vu_back_release(&back);
	close(sv[1]);
}
END_TEST

/* A device state larger than a pipe holds, so that the transfer must run beside the loop. */
#define STATE_LEN (300 * 1024)
static char loaded[STATE_LEN];
static size_t loaded_len;

static int fake_save(void *arg, struct strbuf *out, struct errbuf *why)
{
	(void)arg, (void)why;
	for (size_t i = 0; i < STATE_LEN; i++)
		strbuf_addch(out, (char)('a' + i % 26));
	return 0;
}

static int fake_load(void *arg, const void *buf, size_t len, struct errbuf *why)
{
	(void)arg;
	if (len != STATE_LEN || memcmp(buf, "abc", 3))
		return errbuf_set(why, -EINVAL, "not our state (%zu bytes)", len);
	memcpy(loaded, buf, len);
	loaded_len = len;
	return 0;
}

START_TEST(device_state_save_load_and_refusals)
{
	struct vu_front_config c;
	struct strbuf st = STRBUF_INIT;
	struct vu_front f;
	uint64_t result = 0;
	struct vhost_user_transfer_state t = { 7, 0 };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	vu_back_init(&back, sv[1], 1, "unit", 0);
	vu_back_set_state_ops(&back, &(struct vu_back_state_ops){ fake_save, fake_load, NULL });
	ck_assert_int_eq(back_thread_start(&bt, &back), 0);
	vu_front_config_default(&c);
	c.mem_size = 1 << 20;
	c.queue_size = 8;
	c.device_state = true;
	ck_assert_msg(vu_front_start(&f, sv[0], &c) == 0, "%s", f.err.msg);
	ck_assert(f.protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE));
	/* While the rings run, no state: a failing result, and the session goes on. */
	ck_assert_int_eq(vu_front_save_state(&f, &st), -EIO);
	ck_assert_msg(strstr(back.err.msg, "still runs"), "%s", back.err.msg);
	ck_assert_int_eq(vu_front_message(&f, VHOST_USER_CHECK_DEVICE_STATE, NULL, 0, NULL, 0,
					  &result), 0);
	ck_assert_uint_eq(result, 1);
	ck_assert_msg(strstr(back.err.msg, "no transfer to check"), "%s", back.err.msg);
	ck_assert_int_eq(vu_front_stop(&f), 0);
	/* A direction the protocol does not have. */
	ck_assert_int_ne(vu_front_message(&f, VHOST_USER_SET_DEVICE_STATE_FD, &t, sizeof(t),
					  (int[]){ sv[0] }, 1, &result), 0);
	ck_assert_msg(strstr(back.err.msg, "direction 7"), "%s", back.err.msg);
	/* Stopped: the whole state comes out, through the pipe, in order. */
	ck_assert_msg(vu_front_save_state(&f, &st) == 0, "%s", f.err.msg);
	ck_assert_uint_eq(st.len, STATE_LEN);
	ck_assert(!memcmp(st.buf, "abcdef", 6));
	/* A load the device does not take: CHECK_DEVICE_STATE says so. */
	ck_assert_int_eq(vu_front_load_state(&f, "xyz", 3), -EIO);
	ck_assert_msg(strstr(back.err.msg, "the load failed: not our state (3 bytes)"), "%s",
		      back.err.msg);
	ck_assert_uint_eq(loaded_len, 0);
	ck_assert_msg(vu_front_load_state(&f, st.buf, st.len) == 0, "%s", f.err.msg);
	ck_assert_uint_eq(loaded_len, STATE_LEN);
	ck_assert(!memcmp(loaded, st.buf, STATE_LEN));
	strbuf_release(&st);
	vu_front_close(&f);
	back_thread_stop(&bt);
	vu_back_release(&back);
	close(sv[1]);
}
END_TEST

Suite *vhost_user_back_suite(void)
{
	const TTest *tests[] = { handshake_rings_and_refusals, notification_queue_layout_and_config,
				 device_state_save_load_and_refusals, NULL };

	return unit_suite("vhost_user_back", tests, NULL, NULL, 10);
}
