/*
 * scenario_parse: every step parses, and every refusal names its file and
 * line before anything runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "core/config.h"
#include "../unit.h"

static char path[128];
static char *errors;
static size_t errlen;

static void setup(void)
{
	ck_assert_ptr_nonnull(unit_tmpdir_make());
	snprintf(path, sizeof(path), "%s/t.scn", unit_tmpdir);
}

static void teardown(void)
{
	free(errors);
	errors = NULL;
	unit_tmpdir_remove();
}

#define HEADER "title T\ncase other\nfixture tmpfs\n"

/* Parses @text; the error output lands in @errors. */
static struct scenario *parse(const char *text)
{
	FILE *f = fopen(path, "w"), *err;
	struct scenario *s;

	fputs(text, f);
	fclose(f);
	free(errors);
	errors = NULL;
	err = open_memstream(&errors, &errlen);
	s = scenario_parse(path, err);
	fclose(err);
	return s;
}

/* The error output must contain "t.scn:LINE: MESSAGE". */
/* The column named @spec, for fails-on and only checks. */
static const struct target *target(const char *spec)
{
	static struct target t[8];
	static int next;
	struct target *one = &t[next++ % 8];
	char why[256];

	ck_assert_msg(target_parse(spec, one, why, sizeof(why)) == 0, "%s", why);
	return one;
}

static void refused(const char *text, int line, const char *message)
{
	char want[512];
	struct scenario *s = parse(text);

	ck_assert_msg(s == NULL, "accepted: %s", text);
	if (line)
		snprintf(want, sizeof(want), "%s:%d: %s", path, line, message);
	else
		snprintf(want, sizeof(want), "%s: %s", path, message);
	ck_assert_msg(strstr(errors, want), "want '%s' in:\n%s", want, errors);
}

START_TEST(every_step_parses)
{
	struct scenario *s = parse(
		"# a comment\n"
		"title   Every step, once\n"
		"case    duplicate-inode\n"
		"fixture ext4-small\n"
		"requires root loop\n"
		"fails-on v3 ids-only\n"
		"vfs-serve --inode-file-handles=prefer --entry-timeout=0\n"
		"\n"
		"guest create a\n"
		"guest write a \"two words\"   # trailing comment\n"
		"witness expect \"two words\" guest read a\n"
		"guest stat a ino => ino\n"
		"host stat a size\n"
		"guest mkdir d\n"
		"host rmdir d\n"
		"guest rename a b noreplace\n"
		"guest rename b a exchange\n"
		"guest link a c\n"
		"guest symlink a s\n"
		"guest mknod p fifo\n"
		"expect ENXIO host open-writer p\n"
		"expect \"a c p s\" guest readdir .\n"
		"guest open fd a rw\n"
		"guest readfd fd\n"
		"guest fstat fd nlink\n"
		"guest close fd\n"
		"guest hold pin a\n"
		"guest reopen pin\n"
		"guest close pin\n"
		"guest handle a => h\n"
		"guest nodeid a => n\n"
		"expect !ESTALE guest open-handle $h\n"
		"guest drop-caches\n"
		"expect any guest lookup-threads 4 a c\n"
		"server fault arm handle_generate EIO prob=0.5,seed=3\n"
		"server fault clear all\n"
		"expect ok server check\n"
		"expect 1 server live-inodes a\n"
		"expect $n server inode ino=${ino} nodeid\n"
		"server counter lookups\n"
		"server wait-forgotten a\n"
		"server dump\n"
		"set x 3\n"
		"repeat 3\n"
		"expect !$x guest read a$i\n"
		"end\n"
		"guest unlink a\n");

	ck_assert_msg(s != NULL, "%s", errors);
	ck_assert_str_eq(s->title, "Every step, once");
	ck_assert_str_eq(s->case_name, "duplicate-inode");
	ck_assert_str_eq(s->fixture, "ext4-small");
	ck_assert_uint_eq(s->requires, REQUIRES_ROOT | REQUIRES_LOOP);
	ck_assert_int_eq(s->nfails_on, 2);
	ck_assert(scenario_fails_on(s, target("ids-only")) && scenario_fails_on(s, target("v3")));
	ck_assert(!scenario_fails_on(s, target("fixed")));
	ck_assert_int_eq(s->nserver_args, 2);
	ck_assert_int_eq(s->nsteps, 39);
	ck_assert_str_eq(s->steps[1].argv[1], "two words");
	ck_assert_int_eq(s->steps[2].expect.type, EXPECT_VALUE);
	ck_assert_str_eq(s->steps[3].capture, "ino");
	ck_assert_int_eq(s->steps[12].expect.type, EXPECT_ERRNO);
	ck_assert_int_eq(s->steps[12].expect.err, ENXIO);
	ck_assert(s->steps[23].expect.negate);
	ck_assert_int_eq(s->steps[35].repeat_count, 3);
	ck_assert_int_eq(s->steps[35].repeat_end, 37);
	scenario_free(s);
}
END_TEST

