/* inject_spec: vfs-inject's --fail specs, parsed and refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "obs/inject_spec.h"
#include "../unit.h"

START_TEST(specs_parse)
{
	struct spec s;
	char why[512];

	ck_assert_int_eq(spec_parse("name_to_handle_at=EOPNOTSUPP", &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.sys->name, "name_to_handle_at");
	ck_assert_int_eq(s.err, EOPNOTSUPP);
	ck_assert_int_eq(s.sched.when, FAULT_EVERY);
	ck_assert_ptr_null(s.path);
	ck_assert_int_gt(s.nr, 0);
	spec_free(&s);

	ck_assert_int_eq(spec_parse("name_to_handle_at=EOPNOTSUPP:nth=2", &s, why, sizeof(why)), 0);
	ck_assert_int_eq(s.sched.when, FAULT_NTH);
	ck_assert_uint_eq(s.sched.n, 2);
	spec_free(&s);

	ck_assert_int_eq(spec_parse("openat=13:flags=O_RDONLY|O_NOCTTY:noflags=O_PATH:"
				    "path=/srv/*:prob=0.5,seed=9:forked", &s, why, sizeof(why)), 0);
	ck_assert_int_eq(s.err, EACCES);
	ck_assert_uint_eq(s.flags_set, O_NOCTTY);
	ck_assert_uint_eq(s.flags_clear, O_PATH);
	ck_assert_str_eq(s.path, "/srv/*");
	ck_assert_int_eq(s.sched.when, FAULT_PROB);
	ck_assert_uint_eq(s.sched.seed, 9);
	ck_assert(s.forked_only);
	spec_free(&s);

	ck_assert_int_eq(spec_parse("openat2=ENOENT:flags=O_CREAT", &s, why, sizeof(why)), 0);
	ck_assert_int_eq(s.sys->flags_arg, -2); /* read from struct open_how */
	spec_free(&s);
	ck_assert_int_eq(spec_parse("renameat2=EXDEV:first=3", &s, why, sizeof(why)), 0);
	ck_assert_int_eq(s.sys->path2_arg, 3);
	spec_free(&s);
	/* armed=FILE, as vfs-scenario adds it: the last one given wins. */
	ck_assert_int_eq(spec_parse("name_to_handle_at=EOPNOTSUPP:nth=2:armed=/run/a:armed=/run/b",
				    &s, why, sizeof(why)), 0);
	ck_assert_str_eq(s.armed_file, "/run/b");
	ck_assert_uint_eq(s.sched.n, 2);
	spec_free(&s);
	ck_assert_ptr_null(s.armed_file);
}
END_TEST

START_TEST(specs_refused)
{
	static const struct { const char *spec, *why; } bad[] = {
		{ "statx", "'statx': want SYSCALL=ERRNO[:CLAUSE]..." },
		{ "frob=EIO", "unknown syscall 'frob' (known: name_to_handle_at" },
		{ "statx=EWHAT", "unknown errno 'EWHAT' in 'statx=EWHAT'" },
		{ "statx=", "unknown errno '' in 'statx='" },
		{ "statx=EIO:nth=0", "bad clause 'nth=0' in 'statx=EIO:nth=0': count must be" },
		{ "statx=EIO:first=x", "bad clause 'first=x'" },
		{ "statx=EIO:prob=0", "probability must be a number in (0, 1]" },
		{ "statx=EIO:path=", "bad clause 'path='" },
		{ "statx=EIO:flags=O_CREAT", "statx has no open flags to match" },
		{ "open_by_handle_at=EIO:path=/x", "open_by_handle_at has no path to match" },
		{ "openat=EIO:flags=O_NOPE", "unknown open flag in 'flags=O_NOPE'" },
		{ "openat=EIO:noflags=", "unknown open flag in 'noflags='" },
		{ "openat=EIO:always", "bad clause 'always'" },
		{ "openat=EIO:armed=", "bad clause 'armed='" },
	};
	struct spec s;
	char why[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(spec_parse(bad[i].spec, &s, why, sizeof(why)) == -EINVAL, "%s", bad[i].spec);
		ck_assert_msg(strstr(why, bad[i].why), "%s: got '%s'", bad[i].spec, why);
	}
}
END_TEST

START_TEST(open_flags)
{
	unsigned long f;

	ck_assert_int_eq(open_flags_parse("O_WRONLY|O_CREAT|O_EXCL", &f), 0);
	ck_assert_uint_eq(f, O_WRONLY | O_CREAT | O_EXCL);
	ck_assert_int_eq(open_flags_parse("0x200000", &f), 0);
	ck_assert_uint_eq(f, O_PATH);
	ck_assert_int_eq(open_flags_parse("O_PATH|bogus", &f), -EINVAL);
}
END_TEST

UNIT_SUITE(inject_spec_suite, "inject_spec", NULL, NULL,
	   specs_parse,
	   specs_refused,
	   open_flags)
