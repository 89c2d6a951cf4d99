/*
 * virtio_fs_dev: the device's rules on real rings. A front-end and the
 * device's vhost-user back-end shake hands over a socket pair (the
 * back-end in a thread until the rings run); then chains the driver adds
 * are taken, answered, refused or returned by the device, and read back
 * from the used ring as a guest would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "transport/vhost_user_front.h"
#include "transport/virtio_fs_dev.h"
#include "../unit.h"
#include "back_thread.h"

static struct virtio_fs_dev dev;
static struct vu_front front;
static struct back_thread bt;
static int sv[2];
static char *log_text;
static size_t log_len;
static FILE *log_f;
static uint64_t req_gpa, reply_gpa;

static void setup(void)
{
	struct vu_front_config c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	log_f = open_memstream(&log_text, &log_len);
	virtio_fs_dev_init(&dev, sv[1], 1, "unit", 0, log_f, "unit");
	ck_assert_int_eq(back_thread_start(&bt, &dev.b), 0);
	vu_front_config_default(&c);
	c.mem_size = 1 << 20;
	c.queue_size = 8;
	ck_assert_msg(vu_front_start(&front, sv[0], &c) == 0, "%s", front.err.msg);
	/* The rings run: the device is driven from here on, in this thread. */
	back_thread_stop(&bt);
	ck_assert_int_eq(guest_mem_alloc(&front.mem, 256, 8, &req_gpa), 0);
	ck_assert_int_eq(guest_mem_alloc(&front.mem, 256, 8, &reply_gpa), 0);
}

static void teardown(void)
{
	vu_front_close(&front);
	virtio_fs_dev_release(&dev);
	close(sv[1]);
	fclose(log_f);
	free(log_text);
}

/* A request of @opcode (with @in bytes of zeroed input) on ring @ring, @room reply bytes. */
static void add(int ring, uint32_t opcode, uint64_t unique, size_t in, uint32_t room)
{
	struct fuse_in_header h = { .len = (uint32_t)(sizeof(h) + in), .opcode = opcode,
				    .unique = unique, .nodeid = 1 };
	struct virtq_buf out = { req_gpa, h.len }, rep = { reply_gpa, room };
	char *p = guest_mem_ptr(&front.mem, req_gpa, 256);

	memset(p, 0, 256);
	memcpy(p, &h, sizeof(h));
	memset(guest_mem_ptr(&front.mem, reply_gpa, 256), 0xee, 256);
	ck_assert_int_ge(virtq_add(&front.ring[ring].q, &out, 1, &rep, room ? 1 : 0, &front), 0);
}

/* What came back on ring @ring: the used length, and the reply header into @o. */
static uint32_t used(int ring, struct fuse_out_header *o)
{
	uint32_t len = 0;

	ck_assert_ptr_eq(virtq_get_used(&front.ring[ring].q, &len), &front);
	memcpy(o, guest_mem_ptr(&front.mem, reply_gpa, sizeof(*o)), sizeof(*o));
	return len;
}

START_TEST(requests_are_served_and_answered)
{
	char buf[512];
	struct fuse_out_header o = { .len = 16 + 8, .unique = 7 }, got;
	char data[8] = "abcdefg";
	struct iovec iov[2] = { { &o, sizeof(o) }, { data, sizeof(data) } };

	add(1, FUSE_GETATTR, 7, sizeof(struct fuse_getattr_in), 128);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)),
			  sizeof(struct fuse_in_header) + sizeof(struct fuse_getattr_in));
	ck_assert(dev.main.pending);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0); /* nothing more */
	ck_assert_uint_eq(virtio_fs_reply(&dev, iov, 2), 24);
	ck_assert(!dev.main.pending);
	ck_assert_uint_eq(used(1, &got), 24);
	ck_assert_uint_eq(got.unique, 7);
	ck_assert_str_eq(guest_mem_ptr(&front.mem, reply_gpa + 16, 8), "abcdefg");
	/* A reply larger than the guest's buffer: EIO, in a header that fits. */
	add(1, FUSE_GETATTR, 8, sizeof(struct fuse_getattr_in), 20);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	o.unique = 8;
	virtio_fs_reply(&dev, iov, 2);
	ck_assert_uint_eq(used(1, &got), 16);
	ck_assert_int_eq(got.error, -EIO);
	ck_assert_uint_eq(got.unique, 8);
	/* FORGET on hiprio: taken, and returned empty when no reply comes. */
	add(0, FUSE_FORGET, 9, sizeof(struct fuse_forget_in), 0);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	virtio_fs_return_empty(&dev);
	ck_assert_uint_eq(used(0, &got), 0);
	ck_assert_uint_eq(log_len, 0);
}
END_TEST