/* "applies": a premise on the target (n/a when it fails), never a witness. */
START_TEST(applies_is_a_premise_on_the_target)
{
	struct scenario *s = parse(HEADER "applies !ENOSYS fuse statx 1 => x\n"
				   "assume 3 set n 3\nfuse getattr 1\n");

	ck_assert_msg(s != NULL, "%s", errors);
	ck_assert(s->steps[0].assume && s->steps[0].applies);
	ck_assert_int_eq(s->steps[0].expect.type, EXPECT_ERRNO);
	ck_assert(s->steps[0].expect.negate);
	ck_assert(s->steps[1].assume && !s->steps[1].applies);
	ck_assert(!s->steps[2].assume && !s->steps[2].applies);
	scenario_free(s);
	refused(HEADER "applies ok\n", 4, "applies needs a result and a step");
	refused(HEADER "fuse lookup 1 a\nwitness expect ok applies ok fuse statx 2\n", 5,
		"unknown step 'applies'");
}
END_TEST

START_TEST(every_refusal_names_its_line)
{
	refused(HEADER "frob a\n", 4, "unknown step 'frob'");
	refused(HEADER "guest frob a\n", 4, "unknown operation 'frob'");
	refused(HEADER "guest check\n", 4, "'check' is not a guest step");
	refused(HEADER "host handle a\n", 4, "'handle' is not a host step");
	refused(HEADER "guest read\n", 4, "read takes 1 to 1 arguments, got 0 (usage: read PATH)");
	refused(HEADER "guest read a b\n", 4, "read takes 1 to 1 arguments, got 2");
	refused(HEADER "guest\n", 4, "guest: which operation?");
	refused(HEADER "expect EBOGUS guest read a\n", 4, "unknown errno name 'EBOGUS'");
	refused(HEADER "expect guest\n", 4, "expect needs a result and a step");
	refused(HEADER "expect !any guest read a\n", 4, "'!any' can never hold");
	refused(HEADER "fuse frob 1\n", 4, "fuse frob: an unknown request");
	refused(HEADER "fuse lookup 1\n", 4, "fuse lookup: usage: lookup PARENT NAME");
	refused(HEADER "raw unique-zero 1\n", 4, "raw unique-zero: usage: unique-zero");
	refused(HEADER "fuse\n", 4, "fuse: which request?");
	refused(HEADER "notify frob\n", 4, "unknown operation 'frob'");
	refused(HEADER "notify watch\n", 4, "watch takes 1 to 2 arguments, got 0");
	refused(HEADER "fuse getattr 1\nguest read a\n", 0, "guest steps go through a mount, "
		"fuse and raw steps through the protocol: a scenario has one or the other");
	refused(HEADER "background b\nfuse getattr 1\nend\njoin b\n", 5,
		"fuse and raw steps run on the runner's one connection, not in a background block");
	refused(HEADER "background b\ndaemon restart\nend\njoin b\n", 5,
		"daemon restart changes the runner's daemon, not in a background block");
	refused(HEADER "background b\ndaemon migrate\nend\njoin b\n", 5,
		"daemon migrate changes the runner's daemon, not in a background block");
	refused(HEADER "set a ${b:-x}\n", 4, "variable 'b' is used before it is set");
	refused(HEADER "set a x\nset c ${a:-$d}\n", 5, "variable 'd' is used before it is set");
	refused(HEADER "guest stat a colour\n", 4, "stat: unknown field 'colour'");
	refused(HEADER "guest rename a b sideways\n", 4, "rename: unknown flag 'sideways'");
	refused(HEADER "guest mknod a pipe\n", 4, "mknod: unknown type 'pipe'");
	refused(HEADER "guest open f a wo\n", 4, "open: unknown mode 'wo'");
	refused(HEADER "guest lookup-threads 0 a\n", 4,
		"lookup-threads: THREADS must be a whole number from 1 to 64, not '0'");
	refused(HEADER "guest lookup-threads 2x a\n", 4,
		"lookup-threads: THREADS must be a whole number from 1 to 64, not '2x'");
	refused(HEADER "guest lookup-threads +2 a\n", 4,
		"lookup-threads: THREADS must be a whole number from 1 to 64, not '+2'");
	refused(HEADER "repeat 2x\nend\n", 4, "repeat needs a whole number from 1 to 10000");
	refused(HEADER "host write ../../../../tmp/x y\n", 4,
		"write: path '../../../../tmp/x' has a '..' component: steps work below the source only");
	refused(HEADER "guest read a/../../b\n", 4, "read: path 'a/../../b' has a '..' component: "
		"steps work below the mount only");
	refused(HEADER "guest unlink /etc/passwd\n", 4, "unlink: path '/etc/passwd' is absolute");
	refused(HEADER "host rename a ..\n", 4, "rename: path '..' has a '..' component");
	refused(HEADER "guest lookup-threads 2 a ../b\n", 4, "lookup-threads: path '../b' has a '..' component");
	refused(HEADER "server live-inodes ../x\n", 4, "live-inodes: path '../x' has a '..' component");
	refused(HEADER "witness guest read a\n", 4, "witness needs an expect step");
	refused(HEADER "witness ESTALE guest read a\n", 4, "witness needs an expect step");
	refused(HEADER "witness assume 1 guest read a\n", 4, "witness needs an expect step");
	refused(HEADER "witness EBOGUS expect ok guest read a\n", 4, "unknown errno name 'EBOGUS'");
	refused(HEADER "fails-on v3\nexpect ok guest read a\n", 0,
		"fails-on and by-design need a witness: mark the step whose failure is the bug");
	refused(HEADER "by-design v3 \"its manual\"\nexpect ok guest read a\n", 0,
		"fails-on and by-design need a witness");
	refused(HEADER "by-design v3\nwitness EIO expect ok guest read a\n", 4,
		"usage: by-design TARGET");
	refused(HEADER "by-design nosuch \"why\"\nwitness EIO expect ok guest read a\n", 4,
		"unknown target 'nosuch'");
	refused(HEADER "server inode a colour\n", 4, "inode: unknown field 'colour'");
	refused(HEADER "daemon released ino=x 100\n", 4,
		"released: 'ino=x' is not an inode number (ino=N, N from 1)");
	refused(HEADER "server live-inodes ino=0\n", 4, "live-inodes: 'ino=0' is not an inode number");
	refused(HEADER "server fault arm nowhere EIO\n", 4, "fault: unknown fault point 'nowhere'");
	refused(HEADER "server fault arm opath_open EBOGUS\n", 4, "fault: unknown errno name 'EBOGUS'");
	refused(HEADER "server fault arm opath_open EIO nth=0\n", 4,
		"fault: bad schedule 'nth=0': count must be a whole number of at least 1");
	refused(HEADER "server fault clear nowhere\n", 4, "fault: unknown fault point 'nowhere'");
	refused(HEADER "server fault poke\n", 4, "usage: fault arm");
	refused(HEADER "guest read $nope\n", 4, "variable 'nope' is used before it is set");
	refused(HEADER "guest read ${nope\n", 4, "unterminated ${");
	refused(HEADER "guest read a => 9-x\n", 4, "'9-x' is not a variable name");
	refused(HEADER "set 1+ 2\n", 4, "set: '1+' is not a variable name");
	refused(HEADER "guest write a \"open\n", 4, "unterminated quoted string");
	refused(HEADER "guest write a \"x\"y\n", 4, "a quoted string must be followed by a blank");
	refused(HEADER "repeat 0\nend\n", 4, "repeat needs a whole number from 1 to 10000");
	refused(HEADER "repeat 2\nrepeat 2\nend\nend\n", 5,
		"repeat: 'i' already counts an enclosing repeat");
	refused(HEADER "repeat 2 a-b\nend\n", 4, "repeat: 'a-b' is not a variable name");
	refused(HEADER "repeat 2 a\nrepeat 2 b\nrepeat 2 c\nrepeat 2 d\nrepeat 2 e\n"
		"repeat 2 f\nrepeat 2 g\nrepeat 2 h\nrepeat 2 k\n", 12,
		"repeat blocks nest 8 deep at most");
	refused(HEADER "guest read a => h[\n", 4, "'h[' is not a variable name");
	refused(HEADER "guest read a => h[]\n", 4, "'h[]' is not a variable name");
	refused(HEADER "guest read a => h[$nope]\n", 4, "variable 'nope' is used before it is set");
	refused(HEADER "guest read $h[1]\n", 4, "variable 'h' is used before it is set");
	refused(HEADER "set h 1\nguest read $h[1\n", 5, "unterminated [ in '$h[1'");
	refused(HEADER "set h 1\nguest read ${h[1]\n", 5, "unterminated ${ in '${h[1]'");
	refused(HEADER "expect <=x daemon fds\n", 4, "'<=x': a comparison wants a whole number");
	refused(HEADER "expect >=-1 daemon fds\n", 4, "'>=-1': a comparison wants a whole number");
	refused(HEADER "daemon fds 3\n", 4, "fds takes 0 to 0 arguments, got 1");
	refused(HEADER "daemon read f\n", 4, "'read' is not a daemon step");
	refused(HEADER "guest walk\n", 4, "walk takes 1 to 1 arguments, got 0");
	refused(HEADER "inject\nguest read a\n", 4, "usage: inject SYSCALL=ERRNO");
	refused(HEADER "background\nend\n", 4, "usage: background NAME ... end, then join NAME");
	refused(HEADER "repeat 2\nbackground b\nend\nend\n", 5,
		"background blocks stand at the top level");
	refused(HEADER "background b\nend\nbackground b\nend\n", 6,
		"background 'b' is defined twice");
	refused(HEADER "join b\n", 4, "join: no background block 'b' before this line");
	refused(HEADER "background b\nguest read a\n", 4, "background without 'end'");
	refused(HEADER "join\n", 4, "usage: join NAME");
	refused(HEADER "inject frobnicate=EIO\nguest read a\n", 4,
		"inject: bad spec 'frobnicate=EIO': unknown syscall 'frobnicate'");
	refused(HEADER "inject openat=EWHAT\nguest read a\n", 4, "inject: bad spec 'openat=EWHAT'");
	refused(HEADER "limit nofile=3\nguest read a\n", 4, "usage: limit nofile=N (16 to 1048576)");
	refused(HEADER "limit files=300\nguest read a\n", 4, "usage: limit nofile=N");
	refused(HEADER "fails-on passthrough_hp\nguest read a\n", 4,
		"unknown target 'passthrough_hp' (ids-only, v3, fixed, passthrough_ll, "
		"passthrough, passthrough_fh, fuse-overlayfs, mergerfs, bindfs, unionfs-fuse (or unionfs), virtiofsd-c (or virtiofsd), virtiofsd-rs, fixed-vhost)");
	refused(HEADER "fails-on virtiofsd-rs:sometimes\nguest read a\n", 4,
		"target virtiofsd-rs has no option 'sometimes' (never, prefer, mandatory, "
		"namespace, chroot, none, xattr, find-paths, file-handles, no-verify, "
		"verify-handles, confirm-paths)");
	refused(HEADER "only virtiofsd-rs:never,prefer\nguest read a\n", 4,
		"target virtiofsd-rs: 'never' and 'prefer' are both handles");
	refused(HEADER "end\n", 4, "'end' without 'repeat'");
	refused(HEADER "repeat 2\nguest read a\n", 4, "repeat without 'end'");
	refused(HEADER "guest read a\ntitle late\n", 5, "'title' must come before the first step");
	refused("title T\ncase nonsense\nfixture tmpfs\nguest read a\n", 2,
		"case must be one of inode-id-reuse");
	refused("title T\ncase other\nfixture marble\nguest read a\n", 3, "unknown fixture 'marble'");
	refused(HEADER "requires wings\nguest read a\n", 4, "unknown requirement 'wings' (root, loop, vhost-user or forged-requests)");
	refused(HEADER "init linux-5.4\nfuse getattr 1\n", 4,
		"usage: init linux-6.1|linux-6.12|minimal");
	refused(HEADER "fuse getattr 1\ninject arm\n", 5,
		"inject arm: no 'inject SYSCALL=ERRNO' line above declares a fault");
	refused(HEADER "raw send LOOKUP 1 q:5\n", 4, "raw send: a FIELD is u8:");
	refused(HEADER "raw send chain=sideways LOOKUP 1\n", 4, "raw send: an option is queue=");
	refused(HEADER "raw send LOOKUP\n", 4, "raw send: usage: send [queue=Q]");
	refused(HEADER "fails-on v2\nguest read a\n", 4, "unknown target 'v2'");
	refused(HEADER "only\nguest read a\n", 4, "only needs at least one target");
	refused(HEADER "vfs-serve --design=v3\nguest read a\n", 4,
		"vfs-serve: --design=v3 is set by the runner");
	refused("case other\nfixture tmpfs\nguest read a\n", 0, "no title line");
	refused("title T\nfixture tmpfs\nguest read a\n", 0, "no case line");
	refused("title T\ncase other\nguest read a\n", 0, "no fixture line");
	refused(HEADER, 0, "no steps");
}
END_TEST

