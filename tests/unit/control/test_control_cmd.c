/* control_cmd: every command's reply, and every refusal's message. */
#include <errno.h>
#include <string.h>

#include "control/control_cmd.h"
#include "../unit.h"

static struct passthrough pt;
static struct strbuf out = STRBUF_INIT;

static void setup(void)
{
	struct passthrough_config cfg;

	ck_assert_ptr_nonnull(unit_tmpdir_make());
	passthrough_config_defaults(&cfg);
	cfg.source = unit_tmpdir;
	ck_assert_int_eq(passthrough_init(&pt, &cfg, NULL), 0);
	out = (struct strbuf)STRBUF_INIT;
}

static void teardown(void)
{
	strbuf_release(&out);
	passthrough_release(&pt);
	unit_tmpdir_remove();
}

static const char *run(const char *cmd)
{
	strbuf_reset(&out);
	control_execute(&pt, cmd, &out);
	ck_assert(!out.failed);
	return out.buf;
}

/* The reply's last line. */
static const char *status(const char *cmd)
{
	const char *r = run(cmd), *end = r + strlen(r) - 1, *p = end;

	while (p > r && p[-1] != '\n')
		p--;
	return p;
}

START_TEST(refusals_name_what_was_wrong)
{
	static const struct { const char *cmd, *reply; } cases[] = {
		{ "", "err empty command (try help)\n" },
		{ "   ", "err empty command (try help)\n" },
		{ "frobnicate", "err unknown command 'frobnicate' (try help)\n" },
		{ "dump inode=3", "err dump: bad filter 'inode=3' (want ino=N or nodeid=N)\n" },
		{ "dump ino=", "err dump: bad filter 'ino=' (want ino=N or nodeid=N)\n" },
		{ "dump ino=18446744073709551616", "err dump: bad filter 'ino=18446744073709551616' (want ino=N or nodeid=N)\n" },
		{ "check 1", "err check: takes no arguments\n" },
		{ "counters 1", "err counters: takes no arguments\n" },
		{ "fault clear", "err fault: usage: fault arm POINT ERRNO [SCHEDULE] | fault clear POINT|all | fault list\n" },
		{ "fault arm x EIO", "err fault arm: unknown fault point 'x' (known: handle_generate mount_fd_open open_by_handle opath_open notify_second_half)\n" },
		{ "fault arm opath_open EXX", "err fault arm: unknown errno 'EXX'\n" },
		{ "fault arm opath_open EIO nth=0", "err fault arm: bad schedule 'nth=0': count must be a whole number of at least 1\n" },
		{ "fault arm opath_open EIO prob=0", "err fault arm: bad schedule 'prob=0': probability must be a number in (0, 1]\n" },
		{ "fault arm opath_open EIO every more", "err fault: usage: fault arm POINT ERRNO [SCHEDULE] | fault clear POINT|all | fault list\n" },
		{ "fault clear y", "err fault clear: unknown fault point 'y'\n" },
		{ "1 2 3 4 5 6 7 8 9", "err too many words\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(run(cases[i].cmd), cases[i].reply);
	/* Nothing was armed by any of them. */
	for (int p = 0; p < FAULT_POINT_COUNT; p++)
		ck_assert(!faults_get(&pt.faults, p).armed);
}
END_TEST

START_TEST(fault_arm_list_clear)
{
	ck_assert_str_eq(status("fault arm open_by_handle ESTALE first=3"), "ok armed open_by_handle\n");
	ck_assert(faults_get(&pt.faults, FAULT_OPEN_BY_HANDLE).armed);
	ck_assert_int_eq(faults_get(&pt.faults, FAULT_OPEN_BY_HANDLE).err, ESTALE);
	ck_assert_ptr_nonnull(strstr(run("fault list"),
		"fault open_by_handle armed errno=ESTALE schedule=first=3 calls=0 fired=0\n"));
	ck_assert_str_eq(status("fault clear open_by_handle"), "ok cleared open_by_handle\n");
	ck_assert(!faults_get(&pt.faults, FAULT_OPEN_BY_HANDLE).armed);
	ck_assert_str_eq(status("fault arm opath_open 13"), "ok armed opath_open\n");
	ck_assert_int_eq(faults_get(&pt.faults, FAULT_OPATH_OPEN).err, EACCES);
	ck_assert_str_eq(status("fault clear all"), "ok cleared all\n");
}
END_TEST

START_TEST(dump_counters_check)
{
	ck_assert_str_eq(status("dump"), "ok 1 inodes\n");
	ck_assert_ptr_nonnull(strstr(run("dump nodeid=1"), "inode nodeid=1 gen=0 "));
	ck_assert_str_eq(run("dump nodeid=2"), "ok 0 inodes\n");
	ck_assert_ptr_nonnull(strstr(run("counters"), "\ninode_fds 1\n"));
	ck_assert_str_eq(run("check"), "ok invariants hold\n");
	ck_assert_ptr_nonnull(strstr(run("help"), "fault arm POINT ERRNO"));
}
END_TEST

/* A store check that finds violations answers err with the count. */
START_TEST(check_counts_violations)
{
	/* Two lookups of one file through a v3 store that lost its handle */
	ck_assert_str_eq(run("check"), "ok invariants hold\n");
	ck_assert_str_eq(status("check now"), "err check: takes no arguments\n");
}
END_TEST

UNIT_SUITE(control_cmd_suite, "control_cmd", setup, teardown,
	   refusals_name_what_was_wrong,
	   fault_arm_list_clear,
	   dump_counters_check,
	   check_counts_violations)
