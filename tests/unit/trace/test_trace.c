/* trace: vfs-trace's options, formatting, errno names and FUSE pairing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace/fuse_pairing.h"
#include "trace/trace_format.h"
#include "trace/trace_opts.h"
#include "../unit.h"

static int parse(struct trace_opts *o, const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "vfs-trace", (char *)a1, (char *)a2, (char *)a3, NULL };
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);
	FILE *saved = stderr;
	int r;

	stderr = fopen("/dev/null", "w");
	r = trace_opts_parse(argc, argv, o);
	fclose(stderr);
	stderr = saved;
	return r;
}

START_TEST(options)
{
	struct trace_opts o;

	ck_assert_int_eq(parse(&o, NULL, NULL, NULL), 0);
	ck_assert(o.failed_only);
	ck_assert_int_eq(o.pid, 0);
	ck_assert_int_eq(parse(&o, "-p", "42", "-a"), 0);
	ck_assert_int_eq(o.pid, 42);
	ck_assert(!o.failed_only);
	ck_assert_int_eq(parse(&o, "-e", "ESTALE", "-j"), 0);
	ck_assert_int_eq(o.err, ESTALE);
	ck_assert(o.json);
	ck_assert_int_eq(parse(&o, "-e", "116", NULL), 0);
	ck_assert_int_eq(o.err, 116);
	ck_assert_int_eq(parse(&o, "-c", "vfs-serve", "-T"), 0);
	ck_assert_str_eq(o.comm, "vfs-serve");
	ck_assert(o.timestamps);
	ck_assert_int_eq(parse(&o, "-t", "7", "-s"), 0);
	ck_assert_int_eq(o.tid, 7);
	ck_assert(o.summary);
	ck_assert_int_eq(parse(&o, "-d", "3", "--fuse-pairing"), 0);
	ck_assert_int_eq(o.duration, 3);
	ck_assert(o.fuse_pairing);
	ck_assert_int_eq(parse(&o, "-m", "/mnt", "-v"), 0);
	ck_assert_str_eq(o.mountpoint, "/mnt");
	/* refusals */
	ck_assert_int_eq(parse(&o, "-e", "EBOGUS", NULL), 2);
	ck_assert_int_eq(parse(&o, "-p", "0", NULL), 2);
	ck_assert_int_eq(parse(&o, "-p", "x", NULL), 2);
	ck_assert_int_eq(parse(&o, "-d", "-1", NULL), 2);
	ck_assert_int_eq(parse(&o, "-c", "a-name-longer-than-15", NULL), 2);
	ck_assert_int_eq(parse(&o, "--bogus", NULL, NULL), 2);
	ck_assert_int_eq(parse(&o, "extra", NULL, NULL), 2);
	ck_assert_int_eq(parse(&o, "-p", NULL, NULL), 2);
}
END_TEST

