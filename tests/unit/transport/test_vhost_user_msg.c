/*
 * vhost_user_msg: messages round-trip over a real unix socket pair with
 * their fds; a header that lies (version, size), a peer that hangs up
 * mid-message, and silence past the time limit are each named.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/vhost_user_msg.h"
#include "../unit.h"

static int sv[2];

static void setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void teardown(void)
{
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

START_TEST(message_with_fds_round_trips)
{
	struct vhost_user_msg m = { .h = { VHOST_USER_SET_VRING_KICK, VHOST_USER_VERSION, 8 },
				    .p.u64 = 1, .nfds = 1 }, got;
	int p[2];
	char c;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	m.fds[0] = p[1];
	ck_assert_int_eq(vhost_user_send(sv[0], &m), 0);
	ck_assert_int_eq(vhost_user_recv(sv[1], &got, 1000), 0);
	ck_assert_uint_eq(got.h.request, VHOST_USER_SET_VRING_KICK);
	ck_assert_uint_eq(got.h.size, 8);
	ck_assert_uint_eq(got.p.u64, 1);
	ck_assert_int_eq(got.nfds, 1);
	/* The fd that came is the pipe's write end: a byte through it arrives. */
	ck_assert_int_eq(write(got.fds[0], "x", 1), 1);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	vhost_user_close_fds(&got);
	ck_assert_int_eq(got.nfds, 0);
	close(p[0]);
	close(p[1]);
	ck_assert_str_eq(vhost_user_request_name(VHOST_USER_SET_MEM_TABLE), "SET_MEM_TABLE");
	ck_assert_ptr_null(vhost_user_request_name(9999));
}
END_TEST

START_TEST(lying_headers_and_hang_ups_are_named)
{
	struct vhost_user_header h = { VHOST_USER_GET_FEATURES, 2 /* version 2 */, 0 };
	struct vhost_user_msg got, big = { .h = { 1, VHOST_USER_VERSION, VHOST_USER_PAYLOAD_MAX + 1 } };

	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(vhost_user_recv(sv[1], &got, 1000), -EPROTO);
	h = (struct vhost_user_header){ 1, VHOST_USER_VERSION, VHOST_USER_PAYLOAD_MAX + 1 };
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(vhost_user_recv(sv[1], &got, 1000), -EPROTO);
	ck_assert_int_eq(vhost_user_send(sv[0], &big), -EINVAL);
	/* Nothing sent: the time limit. */
	ck_assert_int_eq(vhost_user_recv(sv[1], &got, 20), -ETIMEDOUT);
	/* Half a message, then a hang-up. */
	h = (struct vhost_user_header){ 1, VHOST_USER_VERSION, 8 };
	ck_assert_int_eq(write(sv[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	ck_assert_int_eq(write(sv[0], "1234", 4), 4);
	close(sv[0]);
	ck_assert_int_eq(vhost_user_recv(sv[1], &got, 1000), -EPIPE);
	sv[0] = dup(sv[1]);
	close(sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(vhost_user_send(sv[0], &got), -EPIPE);
}
END_TEST

UNIT_SUITE(vhost_user_msg_suite, "vhost_user_msg", setup, teardown,
	   message_with_fds_round_trips,
	   lying_headers_and_hang_ups_are_named)
