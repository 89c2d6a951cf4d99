/* Suites for lib/target (names, options, patterns) and util/proc_tree. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target.h"
#include "target/target_packaged.h"
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

/* The command line of @spec serving /s at /m, blank-joined. */
static void packaged_line(const char *spec, char *out, size_t len)
{
	struct strvec argv = STRVEC_INIT;
	struct target t;
	size_t at = 0;
	int r;

	parse_ok(spec, &t);
	r = target_packaged_argv(&t, "/l/diff", "/m", &argv);
	ck_assert_msg(!r, "%s: %s (make deps installs the Debian packages)", spec, strerror(-r));
	out[0] = '\0';
	for (size_t i = 0; i < argv.nr && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? " " : "", argv.v[i]);
	strvec_clear(&argv);
}

START_TEST(packaged_daemons_as_their_manuals)
{
	char line[1024];

	packaged_line("fuse-overlayfs", line, sizeof(line));
	ck_assert_str_eq(line, "/usr/bin/fuse-overlayfs -f -o "
			 "lowerdir=/l/lower,upperdir=/l/diff,workdir=/l/work /m");
	packaged_line("mergerfs:path-hash", line, sizeof(line));
	ck_assert_msg(strstr(line, " -o inodecalc=path-hash -o use_ino /l/diff /m"), "%s", line);
	ck_assert_msg(strstr(line, "minfreespace=1M"), "%s", line);
	packaged_line("mergerfs:no-use-ino", line, sizeof(line));
	ck_assert_msg(!strstr(line, "use_ino") && strstr(line, "inodecalc=hybrid-hash"), "%s", line);
	packaged_line("unionfs:no-use-ino", line, sizeof(line));
	ck_assert_msg(strstr(line, "/usr/bin/unionfs -f -o cow,allow_other,") &&
		      strstr(line, " /l/diff=RW /m") && !strstr(line, "use_ino"), "%s", line);
	packaged_line("bindfs", line, sizeof(line));
	ck_assert_msg(strstr(line, "attr_timeout=0 /l/diff /m"), "%s", line);
}
END_TEST

/* podman's layer layout: the fixture moved into diff/, its hard links kept. */
START_TEST(overlay_layout_keeps_the_fixture)
{
	char dir[] = "/tmp/vfskit-layout.XXXXXX", path[512], share[512];
	struct stat a, b;
	struct target t;

	ck_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	snprintf(share, sizeof(share), "%s/b", dir);
	ck_assert_int_eq(link(path, share), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	parse_ok("mergerfs", &t);
	ck_assert_int_eq(target_layout(&t, dir, share, sizeof(share)), 0);
	ck_assert_str_eq(share, dir); /* others serve the fixture as it is */
	parse_ok("fuse-overlayfs", &t);
	ck_assert_int_eq(target_layout(&t, dir, share, sizeof(share)), 0);
	snprintf(path, sizeof(path), "%s/diff", dir);
	ck_assert_str_eq(share, path);
	snprintf(path, sizeof(path), "%s/diff/a", dir);
	ck_assert_int_eq(stat(path, &a), 0);
	snprintf(path, sizeof(path), "%s/diff/b", dir);
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_nlink == 2);
	snprintf(path, sizeof(path), "%s/diff/sub", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/work", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/lower", dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(access(path, F_OK), -1); /* moved, not copied */
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

UNIT_SUITE(target_suite, "target", NULL, NULL,
	   packaged_daemons_as_their_manuals,
	   overlay_layout_keeps_the_fixture,
	   lists_take_words_after_commas,
	   names_are_canonical,
	   patterns_match_their_targets,
	   bad_specs_say_why,
	   proc_tree_finds_the_forked_server)