START_TEST(formatting)
{
	struct event e = { .kind = EV_NAME_TO_HANDLE, .pid = 10, .tid = 11, .ret = -ESTALE,
			   .dirfd = -100, .mount_id = -1, .handle_bytes = 8, .ts_ns = 5 };
	char buf[1024], op[48], eb[16];

	strcpy(e.comm, "prog");
	strcpy(e.name, "a\"b");
	format_json(&e, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"event\":\"name_to_handle_at\",\"ts_ns\":5,\"pid\":10,\"tid\":11,"
			      "\"comm\":\"prog\",\"ret\":-116,\"errno\":\"ESTALE\",\"dirfd\":-100,"
			      "\"name\":\"a\\\"b\",\"flags\":0,\"handle_bytes\":8}\n");
	e.ret = 0;
	e.mount_id = 31;
	format_json(&e, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"ret\":0,\"errno\":null,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"mount_id\":31"));
	e.ret = -4000; /* no such errno: the number */
	ck_assert_str_eq(event_errno(&e, eb, sizeof(eb)), "4000");

	e = (struct event){ .kind = EV_FUSE, .opcode = 1, .ret = -ENOENT, .nodeid = 1, .req_pid = 9 };
	ck_assert_str_eq(event_operation(&e, op, sizeof(op)), "FUSE_LOOKUP");
	e.opcode = 44;
	ck_assert_str_eq(event_operation(&e, op, sizeof(op)), "FUSE_READDIRPLUS");
	e.opcode = 999;
	ck_assert_str_eq(event_operation(&e, op, sizeof(op)), "FUSE_999");
	format_json(&e, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"errno\":\"ENOENT\",\"opcode\":999,\"nodeid\":1,"));

	e = (struct event){ .kind = EV_USDT, .which = UP_STALE_HANDLE, .arg0 = 7, .arg1 = ESTALE };
	format_json(&e, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"event\":\"vfskit:stale_handle\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"ret\":-116,\"errno\":\"ESTALE\",\"probe\":\"stale_handle\",\"nodeid\":7"));
	e.which = UP_IDS_HIT_REJECTED;
	e.arg1 = 0;
	format_json(&e, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"errno\":null"));

	e = (struct event){ .kind = EV_MOUNT_API, .which = MC_FSMOUNT, .ret = -EINVAL, .pid = 3, .tid = 3 };
	strcpy(e.comm, "mnt");
	format_text(&e, true, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.000000  3       3       mnt             fsmount                EINVAL      ");
	format_header(buf, sizeof(buf), false);
	ck_assert_str_eq(buf, "PID     TID     COMM            OPERATION              ERRNO       DETAILS");
}
END_TEST

static struct event send_ev(unsigned conn, unsigned long long unique, unsigned op, unsigned pid,
			    unsigned long long ts)
{
	struct event e = { .kind = EV_FUSE_SEND, .connection = conn, .unique = unique,
			   .opcode = op, .pid = pid, .ts_ns = ts };
	return e;
}

START_TEST(pairing)
{
	struct fuse_pairing p;
	struct event end = { .kind = EV_FUSE_END, .connection = 40, .unique = 7, .ret = -ENOENT,
			     .pid = 99, .ts_ns = 1500 }, out, s;

	ck_assert_int_eq(fuse_pairing_init(&p, 16), 0);
	ck_assert(!fuse_pairing_end(&p, &end, &out)); /* no send seen */
	s = send_ev(40, 7, 1, 12, 1000);
	fuse_pairing_send(&p, &s);
	s = send_ev(41, 7, 3, 13, 1100); /* same unique, another connection */
	fuse_pairing_send(&p, &s);
	ck_assert(fuse_pairing_end(&p, &end, &out));
	ck_assert_uint_eq(out.kind, EV_FUSE);
	ck_assert_uint_eq(out.opcode, 1);
	ck_assert_uint_eq(out.req_pid, 12);
	ck_assert_uint_eq(out.pid, 99);   /* the daemon */
	ck_assert_int_eq(out.ret, -ENOENT);
	ck_assert_uint_eq(out.latency_ns, 500);
	ck_assert(!fuse_pairing_end(&p, &end, &out)); /* each send joins once */
	end.connection = 41;
	ck_assert(fuse_pairing_end(&p, &end, &out));
	ck_assert_uint_eq(out.opcode, 3);
	/* Bounded: many sends with no end push the oldest out. */
	for (unsigned long long u = 100; u < 100 + 1000; u++) {
		s = send_ev(1, u, 15, 5, u);
		fuse_pairing_send(&p, &s);
	}
	ck_assert_uint_gt(p.dropped, 0);
	end = (struct event){ .kind = EV_FUSE_END, .connection = 1, .unique = 1099, .ts_ns = 2000 };
	ck_assert(fuse_pairing_end(&p, &end, &out)); /* the newest is still there */
	fuse_pairing_release(&p);
}
END_TEST

UNIT_SUITE(trace_suite, "trace", NULL, NULL,
	   options,
	   formatting,
	   pairing)
