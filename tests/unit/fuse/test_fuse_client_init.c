/*
 * The FUSE client's INIT profiles, the extensions it appends once a
 * server took them, and raw requests in words: each read back from the
 * far end of a real SOCK_SEQPACKET socket, byte by byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_client.h"
#include "fuse/client/init_profile.h"
#include "fuse/client/raw_request.h"
#include "../unit.h"

START_TEST(profiles_are_found_by_name_and_kernel)
{
	const struct fuse_init_profile *p61 = fuse_init_profile_find("linux-6.1");
	const struct fuse_init_profile *p612 = fuse_init_profile_find("linux-6.12");

	ck_assert_ptr_nonnull(p61);
	ck_assert_ptr_nonnull(p612);
	ck_assert_ptr_nonnull(fuse_init_profile_find("minimal"));
	ck_assert_ptr_null(fuse_init_profile_find("linux-6.2"));
	ck_assert_uint_eq(p61->minor, 38);
	ck_assert_uint_eq(p612->minor, 41);
	/* 6.12 offers all 6.1 does, and the supplementary group on top. */
	ck_assert_uint_eq(p612->flags & p61->flags, p61->flags);
	ck_assert(p612->flags & FUSE_CREATE_SUPP_GROUP);
	ck_assert(!(p61->flags & FUSE_CREATE_SUPP_GROUP));
	ck_assert(p61->flags & FUSE_SECURITY_CTX);
	ck_assert(p61->flags & FUSE_INIT_EXT);
	ck_assert_ptr_eq(fuse_init_profile_for_release("6.1.0-57-cloud-amd64"), p61);
	ck_assert_ptr_eq(fuse_init_profile_for_release("6.11.9"), p61);
	ck_assert_ptr_eq(fuse_init_profile_for_release("6.12.57+deb13-amd64"), p612);
	ck_assert_ptr_eq(fuse_init_profile_for_release("6.18.2"), p612);
	ck_assert_ptr_eq(fuse_init_profile_for_release("7.0"), p612);
	ck_assert_ptr_eq(fuse_init_profile_for_release("5.10.0"), p61); /* the oldest */
	ck_assert_ptr_eq(fuse_init_profile_for_release("unknown"), p61);
	ck_assert_ptr_eq(fuse_init_profile_for_release(NULL), p61);
}
END_TEST

static char got[4096];

/* An error reply queued for the client's next request. */
static void queue_error(int fd, uint64_t unique, int32_t error)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = error, .unique = unique };

	ck_assert_int_eq(send(fd, &o, sizeof(o), 0), (ssize_t)sizeof(o));
}

/* The request the client sent last, into got; its length. */
static size_t sent(int fd)
{
	ssize_t n = recv(fd, got, sizeof(got), MSG_DONTWAIT);

	ck_assert_int_ge(n, (ssize_t)sizeof(struct fuse_in_header));
	return (size_t)n;
}

/* An INIT reply taking @flags at minor 38, queued for the client's next request. */
static void init_reply(int fd, uint64_t unique, uint64_t flags)
{
	struct {
		struct fuse_out_header h;
		struct fuse_init_out o;
	} r = { { .len = sizeof(r), .unique = unique },
		{ .major = 7, .minor = 38, .flags = (uint32_t)flags | FUSE_INIT_EXT,
		  .flags2 = (uint32_t)(flags >> 32) } };

	ck_assert_int_eq(send(fd, &r, sizeof(r), 0), (ssize_t)sizeof(r));
}

/* The header of the request sent last, of @len bytes, and the @n bytes at its end. */
static struct fuse_in_header tail(int fd, size_t len, void *end, size_t n)
{
	struct fuse_in_header h;

	ck_assert_uint_eq(sent(fd), len);
	memcpy(&h, got, sizeof(h));
	ck_assert_uint_eq(h.len, len);
	memcpy(end, got + len - n, n);
	return h;
}

