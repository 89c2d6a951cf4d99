/*
 * fuse_words: requests in words, checked before a server is there, and
 * run against the far end of a real SOCK_SEQPACKET socket that answers
 * with replies queued in advance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_words.h"
#include "../unit.h"

START_TEST(words_are_checked_by_count_and_name)
{
	char *send_ok[] = { "MKDIR", "1", "u32:0755", "u32:0", "s:d" };
	char *send_bad[] = { "MKDIR", "1", "u32:x" };
	const char *why;

	ck_assert(fuse_words_check("lookup", false, 2, NULL, &why));
	ck_assert(!fuse_words_check("lookup", false, 1, NULL, &why));
	ck_assert_str_eq(why, "lookup PARENT NAME");          /* the usage, to print */
	ck_assert(!fuse_words_check("lookup", false, 3, NULL, &why));
	ck_assert(!fuse_words_check("lookupp", false, 2, NULL, &why));
	ck_assert_str_eq(why, "an unknown request");
	ck_assert(!fuse_words_check("lookup", true, 2, NULL, &why)); /* not a raw request */
	ck_assert_str_eq(why, "an unknown raw request");
	ck_assert(fuse_words_check("unique-zero", true, 0, NULL, &why));
	ck_assert(fuse_words_check("send", true, 5, send_ok, &why));
	ck_assert(!fuse_words_check("send", true, 3, send_bad, &why));
	ck_assert_ptr_nonnull(strstr(why, "a FIELD is"));
	ck_assert_str_eq(fuse_words_usage("getattr", false), "getattr NODEID");
	ck_assert_ptr_null(fuse_words_usage("nope", false));
}
END_TEST

/* An entry reply for the client's next request: nodeid @node, generation @gen. */
static void queue_entry(int fd, uint64_t unique, uint64_t node, uint64_t gen)
{
	struct {
		struct fuse_out_header h;
		struct fuse_entry_out e;
	} r = { { .len = sizeof(r), .unique = unique },
		{ .nodeid = node, .generation = gen, .attr = { .ino = 77, .size = 6, .nlink = 1,
							       .mode = 0100644 } } };

	ck_assert_int_eq(send(fd, &r, sizeof(r), 0), (ssize_t)sizeof(r));
}

static const char *field(const struct fuse_words_out *o, const char *key)
{
	for (int i = 0; i < o->nfields; i++)
		if (!strcmp(o->field[i].key, key))
			return o->field[i].value;
	return NULL;
}

START_TEST(requests_run_and_give_values_and_fields)
{
	struct fuse_client c;
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	struct fuse_out_header err = { .len = sizeof(err), .error = -ENOENT };
	char *lookup[] = { "1", "hello" }, *bad[] = { "1x", "hello" }, *raw[] = { "GETATTR", "1" };
	const char *why;
	char got[256];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	fuse_client_init(&c, fuse_transport_socket(sv[0]), 1000);
	queue_entry(sv[1], c.unique + 1, 5, 9);
	ck_assert_int_eq(fuse_words_run(&c, "lookup", false, 2, lookup, &out, &why), 0);
	ck_assert_str_eq(out.value.buf, "5");
	ck_assert_str_eq(field(&out, "generation"), "9");
	ck_assert_str_eq(field(&out, "ino"), "77");
	ck_assert_str_eq(field(&out, "type"), "reg");
	ck_assert_int_gt(recv(sv[1], got, sizeof(got), 0), 40); /* the LOOKUP itself */
	/* The server's error is the request's; a value from before is gone. */
	err.unique = c.unique + 1;
	ck_assert_int_eq(send(sv[1], &err, sizeof(err), 0), (ssize_t)sizeof(err));
	ck_assert_int_eq(fuse_words_run(&c, "lookup", false, 2, lookup, &out, &why), -ENOENT);
	ck_assert_str_eq(out.value.buf, "");
	ck_assert_int_gt(recv(sv[1], got, sizeof(got), 0), 40);
	/* Words that do not fit are refused before anything is sent. */
	ck_assert_int_eq(fuse_words_run(&c, "lookup", false, 2, bad, &out, &why), -EINVAL);
	ck_assert_str_eq(why, "a number was expected");
	ck_assert_int_eq(recv(sv[1], got, sizeof(got), MSG_DONTWAIT), -1);
	/* raw send: the value says what came back; the error reply is its errno. */
	err.unique = c.unique + 1;
	ck_assert_int_eq(send(sv[1], &err, sizeof(err), 0), (ssize_t)sizeof(err));
	ck_assert_int_eq(fuse_words_run(&c, "send", true, 2, raw, &out, &why), -ENOENT);
	ck_assert_int_eq(recv(sv[1], got, sizeof(got), 0), (ssize_t)sizeof(struct fuse_in_header));
	fuse_words_out_release(&out);
	close(sv[1]);
	fuse_client_close(&c);
}
END_TEST

UNIT_SUITE(fuse_words_suite, "fuse_words", NULL, NULL,
	   words_are_checked_by_count_and_name,
	   requests_run_and_give_values_and_fields)