START_TEST(what_breaks_a_rule_is_refused_and_serving_goes_on)
{
	char buf[512];
	struct fuse_out_header got;

	/* hiprio carries FORGET, BATCH_FORGET and INTERRUPT only. */
	add(0, FUSE_GETATTR, 11, sizeof(struct fuse_getattr_in), 64);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(used(0, &got), 16);
	ck_assert_int_eq(got.error, -EINVAL);
	ck_assert_uint_eq(got.unique, 11);
	/* A request shorter than its operation's input: EINVAL. */
	add(1, FUSE_READ, 12, 4, 64);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(used(1, &got), 16);
	ck_assert_int_eq(got.error, -EINVAL);
	/* Unique 0 cannot be answered: the chain goes back empty. */
	add(1, FUSE_GETATTR, 0, sizeof(struct fuse_getattr_in), 64);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(used(1, &got), 0);
	/* Larger than the server's buffer: refused, returned empty. */
	add(1, FUSE_GETATTR, 13, 200, 64);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, 64), 0);
	ck_assert_uint_eq(used(1, &got), 0);
	/* Nothing after DESTROY. */
	add(1, FUSE_DESTROY, 14, 0, 64);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	virtio_fs_answer(&dev, 14, 0);
	ck_assert_uint_eq(used(1, &got), 16);
	add(1, FUSE_GETATTR, 15, sizeof(struct fuse_getattr_in), 64);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(used(1, &got), 16);
	ck_assert_int_eq(got.error, -EIO);
	/* Each refusal is one line saying what was wrong. */
	fflush(log_f);
	ck_assert_msg(strstr(log_text, "refused a request on queue 0 (a request on the hiprio queue): EINVAL"),
		      "%s", log_text);
	ck_assert_msg(strstr(log_text, "larger than the largest request"), "%s", log_text);
	ck_assert_msg(strstr(log_text, "returned without a reply"), "%s", log_text);
	/* The notification queue was not negotiated: nothing to put there. */
	ck_assert(!virtio_fs_has_notify(&dev));
	ck_assert_int_eq(virtio_fs_notify_put(&dev, "x", 1), -ENOBUFS);
}
END_TEST

/* Whether the driver was called on ring @ring since the last look (its eventfd read). */
static bool called(int ring)
{
	struct pollfd p = { .fd = front.ring[ring].call, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, 0) != 1)
		return false;
	ck_assert_int_eq(read(p.fd, &v, sizeof(v)), sizeof(v));
	return true;
}

/*
 * Calls are batched: none while short requests follow a reply, one when
 * the ring runs dry, and one before a request that may take long.
 */
START_TEST(calls_wait_for_an_empty_ring_or_a_long_request)
{
	char buf[512];
	struct fuse_out_header o = { .len = 16, .unique = 1 };
	struct iovec iov = { &o, sizeof(o) };

	called(1);
	/* Each added after the one before was taken: they share one request buffer. */
	add(1, FUSE_GETATTR, 1, sizeof(struct fuse_getattr_in), 128);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	add(1, FUSE_GETATTR, 2, sizeof(struct fuse_getattr_in), 128);
	virtio_fs_reply(&dev, &iov, 1);
	ck_assert(!called(1));
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0); /* short: waits */
	ck_assert(!called(1));
	o.unique = 2;
	virtio_fs_reply(&dev, &iov, 1);
	ck_assert_uint_eq(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert(called(1));                      /* the ring is dry: called */
	front.ring[1].q.last_used += 2;           /* the driver took both replies */
	virtq_want_call(&front.ring[1].q);
	add(1, FUSE_GETATTR, 3, sizeof(struct fuse_getattr_in), 128);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	add(1, FUSE_STATFS, 4, 0, 128);
	o.unique = 3;
	virtio_fs_reply(&dev, &iov, 1);
	ck_assert(!called(1));
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0); /* STATFS */
	ck_assert(called(1));                      /* called before it is served */
	ck_assert_uint_eq(log_len, 0);
}
END_TEST

/* A READ's data written in place: the room after the header across two buffers, then the header. */
START_TEST(data_goes_in_place_across_buffers)
{
	struct fuse_in_header h = { .len = sizeof(h) + sizeof(struct fuse_read_in),
				    .opcode = FUSE_READ, .unique = 5, .nodeid = 1 };
	struct fuse_out_header o = { .len = 16 + 30, .unique = 5 }, got;
	struct virtq_buf out = { req_gpa, h.len }, in[2] = { { reply_gpa, 20 }, { reply_gpa + 64, 100 } };
	struct iovec iov[4];
	char buf[512];
	size_t bytes;
	uint32_t len;

	memset(guest_mem_ptr(&front.mem, req_gpa, 256), 0, 256);
	memcpy(guest_mem_ptr(&front.mem, req_gpa, sizeof(h)), &h, sizeof(h));
	ck_assert_int_ge(virtq_add(&front.ring[1].q, &out, 1, in, 2, &front), 0);
	ck_assert_uint_gt(virtio_fs_next_request(&dev, buf, sizeof(buf)), 0);
	ck_assert_int_eq(virtio_fs_lane_room(&dev.main, 16, 1000, iov, 4, &bytes), 2);
	ck_assert_uint_eq(bytes, 4 + 100);
	ck_assert_uint_eq(iov[0].iov_len, 4);
	ck_assert_int_eq(virtio_fs_lane_room(&dev.main, 16, 30, iov, 4, &bytes), 2);
	ck_assert_uint_eq(bytes, 30);                /* capped at what is asked */
	ck_assert_int_eq(virtio_fs_lane_room(&dev.main, 30, 30, iov, 4, &bytes), 1);
	memcpy(iov[0].iov_base, "in-place", 8); /* the device's map of guest byte reply_gpa + 74 */
	virtio_fs_lane_reply_in_place(&dev, &dev.main, &o, 30);
	ck_assert(!dev.main.pending);
	ck_assert_ptr_eq(virtq_get_used(&front.ring[1].q, &len), &front);
	ck_assert_uint_eq(len, 46);
	memcpy(&got, guest_mem_ptr(&front.mem, reply_gpa, sizeof(got)), sizeof(got));
	ck_assert_uint_eq(got.unique, 5);
	ck_assert_uint_eq(got.len, 46);
	ck_assert_mem_eq(guest_mem_ptr(&front.mem, reply_gpa + 74, 8), "in-place", 8);
}
END_TEST

UNIT_SUITE(virtio_fs_dev_suite, "virtio_fs_dev", setup, teardown,
	   data_goes_in_place_across_buffers,
	   requests_are_served_and_answered,
	   calls_wait_for_an_empty_ring_or_a_long_request,
	   what_breaks_a_rule_is_refused_and_serving_goes_on)