START_TEST(init_offers_the_profile_and_extensions_follow_what_was_taken)
{
	const struct fuse_init_profile *p = fuse_init_profile_find("linux-6.12");
	struct fuse_client c;
	struct fuse_entry_out e;
	struct fuse_init_in in;
	struct fuse_in_header h;
	uint32_t ext[6];
	uint64_t fh;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fuse_client_init(&c, fuse_transport_socket(sv[0]), 1000);
	c.profile = p;
	init_reply(sv[1], c.unique + 1, FUSE_SECURITY_CTX | FUSE_CREATE_SUPP_GROUP);
	ck_assert_int_eq(fc_init(&c, 0), 0);
	ck_assert_uint_eq(sent(sv[1]), sizeof(h) + sizeof(in));
	memcpy(&in, got + sizeof(h), sizeof(in));
	ck_assert_uint_eq(in.minor, 41);
	ck_assert_uint_eq(in.flags | (uint64_t)in.flags2 << 32, p->flags);
	ck_assert_uint_eq(c.offered, p->flags);
	ck_assert_uint_eq(c.minor, 38);

	/* MKDIR: an empty security context (8 bytes), counted in total_extlen. */
	queue_error(sv[1], c.unique + 1, -ENOENT);
	ck_assert_int_eq(fc_mkdir(&c, 1, "d", 0755, &e), -ENOENT);
	h = tail(sv[1], sizeof(h) + sizeof(struct fuse_mkdir_in) + 2 + 8, ext, 8);
	ck_assert_uint_eq(h.total_extlen, 1);
	ck_assert_uint_eq(ext[0], 8); /* size */
	ck_assert_uint_eq(ext[1], 0); /* nr_secctx */

	/* A supplementary group set: its extension after the context's. */
	c.supp_gid = 4242;
	queue_error(sv[1], c.unique + 1, -ENOENT);
	ck_assert_int_eq(fc_create(&c, 1, "f", 0644, 0, &e, &fh), -ENOENT);
	h = tail(sv[1], sizeof(h) + sizeof(struct fuse_create_in) + 2 + 24, ext, 24);
	ck_assert_uint_eq(h.total_extlen, 3);
	ck_assert_uint_eq(ext[0], 8);
	ck_assert_uint_eq(ext[2], 16);                  /* size */
	ck_assert_uint_eq(ext[3], VFS_FUSE_EXT_GROUPS); /* type */
	ck_assert_uint_eq(ext[4], 1);                   /* nr_groups */
	ck_assert_uint_eq(ext[5], 4242);

	/* Requests that make nothing carry none. */
	queue_error(sv[1], c.unique + 1, -ENOENT);
	ck_assert_int_eq(fc_lookup(&c, 1, "d", &e), -ENOENT);
	h = tail(sv[1], sizeof(h) + 2, ext, 0);
	ck_assert_uint_eq(h.total_extlen, 0);
	close(sv[1]);
	fuse_client_close(&c);
}
END_TEST

START_TEST(nothing_is_appended_when_the_server_took_nothing)
{
	struct fuse_client c;
	struct fuse_entry_out e;
	struct fuse_in_header h;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fuse_client_init(&c, fuse_transport_socket(sv[0]), 1000);
	c.profile = fuse_init_profile_find("linux-6.12");
	c.supp_gid = 7;
	init_reply(sv[1], c.unique + 1, FUSE_ASYNC_READ);
	ck_assert_int_eq(fc_init(&c, 0), 0);
	sent(sv[1]);
	queue_error(sv[1], c.unique + 1, -EEXIST);
	ck_assert_int_eq(fc_mkdir(&c, 1, "d", 0755, &e), -EEXIST);
	h = tail(sv[1], sizeof(h) + sizeof(struct fuse_mkdir_in) + 2, &e, 0);
	ck_assert_uint_eq(h.total_extlen, 0);
	close(sv[1]);
	fuse_client_close(&c);
}
END_TEST

/* Parses @line (words split at spaces) into @q: 0 or -EINVAL. */
static int parse_line(const char *line, struct raw_request *q, const char **why)
{
	static char copy[512];
	char *w[32], *save = NULL;
	struct fuse_client c = { .uid = 1, .gid = 2, .pid = 3 };
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok_r(copy, " ", &save); t && n < 32; t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	*why = NULL;
	return raw_request_parse(&c, n, w, q, why);
}

