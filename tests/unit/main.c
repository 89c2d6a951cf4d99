/*
 * main: runs every suite. Tests that need root (handles need
 * CAP_DAC_READ_SEARCH) say so and pass vacuously only outside CI; under
 * CI=true they fail instead, since CI runs as root.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

char unit_tmpdir[64];

const char *unit_tmpdir_make(void)
{
	strcpy(unit_tmpdir, "/tmp/vfskit-unit.XXXXXX");
	if (!mkdtemp(unit_tmpdir))
		return NULL;
	return unit_tmpdir;
}

void unit_tmpdir_remove(void)
{
	char cmd[128];

	if (!unit_tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", unit_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "unit: could not remove %s\n", unit_tmpdir);
	unit_tmpdir[0] = '\0';
}

bool unit_have_root(const char *what)
{
	const char *ci = getenv("CI");

	if (geteuid() == 0)
		return true;
	if (ci && !strcmp(ci, "true"))
		ck_abort_msg("%s needs root, and CI runs as root", what);
	fprintf(stderr, "skip: %s needs root\n", what);
	return false;
}

int main(void)
{
	SRunner *sr = srunner_create(errno_name_suite());
	int failed;

	srunner_add_suite(sr, hash_table_suite());
	srunner_add_suite(sr, fault_suite());
	srunner_add_suite(sr, json_line_suite());
	srunner_add_suite(sr, proc_fd_suite());
	srunner_add_suite(sr, inode_store_suite());
	srunner_add_suite(sr, state_image_suite());
	srunner_add_suite(sr, results_suite());
	srunner_add_suite(sr, mount_fds_suite());
	srunner_add_suite(sr, lookup_suite());
	srunner_add_suite(sr, control_cmd_suite());
	srunner_add_suite(sr, scenario_parse_suite());
	srunner_add_suite(sr, inject_spec_suite());
	srunner_add_suite(sr, trace_suite());
	srunner_add_suite(sr, virtq_suite());
	srunner_add_suite(sr, vhost_user_msg_suite());
	srunner_add_suite(sr, vhost_user_back_suite());
	srunner_add_suite(sr, request_check_suite());
	srunner_add_suite(sr, notify_suite());
	srunner_add_suite(sr, fuse_notify_check_suite());
	srunner_add_suite(sr, fuse_pipeline_suite());
	srunner_add_suite(sr, notify_join_suite());
	srunner_add_suite(sr, target_suite());
	srunner_add_suite(sr, fuse_client_init_suite());
	srunner_add_suite(sr, strbuf_slab_suite());
	srunner_add_suite(sr, fuse_words_suite());
	srunner_add_suite(sr, watch_table_suite());
	srunner_add_suite(sr, virtio_fs_dev_suite());
	srunner_add_suite(sr, open_files_suite());
	srunner_add_suite(sr, fuzz_oracle_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

Suite *unit_suite(const char *name, const TTest *const *tests, void (*setup)(void),
		  void (*teardown)(void), double timeout)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("core");

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	return s;
}
