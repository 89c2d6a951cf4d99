/* Suites for lib/target (names, options, patterns) and util/proc_tree. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target.h"
#include "util/proc_tree.h"
#include "../unit.h"

static void parse_ok(const char *spec, struct target *t)
{
	char why[256];

	ck_assert_msg(!target_parse(spec, t, why, sizeof(why)), "%s: %s", spec, why);
}

static void pattern_ok(const char *spec, struct target *p)
{
	char why[256];

	ck_assert_msg(!target_pattern_parse(spec, p, why, sizeof(why)), "%s: %s", spec, why);
}

START_TEST(names_are_canonical)
{
	struct target t;

	/* Defaults left out, chosen words in table order, the alias taken. */
	parse_ok("virtiofsd-rs", &t);
	ck_assert_str_eq(t.name, "virtiofsd-rs");
	ck_assert_str_eq(target_option_in(&t, "handles"), "never");
	ck_assert_str_eq(target_option_in(&t, "sandbox"), "namespace");
	parse_ok("virtiofsd-rs:never,namespace", &t);
	ck_assert_str_eq(t.name, "virtiofsd-rs");
	parse_ok("virtiofsd-rs:none,prefer", &t);
	ck_assert_str_eq(t.name, "virtiofsd-rs:prefer,none");
	parse_ok("virtiofsd", &t);
	ck_assert_str_eq(t.name, "virtiofsd-c");
	parse_ok("virtiofsd:chroot", &t);
	ck_assert_str_eq(t.name, "virtiofsd-c:chroot");
	/* vfs-serve's sandbox: none under a mount, namespace for vhost-user, as its defaults. */
	parse_ok("fixed:none", &t);
	ck_assert_str_eq(t.name, "fixed");
	parse_ok("fixed:namespace", &t);
	ck_assert_str_eq(t.name, "fixed:namespace");
	parse_ok("fixed-vhost:namespace", &t);
	ck_assert_str_eq(t.name, "fixed-vhost");
	parse_ok("virtiofsd-rs:xattr", &t);
	ck_assert_str_eq(t.name, "virtiofsd-rs:xattr");
	ck_assert_str_eq(target_option_in(&t, "xattr"), "xattr");
	parse_ok("fixed-vhost:none", &t);
	ck_assert_str_eq(target_option_in(&t, "sandbox"), "none");
}
END_TEST

START_TEST(patterns_match_their_targets)
{
	struct target t, p;

	pattern_ok("virtiofsd-rs:none", &p);
	parse_ok("virtiofsd-rs:prefer,none", &t);
	ck_assert(target_matches(&t, &p));
	parse_ok("virtiofsd-rs", &t);
	ck_assert(!target_matches(&t, &p));
	/* A default word in a pattern matches the target that takes it by default. */
	pattern_ok("virtiofsd-rs:never", &p);
	ck_assert(target_matches(&t, &p));
	pattern_ok("virtiofsd-rs", &p);
	parse_ok("virtiofsd-rs:mandatory,chroot", &t);
	ck_assert(target_matches(&t, &p));
	pattern_ok("virtiofsd", &p);
	parse_ok("virtiofsd-c", &t);
	ck_assert(target_matches(&t, &p));
	parse_ok("virtiofsd-rs", &t);
	ck_assert(!target_matches(&t, &p));
}
END_TEST

START_TEST(bad_specs_say_why)
{
	struct target t;
	char why[256];

	ck_assert_int_eq(target_parse("virtiofsd-go", &t, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "unknown target 'virtiofsd-go'"));
	ck_assert_int_eq(target_parse("virtiofsd-rs:prefer,mandatory", &t, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, "target virtiofsd-rs: 'prefer' and 'mandatory' are both handles");
	ck_assert_int_eq(target_parse("fixed:prefer", &t, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "target fixed has no option 'prefer' (none, chroot, namespace)");
	ck_assert_int_eq(target_parse("v3:chroot", &t, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "target v3 has no option 'chroot'");
}
END_TEST

/* A parent that forks a child holding a socket, and waits: the child serves. */
START_TEST(proc_tree_finds_the_forked_server)
{
	int ready[2], sv[2];
	pid_t parent, found;
	char c;

	ck_assert_int_eq(pipe(ready), 0);
	parent = fork();
	ck_assert_int_ge(parent, 0);
	if (!parent) {
		pid_t child;

		close(ready[0]);
		/* The parent closes everything but the pipe: only the child serves. */
		child = fork();
		if (!child) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
				_exit(1);
			(void)!write(ready[1], &c, 1);
			pause();
			_exit(0);
		}
		close(ready[1]);
		waitpid(child, NULL, 0);
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	found = proc_tree_server(parent);
	ck_assert_int_gt(found, 0);
	ck_assert_int_ne(found, parent);
	kill(found, SIGKILL);
	waitpid(parent, NULL, 0);
	close(ready[0]);
	/* Gone: the pid it was given. */
	ck_assert_int_eq(proc_tree_server(parent), parent);
}
END_TEST

START_TEST(lists_take_words_after_commas)
{
	struct target t[3];
	char why[256];

	ck_assert_int_eq(target_list_parse("virtiofsd-rs:prefer,none,fixed,passthrough_ll", t, 3,
					   why, sizeof(why)), 3);
	ck_assert_str_eq(t[0].name, "virtiofsd-rs:prefer,none");
	ck_assert_str_eq(t[1].name, "fixed");
	ck_assert_str_eq(t[2].name, "passthrough_ll");
	ck_assert_int_eq(target_list_parse("fixed,none", t, 3, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "'none'"));      /* fixed has no ':' to take a word after */
	ck_assert_int_eq(target_list_parse("v3,fixed,ids-only,v3", t, 3, why, sizeof(why)), -E2BIG);
	ck_assert_int_eq(target_list_parse(",", t, 3, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(proc_fd_count(getpid()) > 2, 1);
	ck_assert_int_eq(proc_fd_count(-5), -ENOENT);
}
END_TEST

UNIT_SUITE(target_suite, "target", NULL, NULL,
	   lists_take_words_after_commas,
	   names_are_canonical,
	   patterns_match_their_targets,
	   bad_specs_say_why,
	   proc_tree_finds_the_forked_server)
