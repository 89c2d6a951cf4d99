/* The fault points: schedules fire on the calls they name, and only those. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obs/fault.h"
#include "../unit.h"

static int fire_pattern(struct faults *f, char *out, int n)
{
	int fired = 0;

	for (int i = 0; i < n; i++) {
		int r = fault_check(f, FAULT_HANDLE_GENERATE);

		out[i] = r ? 'x' : '.';
		fired += r != 0;
		if (r)
			ck_assert_int_eq(r, -EIO);
	}
	out[n] = '\0';
	return fired;
}

START_TEST(fault_schedules)
{
	struct faults f;
	struct fault_schedule s;
	const char *why;
	char pat[16];

	faults_init(&f);
	fire_pattern(&f, pat, 4);
	ck_assert_str_eq(pat, "....");
	ck_assert_int_eq(fault_schedule_parse("every", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	fire_pattern(&f, pat, 4);
	ck_assert_str_eq(pat, "xxxx");
	ck_assert_int_eq(fault_schedule_parse("nth=3", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	fire_pattern(&f, pat, 6);
	ck_assert_str_eq(pat, "..x...");
	ck_assert_int_eq(fault_schedule_parse("first=2", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	fire_pattern(&f, pat, 5);
	ck_assert_str_eq(pat, "xx...");
	ck_assert_uint_eq(faults_get(&f, FAULT_HANDLE_GENERATE).fired, 2);
	ck_assert_uint_eq(faults_get(&f, FAULT_HANDLE_GENERATE).calls, 5);
	/* Other points stay quiet. */
	ck_assert_int_eq(fault_check(&f, FAULT_OPATH_OPEN), 0);
	faults_clear(&f, FAULT_HANDLE_GENERATE);
	fire_pattern(&f, pat, 3);
	ck_assert_str_eq(pat, "...");
}
END_TEST

START_TEST(fault_probability_is_seeded)
{
	struct faults f;
	struct fault_schedule s;
	const char *why;
	char a[65], b[65], c[65];
	int n;

	faults_init(&f);
	ck_assert_int_eq(fault_schedule_parse("prob=0.5,seed=42", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	n = fire_pattern(&f, a, 64);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	fire_pattern(&f, b, 64);
	ck_assert_str_eq(a, b); /* same seed, same calls fail */
	ck_assert_int_gt(n, 16);
	ck_assert_int_lt(n, 48);
	ck_assert_int_eq(fault_schedule_parse("prob=0.5,seed=43", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	fire_pattern(&f, c, 64);
	ck_assert_str_ne(a, c);
	ck_assert_int_eq(fault_schedule_parse("prob=1", &s, &why), 0);
	faults_arm(&f, FAULT_HANDLE_GENERATE, EIO, &s);
	ck_assert_int_eq(fire_pattern(&f, a, 10), 10);
}
END_TEST

START_TEST(fault_parse_refuses)
{
	static const char *bad[] = { "", "nth=0", "nth=", "nth=-1", "nth=2x", "first=0",
				     "prob=0", "prob=1.5", "prob=x", "prob=0.5,seed=0",
				     "prob=0.5,seed=", "prob=0.5;seed=1", "always", "every=1" };
	struct fault_schedule s;
	enum fault_point p;
	const char *why;
	char buf[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(fault_schedule_parse(bad[i], &s, &why) == -EINVAL, "%s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_int_eq(fault_point_parse("mount_fd_open", &p), 0);
	ck_assert_int_eq(p, FAULT_MOUNT_FD_OPEN);
	ck_assert_int_eq(fault_point_parse("mount-fd-open", &p), -EINVAL);
	ck_assert_int_eq(fault_schedule_parse("prob=0.25,seed=7", &s, &why), 0);
	fault_schedule_format(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "prob=0.25,seed=7");
}
END_TEST

UNIT_SUITE(fault_suite, "fault", NULL, NULL,
	   fault_schedules,
	   fault_probability_is_seeded,
	   fault_parse_refuses)
