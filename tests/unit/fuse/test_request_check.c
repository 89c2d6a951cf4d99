/*
 * request_check: what a server may take from an untrusted sender, one
 * rule per assertion; and the reply checks of the FUSE client, against
 * replies queued on a real SOCK_SEQPACKET socket before the request goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_client.h"
#include "fuse/request_check.h"
#include "../unit.h"

static char buf[512];

/* A request of @opcode on @nodeid with @n input bytes @in; its length. */
static size_t req(uint32_t opcode, uint64_t nodeid, const void *in, size_t n)
{
	struct fuse_in_header h = { .len = (uint32_t)(sizeof(h) + n), .opcode = opcode,
				    .unique = 7, .nodeid = nodeid };

	memset(buf, 'z', sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	if (n)
		memcpy(buf + sizeof(h), in, n);
	return h.len;
}

static int check(size_t len, const char **why)
{
	uint64_t unique;

	return fuse_request_check(buf, len, &unique, why);
}

START_TEST(requests_are_checked_before_parsing)
{
	struct fuse_getattr_in g = { 0 };
	struct fuse_write_in w = { .size = 100 };
	struct fuse_batch_forget_in b = { .count = 3 };
	const char *why;
	uint64_t unique;
	size_t n;

	n = req(FUSE_GETATTR, 1, &g, sizeof(g));
	ck_assert_int_eq(check(n, &why), 0);
	ck_assert_int_eq(check(20, &why), -EINVAL);
	ck_assert_str_eq(why, "shorter than a request header");
	ck_assert_int_eq(fuse_request_check(buf, 20, &unique, &why), -EINVAL);
	ck_assert_uint_eq(unique, 0); /* no reply can be addressed */
	ck_assert_int_eq(check(n - 8, &why), -EINVAL);
	ck_assert_str_eq(why, "the header's length is longer than the request");
	n = req(FUSE_GETATTR, 1, &g, 4);
	ck_assert_int_eq(check(n, &why), -EINVAL);
	ck_assert_str_eq(why, "shorter than its operation's input");
	n = req(FUSE_LOOKUP, 1, "abc", 3);
	ck_assert_int_eq(check(n, &why), -EINVAL);
	ck_assert_str_eq(why, "a name without its NUL");
	n = req(FUSE_LOOKUP, 1, "a/b", 4);
	ck_assert_int_eq(check(n, &why), -EINVAL);
	ck_assert_str_eq(why, "a name with '/'");
	n = req(FUSE_LOOKUP, 1, "..", 3);
	ck_assert_int_eq(check(n, &why), 0);
	ck_assert_str_eq(buf + sizeof(struct fuse_in_header), "."); /* the root's parent is the root */
	n = req(FUSE_LOOKUP, 5, "..", 3);
	ck_assert_int_eq(check(n, &why), 0);
	ck_assert_str_eq(buf + sizeof(struct fuse_in_header), "..");
	n = req(FUSE_UNLINK, 5, "..", 3);
	ck_assert_int_eq(check(n, &why), -EINVAL);
	n = req(FUSE_SYMLINK, 1, "l\0../../etc", 12);
	ck_assert_int_eq(check(n, &why), 0); /* a symlink's target may say anything */
	n = req(FUSE_WRITE, 2, &w, sizeof(w));
	ck_assert_int_eq(check(n, &why), -EINVAL);
	ck_assert_str_eq(why, "WRITE: size past the data sent");
	n = req(FUSE_BATCH_FORGET, 0, &b, sizeof(b));
	ck_assert_int_eq(check(n, &why), -EINVAL);
	n = req(9999, 1, NULL, 0);
	ck_assert_int_eq(check(n, &why), 0); /* unknown: ENOSYS is the server's to give */
	n = req(FUSE_STATFS, 1, NULL, 0);
	ck_assert_int_eq(check(n, &why), 0);
	ck_assert_int_eq(fuse_request_min_input(FUSE_READ), (int)sizeof(struct fuse_read_in));
	ck_assert_int_eq(fuse_request_min_input(9999), -1);
	{
		struct fuse_request_gate gate = { 0 };

		req(FUSE_DESTROY, 0, NULL, 0);
		ck_assert_int_eq(fuse_request_gate(&gate, buf, &why), 0);
		req(FUSE_GETATTR, 1, NULL, 0);
		ck_assert_int_eq(fuse_request_gate(&gate, buf, &why), -EIO);
		ck_assert_str_eq(why, "after DESTROY");
		n = req(FUSE_STATFS, 1, NULL, 0);
	}
	((struct fuse_in_header *)buf)->unique = 0;
	ck_assert_int_eq(check(n, &why), -EINVAL);
	ck_assert_str_eq(why, "unique 0");
}
END_TEST

/* A reply queued for the client's next request (its unique is the next one). */
static void queue_reply(int fd, uint32_t len, int32_t error, uint64_t unique, size_t data)
{
	char r[256] = { 0 };
	struct fuse_out_header o = { .len = len, .error = error, .unique = unique };

	memcpy(r, &o, sizeof(o));
	ck_assert_int_eq(send(fd, r, sizeof(o) + data, 0), (ssize_t)(sizeof(o) + data));
}

START_TEST(replies_that_break_the_protocol_are_eproto)
{
	struct fuse_client c;
	struct fuse_attr_out a;
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fuse_client_init(&c, fuse_transport_socket(sv[0]), 1000);
#define NEXT (c.unique + 1)
	queue_reply(sv[1], 16 + sizeof(a), 0, NEXT, sizeof(a));
	ck_assert_int_eq(fc_getattr(&c, 1, &a), 0);
	queue_reply(sv[1], 16 + sizeof(a) + 8, 0, NEXT, sizeof(a));
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPROTO);
	ck_assert_msg(strstr(c.why, "the reply says"), "%s", c.why);
	queue_reply(sv[1], 16, 0, 999, 0);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPROTO);
	ck_assert_msg(strstr(c.why, "a completion for 999"), "%s", c.why);
	queue_reply(sv[1], 16, 5, NEXT, 0);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPROTO);
	ck_assert_msg(strstr(c.why, "not 0 or a negative errno"), "%s", c.why);
	queue_reply(sv[1], 24, -ENOENT, NEXT, 8);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPROTO);
	ck_assert_msg(strstr(c.why, "with 8 bytes of data"), "%s", c.why);
	queue_reply(sv[1], 16 + 8, 0, NEXT, 8);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPROTO);
	ck_assert_msg(strstr(c.why, "bytes of reply data"), "%s", c.why);
	queue_reply(sv[1], 16, -ENOENT, NEXT, 0);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -ENOENT);
	/* A late reply to an earlier request is passed over, not taken for this one. */
	queue_reply(sv[1], 16, -EIO, c.unique, 0);
	queue_reply(sv[1], 16, -ENOENT, NEXT, 0);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -ENOENT);
	/* Nothing queued: the time limit; the other end gone: EPIPE. */
	c.timeout_ms = 20;
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -ETIMEDOUT);
	close(sv[1]);
	ck_assert_int_eq(fc_getattr(&c, 1, &a), -EPIPE);
	ck_assert(c.gone);
	fuse_client_close(&c);
}
END_TEST