START_TEST(raw_send_builds_the_bytes_it_is_told)
{
	static struct raw_request q;
	struct fuse_in_header h;
	const char *why;
	uint64_t v;

	ck_assert_int_eq(parse_line("LOOKUP 1 s:abc", &q, &why), 0);
	memcpy(&h, q.buf, sizeof(h));
	ck_assert_uint_eq(q.len, sizeof(h) + 4);
	ck_assert_uint_eq(h.len, q.len);
	ck_assert_uint_eq(h.opcode, FUSE_LOOKUP);
	ck_assert_uint_eq(h.nodeid, 1);
	ck_assert_uint_eq(h.uid, 1);
	ck_assert_uint_eq(h.unique, 1);
	ck_assert_mem_eq(q.buf + sizeof(h), "abc", 4);
	ck_assert_int_eq(q.queue, FUSE_QUEUE_REQUEST);
	ck_assert_int_eq(q.fault, CHAIN_OK);
	ck_assert_uint_eq(q.reply_max, RAW_REQUEST_MAX);

	ck_assert_int_eq(parse_line("queue=hiprio chain=outside len=7 ext=2 unique=9 forget 5 "
				    "u64:3 u8:255 u16:0x1234 b:xy x:00ff z:3", &q, &why), 0);
	memcpy(&h, q.buf, sizeof(h));
	ck_assert_uint_eq(h.opcode, FUSE_FORGET);
	ck_assert_uint_eq(h.len, 7);           /* the lie it was told */
	ck_assert_uint_eq(h.total_extlen, 2);
	ck_assert_uint_eq(h.unique, 9);
	ck_assert_int_eq(q.queue, FUSE_QUEUE_HIPRIO);
	ck_assert_int_eq(q.fault, CHAIN_OUTSIDE);
	ck_assert_uint_eq(q.reply_max, 0);     /* FORGET wants none */
	ck_assert_uint_eq(q.len, sizeof(h) + 8 + 1 + 2 + 2 + 2 + 3);
	memcpy(&v, q.buf + sizeof(h), 8);
	ck_assert_uint_eq(v, 3);
	ck_assert_mem_eq(q.buf + sizeof(h) + 8, "\xff\x34\x12xy\x00\xff\0\0\0", 10);

	ck_assert_int_eq(parse_line("uid=1000 gid=100 GETATTR 1", &q, &why), 0);
	memcpy(&h, q.buf, sizeof(h));
	ck_assert_uint_eq(h.uid, 1000);
	ck_assert_uint_eq(h.gid, 100);
	ck_assert_int_eq(parse_line("queue=2 reply=0 FUSE_MKDIR 1", &q, &why), 0);
	ck_assert_int_eq(q.queue, FUSE_QUEUE_NTH + 2);
	ck_assert_uint_eq(q.reply_max, 0);
	ck_assert_int_eq(parse_line("9999 0", &q, &why), 0);
	memcpy(&h, q.buf, sizeof(h));
	ck_assert_uint_eq(h.opcode, 9999);
}
END_TEST

START_TEST(raw_send_refuses_words_that_do_not_fit)
{
	static struct raw_request q;
	static const char *const bad[] = {
		"LOOKUP",                 /* no nodeid */
		"NOSUCHOP 1",
		"LOOKUP 1x",
		"LOOKUP 1 u8:256",
		"LOOKUP 1 u16:-1",
		"LOOKUP 1 x:0",
		"LOOKUP 1 x:zz",
		"LOOKUP 1 y:1",
		"LOOKUP 1 z:5000",
		"LOOKUP 1 z:4000 z:100",  /* past 4096 bytes */
		"chain=sideways LOOKUP 1",
		"queue=99 LOOKUP 1",
		"reply=99999 LOOKUP 1",
		"len=x LOOKUP 1",
	};
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_line(bad[i], &q, &why) == -EINVAL, "%s was taken", bad[i]);
		ck_assert_msg(why && *why, "%s: no reason", bad[i]);
	}
}
END_TEST

START_TEST(raw_send_check_takes_variables_as_numbers)
{
	char *ok[] = { "unique=$u", "LOOKUP", "$node", "u64:$n", "s:$name" };
	char *bad[] = { "LOOKUP", "$node", "q:$n" };
	const char *why = NULL;

	ck_assert_int_eq(raw_request_check(5, ok, &why), 0);
	ck_assert_int_eq(raw_request_check(3, bad, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
}
END_TEST

UNIT_SUITE(fuse_client_init_suite, "fuse_client_init", NULL, NULL,
	   profiles_are_found_by_name_and_kernel,
	   init_offers_the_profile_and_extensions_follow_what_was_taken,
	   nothing_is_appended_when_the_server_took_nothing,
	   raw_send_builds_the_bytes_it_is_told,
	   raw_send_refuses_words_that_do_not_fit,
	   raw_send_check_takes_variables_as_numbers)