/* !"VALUE" is the quoted value negated: the quotes are not part of it. */
START_TEST(negated_quoted_value)
{
	struct scenario *s = parse(HEADER "guest write b \"new\"\n"
				   "expect !\"new\" guest read b\n"
				   "expect !\"two words\" guest read b\n"
				   "expect \"!new\" guest read b\n"
				   "expect !new guest read b\n");

	ck_assert_msg(s, "%s", errors);
	ck_assert(s->steps[1].expect.negate);
	ck_assert_int_eq(s->steps[1].expect.type, EXPECT_VALUE);
	ck_assert_str_eq(s->steps[1].expect.value, "new");
	ck_assert(s->steps[2].expect.negate);
	ck_assert_str_eq(s->steps[2].expect.value, "two words");
	ck_assert(!s->steps[3].expect.negate); /* quoted: a literal '!' */
	ck_assert_str_eq(s->steps[3].expect.value, "!new");
	ck_assert(s->steps[4].expect.negate);
	ck_assert_str_eq(s->steps[4].expect.value, "new");
	scenario_free(s);
}
END_TEST

START_TEST(witness_steps)
{
	struct scenario *s = parse(HEADER "fails-on v3\n"
				   "witness expect 1 server live-inodes f\n"
				   "witness ESTALE expect \"new\" guest read g\n"
				   "witness !\"x\" expect ok guest read g\n"
				   "expect ok server check\n");

	ck_assert_msg(s, "%s", errors);
	ck_assert_int_eq(s->nwitnesses, 3);
	ck_assert(s->steps[0].witness);
	ck_assert_int_eq(s->steps[0].bug.type, EXPECT_NONE);
	ck_assert_int_eq(s->steps[1].bug.type, EXPECT_ERRNO);
	ck_assert_int_eq(s->steps[1].bug.err, ESTALE);
	ck_assert(s->steps[2].bug.negate);
	ck_assert_str_eq(s->steps[2].bug.value, "x");
	ck_assert(!s->steps[3].witness);
	scenario_free(s);
}
END_TEST

