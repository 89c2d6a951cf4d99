/* unit: the Check suites, one per lib/ subsystem, run by main.c. */
#ifndef VFS_UNIT_H
#define VFS_UNIT_H

#include <check.h>

Suite *errno_name_suite(void);
Suite *hash_table_suite(void);
Suite *fault_suite(void);
Suite *json_line_suite(void);
Suite *proc_fd_suite(void);
Suite *inode_store_suite(void);
Suite *mount_fds_suite(void);
Suite *lookup_suite(void);
Suite *control_cmd_suite(void);
Suite *scenario_parse_suite(void);
Suite *inject_spec_suite(void);
Suite *trace_suite(void);
Suite *virtq_suite(void);
Suite *vhost_user_msg_suite(void);
Suite *vhost_user_back_suite(void);
Suite *request_check_suite(void);
Suite *notify_suite(void);
Suite *fuse_notify_check_suite(void);
Suite *fuse_pipeline_suite(void);
Suite *notify_join_suite(void);
Suite *target_suite(void);
Suite *fuse_client_init_suite(void);
Suite *strbuf_slab_suite(void);
Suite *fuse_words_suite(void);
Suite *watch_table_suite(void);
Suite *virtio_fs_dev_suite(void);
Suite *open_files_suite(void);
Suite *fuzz_oracle_suite(void);
Suite *state_image_suite(void);
Suite *results_suite(void);

/*
 * A suite of one test case, "core", of @tests (NULL-terminated), with
 * @setup and @teardown around each (NULL: none) and the test time limit
 * @timeout seconds (0: Check's default).
 */
Suite *unit_suite(const char *name, const TTest *const *tests, void (*setup)(void),
		  void (*teardown)(void), double timeout);

/* Defines FN, the suite NAME of the tests after it, each with SETUP/TEARDOWN around it. */
#define UNIT_SUITE(fn, name, setup, teardown, ...)                            \
	Suite *fn(void)                                                        \
	{                                                                      \
		const TTest *tests_[] = { __VA_ARGS__, NULL };                 \
		return unit_suite(name, tests_, setup, teardown, 0);           \
	}

/* A fresh directory under /tmp for one test, removed by unit_tmpdir_remove. */
const char *unit_tmpdir_make(void);
void unit_tmpdir_remove(void);
extern char unit_tmpdir[];

/*
 * True if running as root. Otherwise prints one line saying why @what is
 * skipped and returns false, or fails the test under CI=true (CI has root).
 */
#include <stdbool.h>
bool unit_have_root(const char *what);

#endif
