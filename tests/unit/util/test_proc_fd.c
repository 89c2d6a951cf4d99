/* proc_fd: an fd's file reached again through /proc/self/fd, by path or name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/proc_fd.h"
#include "../unit.h"

static int opath_on_new_file(const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/f", unit_tmpdir_make());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	fd = open(path, O_PATH | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void assert_reads(int fd, const char *text)
{
	char buf[32] = { 0 };

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(text));
	ck_assert_str_eq(buf, text);
	close(fd);
}

START_TEST(reopen_through_the_directory_and_the_path)
{
	int fd = opath_on_new_file("data"), dir = proc_fd_dir_open();
	char path[PROC_FD_PATH_MAX];

	ck_assert_int_ge(dir, 0);
	assert_reads(proc_fd_reopen(dir, fd, O_RDONLY), "data");
	assert_reads(proc_fd_reopen(-1, fd, O_RDONLY), "data");
	ck_assert_str_eq(proc_fd_path(fd, path), path);
	ck_assert_int_eq(strncmp(path, "/proc/self/fd/", 14), 0);
	ck_assert_int_eq(proc_fd_reopen(dir, 9999, O_RDONLY), -ENOENT);
	close(dir);
	close(fd);
	unit_tmpdir_remove();
}
END_TEST

/* As a sandbox leaves it: the working directory is /proc/self/fd, paths are "N". */
START_TEST(relative_paths_work_from_the_fd_directory)
{
	int fd = opath_on_new_file("rel"), status;
	pid_t pid = fork(); /* the switch is for the life of a process */

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char path[PROC_FD_PATH_MAX], want[PROC_FD_PATH_MAX], buf[8] = { 0 };
		int dir = proc_fd_dir_open(), r;

		if (dir < 0 || fchdir(dir) < 0)
			_exit(2);
		proc_fd_paths_relative();
		snprintf(want, sizeof(want), "%d", fd);
		if (strcmp(proc_fd_path(fd, path), want))
			_exit(3);
		r = open(path, O_RDONLY | O_CLOEXEC);
		_exit(r >= 0 && read(r, buf, 3) == 3 && !strcmp(buf, "rel") ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(fd);
	unit_tmpdir_remove();
}
END_TEST

UNIT_SUITE(proc_fd_suite, "proc_fd", NULL, NULL,
	   reopen_through_the_directory_and_the_path,
	   relative_paths_work_from_the_fd_directory)