/* More variables than any fixed table held: no false "used before set". */
START_TEST(many_variables)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct scenario *s;

	fputs(HEADER, f);
	for (int i = 0; i < 1000; i++)
		fprintf(f, "set v%d %d\n", i, i);
	fputs("guest read $v0$v999\n", f);
	fclose(f);
	s = parse(text);
	ck_assert_msg(s, "%s", errors);
	ck_assert_int_eq(s->nsteps, 1001);
	scenario_free(s);
	free(text);
}
END_TEST

START_TEST(nul_byte_refused)
{
	static const char text[] = HEADER "guest write f \"a\0b\"\n";
	FILE *f = fopen(path, "w"), *err;
	struct scenario *s;

	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	free(errors);
	err = open_memstream(&errors, &errlen);
	s = scenario_parse(path, err);
	fclose(err);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(errors, "t.scn:4: a NUL byte at column 17"), "%s", errors);
}
END_TEST

/* The language of the findings: targets, indexes, nesting, comparisons. */
START_TEST(new_forms_parse)
{
	struct scenario *s = parse(HEADER "fails-on passthrough_ll fixed passthrough_fh\n"
				   "only ids-only passthrough\n"
				   "inject name_to_handle_at=EOPNOTSUPP:nth=2\n"
				   "inject openat=EACCES:path=/x*\n"
				   "limit nofile=128\n"
				   "repeat 3\n"
				   "repeat 2 j\n"
				   "guest handle f$i$j => h[$i.$j]\n"
				   "witness !\"x\" expect !\"x\" guest open-handle ${h[$i.$j]}\n"
				   "end\n"
				   "end\n"
				   "expect 12 guest walk d\n"
				   "expect <=32 daemon fds\n"
				   "expect >=1 daemon rss\n"
				   "background drops\n"
				   "guest drop-caches\n"
				   "end\n"
				   "join drops\n");

	ck_assert_msg(s, "%s", errors);
	ck_assert(scenario_fails_on(s, target("passthrough_ll")) &&
		  scenario_fails_on(s, target("fixed")) && scenario_fails_on(s, target("passthrough_fh")));
	ck_assert(!scenario_fails_on(s, target("passthrough")) && !scenario_fails_on(s, target("v3")));
	ck_assert(scenario_only(s, target("ids-only")) && scenario_only(s, target("passthrough")));
	ck_assert(!scenario_only(s, target("fixed")));
	ck_assert_int_eq(s->ninject, 2);
	ck_assert_str_eq(s->inject[1], "openat=EACCES:path=/x*");
	ck_assert_int_eq(s->nofile, 128);
	ck_assert_str_eq(s->steps[0].repeat_var, "i");
	ck_assert_str_eq(s->steps[1].repeat_var, "j");
	ck_assert_int_eq(s->steps[0].repeat_end, 5);
	ck_assert_int_eq(s->steps[1].repeat_end, 4);
	ck_assert_str_eq(s->steps[2].capture, "h[$i.$j]");
	ck_assert_str_eq(s->steps[3].argv[0], "${h[$i.$j]}");
	ck_assert_int_eq(s->steps[6].kind, KIND_GUEST);
	ck_assert_str_eq(s->steps[6].op->name, "walk");
	ck_assert_int_eq(s->steps[7].kind, KIND_DAEMON);
	ck_assert_int_eq(s->steps[7].expect.type, EXPECT_AT_MOST);
	ck_assert_str_eq(s->steps[7].expect.value, "32");
	ck_assert_int_eq(s->steps[8].expect.type, EXPECT_AT_LEAST);
	ck_assert_str_eq(s->steps[9].background, "drops");
	ck_assert_int_eq(s->steps[9].repeat_end, 11);
	ck_assert_str_eq(s->steps[12].join, "drops");
	scenario_free(s);
}
END_TEST

