/* Suites for the small utilities: errno names, the hash table, JSON lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/errno_name.h"
#include "util/hash_table.h"
#include "util/json_line.h"
#include "../unit.h"

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

UNIT_SUITE(errno_name_suite, "errno_name", NULL, NULL,
	   errno_round_trip,
	   errno_refuses)

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

static uint64_t hash_item(const struct hash_link *l)
{
	return hash_int(container_of(l, struct item, link)->key);
}

START_TEST(hash_insert_find_remove_grow)
{
	struct hash_table t;
	struct item *items = calloc(5000, sizeof(*items));

	ck_assert_int_eq(hash_table_init(&t, hash_item), 0);
	for (int i = 0; i < 5000; i++) {
		items[i].key = i;
		hash_table_insert(&t, &items[i].link, hash_int(i));
	}
	ck_assert_uint_eq(t.count, 5000);
	ck_assert_uint_ge(t.nbuckets, 2048); /* grew, to two entries a bucket at most */
	ck_assert_uint_le(t.count, 2 * t.nbuckets);
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

UNIT_SUITE(hash_table_suite, "hash_table", NULL, NULL,
	   hash_insert_find_remove_grow)

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

UNIT_SUITE(json_line_suite, "json_line", NULL, NULL,
	   json_escapes_and_truncates)