/* SETXATTR: 8 bytes (no SETXATTR_EXT in libfuse 3.14), a name, a value of the size given. */
static size_t setxattr(uint32_t size, const char *name, const char *value, size_t vlen)
{
	char in[128];
	uint32_t head[2] = { size, 0 };
	size_t n = sizeof(head);

	memcpy(in, head, n);
	memcpy(in + n, name, strlen(name) + 1);
	n += strlen(name) + 1;
	memcpy(in + n, value, vlen);
	return req(FUSE_SETXATTR, 2, in, n + vlen);
}

START_TEST(xattr_names_and_values)
{
	const char *why;

	ck_assert_int_eq(check(setxattr(3, "user.k", "abc", 3), &why), 0);
	/* An xattr's name names no file: '/' and ".." are the filesystem's to judge. */
	ck_assert_int_eq(check(setxattr(1, "user.a/b", "x", 1), &why), 0);
	ck_assert_int_eq(check(setxattr(100, "user.k", "abc", 3), &why), -EINVAL);
	ck_assert_str_eq(why, "SETXATTR: a value size other than the bytes sent");
	ck_assert_int_eq(check(setxattr(1, "user.k", "abc", 3), &why), -EINVAL);
	ck_assert_int_eq(check(setxattr(0, "", "", 0), &why), -EINVAL);
	ck_assert_str_eq(why, "an empty name");
	ck_assert_int_eq(check(req(FUSE_REMOVEXATTR, 2, "", 1), &why), -EINVAL);
	ck_assert_str_eq(why, "an empty name");
	ck_assert_int_eq(check(req(FUSE_REMOVEXATTR, 2, "user.k", 7), &why), 0);
}
END_TEST

/* The 7.39-7.45 requests vfs-serve serves itself: their sizes, TMPFILE's placeholder name. */
START_TEST(newer_requests_have_their_sizes)
{
	struct {
		struct fuse_create_in c;
		char name[2];
	} t = { .name = "/" };
	struct vfs_fuse_statx_in x = { 0 };
	struct fuse_copy_file_range_in cr = { 0 };
	const char *why;

	ck_assert_int_eq(check(req(FUSE_TMPFILE, 1, &t, sizeof(t)), &why), 0); /* "/" is the kernel's */
	ck_assert_int_eq(check(req(FUSE_TMPFILE, 1, &t, sizeof(t.c) + 1), &why), -EINVAL);
	ck_assert_str_eq(why, "a name without its NUL");
	ck_assert_int_eq(check(req(FUSE_TMPFILE, 1, &t, sizeof(t.c) - 4), &why), -EINVAL);
	ck_assert_str_eq(why, "shorter than its operation's input");
	ck_assert_int_eq(check(req(VFS_FUSE_STATX, 1, &x, sizeof(x)), &why), 0);
	ck_assert_int_eq(check(req(VFS_FUSE_STATX, 1, &x, 16), &why), -EINVAL);
	ck_assert_str_eq(why, "shorter than its operation's input");
	ck_assert_int_eq(check(req(VFS_FUSE_COPY_FILE_RANGE_64, 1, &cr, sizeof(cr)), &why), 0);
	ck_assert_int_eq(check(req(VFS_FUSE_COPY_FILE_RANGE_64, 1, &cr, 40), &why), -EINVAL);
	ck_assert_int_eq(fuse_request_min_input(54), -1); /* past 7.45: libfuse's ENOSYS */
}
END_TEST

UNIT_SUITE(request_check_suite, "request_check", NULL, NULL,
	   requests_are_checked_before_parsing,
	   newer_requests_have_their_sizes,
	   xattr_names_and_values,
	   replies_that_break_the_protocol_are_eproto)
