/*
 * strbuf (git's rules: buf never NULL, the empty buffer never written or
 * freed), slab (objects reused, zeroed, aligned, across chunks), enum_name
 * and array_grow.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/enum_name.h"
#include "util/slab.h"
#include "util/strbuf.h"
#include "../unit.h"

START_TEST(strbuf_keeps_its_rules)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	ck_assert_ptr_eq(sb.buf, strbuf_empty);   /* readable as "" from the start */
	ck_assert_str_eq(sb.buf, "");
	strbuf_reset(&sb);                        /* nothing written to the shared empty */
	ck_assert_str_eq(strbuf_empty, "");
	strbuf_addf(&sb, "%s", "");
	ck_assert_uint_eq(sb.len, 0);
	strbuf_addf(&sb, "%d-%s", 7, "x");
	strbuf_addch(&sb, '!');
	strbuf_addstr(&sb, "yz");
	strbuf_add(&sb, "a\0b", 3);               /* bytes, NUL included */
	ck_assert_uint_eq(sb.len, 9);
	ck_assert_mem_eq(sb.buf, "7-x!yza\0b", 10); /* and terminated after them */
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, 'q');
	ck_assert_uint_eq(sb.len, 10009);
	ck_assert_uint_ge(sb.cap, sb.len + 1);
	ck_assert(!sb.failed);
	strbuf_reset(&sb);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	strbuf_addstr(&sb, "kept");
	s = strbuf_detach(&sb);                   /* the caller's now; sb empty again */
	ck_assert_str_eq(s, "kept");
	ck_assert_ptr_eq(sb.buf, strbuf_empty);
	free(s);
	s = strbuf_detach(&sb);                   /* an empty one detaches as a fresh "" */
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_ne(s, strbuf_empty);
	ck_assert_str_eq(s, "");
	free(s);
	strbuf_release(&sb);                      /* releasing the empty one is harmless */
	strbuf_release(&sb);
	ck_assert_ptr_eq(sb.buf, strbuf_empty);
}
END_TEST

START_TEST(slab_reuses_zeroes_and_aligns)
{
	struct slab s;
	void *objs[20000], *a, *b;

	slab_init(&s, 13);
	ck_assert_uint_eq(s.size, 16);            /* rounded to 8 */
	a = slab_alloc(&s);
	memset(a, 0xff, 13);
	slab_free(&s, a);
	b = slab_alloc(&s);
	ck_assert_ptr_eq(a, b);                   /* a freed object comes back first ... */
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(((unsigned char *)b)[i], 0); /* ... zeroed */
	for (int i = 0; i < 20000; i++) {         /* several 64 KiB chunks */
		objs[i] = slab_alloc(&s);
		ck_assert_ptr_nonnull(objs[i]);
		ck_assert_uint_eq((uintptr_t)objs[i] % 8, 0);
		ck_assert_ptr_ne(objs[i], b);
		if (i)
			ck_assert_ptr_ne(objs[i], objs[i - 1]);
	}
	ck_assert_uint_gt(s.nchunks, 1);
	slab_free(&s, NULL);                      /* as free(NULL) */
	slab_release(&s);
	ck_assert_uint_eq(s.nchunks, 0);
	slab_init(&s, 1);
	ck_assert_uint_eq(s.size, sizeof(void *)); /* room for the free list's link */
	slab_release(&s);
}
END_TEST

START_TEST(enum_names_both_ways)
{
	static const char *const names[] = { "split", "atomic", "reserve", NULL };
	int v = -1;

	ck_assert_str_eq(enum_name(names, 1), "atomic");
	ck_assert_str_eq(enum_name(names, 3), "?");
	ck_assert_str_eq(enum_name(names, -1), "?");
	ck_assert_int_eq(enum_parse(names, "reserve", &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(enum_parse(names, "Reserve", &v), -EINVAL);
	ck_assert_int_eq(enum_parse(names, "", &v), -EINVAL);
	ck_assert_int_eq(v, 2);                   /* unchanged by a refusal */
}
END_TEST

START_TEST(array_grow_is_geometric_and_checked)
{
	int *a = NULL;
	size_t cap = 0, grows = 0, last = 0;

	for (size_t n = 1; n <= 100000; n++) {
		ck_assert_int_eq(ARRAY_GROW(a, n, cap), 0);
		ck_assert_uint_ge(cap, n);
		a[n - 1] = (int)n;
		if (cap != last) {
			grows++;
			last = cap;
		}
	}
	ck_assert_uint_lt(grows, 40);             /* never one element at a time */
	ck_assert_int_eq(a[99999], 100000);
	/* A size that would overflow is refused, and the array left as it was. */
	ck_assert_int_eq(ARRAY_GROW(a, SIZE_MAX / 2, cap), -ENOMEM);
	ck_assert_int_eq(a[99999], 100000);
	ck_assert_uint_eq(cap, last);
	free(a);
}
END_TEST

UNIT_SUITE(strbuf_slab_suite, "strbuf_slab", NULL, NULL,
	   strbuf_keeps_its_rules,
	   slab_reuses_zeroes_and_aligns,
	   enum_names_both_ways,
	   array_grow_is_geometric_and_checked)
