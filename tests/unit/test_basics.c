/* Suites for the small pieces: errno names, the hash table, faults, JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errno_name.h"
#include "fault.h"
#include "hash_table.h"
#include "json_line.h"
#include "unit.h"

START_TEST(errno_round_trip)
{
	int e;

	ck_assert_str_eq(errno_name(ESTALE), "ESTALE");
	ck_assert_str_eq(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	ck_assert_ptr_null(errno_name(0));
	ck_assert_ptr_null(errno_name(99999));
	ck_assert_int_eq(errno_parse("ESTALE", &e), 0);
	ck_assert_int_eq(e, ESTALE);
	ck_assert_int_eq(errno_parse("estale", &e), 0);
	ck_assert_int_eq(e, ESTALE);
	ck_assert_int_eq(errno_parse("ENOTSUP", &e), 0);
	ck_assert_int_eq(e, EOPNOTSUPP);
	ck_assert_int_eq(errno_parse("116", &e), 0);
	ck_assert_int_eq(e, 116);
	for (int i = 1; i < 134; i++)
		if (errno_name(i)) {
			ck_assert_int_eq(errno_parse(errno_name(i), &e), 0);
			ck_assert_int_eq(e, i);
		}
}
END_TEST

START_TEST(errno_refuses)
{
	int e = 0;

	ck_assert_int_eq(errno_parse("EBOGUS", &e), -EINVAL);
	ck_assert_int_eq(errno_parse("", &e), -EINVAL);
	ck_assert_int_eq(errno_parse("0", &e), -EINVAL);
	ck_assert_int_eq(errno_parse("12x", &e), -EINVAL);
	ck_assert_int_eq(errno_parse("5000", &e), -EINVAL);
	ck_assert_int_eq(e, 0);
}
END_TEST

Suite *errno_name_suite(void)
{
	Suite *s = suite_create("errno_name");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, errno_round_trip);
	tcase_add_test(tc, errno_refuses);
	suite_add_tcase(s, tc);
	return s;
}

struct item {
	struct hash_link link;
	int key;
};

static bool match_item(const struct hash_link *l, const void *key)
{
	return container_of(l, struct item, link)->key == *(const int *)key;
}

static uint64_t hash_int(int k)
{
	return hash_bytes(&k, sizeof(k), 0);
}

START_TEST(hash_insert_find_remove_grow)
{
	struct hash_table t;
	struct item *items = calloc(5000, sizeof(*items));

	ck_assert_int_eq(hash_table_init(&t), 0);
	for (int i = 0; i < 5000; i++) {
		items[i].key = i;
		hash_table_insert(&t, &items[i].link, hash_int(i));
	}
	ck_assert_uint_eq(t.count, 5000);
	ck_assert_uint_ge(t.nbuckets, 4096); /* grew */
	for (int i = 0; i < 5000; i++) {
		struct hash_link *l = hash_table_find(&t, hash_int(i), match_item, &i);

		ck_assert_ptr_eq(l, &items[i].link);
	}
	for (int i = 0; i < 5000; i += 2)
		ck_assert(hash_table_remove(&t, &items[i].link));
	ck_assert(!hash_table_remove(&t, &items[0].link));
	ck_assert_uint_eq(t.count, 2500);
	for (int i = 0; i < 5000; i++) {
		struct hash_link *l = hash_table_find(&t, hash_int(i), match_item, &i);

		ck_assert(i % 2 ? l == &items[i].link : l == NULL);
	}
	hash_table_release(&t);
	free(items);
}
END_TEST

Suite *hash_table_suite(void)
{
	Suite *s = suite_create("hash_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, hash_insert_find_remove_grow);
	suite_add_tcase(s, tc);
	return s;
}

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

Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fault_schedules);
	tcase_add_test(tc, fault_probability_is_seeded);
	tcase_add_test(tc, fault_parse_refuses);
	suite_add_tcase(s, tc);
	return s;
}

START_TEST(json_escapes_and_truncates)
{
	struct json_line j;
	char big[4000];

	json_begin(&j);
	json_str(&j, "name", "a\"b\\c\n\x01\xff");
	json_u64(&j, "n", 18446744073709551615ULL);
	json_i64(&j, "i", -5);
	json_bool(&j, "b", true);
	json_hex(&j, "h", "\x00\xab", 2);
	json_end(&j);
	j.buf[j.len] = '\0';
	ck_assert_str_eq(j.buf, "{\"name\":\"a\\\"b\\\\c\\u000a\\u0001\\u00ff\","
				"\"n\":18446744073709551615,\"i\":-5,\"b\":true,\"h\":\"00ab\"}\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_begin(&j);
	json_str(&j, "name", big);
	json_end(&j);
	ck_assert_uint_le(j.len, sizeof(j.buf));
	ck_assert_int_eq(j.buf[j.len - 1], '\n');
	ck_assert(memmem(j.buf, j.len, "\"truncated\":true}", 17) != NULL);
}
END_TEST

Suite *json_line_suite(void)
{
	Suite *s = suite_create("json_line");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, json_escapes_and_truncates);
	suite_add_tcase(s, tc);
	return s;
}