/* A by-design line acts as fails-on for its target and carries its reason. */
START_TEST(by_design_parses)
{
	struct scenario *s = parse(HEADER "fails-on bindfs\n"
				   "by-design mergerfs:path-hash \"mergerfs's manual: path-hash\"\n"
				   "witness EIO expect ok guest read a\n");

	ck_assert_msg(s, "%s", errors);
	ck_assert_str_eq(scenario_by_design(s, target("mergerfs:path-hash")),
			 "mergerfs's manual: path-hash");
	ck_assert(scenario_fails_on(s, target("mergerfs:path-hash")));
	ck_assert(!scenario_by_design(s, target("mergerfs")) && !scenario_fails_on(s, target("mergerfs")));
	ck_assert(scenario_fails_on(s, target("bindfs")) && !scenario_by_design(s, target("bindfs")));
	scenario_free(s);
}
END_TEST

START_TEST(all_errors_of_a_file_are_reported)
{
	struct scenario *s = parse(HEADER "guest frob\nguest read\nexpect EXX guest read a\n");
	int lines = 0;

	ck_assert_ptr_null(s);
	for (char *p = errors; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_int_eq(lines, 4); /* three bad steps, so also no steps */
	ck_assert_ptr_nonnull(strstr(errors, ":5: read takes"));
	ck_assert_ptr_nonnull(strstr(errors, ":6: unknown errno name 'EXX'"));
}
END_TEST

START_TEST(missing_file)
{
	FILE *err;

	free(errors);
	errors = NULL;
	err = open_memstream(&errors, &errlen);
	ck_assert_ptr_null(scenario_parse("/nonexistent/x.scn", err));
	fclose(err);
	ck_assert_ptr_nonnull(strstr(errors, "/nonexistent/x.scn: cannot open: No such file"));
}
END_TEST

START_TEST(protocol_steps_parse)
{
	struct scenario *s = parse(HEADER "fuse lookup 1 f => a\n"
				   "expect $a fuse lookup 1 f\n"
				   "expect any fuse lookup 1 g => b2\n"
				   "witness !$a expect $a set n ${b2:-$a[generation]}\n"
				   "expect gone raw opcode 9999\n"
				   "expect running daemon status\n");

	ck_assert_ptr_nonnull(s);
	ck_assert(s->protocol);
	ck_assert_int_eq(s->steps[0].kind, KIND_FUSE);
	ck_assert_str_eq(s->steps[0].argv[0], "lookup");
	ck_assert_int_eq(s->steps[0].argc, 3);
	ck_assert_str_eq(s->steps[0].capture, "a");
	ck_assert_int_eq(s->steps[3].kind, KIND_SET);
	ck_assert(s->steps[3].witness);
	ck_assert_int_eq(s->steps[4].kind, KIND_RAW);
	ck_assert_str_eq(s->steps[4].argv[1], "9999");
	ck_assert_ptr_null(s->init);
	ck_assert_uint_eq(s->requires, 0);
	scenario_free(s);

	s = parse(HEADER "guest read a\nwitness expect unchanged canary check\n");
	ck_assert_ptr_nonnull(s);
	ck_assert(s->canary);
	ck_assert_int_eq(s->steps[1].kind, KIND_CANARY);
	ck_assert(!s->protocol); /* a canary goes with mount and protocol scenarios alike */
	scenario_free(s);
	/* The header lines protocol scenarios have, and raw send with variables. */
	s = parse(HEADER "init linux-6.12\nrequires vhost-user\nfuse lookup 1 f => n\n"
		  "expect any raw send chain=outside ext=1 MKDIR $n u32:0755 u32:0 s:x u64:$n\n");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_eq(s->init, fuse_init_profile_find("linux-6.12"));
	ck_assert_uint_eq(s->requires, REQUIRES_VHOST_USER);
	ck_assert_int_eq(s->steps[1].kind, KIND_RAW);
	ck_assert_str_eq(s->steps[1].argv[0], "send");
	scenario_free(s);
}
END_TEST

UNIT_SUITE(scenario_parse_suite, "scenario_parse", setup, teardown,
	   every_step_parses,
	   applies_is_a_premise_on_the_target,
	   every_refusal_names_its_line,
	   all_errors_of_a_file_are_reported,
	   missing_file,
	   negated_quoted_value,
	   witness_steps,
	   many_variables,
	   nul_byte_refused,
	   new_forms_parse,
	   by_design_parses,
	   protocol_steps_parse)
