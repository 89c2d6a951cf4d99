/*
 * fuse_pipeline over the null transport: every operation at every depth
 * completes its count with each reply checked, and a reply that breaks a
 * rule (a short READ) stops the run with the reason.
 */
#include <errno.h>
#include <string.h>

#include "fuse/client/fuse_client.h"
#include "fuse/client/fuse_pipeline.h"
#include "../unit.h"

static struct fuse_client c;

static void setup(void)
{
	struct fuse_transport *t = fuse_transport_null();

	ck_assert_ptr_nonnull(t);
	fuse_client_init(&c, t, 1000);
	ck_assert_int_eq(fc_init(&c, 0), 0);
}

static void teardown(void)
{
	fuse_client_close(&c);
}

START_TEST(every_op_at_every_depth_completes)
{
	static const char *const ops[] = { "getattr", "lookup-forget", "read", "write" };

	for (int i = 0; i < 4; i++)
		for (int depth = 1; depth <= FC_PIPE_MAX_INFLIGHT; depth *= 4) {
			struct fc_pipe p = { .op = fc_pipe_op_parse(ops[i]), .nodeid = 2, .fh = 1,
					     .name = "f0", .size = i >= 2 ? 128u << 10 : 0 };
			uint64_t before = c.unique;

			ck_assert_int_ge((int)p.op, 0);
			ck_assert_msg(fc_pipeline(&c, &p, depth, 1000) == 0, "%s at %d: %s", ops[i],
				      depth, c.why);
			/* a LOOKUP and its FORGET per operation */
			ck_assert_uint_eq(c.unique - before, i == 1 ? 2000 : 1000);
		}
	ck_assert_int_eq(fc_pipe_op_parse("readdir"), -EINVAL);
}
END_TEST

START_TEST(a_short_reply_stops_the_run)
{
	/* null_reply answers a READ of at most 132 KiB: 1 MiB comes back EIO. */
	struct fc_pipe p = { .op = FC_PIPE_READ, .nodeid = 2, .fh = 1, .size = 1u << 20 };

	ck_assert_int_eq(fc_pipeline(&c, &p, 16, 100), -EIO);
	ck_assert_int_eq(fc_pipeline(&c, &p, 0, 100), -EINVAL);
	ck_assert_int_eq(fc_pipeline(&c, &p, FC_PIPE_MAX_INFLIGHT + 1, 100), -EINVAL);
	p.size = 4096;
	ck_assert_int_eq(fc_pipeline(&c, &p, 16, 100), 0); /* the session went on */
}
END_TEST

UNIT_SUITE(fuse_pipeline_suite, "fuse_pipeline", setup, teardown,
	   every_op_at_every_depth_completes,
	   a_short_reply_stops_the_run)
